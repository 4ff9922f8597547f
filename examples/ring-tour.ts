import { readFileSync } from 'node:fs';
import { Topology, parseSeed } from '../src/index.js';

/** Loads the example cluster and looks at its ring. */
export function ringTour(file = 'examples/cluster/dynomite.yml') {
  const topology = Topology.fromDynomiteYaml({ text: readFileSync(file, 'utf8'), file });

  const racks = topology.racks(); // sorted by datacenter, then rack
  const owners = topology.route('user:42').map((p) => p.name); // one owner per rack of the local dc

  const ring = topology.continuum('us-east-1', 'us-east-1a');
  const owner = ring.dispatch(1431655766); // peer index owning that token
  const batch = ring.dispatchBatch(Uint32Array.of(0, 7, 4294967295)); // many at once
  const shares = ring.ownership(); // Map(peer index => share of the 2^32 token space)

  // Peers can also be built by hand, e.g. from seed strings.
  const small = Topology.fromPeers([
    parseSeed('10.0.0.1:8101:rack1:dc1:0', 0, { isLocal: true }),
    parseSeed('10.0.0.2:8101:rack1:dc1:2147483648', 1),
  ]);
  return { racks, owners, owner, batch, shares, smallOwner: small.continuum('dc1', 'rack1').dispatch(2147483649) };
}
