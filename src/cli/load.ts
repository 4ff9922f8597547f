/**
 * Reading the config files named on the command line; what they mean is
 * {@link loadCluster}'s business, so the CLI reads exactly what the library does.
 */
import { readFile } from 'node:fs/promises';
import { loadCluster, type Cluster } from '../index.js';
import { InputError, UsageError } from '../errors.js';
import { fileFailure } from './file-failure.js';

/** The files named, their texts, and the cluster they describe. */
export interface LoadedConfig extends Cluster {
  files: string[];
  /** Each file's text, as read (the report embeds it). */
  texts: string[];
}

/**
 * Reads the files in order (so the first unreadable one is reported) and
 * loads them as one cluster.
 *
 * @throws {UsageError} when no file is named.
 * @throws {InputError} when a file cannot be read.
 * @throws {ConfigError} with file and line when a file cannot be parsed.
 */
export async function loadConfigs(command: string, files: readonly string[]): Promise<LoadedConfig> {
  if (files.length === 0) throw new UsageError('no config file given', command);
  const texts: string[] = [];
  for (const file of files) texts.push(await readText(file));
  return { ...loadCluster(texts.map((text, i) => ({ text, file: files[i]! }))), files: [...files], texts };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(
      `${file}: cannot read the file: ${fileFailure(err as NodeJS.ErrnoException, 'no such file', 'it is a directory; name the dynomite.yml inside it')}`,
      file,
    );
  }
}
