/**
 * A replica whose old connection still holds writes (a stalled server or
 * path) while the client has reconnected: before the new connection takes
 * writes, the coordinator has Redis drop the old one (`CLIENT KILL ID`), so
 * an old write buffered there cannot land after the newer ones replayed or
 * sent on the new connection. A TCP proxy in front of the replica's real
 * redis-server plays the stalled path: it holds what the client sent on the
 * old connection, keeps that connection open to Redis, and lets it through
 * only after the newer writes are in.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynoClient, ServerReplyError } from '../../../src/client.js';
import { HintStore } from '../../../src/index.js';
import { redisAvailable, startCluster, waitFor, type TestCluster } from '../helpers.js';
import { startProxy } from './stalling-proxy.js';
import { connectCoordinator, ownerIn, topologyOf } from './support.js';

const RUN = redisAvailable('test/client/coordinator/fence.test.ts');

describe.skipIf(!RUN)('coordinator mode: a reconnect fences off the old connection', () => {
  let cluster: TestCluster;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let client: DynoClient | undefined;
  beforeEach(async () => {
    cluster = await startCluster({ racks: 2, perRack: 1 });
    proxy = await startProxy(cluster.nodes[1]!.server.port);
  });
  afterEach(async () => {
    await client?.quit().catch(() => client?.disconnect());
    client = undefined;
    await proxy?.close();
    await cluster?.stop();
  });

  it.each([
    ['the first reconnect takes over', 0],
    // The path is still bad for the first reconnect: its CLIENT KILL ID times out, and the next one must still kill the old connection.
    ['the first reconnect times out on CLIENT KILL ID', 1],
  ])('a write held on the old connection never lands after the newer ones: %s', async (_case, stalledReconnects) => {
    const topology = await topologyOf(cluster);
    const key = 'fenced';
    expect(ownerIn(topology, key, 'rack2')).toBe(1);
    // rack2's node is reached through the proxy.
    const clientPort = { ...cluster.clientPort, [`127.0.0.1:${cluster.nodes[1]!.peerPort}`]: proxy.port };
    client = await connectCoordinator(
      { ...cluster, clientPort },
      { hints: new HintStore({ maxBytes: 0 }), writeConsistency: 'DC_ONE', commandTimeoutMs: 2000, downAfterErrors: 1 },
    );
    client.on('error', () => {});
    const replica = cluster.direct(1);
    await client.set(key, 'v1');
    expect(await replica.get(key)).toBe('v1');

    const old = proxy.links.at(-1)!;
    old.stalled = true;
    await client.set(key, 'v2'); // rack1 acknowledges; rack2's copy is held by the path, times out, and is hinted
    await waitFor('the held write to time out into a hint', () => client!.stats().nodes[1]!.hints!.stored >= 1);
    proxy.stall.next = stalledReconnects;
    old.client.destroy(); // the path breaks on the client's side; Redis still has the old connection open

    const links = 2 + stalledReconnects;
    await waitFor('a new connection and the replay', async () => proxy.links.length >= links && (await replica.get(key)) === 'v2');
    await client.set(key, 'v3'); // DC_ONE: answered by rack1; rack2's copy lands just after
    await waitFor('v3 on the replica', async () => (await replica.get(key)) === 'v3');

    // The stalled path delivers the old connection's bytes now, after the newer writes.
    for (const d of old.held.splice(0)) old.server.write(d);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await replica.get(key)).toBe('v3'); // unfenced: 'v2', the held write landed last
    expect(old.serverClosed).toBe(true); // Redis dropped it when a new connection started
  });

  it('still connects, with an error event, when the server refuses CLIENT (an ACL without it)', async () => {
    for (const n of cluster.nodes) await cluster.direct(n.index).call('ACL', 'SETUSER', 'app', 'on', '>secret', '~*', '+@all', '-client');
    const errors: Error[] = [];
    const restricted = await DynoClient.connect({
      seeds: cluster.seeds,
      clientPort: cluster.clientPort,
      localRack: 'rack1',
      nodes: 'redis',
      redisOptions: { username: 'app', password: 'secret' },
    });
    restricted.on('error', (e: Error) => errors.push(e));
    try {
      // The first handshakes ran before the listener: reconnect to see them report.
      expect(await restricted.set('acl', 'ok')).toBe('OK');
      for (const n of cluster.nodes) await cluster.direct(n.index).call('CLIENT', 'KILL', 'USER', 'app');
      await waitFor('both nodes to report the refused fence', () => errors.length >= 2);
      expect(errors[0]).toBeInstanceOf(ServerReplyError);
      expect(errors[0]!.message).toMatch(/NOPERM.*\(to CLIENT ID\).*allow INFO, CLIENT ID and CLIENT KILL/);
      await waitFor('the connections to be back', async () => (await restricted.set('acl', 'again').catch(() => 'no')) === 'OK');
      for (const n of cluster.nodes) expect(await cluster.direct(n.index).get('acl')).toBe('again');
    } finally {
      await restricted.quit().catch(() => restricted.disconnect());
    }
  });
});
