/**
 * Reading the config files named on the command line; what they mean is
 * {@link loadCluster}'s business, so the CLI reads exactly what the library does.
 */
import { readFile } from 'node:fs/promises';
import { Topology, loadCluster, type Cluster } from '../index.js';
import { ConfigError, InputError, UsageError } from '../errors.js';
import { fileFailure } from './file-failure.js';
import { fetchClusterDescribe } from '../config/admin-http.js';
import { checkHashName } from '../hash/functions.js';
import { DEFAULT_HASH, keyHashing, type HashOptions } from '../ring/key-hashing.js';
import type { ParsedArgs } from './args.js';

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
 * `--hash` and `--hash-tag`, for commands that read `--live`: the admin port
 * does not say which hash the pool uses, so the caller may.
 */
export const LIVE_HASHING_OPTIONS = { hash: { type: 'string' }, 'hash-tag': { type: 'string' } } as const;

/** The help lines of {@link LIVE_HASHING_OPTIONS}, their text starting at `column` as the command's other options do. */
export function liveHashingHelp(column: number): string {
  return [
    ['--hash NAME', `with --live: the pool's hash (default ${DEFAULT_HASH})`],
    ['--hash-tag XY', "with --live: the pool's hash tag, such as {} (default none)"],
  ]
    .map(([option, text]) => {
      const head = `  ${option}`;
      // An option too long for the column gets its text on the next line, as the help texts wrap.
      return head.length + 2 <= column ? `${head.padEnd(column)}${text}` : `${head}\n${' '.repeat(column)}${text}`;
    })
    .join('\n');
}

/** A live view's hashing, from `--hash`/`--hash-tag`, and a note for stderr when they are left out. */
export interface LiveHashing {
  hashing: HashOptions;
  /** Empty when `--hash` was given. */
  note: string;
}

/**
 * Reads `--hash`/`--hash-tag`, which only a live view needs (files say their hash).
 *
 * @throws {UsageError} when given without `--live`, or naming an unknown hash or a bad tag.
 */
export function liveHashing(command: string, values: ParsedArgs['values'], live: string | undefined): LiveHashing {
  const hash = values.hash as string | undefined;
  const hashTag = values['hash-tag'] as string | undefined;
  if (live === undefined) {
    if (hash !== undefined || hashTag !== undefined)
      throw new UsageError(`--hash and --hash-tag apply only with --live: the files say their hash and hash_tag`, command);
    return { hashing: {}, note: '' };
  }
  let hashing: HashOptions;
  try {
    hashing = { ...(hash === undefined ? {} : { hash: checkHashName(hash) }), ...(hashTag === undefined ? {} : { hashTag }) };
    keyHashing(hashing);
  } catch (err) {
    if (err instanceof ConfigError)
      throw new UsageError(`${hash === undefined ? '--hash-tag' : '--hash or --hash-tag'}: ${err.message}`, command);
    throw err;
  }
  return {
    hashing,
    note:
      hash === undefined
        ? `note: the admin port does not say the pool's hash: hashing with ${DEFAULT_HASH}${hashTag === undefined ? ' and no hash_tag' : ''}; give --hash${hashTag === undefined ? ' and --hash-tag' : ''} if the pool uses another\n`
        : '',
  };
}

/**
 * Reads a running node's view of the cluster from its admin port
 * (`GET /cluster_describe`; never `/`), as a config with no files behind it,
 * hashing as `hashing` says (the admin port does not say).
 *
 * @throws {TopologySourceError} when the node cannot be reached or answers badly.
 * @throws {ConfigError} for a malformed body.
 */
export async function loadLive(url: string, hashing: HashOptions = {}): Promise<LoadedConfig> {
  const peers = await fetchClusterDescribe(url);
  const config = { peers, origins: peers.map(() => []), disagreements: [], notes: [], ...hashing };
  return { nodes: [], config, topology: Topology.fromPeers(peers, hashing), drift: [], notes: [], files: [url], texts: [] };
}

/** The files, or with `live` a running node's view instead (then no file may be named). */
export async function loadFilesOrLive(
  command: string,
  files: readonly string[],
  live: string | undefined,
  hashing: HashOptions = {},
): Promise<LoadedConfig> {
  if (live === undefined) return loadConfigs(command, files);
  if (files.length > 0) throw new UsageError(`give config files or --live URL, not both (got ${files.join(' ')})`, command);
  return loadLive(live, hashing);
}
