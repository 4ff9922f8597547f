/**
 * Reading the config files named on the command line and merging them into
 * one peer list (the first file's node is the local node).
 */
import { readFile } from 'node:fs/promises';
import { mergeNodeConfigs, parseConfigFile, type MergedConfig, type NodeConfig } from '../index.js';
import { InputError, UsageError } from '../errors.js';
import { fileFailure } from './file-failure.js';

/** The files named, and their merged view. */
export interface LoadedConfig {
  files: string[];
  merged: MergedConfig;
}

/**
 * Reads, parses and merges config files: each a `dynomite.yml` or a list of
 * seed strings (parseConfigFile decides by shape).
 *
 * @throws {UsageError} when no file is named.
 * @throws {InputError} when a file cannot be read.
 * @throws {ConfigError} with file and line when a file cannot be parsed.
 */
export async function loadConfigs(command: string, files: readonly string[]): Promise<LoadedConfig> {
  if (files.length === 0) throw new UsageError('no config file given', command);
  const nodes: NodeConfig[] = [];
  // In order, so the first unreadable or invalid file is the one reported.
  for (const file of files) nodes.push(parseConfigFile({ text: await readText(file), file }));
  return { files: [...files], merged: mergeNodeConfigs(nodes) };
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
