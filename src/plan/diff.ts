/**
 * What changes between two configurations of a pool: for every rack, the
 * token ranges whose owner changes, from whom to whom, computed exactly
 * from range lengths; and, for a list of real keys, how many change owner.
 * Nodes are the same node when they have the same `host:port`.
 */
import { Continuum } from '../ring/continuum.js';
import { endpointKey, type Peer } from '../ring/peer.js';
import { Topology, type RackId } from '../ring/topology.js';
import { groupByRack, rackBalance, type RackBalance } from './balance.js';
import { TOKEN_SPACE } from '../ring/token.js';

/** A range of tokens `(start, end]` (modulo 2^32) that changes owner. */
export interface RangeMove {
  /** The token before the range (exclusive). */
  start: number;
  /** The range's last token (inclusive). */
  end: number;
  /** Tokens in the range, 1 to 2^32 (`start === end` is the whole ring). */
  length: number;
  /** `host:port` of the owner before, or `null` when the rack had no tokens. */
  from: string | null;
  /** `host:port` of the owner after, or `null` when the rack has no tokens. */
  to: string | null;
}

/** One rack's changes. */
export interface RackDiff extends RackId {
  /** The ranges that change owner, in token order (a range across 0 comes first). */
  moves: RangeMove[];
  /** Tokens that change owner. */
  moved: number;
  /** `moved / 2^32`: the fraction of the rack's key space that moves. */
  fraction: number;
  /** The rack's balance before (absent when the rack is new). */
  before?: RackBalance;
  /** The rack's balance after (absent when the rack goes away). */
  after?: RackBalance;
}

/** Every rack's changes. */
export interface PoolDiff {
  /** Every rack on either side, sorted by datacenter then rack. */
  racks: RackDiff[];
  /** The mean of the racks' fractions: the share of all stored copies that move (each rack holds one). */
  fraction: number;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const rackKey = (r: RackId) => `${r.dc}\u0000${r.rack}`;

/**
 * Compares two peer sets rack by rack. Every point of the ring is owned by
 * exactly one node on each side (docs/design.md §2), so the owners change only
 * at the two sides' tokens: each stretch between consecutive tokens is
 * compared once, and runs with the same move are merged.
 *
 * @example
 * const moves = diffPeers(before, after).racks[0].moves;
 * // [{ start: 0, end: 2147483648, length: 2147483648, from: '10.0.0.1:8101', to: '10.0.0.3:8101' }]
 */
export function diffPeers(before: readonly Peer[], after: readonly Peer[]): PoolDiff {
  const sides = [before, after].map((peers) => new Map(groupByRack(peers).map((r) => [rackKey(r), r])));
  const balances = [before, after].map((peers) => new Map(rackBalance(peers).map((b) => [rackKey(b), b])));
  const keys = [...new Set([...sides[0]!.keys(), ...sides[1]!.keys()])];
  const racks = keys
    .map((key) => {
      const [old, now] = sides.map((s) => s.get(key));
      const { dc, rack } = (old ?? now)!;
      const moves = rackMoves(old?.peers ?? [], now?.peers ?? [], dc, rack);
      const moved = moves.reduce((n, m) => n + m.length, 0);
      const [b, a] = balances.map((s) => s.get(key));
      return { dc, rack, moves, moved, fraction: moved / TOKEN_SPACE, ...(b ? { before: b } : {}), ...(a ? { after: a } : {}) };
    })
    .sort((a, b) => compare(a.dc, b.dc) || compare(a.rack, b.rack));
  return { racks, fraction: racks.reduce((n, r) => n + r.fraction, 0) / Math.max(racks.length, 1) };
}

function rackMoves(before: readonly Peer[], after: readonly Peer[], dc: string, rack: string): RangeMove[] {
  const tokens = new Set<number>();
  for (const p of [...before, ...after]) for (const t of p.tokens) tokens.add(t);
  if (tokens.size === 0) return [];
  const points = Uint32Array.from([...tokens].sort((a, b) => a - b));
  // The owner of stretch i = (points[i-1], points[i]] is the owner of points[i].
  const [from, to] = [before, after].map((peers) => owners(peers, dc, rack, points));
  const moves: RangeMove[] = [];
  for (let i = 0; i < points.length; i++) {
    if (from![i] === to![i]) continue;
    const start = i === 0 ? points[points.length - 1]! : points[i - 1]!;
    const length = i === 0 ? TOKEN_SPACE - start + points[0]! : points[i]! - start;
    const last = moves[moves.length - 1];
    if (last && last.end === start && last.from === from![i] && last.to === to![i]) {
      last.end = points[i]!;
      last.length += length;
    } else moves.push({ start, end: points[i]!, length, from: from![i]!, to: to![i]! });
  }
  // The stretch across 0 comes first; join it with a matching run that ends the ring.
  const [first, tail] = [moves[0]!, moves[moves.length - 1]!];
  if (moves.length > 1 && tail.end === first.start && tail.from === first.from && tail.to === first.to) {
    moves.pop();
    moves[0] = { ...first, start: tail.start, length: first.length + tail.length };
  }
  return moves;
}

/** The owner (`host:port`, or null in a rack without tokens) of each point. */
function owners(peers: readonly Peer[], dc: string, rack: string, points: Uint32Array): (string | null)[] {
  const continuum = new Continuum(dc, rack, peers);
  if (continuum.size === 0) return Array.from(points, () => null);
  const byIndex = new Map(peers.map((p) => [p.index, endpointKey(p.endpoint)]));
  return Array.from(continuum.dispatchBatch(points), (peer) => byIndex.get(peer)!);
}

/** Keys as strings (hashed as UTF-8), or as `bytes` and `offsets` the way `Topology.routeKeys` takes them. */
export type KeyBatch = readonly string[] | { bytes: Uint8Array; offsets: Uint32Array };

const isStrings = (keys: KeyBatch): keys is readonly string[] => Array.isArray(keys);

/** How many of the keys change owner in one rack. */
export interface RackKeyMoves extends RackId {
  /** Keys routed. */
  keys: number;
  /** Keys whose owner in this rack is another node after the change. */
  moved: number;
  /** `moved / keys` (0 for no keys). */
  fraction: number;
}

/**
 * Routes real keys in both topologies (each with its own hash and hash tag)
 * and counts, rack by rack, the keys whose owner changes. A rack that
 * exists, or has tokens, on one side only moves every key.

 */
export function countMovedKeys(before: Topology, after: Topology, keys: KeyBatch): RackKeyMoves[] {
  const count = isStrings(keys) ? keys.length : keys.offsets.length - 1;
  const [old, now] = [before, after].map((t) => routedOwners(t, keys));
  const racks = [...new Set([...old!.keys(), ...now!.keys()])].sort();
  return racks.map((key) => {
    const [dc, rack] = key.split('\u0000') as [string, string];
    const [a, b] = [old!.get(key), now!.get(key)];
    let moved = count;
    if (a && b) {
      moved = 0;
      for (let i = 0; i < count; i++) if (a[i] !== b[i]) moved++;
    }
    return { dc, rack, keys: count, moved, fraction: count === 0 ? 0 : moved / count };
  });
}

/** Each rack's owner of every key, as `host:port`; racks without tokens are left out. */
function routedOwners(topology: Topology, keys: KeyBatch): Map<string, string[]> {
  const usable = topology.racks().filter((r) => topology.continuum(r.dc, r.rack).size > 0);
  const result = new Map<string, string[]>();
  if (usable.length === 0) return result;
  // Batch routing needs every rack of a datacenter to have tokens: route on the racks that do.
  const kept = new Set(usable.map(rackKey));
  const ring = Topology.fromPeers(
    topology.peers.filter((p) => kept.has(rackKey(p))),
    { hash: topology.hash, ...(topology.hashTag === undefined ? {} : { hashTag: topology.hashTag }) },
  );
  const names = new Map(ring.peers.map((p) => [p.index, endpointKey(p.endpoint)]));
  for (const dc of ring.datacenters()) {
    const racks = ring.racks(dc);
    const routed = isStrings(keys) ? ring.routeKeys(keys, { dc }) : ring.routeKeyBytes(keys.bytes, keys.offsets, { dc });
    racks.forEach((r, j) => {
      const owners: string[] = new Array((routed.length / racks.length) | 0);
      for (let i = 0; i < owners.length; i++) owners[i] = names.get(routed[i * racks.length + j]!)!;
      result.set(rackKey(r), owners);
    });
  }
  return result;
}
