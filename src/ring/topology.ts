import { parseDynomiteYaml, type ConfigSource } from '../config/dynomite-yaml.js';
import { describeDisagreement, mergeNodeConfigs, withFileHashing } from '../config/merge.js';
import { Continuum } from './continuum.js';
import { checkEngine, kernelFor, type Engine } from '../engine/engines.js';
import type { KeyHashing, RouteTable } from '../engine/kernel.js';
import { ConfigError, UnknownLocationError } from '../errors.js';
import type { HashName } from '../hash/functions.js';
import { HASH_DEFAULTS, keyHashing, keyToken, type HashOptions } from './key-hashing.js';
import { checkPeer, rackKey, type Peer } from './peer.js';
import { describe } from './token.js';

/** Options for building a topology. */
export interface TopologyOptions extends HashOptions {
  /**
   * Engine for the kernels; `auto` uses WebAssembly where it has loaded.
   *
   * @default 'auto'
   */
  engine?: Engine;
  /**
   * Datacenter that `route` and `routeKeys` use by default.
   *
   * @default the local peer's datacenter, else the first peer's
   */
  localDc?: string;
  /**
   * Rack `replicas` sends from by default.
   *
   * @default the local peer's rack when it is in `localDc`, else the first
   *   rack of `localDc` by name (the index the server falls back to when its
   *   rack is not found)
   */
  localRack?: string;
}

/** A rack and the owner of a key in it. */
export interface RackOwner {
  readonly rack: string;
  readonly peer: Peer;
}

/** Every replica of one key, as one Dynomite node sends a write. */
export interface KeyReplicas {
  /** The key's token. */
  token: number;
  /** The owner in every rack of the local datacenter, racks sorted by name. */
  local: RackOwner[];
  /**
   * Each remote datacenter (sorted by name): its racks' owners in the order
   * the server tries them: first the rack at (index of the local rack among
   * its datacenter's racks sorted by name) modulo (that datacenter's rack
   * count), then the others in name order, as the server fails over.
   */
  remote: { dc: string; candidates: RackOwner[] }[];
}

/** Defaults of {@link TopologyOptions} (`localDc` and `localRack` depend on the peers). */
export const TOPOLOGY_DEFAULTS = Object.freeze({ ...HASH_DEFAULTS, engine: 'auto' }) satisfies Readonly<TopologyOptions>;

/** Options of {@link Topology.routeKeys} and {@link Topology.routeKeyBytes}. */
export interface RouteKeysOptions {
  /**
   * Datacenter whose racks the keys are routed to.
   *
   * @default the topology's `localDc`
   */
  dc?: string;
  /**
   * Where to write the owners; must hold exactly keys × racks entries.
   *
   * @default a new `Uint32Array`
   */
  out?: Uint32Array;
}

/** A (datacenter, rack) pair. */
export interface RackId {
  readonly dc: string;
  readonly rack: string;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A pool's peers and the continuum of each (datacenter, rack). Immutable:
 * build a new one when the configuration changes.
 */
export class Topology {
  /** Every peer, in the order given. */
  readonly peers: readonly Peer[];
  /** The datacenter `route` uses by default. */
  readonly localDc: string;
  /** The rack `replicas` sends from by default (see {@link TopologyOptions.localRack}). */
  readonly localRack: string;
  /** Hash function used to route keys. */
  readonly hash: HashName;
  /** Hash tag, when set. */
  readonly hashTag: string | undefined;
  private readonly hashing: KeyHashing;
  private readonly engine: Engine;
  private readonly byIndex = new Map<number, Peer>();
  private readonly continuums = new Map<string, Continuum>();
  private readonly rackList: RackId[];
  private readonly routeTables = new Map<string, RouteTable & { continuums: Continuum[] }>();

  private constructor(peers: readonly Peer[], options: TopologyOptions) {
    this.engine = checkEngine(options.engine ?? TOPOLOGY_DEFAULTS.engine);
    const hashing = keyHashing(options);
    this.hashing = hashing;
    this.hash = hashing.hash;
    this.hashTag = hashing.hashTag;
    if (peers.length === 0) throw new ConfigError('a topology needs at least one peer');
    this.peers = Object.freeze([...peers]);
    for (const p of peers) {
      if (this.byIndex.has(p.index)) throw new ConfigError(`two peers have index ${p.index}: peer indices must be unique`);
      this.byIndex.set(p.index, p);
    }
    this.localDc = options.localDc ?? (peers.find((p) => p.isLocal) ?? peers[0]!).dc;
    const members = new Map<string, Peer[]>();
    for (const p of peers) {
      const key = rackKey(p.dc, p.rack);
      const rack = members.get(key);
      if (rack) rack.push(p);
      else members.set(key, [p]);
    }
    this.rackList = [...members.values()]
      .map((ps) => ({ dc: ps[0]!.dc, rack: ps[0]!.rack }))
      .sort((a, b) => compare(a.dc, b.dc) || compare(a.rack, b.rack));
    for (const { dc, rack } of this.rackList) {
      this.continuums.set(rackKey(dc, rack), new Continuum(dc, rack, members.get(rackKey(dc, rack))!, this.engine));
    }
    if (!this.rackList.some((r) => r.dc === this.localDc)) {
      throw new ConfigError(`local datacenter '${this.localDc}' has no peers; known datacenters: ${this.datacenters().join(', ')}`);
    }
    const localPeer = peers.find((p) => p.isLocal && p.dc === this.localDc);
    this.localRack = options.localRack ?? localPeer?.rack ?? this.rackList.find((r) => r.dc === this.localDc)!.rack;
    if (!members.has(rackKey(this.localDc, this.localRack))) {
      const known = this.rackList.filter((r) => r.dc === this.localDc).map((r) => r.rack);
      throw new ConfigError(
        `local rack '${this.localRack}' has no peers in datacenter '${this.localDc}'; its racks are: ${known.join(', ')}`,
      );
    }
  }

  /**
   * Builds a topology from peers (plain objects are fine; they are checked
   * and copied).
   *
   * @throws {ConfigError} for no peers, duplicate indices or bad tokens.
   * @example
   * const t = Topology.fromPeers([
   *   parseSeed('10.0.0.1:8101:rack1:dc1:0', 0),
   *   parseSeed('10.0.0.2:8101:rack1:dc1:2147483648', 1),
   * ]);
   */
  static fromPeers(peers: readonly Peer[], options: TopologyOptions = {}): Topology {
    if (!Array.isArray(peers)) throw new TypeError(`fromPeers takes an array of peers, got ${describe(peers)}`);
    return new Topology(peers.map(checkPeer), options);
  }

  /**
   * Builds a topology from one node's `dynomite.yml` (its own node is peer 0
   * and local, its `dyn_seeds` follow) or several nodes' files merged (the
   * same host:port is the same peer). The files' `hash:` and `hash_tag:` are
   * used unless `options` sets them.
   *
   * @throws {ConfigError} with file and line for bad YAML or values, and
   *   when files disagree about a peer or a setting.
   */
  static fromDynomiteYaml(texts: string | ConfigSource | readonly (string | ConfigSource)[], options: TopologyOptions = {}): Topology {
    const list = Array.isArray(texts) ? texts : [texts];
    if (list.length === 0) throw new ConfigError('no configuration given: pass the text of at least one dynomite.yml');
    const merged = mergeNodeConfigs(list.map((t) => parseDynomiteYaml(t as ConfigSource | string)));
    if (merged.disagreements.length > 0) {
      throw new ConfigError(merged.disagreements.map(describeDisagreement).join('; '));
    }
    return new Topology(merged.peers, withFileHashing(options, merged));
  }

  /** Every (dc, rack), sorted by datacenter then rack; with `dc`, that datacenter's racks. */
  racks(dc?: string): RackId[] {
    if (dc === undefined) return this.rackList.map((r) => ({ ...r }));
    this.checkDc(dc);
    return this.rackList.filter((r) => r.dc === dc).map((r) => ({ ...r }));
  }

  /** Datacenter names, sorted. */
  datacenters(): string[] {
    return [...new Set(this.rackList.map((r) => r.dc))];
  }

  /** The peer with this index. */
  peer(index: number): Peer {
    const p = this.byIndex.get(index);
    if (!p) throw new RangeError(`no peer has index ${describe(index)}`);
    return p;
  }

  /**
   * The continuum of one rack.
   *
   * @throws {UnknownLocationError} naming the known datacenters or racks.
   */
  continuum(dc: string, rack: string): Continuum {
    const c = this.continuums.get(rackKey(dc, rack));
    if (c) return c;
    this.checkDc(dc);
    const known = this.rackList.filter((r) => r.dc === dc).map((r) => r.rack);
    throw new UnknownLocationError(`unknown rack '${rack}' in datacenter '${dc}'; its racks are: ${known.join(', ')}`, dc, rack);
  }

  /** The token of a key under this topology's hash and hash tag. */
  token(key: string | Uint8Array): number {
    return keyToken(this.hashing, key);
  }

  /**
   * The owner of a key in every rack of a datacenter (default: the local
   * one), in the order of `racks(dc)`. A write goes to each of them.
   *
   * @throws {NoTargetsError} when one of the racks has no tokens.
   */
  route(key: string | Uint8Array, dc: string = this.localDc): Peer[] {
    const table = this.routeTable(dc);
    // One key: hash it here (the same bits as the kernels, see the parity
    // tests) and dispatch in each rack, with no batch buffers to fill.
    const token = keyToken(this.hashing, key);
    return table.continuums.map((c) => this.byIndex.get(c.dispatch(token))!);
  }

  /**
   * Every replica of a key, as a Dynomite node in `from` (default: the local
   * datacenter and rack) sends a write: the owner in each rack of its
   * datacenter, and per remote datacenter the racks in the order the server
   * tries them (`preselect_remote_rack_for_replication` and its failover).
   * When `from.dc` is another datacenter and `from.rack` is left out, its
   * first rack by name is used.
   *
   * @throws {UnknownLocationError} for a datacenter or rack the topology does not have.
   * @throws {NoTargetsError} when a rack has no tokens.
   * @example
   * // dc1 racks [a, b, c], dc2 racks [x, y]; from rack c (index 2):
   * // dc2 is tried at 2 % 2 = 0: x first, then y.
   * topology.replicas('user:42', { dc: 'dc1', rack: 'c' }).remote; // [{ dc: 'dc2', candidates: [{ rack: 'x', ... }, { rack: 'y', ... }] }]
   */
  replicas(key: string | Uint8Array, from: { dc?: string; rack?: string } = {}): KeyReplicas {
    const dc = from.dc ?? this.localDc;
    const remote = this.remoteRackOrder(from);
    const token = keyToken(this.hashing, key);
    const owner = (r: RackId): RackOwner => ({ rack: r.rack, peer: this.byIndex.get(this.continuum(r.dc, r.rack).dispatch(token))! });
    return {
      token,
      local: this.racks(dc).map(owner),
      remote: remote.map(({ dc: d, racks }) => ({ dc: d, candidates: racks.map(owner) })),
    };
  }

  /**
   * The order in which a Dynomite node in `from` (default: the local
   * datacenter and rack) tries each remote datacenter's racks: the rack at
   * (the index of `from.rack` among its datacenter's racks, sorted by name)
   * modulo (the remote datacenter's rack count) first, then the others in
   * name order. The one statement of that rule; {@link replicas} uses it.
   *
   * @throws {UnknownLocationError} for a datacenter or rack the topology does not have.
   */
  remoteRackOrder(from: { dc?: string; rack?: string } = {}): { dc: string; racks: RackId[] }[] {
    const dc = from.dc ?? this.localDc;
    const rack = from.rack ?? (dc === this.localDc ? this.localRack : this.racks(dc)[0]!.rack);
    this.continuum(dc, rack);
    const rackIndex = this.racks(dc).findIndex((r) => r.rack === rack);
    return this.datacenters()
      .filter((d) => d !== dc)
      .map((d) => {
        const racks = this.racks(d);
        const first = rackIndex % racks.length;
        return { dc: d, racks: [racks[first]!, ...racks.filter((_, i) => i !== first)] };
      });
  }

  /**
   * Routes string keys (each hashed as its UTF-8 bytes, encoded into a
   * buffer reused across calls) in one call into the engine. Returns the
   * owner's peer index of key `i` in rack `r` (in `racks(dc)` order) at
   * `out[i * racks + r]`.
   *
   * @throws {TypeError} when a key is not a string.
   * @throws {UnknownLocationError} for an unknown `dc`; {@link NoTargetsError} when one of its racks has no tokens.
   * @example
   * const owners = topology.routeKeys(['user:1', 'user:22']);
   * const remote = topology.routeKeys(['user:1'], { dc: 'dc2' });
   */
  routeKeys(keys: readonly string[], options: RouteKeysOptions = {}): Uint32Array {
    if (!Array.isArray(keys))
      throw new TypeError(`routeKeys takes an array of string keys, got ${describe(keys)}; use routeKeyBytes for bytes`);
    const [bytes, offsets] = encodeKeys(keys);
    return this.routeKeyBytes(bytes, offsets, options);
  }

  /**
   * Routes a batch of keys already held as bytes, as a protocol parser holds
   * them: key `i` is `bytes[offsets[i], offsets[i + 1])`, so `offsets` has
   * one more entry than there are keys. Output as for {@link routeKeys}.
   *
   * @throws {RangeError} when offsets are not ascending or run past `bytes`, or `out` has the wrong length.
   * @example
   * const keys = new TextEncoder().encode('user:1user:22');
   * topology.routeKeyBytes(keys, Uint32Array.of(0, 6, 13));
   */
  routeKeyBytes(bytes: Uint8Array, offsets: Uint32Array, options: RouteKeysOptions = {}): Uint32Array {
    checkKeyBatch(bytes, offsets);
    checkRouteOptions(options);
    const table = this.routeTable(options.dc ?? this.localDc);
    const size = (offsets.length - 1) * table.racks.length;
    const out = options.out ?? new Uint32Array(size);
    if (!(out instanceof Uint32Array) || out.length !== size) {
      throw new RangeError(`out must be a Uint32Array of ${size} entries (keys × racks)`);
    }
    if (size > 0) kernelFor(this.engine).routeKeys(table, this.hashing, bytes, offsets, out);
    return out;
  }

  private routeTable(dc: string): RouteTable & { continuums: Continuum[] } {
    let table = this.routeTables.get(dc);
    if (!table) {
      const continuums = this.racks(dc).map((r) => this.continuum(r.dc, r.rack));
      table = { continuums, racks: continuums.map((c) => c.data) };
      this.routeTables.set(dc, table);
    }
    for (const c of table.continuums) c.checkNotEmpty();
    return table;
  }

  private checkDc(dc: string): void {
    if (typeof dc !== 'string' || !this.rackList.some((r) => r.dc === dc)) {
      throw new UnknownLocationError(`unknown datacenter ${describe(dc)}; known datacenters: ${this.datacenters().join(', ')}`, String(dc));
    }
  }
}

function checkRouteOptions(options: RouteKeysOptions): void {
  // A JavaScript caller of the old positional form passes the datacenter here.
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`routeKeys options must be an object such as { dc, out }, got ${describe(options)}`);
  }
}

function checkKeyBatch(bytes: Uint8Array, offsets: Uint32Array): void {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`routeKeys takes the keys as a Uint8Array, got ${describe(bytes)}`);
  if (!(offsets instanceof Uint32Array) || offsets.length === 0) {
    throw new TypeError('offsets must be a Uint32Array of key boundaries: one more entry than there are keys');
  }
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i]! < offsets[i - 1]!)
      throw new RangeError(`offsets must be ascending: offsets[${i}] = ${offsets[i]} < offsets[${i - 1}] = ${offsets[i - 1]}`);
  }
  const last = offsets[offsets.length - 1]!;
  if (last > bytes.length)
    throw new RangeError(`offsets run past the buffer: the last offset is ${last}, the buffer holds ${bytes.length} bytes`);
}

const encoder = new TextEncoder();
/** Largest key buffer kept between calls; a bigger batch gets its own. */
const KEEP_BYTES = 16 << 20;
let keyBuffer = new Uint8Array(1 << 16);

/** UTF-8 encodes keys back to back into a buffer reused across calls. */
function encodeKeys(keys: readonly string[]): [Uint8Array, Uint32Array] {
  const offsets = new Uint32Array(keys.length + 1);
  let buffer = keyBuffer;
  let at = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (typeof key !== 'string') throw new TypeError(`key ${i} must be a string, got ${describe(key)}`);
    // UTF-8 takes at most three bytes per UTF-16 unit.
    if (at + key.length * 3 > buffer.length) {
      const grown = new Uint8Array(Math.max(buffer.length * 2, at + key.length * 3));
      grown.set(buffer.subarray(0, at));
      buffer = grown;
    }
    at += encoder.encodeInto(key, buffer.subarray(at)).written;
    offsets[i + 1] = at;
  }
  if (buffer.length <= KEEP_BYTES) keyBuffer = buffer;
  return [buffer.subarray(0, at), offsets];
}
