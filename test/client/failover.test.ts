/**
 * Failover against real redis-servers (two racks of two): SIGKILL of a key's
 * owner mid-stream, SIGSTOP past the command timeout, restart and return to
 * the owner, and the rules for writes that are not idempotent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CommandFailedError, DynoClient, type ClientEvents } from '../../src/client.js';
import { redisAvailable, startCluster, waitFor, type TestCluster } from './helpers.js';

const run = redisAvailable('test/client/failover.test.ts');

describe.skipIf(!run)('DynoClient failover (two racks of two redis-servers)', () => {
  let cluster: TestCluster;
  let client: DynoClient;
  const events: { name: keyof ClientEvents; payload: unknown }[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ racks: 2, perRack: 2 });
  });
  afterEach(async () => {
    await client?.quit();
    for (const n of cluster.nodes) if (!n.server.running) await n.server.restart();
    events.length = 0;
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  async function connect(): Promise<DynoClient> {
    client = await DynoClient.connect({
      seeds: cluster.seeds,
      clientPort: cluster.clientPort,
      localRack: 'rack1',
      hashTag: '{}',
      commandTimeoutMs: 2000, // fires on the SIGSTOPped node; long enough not to on a loaded machine's healthy ones
      downAfterErrors: 2,
      probeIntervalMs: 50,
      probeBackoffMaxMs: 200,
    });
    for (const name of ['node:down', 'node:up', 'failover'] as const) client.on(name, (payload) => events.push({ name, payload }));
    return client;
  }

  /** Writes key=value straight into every rack's owner, as Dynomite's replication would have. */
  async function replicate(keys: string[]): Promise<void> {
    for (const k of keys) {
      for (const owner of client.topology.route(k)) await cluster.direct(owner.index).set(k, `v-${k}`);
    }
  }

  it('keeps reads and idempotent writes right through a SIGKILL of the owner, then returns to it after restart', async () => {
    await connect();
    const owner = client.nodeFor('stream:0').index;
    const keys = Array.from({ length: 400 }, (_, i) => `stream:${i}`).filter((k) => client.nodeFor(k).index === owner);
    await replicate(keys);
    const killed = cluster.nodes[owner]!.server;
    let wrong = 0;
    for (let i = 0; i < keys.length; i++) {
      if (i === 20) await killed.stop('SIGKILL');
      const k = keys[i]!;
      if (i % 2 === 0) {
        if ((await client.get(k)) !== `v-${k}`) wrong++;
      } else {
        expect(await client.set(k, `v-${k}`)).toBe('OK');
      }
    }
    expect(wrong).toBe(0);
    expect(events.some((e) => e.name === 'node:down' && (e.payload as ClientEvents['node:down']).node.index === owner)).toBe(true);
    expect(client.nodeFor(keys[0]!).rack).toBe('rack2');

    await killed.restart();
    await waitFor('the owner to be marked up', () => client.stats().nodes[owner]!.state === 'up');
    expect(client.nodeFor(keys[0]!).index).toBe(owner);
    const before = client.stats().nodes[owner]!.requests;
    await client.set(keys[1]!, 'after-restart');
    expect(client.stats().nodes[owner]!.requests).toBe(before + 1);
    expect(await cluster.direct(owner).get(keys[1]!)).toBe('after-restart');
  });

  it('retries a non-idempotent write elsewhere only when it never reached a server', async () => {
    await connect();
    const owner = client.nodeFor('counter').index;
    await cluster.nodes[owner]!.server.stop('SIGKILL');
    // Whether the owner is already marked down or its send fails as not
    // connected, INCR was never written to it, so it goes to the next rack once.
    expect(await client.incr('counter')).toBe(1);
    const other = client.topology.route('counter').find((p) => p.index !== owner)!.index;
    expect(await cluster.direct(other).get('counter')).toBe('1');
  });

  it('fails over reads after a timeout (SIGSTOP), refuses to retry a timed-out INCR, and marks the node up after SIGCONT', async () => {
    await connect();
    const owner = client.nodeFor('slow').index;
    await replicate(['slow']);
    const stopped = cluster.nodes[owner]!.server;
    stopped.signal('SIGSTOP');
    try {
      const err = await client.incr('slow:counter{slow}').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CommandFailedError);
      expect(err).toMatchObject({ kind: 'MaybeApplied', command: 'incr' });
      expect((err as CommandFailedError).attempts.map((a) => a.reason)).toEqual(['timeout']);

      expect(await client.get('slow')).toBe('v-slow');
      await waitFor('the stopped node to be marked down', () => client.stats().nodes[owner]!.state === 'down');
      const failover = events.find((e) => e.name === 'failover')?.payload as ClientEvents['failover'];
      expect(failover).toMatchObject({ reason: 'timeout', command: 'get', from: { index: owner } });
      expect(client.stats().nodes[owner]!.errors.timeout).toBeGreaterThanOrEqual(2);
    } finally {
      stopped.signal('SIGCONT');
    }
    await waitFor('the continued node to be marked up', () => client.stats().nodes[owner]!.state === 'up');
    expect(events.filter((e) => e.name === 'node:up').length).toBeGreaterThanOrEqual(1);
    expect(await client.get('slow')).toBe('v-slow');
  });

  it('takes a node out by hand and puts it back', async () => {
    await connect();
    const owner = client.nodeFor('maint').index;
    client.markDown(owner);
    expect(client.nodeFor('maint').rack).toBe('rack2');
    expect(client.stats().nodes[owner]!.state).toBe('maintenance');
    await client.set('maint', 'x');
    expect(await cluster.direct(owner).get('maint')).toBeNull();
    client.markUp(owner);
    expect(client.nodeFor('maint').index).toBe(owner);
    expect(events.map((e) => e.name)).toEqual(['node:down', 'node:up']);
  });

  it('fails with NoNodeAvailable when every candidate is down', async () => {
    await connect();
    for (const p of client.topology.route('gone')) client.markDown(p.index);
    const err = await client.get('gone').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'NoNodeAvailable', attempts: [] });
  });
});
