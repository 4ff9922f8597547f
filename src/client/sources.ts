/**
 * Where the client's topology comes from, and each node's client (RESP)
 * endpoint.
 */
import { readFile } from 'node:fs/promises';
import { fetchClusterDescribe, fetchDynomiteManager, fetchFloridaSeeds } from '../config/admin-http.js';
import { loadCluster, type Cluster } from '../config/cluster.js';
import { describeConfigNote, describeDisagreement } from '../config/merge.js';
import { ConfigError } from '../errors.js';
import { endpointKey, type Endpoint, type Peer } from '../ring/peer.js';
import { Topology, type TopologyOptions } from '../ring/topology.js';
import type { ClientOptions, TopologySourceOptions } from './options.js';

/** A topology as read from a source, before its client endpoints are decided. */
export interface SourceReading {
  topology: Topology;
  /** Client endpoints the source states (a file's `listen:`), by peer endpoint key. */
  listens: Map<string, Endpoint>;
}

/** A topology the client can use: checked, with every node's client endpoint. */
export interface ClientTopology {
  topology: Topology;
  /** Client endpoint by peer index. */
  endpoints: Map<number, Endpoint>;
  /** Peer indices whose client port was guessed as peer port + 1. */
  guessed: number[];
}

const SOURCE_NAMES = ['files', 'topology', 'seeds', 'clusterDescribe', 'florida', 'dynomiteManager'] as const;

/** The one source the options name. @throws {TypeError} for none or several. */
export function sourceName(options: TopologySourceOptions): (typeof SOURCE_NAMES)[number] {
  const given = SOURCE_NAMES.filter((k) => options[k] !== undefined);
  if (given.length !== 1) {
    throw new TypeError(
      given.length === 0
        ? `DynoClient needs a topology: give one of ${SOURCE_NAMES.join(', ')}`
        : `DynoClient takes one topology source, got ${given.join(' and ')}`,
    );
  }
  return given[0]!;
}

/** Is this source polled for changes? */
export function isLive(options: TopologySourceOptions): boolean {
  const name = sourceName(options);
  return name === 'clusterDescribe' || name === 'florida' || name === 'dynomiteManager';
}

function hashOptions(options: ClientOptions): TopologyOptions {
  return {
    ...(options.hash === undefined ? {} : { hash: options.hash }),
    ...(options.hashTag === undefined ? {} : { hashTag: options.hashTag }),
    ...(options.localDc === undefined ? {} : { localDc: options.localDc }),
  };
}

/**
 * A cluster read as the CLI reads it (`loadCluster`). Drift between the
 * files is refused: the client would route by one file's tokens, racks or
 * hash while another node works by its own, and a wrong owner answers
 * misses, not errors. The files' warnings go out as process warnings.
 */
function fromCluster(cluster: Cluster): SourceReading {
  if (cluster.drift.length > 0) {
    throw new ConfigError(
      `the files disagree, so the client cannot know where keys live: ${cluster.drift.map(describeDisagreement).join('; ')}. ` +
        'Make them agree (`dynoring validate` lists every difference)',
      {},
      'ConfigDrift',
    );
  }
  for (const note of cluster.notes) {
    if (note.level === 'warning') process.emitWarning(`DynoClient: ${describeConfigNote(note)}`, { code: 'DYNORING_CONFIG_WARNING' });
  }
  const listens = new Map<string, Endpoint>();
  for (const c of cluster.nodes) {
    const own = c.peers.find((p) => p.own);
    if (own && c.listen) listens.set(endpointKey(own.endpoint), c.listen);
  }
  return { topology: cluster.topology, listens };
}

/**
 * Reads the topology the options name, once.
 *
 * @throws {ConfigError} for bad files, seeds or bodies; Node's own errors
 *   for unreadable files; `TopologySourceError` when a live source cannot be reached.
 */
export async function readSource(options: ClientOptions & { connectTimeoutMs: number }): Promise<SourceReading> {
  switch (sourceName(options)) {
    case 'topology':
      return { topology: options.topology!, listens: new Map() };
    case 'files': {
      const files = options.files!;
      if (!Array.isArray(files) || files.length === 0) throw new TypeError('files must be a non-empty array of dynomite.yml paths');
      const texts = await Promise.all(files.map(async (file) => ({ text: await readFile(file, 'utf8'), file })));
      return fromCluster(loadCluster(texts, hashOptions(options)));
    }
    case 'seeds': {
      const seeds = options.seeds!;
      const text = typeof seeds === 'string' ? seeds : seeds.join('\n');
      return fromCluster(loadCluster([{ text }], hashOptions(options)));
    }
    case 'clusterDescribe': {
      const peers = await fetchClusterDescribe(options.clusterDescribe!, { timeoutMs: options.connectTimeoutMs });
      return { topology: Topology.fromPeers(peers, hashOptions(options)), listens: new Map() };
    }
    case 'florida': {
      const peers = await fetchFloridaSeeds(options.florida!, { timeoutMs: options.connectTimeoutMs });
      return { topology: Topology.fromPeers(peers, hashOptions(options)), listens: new Map() };
    }
    case 'dynomiteManager': {
      const { peers, hashTag } = await fetchDynomiteManager(options.dynomiteManager!, { timeoutMs: options.connectTimeoutMs });
      const tag = options.hashTag ?? hashTag;
      return {
        topology: Topology.fromPeers(peers, { ...hashOptions(options), ...(tag === undefined ? {} : { hashTag: tag }) }),
        listens: new Map(),
      };
    }
  }
}

/**
 * Decides every node's client endpoint. Dynomite nodes: the source's, else
 * the `clientPort` option's, else peer port + 1 (listed in `guessed`). In
 * coordinator mode (`nodes: 'redis'`) a peer is its Redis server: the
 * `clientPort` option's, else the peer endpoint itself (a file's `listen:`,
 * a Dynomite client port, does not apply).
 */
export function resolveEndpoints(reading: SourceReading, options: ClientOptions): ClientTopology {
  const endpoints = new Map<number, Endpoint>();
  const guessed: number[] = [];
  const redis = options.nodes === 'redis';
  for (const peer of reading.topology.peers) {
    const stated = redis
      ? (clientPortOption(peer, options) ?? peer.endpoint)
      : (reading.listens.get(endpointKey(peer.endpoint)) ?? clientPortOption(peer, options));
    if (stated) endpoints.set(peer.index, stated);
    else {
      endpoints.set(peer.index, { host: peer.endpoint.host, port: peer.endpoint.port + 1 });
      guessed.push(peer.index);
    }
  }
  return { topology: reading.topology, endpoints, guessed };
}

function clientPortOption(peer: Peer, options: ClientOptions): Endpoint | undefined {
  const option = options.clientPort;
  if (option === undefined) return undefined;
  const value = typeof option === 'function' ? option(peer) : option[endpointKey(peer.endpoint)];
  if (value === undefined) return undefined;
  const endpoint = typeof value === 'number' ? { host: peer.endpoint.host, port: value } : value;
  if (!Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65535 || typeof endpoint.host !== 'string') {
    throw new RangeError(
      `clientPort gave ${JSON.stringify(value)} for ${endpointKey(peer.endpoint)}: expected a port from 1 to 65535 or { host, port }`,
    );
  }
  return endpoint;
}
