/**
 * Token plans: a new cluster (`planNew`), and changes to a running one's
 * files (`planDouble`, `planAdd`, `planRemove`, `planReplace`). Each returns
 * every node's complete `dynomite.yml`, the balance, and what moves (the
 * {@link diffPeers} of before and after). Pure: writing the files is the
 * caller's (the CLI's `plan` command).
 */
import { parseDynomiteYaml, type ConfigSource, type NodeConfig } from '../config/dynomite-yaml.js';
import { describeDisagreement, mergeNodeConfigs } from '../config/merge.js';
import { ConfigError, PlanError } from '../errors.js';
import { validateTokenCoverage } from '../ring/coverage.js';
import { checkHashName } from '../hash/functions.js';
import { keyHashing } from '../ring/key-hashing.js';
import { endpointKey, makePeer, parseEndpoint, type Peer } from '../ring/peer.js';
import type { RackId } from '../ring/topology.js';
import { groupByRack, rackBalance, type RackBalance } from './balance.js';
import { diffPeers, type PoolDiff } from './diff.js';
import { equidistantTokens, midpointTokens, placeTokens } from './tokens.js';
import {
  CONSISTENCIES,
  DATA_STORES,
  renderNodeYaml,
  rewriteNodeYaml,
  SEED_PROVIDERS,
  type Consistency,
  type DataStore,
  type NodeSettings,
  type SeedProvider,
} from './write-config.js';

/** One node of a plan and its file. */
export interface PlannedNode {
  peer: Peer;
  /** A file name for it, unique in the plan: `<dc>-<rack>-<host>.yml` (`-<port>` added when hosts repeat). */
  file: string;
  /** Its complete `dynomite.yml`. */
  text: string;
  /** True for a node this plan adds (or, for `planReplace`, the new address). */
  added: boolean;
}

/** A plan: every node of the pool after it, with its file, and what changes. */
export interface PoolPlan {
  /** Every node, rack by rack in token order. */
  nodes: PlannedNode[];
  /** `host:port` of the nodes that leave (`planRemove`, `planReplace`). */
  removed: string[];
  /** Each rack's balance after the plan. */
  balance: RackBalance[];
  /** What moves, from the configuration before (no racks for `planNew`). */
  diff: PoolDiff;
}

/** Options of {@link planNew}; see {@link NEW_PLAN_DEFAULTS} for the defaults. */
export interface NewPlanOptions {
  /** The racks, each a full replica; the same tokens in every rack. */
  racks: readonly RackId[];
  nodesPerRack: number;
  /** One host per node, assigned rack by rack in the order given, node by node. */
  hosts: readonly string[];
  /** Peer-to-peer port (`dyn_listen`). @default 8101 */
  peerPort?: number;
  /** Client port (`listen`). @default 8102 */
  clientPort?: number;
  /** Admin port (`stats_listen`). @default 22222 */
  statsPort?: number;
  /** The data store beside each node, `host:port`; `{host}` is the node's own host. @default '127.0.0.1:22122' */
  server?: string;
  /** @default 'murmur' */
  hash?: string;
  /** Two characters such as `{}`; none by default. */
  hashTag?: string;
  /** @default 'redis' */
  dataStore?: DataStore;
  /** @default 'DC_ONE' */
  readConsistency?: Consistency | string;
  /** @default 'DC_ONE' */
  writeConsistency?: Consistency | string;
  /** The pool's name. @default 'dyn_o_mite' */
  pool?: string;
  /**
   * Where each node takes its peers from: `simple` lists every other node in
   * `dyn_seeds`; `florida` lists none and polls a seeds server (`dynoring serve-seeds`). @default 'simple'
   */
  seedProvider?: SeedProvider;
}

/** The defaults of {@link NewPlanOptions}, the server's own where it has one. */
export const NEW_PLAN_DEFAULTS = Object.freeze({
  peerPort: 8101,
  clientPort: 8102,
  statsPort: 22222,
  server: '127.0.0.1:22122',
  hash: 'murmur',
  dataStore: 'redis',
  readConsistency: 'DC_ONE',
  writeConsistency: 'DC_ONE',
  pool: 'dyn_o_mite',
  seedProvider: 'simple',
}) satisfies Omit<Required<NewPlanOptions>, 'racks' | 'nodesPerRack' | 'hosts' | 'hashTag'>;

/**
 * A new cluster: `nodesPerRack` equidistant tokens, `floor(i · 2^32 / n)`,
 * identical in every rack, and one complete `dynomite.yml` per node with
 * every other node in `dyn_seeds` (or, with the `florida` seed provider,
 * `dyn_seed_provider: florida_provider` and no seeds).
 *
 * @throws {PlanError} `HostCount` unless there is one host per node; `DuplicateEndpoint` for a repeated host.
 * @throws {ConfigError} for a bad port, hash, hash tag, data store, consistency, seed provider or rack name.
 */
export function planNew(options: NewPlanOptions): PoolPlan {
  const o = { ...NEW_PLAN_DEFAULTS, ...definedOnly(options) };
  if (!Array.isArray(o.racks) || o.racks.length === 0) throw new ConfigError('no racks: give at least one datacenter:rack');
  const racks = o.racks.map((r) => ({ dc: checkName('datacenter', r.dc), rack: checkName('rack', r.rack) }));
  if (new Set(racks.map((r) => `${r.dc}\u0000${r.rack}`)).size !== racks.length) throw new ConfigError('a rack is listed twice');
  const tokens = equidistantTokens(o.nodesPerRack);
  const count = racks.length * o.nodesPerRack;
  if (o.hosts.length !== count) {
    throw new PlanError(
      'HostCount',
      `${count} nodes (${racks.length} racks × ${o.nodesPerRack}) need ${count} hosts, got ${o.hosts.length}`,
    );
  }
  const peerPort = checkPort('peer port', o.peerPort);
  const settings: NodeSettings = {
    pool: checkName('pool', o.pool),
    clientPort: checkPort('client port', o.clientPort),
    statsPort: checkPort('stats port', o.statsPort),
    server: checkServer(o.server),
    ...checkHashing(o.hash, o.hashTag),
    dataStore: checkChoice('data store', o.dataStore, DATA_STORES),
    readConsistency: checkConsistency('read', o.readConsistency),
    writeConsistency: checkConsistency('write', o.writeConsistency),
    seedProvider: checkChoice('seed provider', o.seedProvider, SEED_PROVIDERS),
  };
  const peers = racks.flatMap(({ dc, rack }, r) =>
    tokens.map((token, i) => {
      const index = r * tokens.length + i;
      return makePeer({ index, endpoint: { host: checkHost(o.hosts[index]!), port: peerPort }, dc, rack, tokens: [token] });
    }),
  );
  checkUnique(peers);
  return finish([], peers, (p) => renderNodeYaml(p, others(peers, p), settings), new Set(peers.map((p) => p.index)));
}

/**
 * Doubles every rack: a new node at the midpoint of every range (see
 * {@link midpointTokens}), so exactly half of each rack's key space moves,
 * each half from the node that owned the whole range.
 *
 * @param files every node's `dynomite.yml` (at least one; a node without its own file gets one made from a rack-mate's).
 * @param hosts one per new node: rack by rack, in token order.
 * @throws {PlanError} `HostCount`, `DuplicateEndpoint`, `MultipleTokens`, `NoRoom`.
 */
export function planDouble(files: readonly ConfigSource[], hosts: readonly string[]): PoolPlan {
  return grow(files, hosts, (tokens) => midpointTokens(tokens));
}

/**
 * Adds `nodes` nodes to every rack, at the positions {@link placeTokens}
 * finds: the largest share as small as possible, then the smallest as large
 * as possible, then the fewest tokens moved. Existing nodes keep their tokens.
 *
 * @param hosts one per new node: rack by rack, in token order.
 * @throws {PlanError} `HostCount`, `DuplicateEndpoint`, `MultipleTokens`, `NoRoom`.
 */
export function planAdd(files: readonly ConfigSource[], nodes: number, hosts: readonly string[]): PoolPlan {
  return grow(files, hosts, (tokens) => placeTokens(tokens, nodes).tokens);
}

/**
 * Removes one node (`host:port`, or a host that names one node): its range
 * goes to the next node of its rack, and every other file's seeds drop it.
 *
 * @throws {PlanError} `UnknownNode`; `LastNodeInRack` when its rack would have no tokens.
 */
export function planRemove(files: readonly ConfigSource[], node: string): PoolPlan {
  const pool = readPool(files);
  const gone = findNode(pool.peers, node);
  if (!pool.peers.some((p) => p !== gone && p.dc === gone.dc && p.rack === gone.rack && p.tokens.length > 0)) {
    throw new PlanError(
      'LastNodeInRack',
      `${endpointKey(gone.endpoint)} is the last node of rack '${gone.rack}' in '${gone.dc}': removing it leaves the rack without tokens`,
    );
  }
  const after = pool.peers.filter((p) => p !== gone);
  return finish(pool.peers, after, (p) => pool.write(p, p, others(after, p)), new Set());
}

/**
 * Gives one node a new host (same tokens, port, rack and settings), for
 * replacing a machine: its range moves to the new address, which recovers
 * it from the other racks (same-token recovery).
 *
 * @throws {PlanError} `UnknownNode`; `DuplicateEndpoint` when the new address is taken.
 */
export function planReplace(files: readonly ConfigSource[], node: string, host: string): PoolPlan {
  const pool = readPool(files);
  const old = findNode(pool.peers, node);
  const fresh = makePeer({ ...old, endpoint: { host: checkHost(host), port: old.endpoint.port } });
  const after = pool.peers.map((p) => (p === old ? fresh : p));
  checkUnique(after);
  return finish(pool.peers, after, (p) => pool.write(p === fresh ? old : p, p, others(after, p)), new Set([fresh.index]));
}

/** Adds one node per new token of every rack; the hosts go rack by rack in token order. */
function grow(files: readonly ConfigSource[], hosts: readonly string[], newTokens: (sorted: number[]) => number[]): PoolPlan {
  const pool = readPool(files);
  for (const p of pool.peers) {
    if (p.tokens.length !== 1) {
      throw new PlanError(
        'MultipleTokens',
        `${endpointKey(p.endpoint)} has ${p.tokens.length} tokens: plans place one token per node, as the server expects`,
      );
    }
  }
  const placed = groupByRack(pool.peers).map((r) => {
    const template = r.peers.find((p) => pool.hasFile(p)) ?? pool.peers.find((p) => pool.hasFile(p))!;
    return { ...r, template, tokens: newTokens(r.peers.map((p) => p.tokens[0]!).sort((a, b) => a - b)).sort((a, b) => a - b) };
  });
  const count = placed.reduce((n, r) => n + r.tokens.length, 0);
  if (hosts.length !== count) throw new PlanError('HostCount', `the plan adds ${count} nodes: give ${count} hosts, got ${hosts.length}`);
  let next = Math.max(...pool.peers.map((p) => p.index)) + 1;
  let h = 0;
  const templates = new Map<number, Peer>();
  const added = placed.flatMap((r) =>
    r.tokens.map((token) => {
      const p = makePeer({
        index: next++,
        endpoint: { host: checkHost(hosts[h++]!), port: r.template.endpoint.port },
        dc: r.dc,
        rack: r.rack,
        tokens: [token],
      });
      templates.set(p.index, r.template);
      return p;
    }),
  );
  const after = [...pool.peers, ...added];
  checkUnique(after);
  return finish(pool.peers, after, (p) => pool.write(templates.get(p.index) ?? p, p, others(after, p)), new Set(added.map((p) => p.index)));
}

/** The parsed files: merged peers and each node's own file, checked for a usable ring. */
function readPool(files: readonly ConfigSource[]) {
  if (!Array.isArray(files) || files.length === 0) throw new ConfigError("no configuration given: pass every node's dynomite.yml");
  const configs: NodeConfig[] = files.map((f) => parseDynomiteYaml(f));
  const merged = mergeNodeConfigs(configs);
  if (merged.disagreements.length > 0) throw new ConfigError(merged.disagreements.map(describeDisagreement).join('; '));
  validateTokenCoverage(merged.peers);
  const own = new Map<string, ConfigSource>();
  configs.forEach((c, i) => {
    const decl = c.peers.find((p) => p.own)!;
    own.set(endpointKey(decl.endpoint), files[i]!);
  });
  const fileOf = (p: Peer) => own.get(endpointKey(p.endpoint));
  const anyFile = files[0]!;
  return {
    peers: merged.peers,
    hasFile: (p: Peer) => fileOf(p) !== undefined,
    /** `peer`'s file, made from `source`'s (its own, or a template's). */
    write: (source: Peer, peer: Peer, seeds: Peer[]) => {
      const from = fileOf(source) ?? anyFile;
      return rewriteNodeYaml(from.text, peer, seeds, from.file);
    },
  };
}

/** Orders the nodes rack by rack in token order, names their files and renders them. */
function finish(before: readonly Peer[], after: readonly Peer[], render: (p: Peer) => string, added: Set<number>): PoolPlan {
  const ordered = groupByRack(after).flatMap((r) =>
    [...r.peers].sort((a, b) => (a.tokens[0] ?? 0) - (b.tokens[0] ?? 0) || a.index - b.index),
  );
  const hostCount = new Map<string, number>();
  for (const p of ordered) hostCount.set(p.endpoint.host, (hostCount.get(p.endpoint.host) ?? 0) + 1);
  const nodes = ordered.map((peer) => {
    const name = `${peer.dc}-${peer.rack}-${peer.endpoint.host}${hostCount.get(peer.endpoint.host)! > 1 ? `-${peer.endpoint.port}` : ''}`;
    return { peer, file: `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.yml`, text: render(peer), added: added.has(peer.index) };
  });
  const kept = new Set(after.map((p) => endpointKey(p.endpoint)));
  return {
    nodes,
    removed: before.map((p) => endpointKey(p.endpoint)).filter((e) => !kept.has(e)),
    balance: rackBalance(after),
    diff: before.length === 0 ? { racks: [], fraction: 0 } : diffPeers(before, after),
  };
}

/** The node named by `host:port`, or by a host only one node has. */
function findNode(peers: readonly Peer[], name: string): Peer {
  const endpoint = parseEndpoint(name);
  const exact = endpoint && peers.find((p) => endpointKey(p.endpoint) === endpointKey(endpoint));
  const matches = exact ? [exact] : peers.filter((p) => p.endpoint.host === name);
  if (matches.length === 1) return matches[0]!;
  const known = peers.map((p) => endpointKey(p.endpoint)).join(', ');
  throw new PlanError(
    'UnknownNode',
    matches.length === 0
      ? `no node is '${name}'; the nodes are: ${known}`
      : `'${name}' names ${matches.length} nodes: give host:port (${known})`,
  );
}

const others = (peers: readonly Peer[], p: Peer) =>
  groupByRack(peers)
    .flatMap((r) => [...r.peers].sort((a, b) => (a.tokens[0] ?? 0) - (b.tokens[0] ?? 0)))
    .filter((q) => q !== p);

function checkUnique(peers: readonly Peer[]): void {
  const seen = new Set<string>();
  for (const p of peers) {
    const key = endpointKey(p.endpoint);
    if (seen.has(key)) throw new PlanError('DuplicateEndpoint', `two nodes would listen on ${key}: give each node its own host`);
    seen.add(key);
  }
}

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function checkName(what: string, name: string): string {
  if (typeof name !== 'string' || !/^[^\s:|]+$/.test(name)) {
    throw new ConfigError(
      `invalid ${what} name '${String(name)}': it must be non-empty, without whitespace, ':' or '|' (seed strings separate fields with them)`,
    );
  }
  return name;
}

function checkHost(host: string): string {
  if (typeof host !== 'string' || host === '' || /[\s|/]/.test(host))
    throw new ConfigError(`invalid host '${String(host)}': expected a host name or IP address`);
  return host;
}

function checkPort(what: string, port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`invalid ${what} ${String(port)}: expected 1 to 65535`);
  return port;
}

function checkServer(server: string): string {
  const endpoint = typeof server === 'string' ? parseEndpoint(server.replaceAll('{host}', 'host')) : undefined;
  if (!endpoint) throw new ConfigError(`invalid server '${String(server)}': expected host:port ({host} stands for the node's own host)`);
  return server;
}

function checkHashing(hash: string, hashTag: string | undefined): { hash: string; hashTag?: string } {
  keyHashing({ hash: checkHashName(hash), ...(hashTag === undefined ? {} : { hashTag }) });
  return { hash, ...(hashTag === undefined ? {} : { hashTag }) };
}

/** `name` if it is one of the keys of `choices` (a data store, a seed provider). */
function checkChoice<T extends object>(what: string, name: string, choices: T): keyof T {
  if (typeof name !== 'string' || !Object.hasOwn(choices, name))
    throw new ConfigError(`invalid ${what} '${String(name)}': expected ${Object.keys(choices).join(' or ')}`);
  return name as keyof T;
}

function checkConsistency(what: string, level: string): Consistency {
  const upper = typeof level === 'string' ? level.toUpperCase() : '';
  if (!(CONSISTENCIES as readonly string[]).includes(upper)) {
    throw new ConfigError(`invalid ${what} consistency '${String(level)}': expected one of ${CONSISTENCIES.join(', ')}`);
  }
  return upper as Consistency;
}
