/**
 * A seeds server Dynomite's `florida_provider` reads: `GET
 * /REST/v1/admin/get_seeds` answers the florida body of the configuration
 * files, re-read when they change. A set that fails validation is refused
 * and the last good one stays served. Node-only (`node:http`, `node:fs`):
 * the CLI's `serve-seeds` runs it; it is not in the library bundle.
 */
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadCluster } from '../config/cluster.js';
import type { ConfigSource } from '../config/dynomite-yaml.js';
import { formatFloridaSeeds } from '../config/florida.js';
import { describeDisagreement } from '../config/merge.js';
import { TOPOLOGY_SOURCE_PATHS } from '../config/admin-http.js';
import { ConfigError } from '../errors.js';
import { checkTokenCoverage, describeCoverageIssue } from '../ring/coverage.js';
import { readSources } from './read-sources.js';

/** Options of {@link startSeedsServer}; defaults in {@link SEEDS_SERVER_DEFAULTS}. */
export interface SeedsServerOptions {
  /** The configuration files (dynomite.yml or seed lists), merged as one pool. */
  files: readonly string[];
  /** Port to listen on; 0 picks a free one. @default 8080 (florida's default `DYNOMITE_FLORIDA_PORT`) */
  port?: number;
  /** Address to listen on. @default '127.0.0.1' (florida's default `DYNOMITE_FLORIDA_IP`) */
  host?: string;
  /** How often the files are compared with what is served, besides change events, in ms. @default 1000 */
  pollMs?: number;
  /** Receives one line per request (`access`) and per changed set of files (`reload`). @default no logging */
  log?: (line: string, kind: 'access' | 'reload') => void;
}

/** The defaults of {@link SeedsServerOptions}. */
export const SEEDS_SERVER_DEFAULTS = { port: 8080, host: '127.0.0.1', pollMs: 1000 } as const;

/** What a reload did: `served` when the files changed and are good, `refused` when they changed and are not. */
export type ReloadResult = { outcome: 'served'; body: string } | { outcome: 'refused'; reason: string } | { outcome: 'unchanged' };

/** A running seeds server. It emits `reload` with a {@link ReloadResult} whenever the files change. */
export interface SeedsServer extends EventEmitter<{ reload: [ReloadResult] }> {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  /** The body being served. */
  body(): string;
  /** Re-reads the files now (changes are also picked up on their own). */
  reload(): Promise<ReloadResult>;
  /** Stops listening and watching. */
  close(): Promise<void>;
}

/**
 * The florida body of a set of configuration files, after the checks
 * `dynoring validate` fails on: every rack has tokens, no token is claimed
 * twice in a rack, the files agree, and every node has exactly one token
 * (the format carries one).
 *
 * @throws {ConfigError} naming every problem.
 */
export function seedsBody(sources: readonly ConfigSource[]): string {
  const { config, drift } = loadCluster(sources);
  const problems = [
    ...checkTokenCoverage(config.peers).map((issue) => describeCoverageIssue(issue, config.peers)),
    ...drift.map(describeDisagreement),
  ];
  if (problems.length > 0) throw new ConfigError(`the files fail validation: ${problems.join('; ')}`);
  return formatFloridaSeeds(config.peers);
}

/**
 * Serves the files' florida body on `GET /REST/v1/admin/get_seeds` (any
 * other path is a 404), re-reading them on change (fs.watch, and a poll
 * for editors that replace files and file systems without events).
 *
 * @throws {ConfigError | InputError} when the files cannot be served at start.
 */
export async function startSeedsServer(options: SeedsServerOptions): Promise<SeedsServer> {
  const o = { ...SEEDS_SERVER_DEFAULTS, ...options };
  const log = o.log ?? (() => {});
  if (!Array.isArray(o.files) || o.files.length === 0) throw new ConfigError('no configuration file given to serve seeds from');
  let texts = (await readSources(o.files)).map((s) => s.text);
  let body = seedsBody(o.files.map((file, i) => ({ file, text: texts[i]! })));
  const path = TOPOLOGY_SOURCE_PATHS.floridaSeeds.path;

  const http: Server = createServer((req, res) => {
    const found = req.method === 'GET' && req.url === path;
    const reply = found ? body : `not found: the seeds are at ${path}\n`;
    res.writeHead(found ? 200 : 404, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(reply) });
    res.end(reply);
    log(
      `${new Date().toISOString()} ${req.socket.remoteAddress ?? '-'} "${req.method} ${req.url} HTTP/${req.httpVersion}" ${found ? 200 : 404} ${Buffer.byteLength(reply)} "${req.headers['user-agent'] ?? ''}"`,
      'access',
    );
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(o.port, o.host, () => {
      http.off('error', reject);
      resolve();
    });
  });

  const events = new EventEmitter<{ reload: [ReloadResult] }>();
  // One reload at a time, in order: a burst of change events is one read each, never interleaved.
  let queue: Promise<ReloadResult> = Promise.resolve({ outcome: 'unchanged' });
  const reload = () => (queue = queue.then(reloadOnce, reloadOnce));
  async function reloadOnce(): Promise<ReloadResult> {
    let result: ReloadResult;
    let read: string[] | undefined;
    try {
      read = (await readSources(o.files)).map((s) => s.text);
      if (read.every((t, i) => t === texts[i])) return { outcome: 'unchanged' };
      const next = seedsBody(o.files.map((file, i) => ({ file, text: read![i]! })));
      body = next;
      result = { outcome: 'served', body: next };
      log(`${new Date().toISOString()} reloaded ${o.files.join(', ')}: serving ${next.split('|').length} seeds`, 'reload');
    } catch (err) {
      result = { outcome: 'refused', reason: (err as Error).message };
      log(`${new Date().toISOString()} refused the changed files, still serving the last good set: ${(err as Error).message}`, 'reload');
    }
    // Remembered either way, so a broken set is reported once, not on every poll.
    if (read) texts = read;
    events.emit('reload', result);
    return result;
  }

  const watchers: FSWatcher[] = o.files.flatMap((file) => {
    try {
      return [watch(file, { persistent: false }, () => void reload())];
    } catch {
      return []; // The poll still sees it.
    }
  });
  const poll = setInterval(() => void reload(), o.pollMs);
  poll.unref();
  const { port } = http.address() as AddressInfo;

  return Object.assign(events, {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    port,
    body: () => body,
    reload,
    async close() {
      clearInterval(poll);
      for (const w of watchers) w.close();
      await queue;
      await new Promise<void>((resolve, reject) => {
        http.closeAllConnections();
        http.close((err) => (err ? reject(err) : resolve()));
      });
    },
  });
}
