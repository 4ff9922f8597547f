/** What the coordinator-mode tests share: a client on a test cluster, and who owns which key. */
import { DynoClient, type ClientOptions } from '../../../src/client.js';
import { resolveOptions } from '../../../src/client/options.js';
import { readSource } from '../../../src/client/sources.js';
import type { Topology } from '../../../src/index.js';
import type { TestCluster } from '../helpers.js';

/** A coordinator-mode client of `cluster`, local rack `rack1`, with fast probes. */
export function connectCoordinator(cluster: TestCluster, options: Partial<ClientOptions> = {}): Promise<DynoClient> {
  return DynoClient.connect({
    seeds: cluster.seeds,
    clientPort: cluster.clientPort,
    localRack: 'rack1',
    nodes: 'redis',
    probeIntervalMs: 20,
    probeBackoffMaxMs: 100,
    hintReplayIntervalMs: 20,
    ...options,
  });
}

/** The peer index owning `key` in `rack` of the local datacenter. */
export function ownerIn(topology: Topology, key: string, rack: string): number {
  return topology.replicas(key, { rack }).local.find((o) => o.rack === rack)!.peer.index;
}

/** The keys of `keys` that peer `index` holds a replica of. */
export function keysOwnedBy(topology: Topology, keys: readonly string[], index: number): string[] {
  return keys.filter((k) => topology.replicas(k).local.some((o) => o.peer.index === index));
}

/** The cluster's topology as the client builds it from its seeds (local rack `rack1`). */
export async function topologyOf(cluster: TestCluster): Promise<Topology> {
  return (await readSource(resolveOptions({ seeds: cluster.seeds, localRack: 'rack1' }))).topology;
}
