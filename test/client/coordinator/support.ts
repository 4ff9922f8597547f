/** What the coordinator-mode tests share: a client on a test cluster, and who owns which key. */
import { DynoClient, QuorumError, type ClientOptions } from '../../../src/client.js';
import { resolveOptions } from '../../../src/client/options.js';
import { readSource } from '../../../src/client/sources.js';
import type { Redis } from 'ioredis';
import type { Topology } from '../../../src/index.js';
import { waitFor, type TestCluster } from '../helpers.js';

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

/** Per key, the sequence numbers written: the last one sent, and the last one acknowledged at the write level. */
export interface KeyHistory {
  attempted: number;
  acked: number;
}

/**
 * A steady write load: `workers` loops, each writing its own keys in turn
 * with increasing sequence numbers (`<seq>`), one write in flight per key,
 * so "the latest acknowledged value" of a key is well defined.
 */
export class WriteLoad {
  readonly history = new Map<string, KeyHistory>();
  /** Writes acknowledged and failed (with the level missed) so far. */
  acked = 0;
  failed = 0;
  /** Errors that are not a missed level (must stay empty). */
  readonly unexpected: unknown[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(client: DynoClient, keys: readonly string[], workers = 16) {
    for (const k of keys) this.history.set(k, { attempted: 0, acked: 0 });
    this.loops = Array.from({ length: workers }, async (_, w) => {
      const mine = keys.filter((_, i) => i % workers === w);
      for (let round = 1; this.running; round++) {
        for (const key of mine) {
          if (!this.running) return;
          const h = this.history.get(key)!;
          const seq = ++h.attempted;
          try {
            await client.set(key, String(seq));
            h.acked = seq;
            this.acked++;
          } catch (err) {
            if (err instanceof QuorumError) this.failed++;
            else this.unexpected.push(err);
          }
        }
      }
    });
  }

  /** Resolves once `n` more writes have been acknowledged. */
  async more(n: number): Promise<void> {
    const target = this.acked + n;
    await waitFor(`${n} more acknowledged writes`, () => this.acked >= target);
  }

  /** Stops the loops after their writes in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

/**
 * Compares every replica of every key with what it must hold once the racks
 * are healthy and the hints drained: each owner, in every rack, holds the
 * key's last written value (which is at least its last acknowledged one),
 * so no replica is behind its peers. Returns the differences (empty when right).
 */
export async function replicaDifferences(
  cluster: TestCluster,
  topology: Topology,
  history: ReadonlyMap<string, KeyHistory>,
): Promise<string[]> {
  const keys = [...history.keys()];
  const wrong: string[] = [];
  for (const node of cluster.nodes) {
    const mine = keysOwnedBy(topology, keys, node.index);
    if (mine.length === 0) continue;
    const values = await inspector(cluster, node.index).mget(mine);
    mine.forEach((key, i) => {
      const h = history.get(key)!;
      const have = values[i] === null ? 0 : Number(values[i]);
      if (have !== h.attempted || have < h.acked)
        wrong.push(`${key} on node ${node.index} (${node.rack}): holds ${have}, last written ${h.attempted}, last acknowledged ${h.acked}`);
    });
  }
  return wrong;
}

const inspectors = new WeakMap<TestCluster, Redis[]>();

/** One plain connection per node of `cluster` to read it directly, made once (they reconnect after a restart). */
export function inspector(cluster: TestCluster, index: number): Redis {
  let all = inspectors.get(cluster);
  if (all === undefined) inspectors.set(cluster, (all = []));
  return (all[index] ??= cluster.direct(index));
}
