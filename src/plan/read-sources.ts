/** Reading configuration files from disk (Node-only), for the plan commands and the seeds server. */
import { readFile } from 'node:fs/promises';
import { fileFailure } from '../cli/file-failure.js';
import type { ConfigSource } from '../config/dynomite-yaml.js';
import { InputError } from '../errors.js';

/**
 * Reads the files in order, so the first unreadable one is the one named.
 *
 * @throws {InputError} naming the file and why it cannot be read.
 */
export async function readSources(files: readonly string[]): Promise<ConfigSource[]> {
  const sources: ConfigSource[] = [];
  for (const file of files) {
    try {
      sources.push({ text: await readFile(file, 'utf8'), file });
    } catch (err) {
      const why = fileFailure(err as NodeJS.ErrnoException, 'no such file', 'it is a directory; name the dynomite.yml files inside it');
      throw new InputError(`${file}: cannot read the file: ${why}`, file);
    }
  }
  return sources;
}
