/**
 * Reading the config files named on the command line; what they mean is
 * {@link loadCluster}'s business, so the CLI reads exactly what the library does.
 */
import { readFile } from 'node:fs/promises';
import { Topology, loadCluster, type Cluster } from '../index.js';
import { InputError, UsageError } from '../errors.js';
import { fileFailure } from './file-failure.js';
import { fetchClusterDescribe } from '../config/admin-http.js';

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

/**
 * Reads a running node's view of the cluster from its admin port
 * (`GET /cluster_describe`; never `/`), as a config with no files behind it.
 *
 * @throws {TopologySourceError} when the node cannot be reached or answers badly.
 * @throws {ConfigError} for a malformed body.
 */
export async function loadLive(url: string): Promise<LoadedConfig> {
  const peers = await fetchClusterDescribe(url);
  const config = { peers, origins: peers.map(() => []), disagreements: [], notes: [] };
  return { nodes: [], config, topology: Topology.fromPeers(peers), drift: [], notes: [], files: [url], texts: [] };
}

/** The files, or with `live` a running node's view instead (then no file may be named). */
export async function loadFilesOrLive(command: string, files: readonly string[], live: string | undefined): Promise<LoadedConfig> {
  if (live === undefined) return loadConfigs(command, files);
  if (files.length > 0) throw new UsageError(`give config files or --live URL, not both (got ${files.join(' ')})`, command);
  return loadLive(live);
}
