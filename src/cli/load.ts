/**
 * Reading the config files named on the command line and merging them into
 * one peer list (the first file's node is the local node).
 */
import { readFile } from 'node:fs/promises';
import { mergeNodeConfigs, parseConfigFile, type MergedConfig, type NodeConfig } from '../index.js';
import { InputError, UsageError } from '../errors.js';
import { fileFailure } from './file-failure.js';
import { fetchClusterDescribe } from '../config/admin-http.js';

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

/**
 * Reads a running node's view of the cluster from its admin port
 * (`GET /cluster_describe`; never `/`), as a config with no files behind it.
 *
 * @throws {TopologySourceError} when the node cannot be reached or answers badly.
 * @throws {ConfigError} for a malformed body.
 */
export async function loadLive(url: string): Promise<LoadedConfig> {
  const peers = await fetchClusterDescribe(url);
  return { files: [url], merged: { peers, origins: peers.map(() => []), disagreements: [] } };
}

/** The files, or with `live` a running node's view instead (then no file may be named). */
export async function loadFilesOrLive(command: string, files: readonly string[], live: string | undefined): Promise<LoadedConfig> {
  if (live === undefined) return loadConfigs(command, files);
  if (files.length > 0) throw new UsageError(`give config files or --live URL, not both (got ${files.join(' ')})`, command);
  return loadLive(live);
}
