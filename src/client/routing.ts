/**
 * Where a command may go, in order: the racks a key's candidates come from
 * (local rack first), and the round-robin order for commands without keys.
 */
import type { Continuum } from '../ring/continuum.js';
import type { Topology, RackId } from '../ring/topology.js';
import { UnknownLocationError } from '../errors.js';
import type { Arg } from './commands.js';

/** Where the client stands in the cluster, and how far it may fail over. */
export interface Placement {
  localDc: string;
  localRack: string;
  allowRemoteDc: boolean;
}

/**
 * The candidate racks of one topology, in failover order: the local rack,
 * the other racks of the local datacenter by name, then (with
 * `allowRemoteDc`) each remote datacenter by name, starting at the rack at
 * (the local rack's position in its datacenter) modulo (that datacenter's
 * rack count), as Dynomite picks a remote rack.
 */
export class Router {
  /** Candidate racks, in order. */
  readonly racks: readonly RackId[];
  private readonly continuums: readonly Continuum[];
  /** Peers of each candidate rack, by peer index, for commands without keys. */
  readonly rackPeers: readonly (readonly number[])[];
  private turn = 0;

  constructor(
    readonly topology: Topology,
    readonly placement: Placement,
  ) {
    const local = topology.racks(placement.localDc);
    const at = local.findIndex((r) => r.rack === placement.localRack);
    if (at < 0) {
      throw new UnknownLocationError(
        `unknown local rack '${placement.localRack}' in datacenter '${placement.localDc}'; its racks are: ${local.map((r) => r.rack).join(', ')}`,
        placement.localDc,
        placement.localRack,
      );
    }
    const racks = [local[at]!, ...local.filter((_, i) => i !== at)];
    if (placement.allowRemoteDc) {
      for (const dc of topology.datacenters()) {
        if (dc === placement.localDc) continue;
        const remote = topology.racks(dc);
        const first = at % remote.length;
        racks.push(...remote.slice(first), ...remote.slice(0, first));
      }
    }
    this.racks = racks;
    this.continuums = racks.map((r) => topology.continuum(r.dc, r.rack));
    this.rackPeers = racks.map((r) => topology.peers.filter((p) => p.dc === r.dc && p.rack === r.rack).map((p) => p.index));
  }

  /** The token of a key under the topology's hash and hash tag. */
  token(key: Arg): number {
    return this.topology.token(typeof key === 'number' ? String(key) : key);
  }

  /** The owner of `token` in candidate rack `position`, or undefined past the last rack. */
  ownerAt(token: number, position: number): number | undefined {
    return this.continuums[position]?.dispatch(token);
  }

  /** Every candidate of a token, in order (one per rack). */
  chain(token: number): number[] {
    return this.continuums.map((c) => c.dispatch(token));
  }

  /**
   * Candidates for a command without keys: every node of the local rack,
   * starting at the next one in turn, then the other racks' nodes.
   */
  keylessChain(): number[] {
    const local = this.rackPeers[0]!;
    const start = this.turn++ % local.length;
    const out = [...local.slice(start), ...local.slice(0, start)];
    for (let r = 1; r < this.rackPeers.length; r++) out.push(...this.rackPeers[r]!);
    return out;
  }
}
