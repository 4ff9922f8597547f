/**
 * Balance: how evenly each rack's token space is shared among its nodes.
 * Computed exactly from range lengths (docs/design.md §2: the peer at entry `i`
 * owns `(token[i-1], token[i]]`), never from sampled keys.
 */
import { Continuum } from '../ring/continuum.js';
import { TOKEN_SPACE } from '../ring/token.js';
import { endpointKey, type Peer } from '../ring/peer.js';
import type { RackId } from '../ring/topology.js';

/** One node's share of its rack's token space. */
export interface NodeShare {
  /** The peer's index. */
  peer: number;
  /** `host:port` (`[v6]:port` for IPv6), the node's identity across configs. */
  endpoint: string;
  /** Tokens the node owns, 0 to 2^32. */
  owned: number;
  /** `owned / 2^32`, 0 to 1. */
  share: number;
}

/** The balance of one (datacenter, rack). */
export interface RackBalance extends RackId {
  /** Every node of the rack, in token order of its first token (nodes without tokens last, by index). */
  nodes: NodeShare[];
  /** `1 / nodes`: every node's share when the rack is perfectly balanced. */
  mean: number;
  /** The largest share. */
  max: number;
  /** The smallest share. */
  min: number;
  /** `max / mean`: 1 is perfect; `undefined` for a rack without tokens. */
  ratio: number | undefined;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Each rack's balance: every node's share and the largest share over the
 * mean (max/mean). Racks are sorted by datacenter, then rack.
 *
 * @example
 * rackBalance([parseSeed('a:8101:r1:dc1:0', 0), parseSeed('b:8101:r1:dc1:2147483648', 1)]);
 * // [{ dc: 'dc1', rack: 'r1', max: 0.5, mean: 0.5, ratio: 1, ... }]
 */
export function rackBalance(peers: readonly Peer[]): RackBalance[] {
  return groupByRack(peers).map(({ dc, rack, peers: members }) => {
    const continuum = new Continuum(dc, rack, members);
    const owned = continuum.ownership();
    const order = new Map<number, number>();
    continuum.entries().forEach(([, peer], i) => order.has(peer) || order.set(peer, i));
    const nodes = [...members]
      .sort((a, b) => (order.get(a.index) ?? Infinity) - (order.get(b.index) ?? Infinity) || a.index - b.index)
      .map((p) => {
        const share = owned.get(p.index) ?? 0;
        return { peer: p.index, endpoint: endpointKey(p.endpoint), owned: share * TOKEN_SPACE, share };
      });
    const shares = nodes.map((n) => n.share);
    const mean = 1 / nodes.length;
    const max = Math.max(...shares);
    return { dc, rack, nodes, mean, max, min: Math.min(...shares), ratio: continuum.size === 0 ? undefined : max / mean };
  });
}

/** Peers grouped by (dc, rack), racks sorted by datacenter then rack, peers in the order given. */
export function groupByRack(peers: readonly Peer[]): (RackId & { peers: Peer[] })[] {
  const racks = new Map<string, RackId & { peers: Peer[] }>();
  for (const p of peers) {
    const key = `${p.dc}\u0000${p.rack}`;
    const rack = racks.get(key);
    if (rack) rack.peers.push(p);
    else racks.set(key, { dc: p.dc, rack: p.rack, peers: [p] });
  }
  return [...racks.values()].sort((a, b) => compare(a.dc, b.dc) || compare(a.rack, b.rack));
}
