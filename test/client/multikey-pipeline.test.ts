/**
 * Multi-key commands split by owner and pipelines grouped by node, against
 * real redis-servers (two racks of two): replies merged in the caller's
 * order, a failed group failing over on its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRefusedError, DynoClient, ServerReplyError } from '../../src/client.js';
import { redisAvailable, startCluster, waitFor, type TestCluster } from './helpers.js';

const run = redisAvailable('test/client/multikey-pipeline.test.ts');

describe.skipIf(!run)('DynoClient multi-key commands and pipelines', () => {
  let cluster: TestCluster;
  let client: DynoClient;
  const keys = Array.from({ length: 40 }, (_, i) => `mk:${i}`);

  beforeAll(async () => {
    cluster = await startCluster({ racks: 2, perRack: 2 });
    client = await DynoClient.connect({
      seeds: cluster.seeds,
      clientPort: cluster.clientPort,
      localRack: 'rack1',
      commandTimeoutMs: 2000, // fires on the SIGSTOPped node; long enough not to on a loaded machine's healthy ones
      probeIntervalMs: 50,
    });
  });
  afterAll(async () => {
    await client?.quit();
    await cluster?.stop();
  });

  it('splits MSET, MGET, EXISTS and DEL by owner and merges the replies in the caller order', async () => {
    const owners = new Set(keys.map((k) => client.nodeFor(k).index));
    expect(owners.size).toBe(2);
    expect(await client.mset(...keys.flatMap((k) => [k, `v-${k}`]))).toBe('OK');
    for (const k of keys) expect(await cluster.direct(client.nodeFor(k).index).get(k)).toBe(`v-${k}`);
    const shuffled = [...keys].reverse();
    expect(await client.mget(...shuffled, 'mk:missing')).toEqual([...shuffled.map((k) => `v-${k}`), null]);
    expect(await client.mget(shuffled)).toEqual(shuffled.map((k) => `v-${k}`));
    expect(await client.exists(...keys.slice(0, 10), 'mk:missing')).toBe(10);
    expect(await client.del(...keys.slice(0, 10))).toBe(10);
    expect(await client.exists(...keys)).toBe(30);
  });

  it('returns pipeline results in order, server errors in place', async () => {
    await client.rpush('pl:list', 'a');
    const results = (await client
      .pipeline()
      .set('pl:1', 'one')
      .get('pl:1')
      .get('pl:list')
      .incr('pl:n')
      .mget('pl:1', 'mk:20', 'mk:21')
      .ping()
      .exec())!;
    expect(results.map(([, r]) => r)).toEqual(['OK', 'one', undefined, 1, ['one', 'v-mk:20', 'v-mk:21'], 'PONG']);
    expect(results[2]![0]).toBeInstanceOf(ServerReplyError);
    expect(results[2]![0]!.message).toMatch(/^WRONGTYPE/);
  });

  it('sends one pipeline per node, concurrently', async () => {
    const before = client.stats().nodes.map((n) => n.requests);
    const p = client.pipeline();
    for (const k of keys) p.get(k);
    const results = (await p.exec())!;
    expect(results.map(([e]) => e)).toEqual(keys.map(() => null));
    const delta = client.stats().nodes.map((n, i) => n.requests - before[i]!);
    const expected = [0, 1, 2, 3].map((i) => keys.filter((k) => client.nodeFor(k).index === i).length);
    expect(delta).toEqual(expected);
  });

  it('refuses a pipeline before sending anything when one command cannot go through Dynomite', async () => {
    const before = client.stats().nodes.reduce((s, n) => s + n.requests, 0);
    const err = await client
      .pipeline()
      .set('pl:ok', '1')
      .call('multi')
      .exec()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandRefusedError);
    expect(err).toMatchObject({ kind: 'UnsupportedCommand', command: 'multi' });
    expect(client.stats().nodes.reduce((s, n) => s + n.requests, 0)).toBe(before);
  });

  it('fails a group over on its own when its node dies, and refuses to retry a sent INCR', async () => {
    for (const k of keys.slice(20)) for (const owner of client.topology.route(k)) await cluster.direct(owner.index).set(k, `v-${k}`);
    const victim = client.nodeFor('mk:20').index;
    const stopped = cluster.nodes[victim]!.server;
    stopped.signal('SIGSTOP');
    try {
      const p = client.pipeline();
      for (const k of keys.slice(20)) p.get(k);
      p.incr('mk:20:n');
      const results = (await p.exec())!;
      expect(results.slice(0, 20).map(([e, r]) => [e, r])).toEqual(keys.slice(20).map((k) => [null, `v-${k}`]));
      expect(results[20]![0]).toMatchObject({ kind: 'MaybeApplied' });
      expect(client.stats().nodes[victim]!.failovers).toBeGreaterThan(0);
    } finally {
      stopped.signal('SIGCONT');
    }
    await waitFor('the node to be up again', () => client.stats().nodes[victim]!.state === 'up');
  });
});
