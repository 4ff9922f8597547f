/**
 * Coordinator mode against real redis-server processes: where writes go,
 * the consistency levels, hints for a killed or stopped replica replayed in
 * order, and the typed errors.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QuorumError, type DynoClient } from '../../../src/client.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableHintStore } from '../../../src/durable.js';
import { HintStore, type Topology } from '../../../src/index.js';
import { redisAvailable, startCluster, waitFor, type TestCluster } from '../helpers.js';
import { connectCoordinator, keysOwnedBy, ownerIn, topologyOf } from './support.js';

const RUN = redisAvailable('test/client/coordinator/fanout.test.ts');

describe.skipIf(!RUN)('coordinator mode, two racks of two', () => {
  let cluster: TestCluster;
  let topology: Topology;
  const clients: DynoClient[] = [];
  beforeAll(async () => {
    cluster = await startCluster({ racks: 2, perRack: 2 });
    topology = await topologyOf(cluster);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
    for (const n of cluster.nodes) if (!n.server.running) await n.server.restart();
    await Promise.all(cluster.nodes.map((n) => cluster.direct(n.index).flushall()));
  });
  afterAll(async () => cluster?.stop());

  const open = async (options: Parameters<typeof connectCoordinator>[1] = {}) => {
    // A long timeout unless a test needs one to fire: on a loaded machine a healthy replica's write could time out.
    const client = await connectCoordinator(cluster, { commandTimeoutMs: 10_000, ...options });
    clients.push(client);
    return client;
  };

  it('writes each key to its owner in both racks and nowhere else', async () => {
    const client = await open({ writeConsistency: 'DC_QUORUM', commandTimeoutMs: 5000 });
    const keys = Array.from({ length: 2000 }, (_, i) => `k:${i}`);
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      expect(await Promise.all(batch.map((k) => client.set(k, `v:${k}`)))).toEqual(batch.map(() => 'OK'));
    }
    for (const node of cluster.nodes) {
      const mine = keysOwnedBy(topology, keys, node.index);
      expect(mine.length).toBeGreaterThan(500);
      const held = (await cluster.direct(node.index).keys('*')).sort();
      expect(held).toEqual([...mine].sort());
    }
    expect(await client.get('k:7')).toBe('v:k:7');
    // MSET and DEL split by owners, replicated, merged in the caller's order.
    expect(await client.mset('m:1', 'a', 'm:2', 'b', 'm:3', 'c')).toBe('OK');
    expect(await client.mget('m:1', 'm:2', 'm:3', 'none')).toEqual(['a', 'b', 'c', null]);
    expect(await client.del('m:1', 'm:2', 'none')).toBe(2);
    for (const rack of ['rack1', 'rack2']) expect(await cluster.direct(ownerIn(topology, 'm:1', rack)).exists('m:1')).toBe(0);
  });

  it('hints a killed replica, fails DC_QUORUM naming the racks, and replays in order once it is back', async () => {
    const store = new HintStore({ maxBytes: 0 });
    const client = await open({ hints: store, writeConsistency: 'DC_QUORUM' });
    const down = cluster.nodes.find((n) => n.rack === 'rack2')!;
    const keys = keysOwnedBy(
      topology,
      Array.from({ length: 400 }, (_, i) => `h:${i}`),
      down.index,
    ).slice(0, 50);
    await down.server.stop('SIGKILL');
    const stored: number[] = [];
    client.on('hint:stored', (e) => stored.push(e.peer));
    // Each key is written twice: the replica must end with the second value.
    const outcomes = await Promise.allSettled(keys.flatMap((k) => [client.set(k, `1:${k}`), client.set(k, `2:${k}`)]));
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      const err = (o as PromiseRejectedResult).reason as QuorumError;
      expect(err).toBeInstanceOf(QuorumError);
      expect(err.kind).toBe('QuorumNotReached');
      expect(err.answered.map((a) => a.rack)).toEqual(['rack1']);
      expect(err.missing.map((m) => [m.rack, m.peer, m.outcome])).toEqual([['rack2', down.index, 'hinted']]);
    }
    expect(stored).toEqual(keys.flatMap(() => [down.index, down.index]));
    expect(store.lenFor(down.index)).toBe(keys.length * 2);
    // The reached replica keeps it (nothing rolled back); DC_ONE reads are served from it.
    const other = ownerIn(topology, keys[0]!, 'rack1');
    expect(await cluster.direct(other).get(keys[0]!)).toBe(`2:${keys[0]}`);

    // Held in maintenance until MONITOR watches it, then let go: the replay starts at node:up.
    client.markDown(down.index);
    await down.server.restart();
    const seen: string[][] = [];
    const monitor = await cluster.direct(down.index).monitor();
    monitor.on('monitor', (_t: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'set') seen.push(args.slice(1));
    });
    try {
      client.markUp(down.index);
      await waitFor('the hints to drain', () => store.totalLen() === 0);
      await waitFor('MONITOR to see every replayed SET', () => seen.length >= keys.length * 2);
    } finally {
      monitor.disconnect();
    }
    expect(seen).toEqual(
      keys.flatMap((k) => [
        [k, `1:${k}`],
        [k, `2:${k}`],
      ]),
    );
    const hints = client.stats().nodes.find((n) => n.index === down.index)!.hints!;
    expect(hints).toMatchObject({ queued: 0, stored: keys.length * 2, replayed: keys.length * 2, expired: 0, refused: 0 });
    expect(await client.set(keys[0]!, 'live')).toBe('OK');
    expect(await cluster.direct(down.index).get(keys[0]!)).toBe('live');
  });

  it('counts an OverCapacity refusal as a failed replica, typed', async () => {
    const store = new HintStore({ maxBytes: 40 });
    const client = await open({ hints: store, writeConsistency: 'DC_ONE' });
    const down = cluster.nodes.find((n) => n.rack === 'rack1')!; // the local rack's owner
    const [key] = keysOwnedBy(
      topology,
      Array.from({ length: 100 }, (_, i) => `o:${i}`),
      down.index,
    );
    await down.server.stop('SIGKILL');
    // DC_ONE fails over to rack2 when the local owner misses it: the first write is hinted and acknowledged.
    expect(await client.set(key!, 'x'.repeat(4))).toBe('OK');
    const refused = client.set(key!, 'y'.repeat(30));
    await expect(refused).resolves.toBe('OK');
    expect(client.stats().nodes.find((n) => n.index === down.index)!.hints).toMatchObject({ stored: 1, refused: 1 });
    // Both replicas out: one refused by the store, one killed without a store slot left.
    const peer = ownerIn(topology, key!, 'rack2');
    await cluster.nodes[peer]!.server.stop('SIGKILL');
    const err = (await client.set(key!, 'z'.repeat(30)).catch((e: unknown) => e)) as QuorumError;
    expect(err).toBeInstanceOf(QuorumError);
    expect(err.kind).toBe('QuorumNotReached');
    expect(err.missing.map((m) => m.outcome)).toEqual(['refused', 'refused']);
    expect(err.message).toMatch(/OverCapacity|full/);
  });

  it('DC_SAFE_QUORUM reads fail typed when the racks disagree, and agree after the hints drain', async () => {
    const store = new HintStore({ maxBytes: 0 });
    const client = await open({ hints: store, writeConsistency: 'DC_ONE', readConsistency: 'DC_SAFE_QUORUM' });
    const key = 'safe:1';
    const a = ownerIn(topology, key, 'rack1');
    const b = ownerIn(topology, key, 'rack2');
    expect(await client.set(key, 'one')).toBe('OK');
    expect(await client.get(key)).toBe('one');
    await cluster.direct(b).set(key, 'tampered');
    const err = (await client.get(key).catch((e: unknown) => e)) as QuorumError;
    expect(err).toBeInstanceOf(QuorumError);
    expect(err.kind).toBe('QuorumMismatch');
    expect(err.answered.map((o) => o.rack).sort()).toEqual(['rack1', 'rack2']);
    await cluster.nodes[b]!.server.stop('SIGKILL');
    expect(await client.set(key, 'two')).toBe('OK');
    expect((await client.get(key).catch((e: unknown) => e)) as QuorumError).toMatchObject({ kind: 'QuorumNotReached' });
    await cluster.nodes[b]!.server.restart();
    await waitFor('the hint to drain', () => store.totalLen() === 0);
    expect(await client.get(key)).toBe('two');
    expect(await cluster.direct(a).get(key)).toBe('two');
  });

  it('reports a hint store closed under the client once, not every replay round', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dynoring-fanout-'));
    try {
      const store = await DurableHintStore.open(join(dir, 'hints'));
      const client = await open({ hints: store, hintReplayIntervalMs: 10 });
      const errors: Error[] = [];
      client.on('error', (e: Error) => errors.push(e));
      await store.close(); // the wrong order: the store should be closed after quit()
      await waitFor('the error', () => errors.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 200)); // many more rounds, all failing alike
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ kind: 'Closed' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('SIGSTOP past the timeout: the writes time out into hints, and land in order after SIGCONT', async () => {
    const store = new HintStore({ maxBytes: 0 });
    const client = await open({ hints: store, writeConsistency: 'DC_ONE', commandTimeoutMs: 2000 });
    const paused = cluster.nodes.find((n) => n.rack === 'rack2')!;
    const keys = keysOwnedBy(
      topology,
      Array.from({ length: 400 }, (_, i) => `p:${i}`),
      paused.index,
    ).slice(0, 20);
    paused.server.signal('SIGSTOP');
    try {
      for (let round = 1; round <= 3; round++)
        expect(await Promise.all(keys.map((k) => client.set(k, `${round}:${k}`)))).toEqual(keys.map(() => 'OK'));
      await waitFor('the timed-out writes to be hinted', () => store.lenFor(paused.index) >= keys.length * 3);
    } finally {
      paused.server.signal('SIGCONT');
    }
    await waitFor('the hints to drain', () => store.totalLen() === 0 && client.stats().nodes[paused.index]!.state === 'up');
    const values = await cluster.direct(paused.index).mget(keys);
    expect(values).toEqual(keys.map((k) => `3:${k}`));
  });
});
