/** `DynoClient` options, their defaults, and how they are checked. */
import type { RedisOptions } from 'ioredis';
import type { HashName } from '../hash/functions.js';
import type { Topology } from '../ring/topology.js';
import type { Endpoint, Peer } from '../ring/peer.js';
import { describe } from '../ring/token.js';
import { isCoordinatorHintStore, type CoordinatorHintStore } from './coordinator/hint-queues.js';
import { storeClosed } from '../errors.js';
import { checkWindow } from '../hints/hint.js';

/** The read and write consistency Dynomite applies to one client connection. */
export type Consistency = 'DC_ONE' | 'DC_QUORUM' | 'DC_SAFE_QUORUM';

/** Where the topology comes from: give exactly one of these. */
export interface TopologySourceOptions {
  /** Paths of `dynomite.yml` files (ideally every node's; merged as the CLI merges them) or seed lists. */
  files?: readonly string[];
  /** A topology already built. */
  topology?: Topology;
  /** Seed strings `host:port:rack:dc:tokens`, or their text one per line. */
  seeds?: string | readonly string[];
  /** A live node's admin URL (`http://host:22222`): the client reads `GET /cluster_describe`, and polls it. */
  clusterDescribe?: string;
  /** A florida seeds server (`http://host:8080`): the client reads `GET /REST/v1/admin/get_seeds`, and polls it. */
  florida?: string;
  /** Dynomite Manager (`http://host:8080`): the client reads its flat node list at `/REST/v1/admin/cluster_describe`, and polls it. */
  dynomiteManager?: string;
}

/**
 * A node's client (RESP) port: a function of the peer, or a map from
 * `host:peerPort` to the client port or endpoint.
 */
export type ClientPortOption = ((peer: Peer) => number | Endpoint) | Readonly<Record<string, number | Endpoint>>;

/** Options of `DynoClient.connect`. */
export interface ClientOptions extends TopologySourceOptions {
  /** The rack the client prefers. @default the local node's rack (from the files, or the first node of `/cluster_describe`), else the first rack of the local datacenter */
  localRack?: string;
  /** The client's datacenter. @default the local rack's datacenter */
  localDc?: string;
  /**
   * Client ports where the source does not say them (seed lists, admin
   * sources); in coordinator mode, the Redis server of each peer.
   * @default peer port + 1, with a warning; in coordinator mode (`nodes: 'redis'`), the peer endpoint itself
   */
  clientPort?: ClientPortOption;
  /** Overrides the source's `hash:`. */
  hash?: HashName;
  /** Overrides the source's `hash_tag:`. */
  hashTag?: string;
  /** Attempts per command, across nodes, the first included. @default 3 */
  maxAttempts?: number;
  /** How long one attempt waits for its reply, in ms; a command waits at most `maxAttempts` times this. @default 1000 */
  commandTimeoutMs?: number;
  /** How long opening one connection may take, in ms. @default 2000 */
  connectTimeoutMs?: number;
  /** Consecutive connection-level failures after which a node is marked down (a refused connection marks it down at once). @default 3 */
  downAfterErrors?: number;
  /** First delay between health probes (PING) of a down node, in ms; it doubles after each failed probe. @default 250 */
  probeIntervalMs?: number;
  /** Longest delay between probes, in ms. @default 10000 */
  probeBackoffMaxMs?: number;
  /** How often a live source is polled, in ms, jittered by up to ±10 %; 0 turns polling off. @default 30000 */
  refreshIntervalMs?: number;
  /** May a command fail over to another datacenter once the local one has no candidate left? @default false */
  allowRemoteDc?: boolean;
  /** Sent on each new connection as `DYNO_CONFIG:CONN_CONSISTENCY <level>`; `null` sends nothing (the server's setting applies). @default null */
  consistency?: Consistency | null;
  /** Send keys whose hash tag is empty (`x{}1`), which crash a Dynomite node of a cluster with two or more racks. @default false */
  allowEmptyHashTag?: boolean;
  /**
   * What the peers are: `dynomite` nodes (their client ports), or plain
   * `redis` servers, the client then playing the Dynomite node itself
   * (coordinator mode, `docs/coordinator.md`): writes go to the owner in
   * every rack, at `writeConsistency`, and missed replica writes become hints.
   * @default 'dynomite'
   */
  nodes?: 'dynomite' | 'redis';
  /** Coordinator mode: where missed replica writes wait (`HintStore`, or `DurableHintStore` from `dynoring/durable`). Without one they are only counted as failed. */
  hints?: CoordinatorHintStore;
  /** Coordinator mode: how long a hint waits for its peer, in ms, before it is dropped and counted as expired. @default 600000 */
  hintTtlMs?: number;
  /** Coordinator mode: how often hints are expired and replays retried, in ms (a peer coming back starts its replay at once). @default 100 */
  hintReplayIntervalMs?: number;
  /**
   * Coordinator mode: hints replayed at once to a peer that is back (a
   * pipelined replay over its connection, still in order, each removed only
   * once it and every one before it were acknowledged). 1 waits for each
   * reply before the next. @default 256
   */
  hintReplayWindow?: number;
  /** Coordinator mode: racks a read waits for. @default 'DC_ONE' */
  readConsistency?: Consistency;
  /** Coordinator mode: racks a write waits for. @default 'DC_ONE' */
  writeConsistency?: Consistency;
  /** Passed to every ioredis connection: credentials and TLS. */
  redisOptions?: Pick<RedisOptions, 'username' | 'password' | 'tls' | 'family' | 'keepAlive' | 'noDelay'>;
}

/** The defaults of every numeric and boolean option of {@link ClientOptions}. */
export const CLIENT_DEFAULTS = Object.freeze({
  maxAttempts: 3,
  commandTimeoutMs: 1000,
  connectTimeoutMs: 2000,
  downAfterErrors: 3,
  probeIntervalMs: 250,
  probeBackoffMaxMs: 10_000,
  refreshIntervalMs: 30_000,
  allowRemoteDc: false,
  consistency: null as Consistency | null,
  allowEmptyHashTag: false,
  nodes: 'dynomite' as 'dynomite' | 'redis',
  hintTtlMs: 600_000,
  hintReplayIntervalMs: 100,
  hintReplayWindow: 256,
  readConsistency: 'DC_ONE' as Consistency,
  writeConsistency: 'DC_ONE' as Consistency,
});

/** Options with every default filled in. */
export type ResolvedOptions = ClientOptions &
  Required<Pick<ClientOptions, keyof typeof CLIENT_DEFAULTS>> & { consistency: Consistency | null };

const CONSISTENCIES: readonly Consistency[] = ['DC_ONE', 'DC_QUORUM', 'DC_SAFE_QUORUM'];

/** Every option name (the compiler holds this to `ClientOptions`), so that a misspelt one is refused, not ignored. */
const OPTION_NAMES: Readonly<Record<keyof ClientOptions, true>> = {
  files: true,
  topology: true,
  seeds: true,
  clusterDescribe: true,
  florida: true,
  dynomiteManager: true,
  localRack: true,
  localDc: true,
  clientPort: true,
  hash: true,
  hashTag: true,
  maxAttempts: true,
  commandTimeoutMs: true,
  connectTimeoutMs: true,
  downAfterErrors: true,
  probeIntervalMs: true,
  probeBackoffMaxMs: true,
  refreshIntervalMs: true,
  allowRemoteDc: true,
  consistency: true,
  allowEmptyHashTag: true,
  nodes: true,
  hints: true,
  hintTtlMs: true,
  hintReplayIntervalMs: true,
  hintReplayWindow: true,
  readConsistency: true,
  writeConsistency: true,
  redisOptions: true,
};

/** Options with defaults that only coordinator mode reads: set without `nodes: 'redis'`, they would silently do nothing. (`hints` has its own check.) */
const COORDINATOR_ONLY = ['hintTtlMs', 'hintReplayIntervalMs', 'hintReplayWindow', 'readConsistency', 'writeConsistency'] as const;

/** The option `name` was probably meant to be: the same name in other case, or one letter off. */
function meant(name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(OPTION_NAMES).find((known) => {
    const k = known.toLowerCase();
    if (k === lower) return true;
    if (Math.abs(k.length - lower.length) > 1) return false;
    // One insertion, deletion or substitution apart.
    let i = 0;
    while (i < k.length && k[i] === lower[i]) i++;
    return k.slice(i + 1) === lower.slice(i + 1) || k.slice(i) === lower.slice(i + 1) || k.slice(i + 1) === lower.slice(i);
  });
}

/**
 * Fills in defaults and checks types and ranges.
 *
 * @throws {TypeError | RangeError} naming the option.
 * @throws {DurableStoreError} `Closed` for a hint store already closed.
 */
export function resolveOptions(options: ClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`DynoClient.connect takes an options object, got ${describe(options)}`);
  for (const name of Object.keys(options)) {
    if (Object.hasOwn(OPTION_NAMES, name)) continue;
    // A near miss of an option name is a typo: refused. Anything else (a config object shared with other settings) is
    // ignored, with a warning, as ioredis ignores what it does not know.
    const guess = meant(name);
    if (guess !== undefined)
      throw new TypeError(`unknown option ${describe(name)}: did you mean ${guess}? (docs/client.md lists the options)`);
    process.emitWarning(`DynoClient.connect: unknown option ${describe(name)} is ignored (docs/client.md lists the options)`, {
      code: 'DYNORING_UNKNOWN_OPTION',
    });
  }
  const out = { ...CLIENT_DEFAULTS } as ResolvedOptions;
  for (const [k, v] of Object.entries(options)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  // On the copy (own keys only, defaults filled in): an option of coordinator mode set to anything but its default,
  // without nodes: 'redis', would do nothing.
  if (out.nodes !== 'redis') {
    const given = COORDINATOR_ONLY.filter((name) => out[name] !== CLIENT_DEFAULTS[name]);
    if (given.length > 0)
      throw new TypeError(
        `${given.join(', ')} ${given.length === 1 ? 'is an option' : 'are options'} of coordinator mode: pass nodes: 'redis' ` +
          "(with Dynomite nodes, the server's own consistency applies: see the consistency option)",
      );
  }
  const positive = (name: 'maxAttempts' | 'downAfterErrors') => {
    if (!Number.isInteger(out[name]) || out[name] < 1)
      throw new RangeError(`${name} must be an integer of at least 1, got ${describe(out[name])}`);
  };
  positive('maxAttempts');
  positive('downAfterErrors');
  for (const name of ['commandTimeoutMs', 'connectTimeoutMs', 'probeIntervalMs', 'probeBackoffMaxMs'] as const) {
    if (typeof out[name] !== 'number' || !(out[name] > 0) || !Number.isFinite(out[name])) {
      throw new RangeError(`${name} must be a positive number of milliseconds, got ${describe(out[name])}`);
    }
  }
  if (typeof out.refreshIntervalMs !== 'number' || !(out.refreshIntervalMs >= 0) || !Number.isFinite(out.refreshIntervalMs)) {
    throw new RangeError(`refreshIntervalMs must be 0 (off) or a positive number of milliseconds, got ${describe(out.refreshIntervalMs)}`);
  }
  for (const name of ['hintTtlMs', 'hintReplayIntervalMs'] as const) {
    if (typeof out[name] !== 'number' || !(out[name] >= 1) || !Number.isFinite(out[name])) {
      throw new RangeError(`${name} must be a number of milliseconds of at least 1, got ${describe(out[name])}`);
    }
  }
  checkWindow(out.hintReplayWindow, 'hintReplayWindow');
  if (out.nodes !== 'dynomite' && out.nodes !== 'redis')
    throw new RangeError(`nodes must be 'dynomite' or 'redis', got ${describe(out.nodes)}`);
  for (const name of ['readConsistency', 'writeConsistency'] as const) {
    if (!CONSISTENCIES.includes(out[name]))
      throw new RangeError(`${name} must be one of ${CONSISTENCIES.join(', ')}, got ${describe(out[name])}`);
  }
  if (out.nodes === 'redis' && out.consistency !== null) {
    throw new RangeError(
      "consistency is sent to Dynomite nodes; with nodes: 'redis' the client is the coordinator: use readConsistency and writeConsistency",
    );
  }
  if (out.hints !== undefined && (out.nodes !== 'redis' || !isCoordinatorHintStore(out.hints))) {
    throw new TypeError(
      out.nodes !== 'redis'
        ? "hints are kept only in coordinator mode: pass nodes: 'redis' (Dynomite nodes do not replay hints)"
        : 'hints must be a HintStore or a DurableHintStore (from dynoring/durable)',
    );
  }
  // Only a DurableHintStore has isClosed, and it always has its directory.
  if (out.hints?.isClosed === true) throw storeClosed(out.hints.dir!);
  if (out.consistency !== null && !CONSISTENCIES.includes(out.consistency)) {
    throw new RangeError(`consistency must be one of ${CONSISTENCIES.join(', ')} or null, got ${describe(out.consistency)}`);
  }
  return out;
}
