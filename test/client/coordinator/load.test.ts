/**
 * Coordinator mode under a steady write load at DC_QUORUM, on two racks of
 * two and three racks of two: a replica SIGKILLed and restarted, another
 * SIGSTOPped past the command timeout and continued. Once the racks are
 * healthy and the hints drained, every replica of every key holds its last
 * written value (so every acknowledged write, at its latest value), and
 * quorum reads return it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynoClient } from '../../../src/client.js';
import { HintStore, type Topology } from '../../../src/index.js';
import { redisAvailable, startCluster, waitFor, type TestCluster } from '../helpers.js';
import { connectCoordinator, replicaDifferences, topologyOf, WriteLoad } from './support.js';

const RUN = redisAvailable('test/client/coordinator/load.test.ts');

describe.skipIf(!RUN).each([2, 3])('coordinator mode under load, %i racks of two', (racks) => {
  let cluster: TestCluster;
  let topology: Topology;
  let client: DynoClient | undefined;
  beforeAll(async () => {
    cluster = await startCluster({ racks, perRack: 2, persist: true });
    topology = await topologyOf(cluster);
  });
  afterAll(async () => {
    await client?.quit().catch(() => client?.disconnect());
    await cluster?.stop();
  });

  it('SIGKILL and restart of one replica, SIGSTOP and SIGCONT of another: the replicas converge on the latest writes', async () => {
    const store = new HintStore({ maxBytes: 0 });
    client = await connectCoordinator(cluster, {
      hints: store,
      writeConsistency: 'DC_QUORUM',
      readConsistency: 'DC_QUORUM',
      commandTimeoutMs: 200,
    });
    const keys = Array.from({ length: 240 }, (_, i) => `load:${i}`);
    const killed = cluster.nodes.find((n) => n.rack === 'rack2')!;
    const stopped = cluster.nodes.filter((n) => n.rack === `rack${racks}`).at(-1)!;
    const hintsOf = (index: number) => client!.stats().nodes[index]!.hints!;
    const load = new WriteLoad(client, keys);
    try {
      await load.more(300);
      await killed.server.stop('SIGKILL');
      await waitFor('hints for the killed replica', () => hintsOf(killed.index).stored >= 50);
      await load.more(200);
      await killed.server.restart();
      await waitFor('the killed replica to be replayed', () => hintsOf(killed.index).replayed >= 50);
      await load.more(200);
      stopped.server.signal('SIGSTOP');
      try {
        await waitFor('writes to the stopped replica to time out into hints', () => hintsOf(stopped.index).stored >= 50);
        await load.more(100);
      } finally {
        stopped.server.signal('SIGCONT');
      }
      await load.more(300);
    } finally {
      await load.stop();
    }
    expect(load.unexpected).toEqual([]);
    // Two racks: a quorum is both, so writes for a replica's keys fail while it is out (and are still hinted).
    if (racks === 2) expect(load.failed).toBeGreaterThan(0);
    await waitFor(
      'the racks to be healthy and the hints drained',
      async () =>
        client!.stats().nodes.every((n) => n.state === 'up' && n.hints!.queued === 0) &&
        store.totalLen() === 0 &&
        (await replicaDifferences(cluster, topology, load.history)).length === 0,
    ).catch(() => undefined); // the assertions below say what is wrong
    expect(await replicaDifferences(cluster, topology, load.history)).toEqual([]);
    for (const n of [killed, stopped]) {
      const h = hintsOf(n.index);
      expect(h).toMatchObject({ queued: 0, expired: 0, refused: 0 });
      expect(h.replayed).toBe(h.stored);
    }
    // Quorum reads after the failovers return the latest value, never an older one. (Through a client with a long
    // timeout: the short one above is there to time the stopped replica out, and could trip on a loaded machine.)
    const reader = await connectCoordinator(cluster, { readConsistency: 'DC_QUORUM', commandTimeoutMs: 10_000 });
    try {
      expect(await reader.mget(keys)).toEqual(keys.map((k) => String(load.history.get(k)!.attempted)));
    } finally {
      await reader.quit();
    }
  });
});
