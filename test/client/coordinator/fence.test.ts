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
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynoClient, ServerReplyError } from '../../../src/client.js';
import { HintStore } from '../../../src/index.js';
import { redisAvailable, startCluster, waitFor, type TestCluster } from '../helpers.js';
import { connectCoordinator, ownerIn, topologyOf } from './support.js';

const RUN = redisAvailable('test/client/coordinator/fence.test.ts');

/** One client connection through the proxy and its connection to Redis. */
interface Link {
  client: net.Socket;
  server: net.Socket;
  /** Client bytes held back while the link is stalled. */
  held: Buffer[];
  stalled: boolean;
  /** Set once Redis closed its side. */
  serverClosed: boolean;
}

/** A TCP proxy to `port` whose links can be stalled, cut on the client side only, and released. */
async function startProxy(port: number) {
  const links: Link[] = [];
  const server = net.createServer((client) => {
    const upstream = net.createConnection({ host: '127.0.0.1', port });
    const link: Link = { client, server: upstream, held: [], stalled: false, serverClosed: false };
    links.push(link);
    client.on('data', (d: Buffer) => (link.stalled ? link.held.push(d) : upstream.write(d)));
    upstream.on('data', (d: Buffer) => client.writable && client.write(d));
    upstream.on('close', () => {
      link.serverClosed = true;
      client.destroy();
    });
    // A cut link keeps its Redis side open: that is the point.
    client.on('close', () => link.stalled || upstream.destroy());
    client.on('error', () => {});
    upstream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    links,
    close: () =>
      new Promise<void>((resolve) => {
        for (const l of links) {
          l.client.destroy();
          l.server.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(!RUN)('coordinator mode: a reconnect fences off the old connection', () => {
  let cluster: TestCluster;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let client: DynoClient | undefined;
  beforeAll(async () => {
    cluster = await startCluster({ racks: 2, perRack: 1 });
    proxy = await startProxy(cluster.nodes[1]!.server.port);
  });
  afterAll(async () => {
    await client?.quit().catch(() => client?.disconnect());
    await proxy?.close();
    await cluster?.stop();
  });

  it('a write held on the old connection never lands after the newer ones', async () => {
    const topology = await topologyOf(cluster);
    const key = 'fenced';
    const behind = ownerIn(topology, key, 'rack2');
    expect(behind).toBe(1);
    // rack2's node is reached through the proxy.
    const clientPort = { ...cluster.clientPort, [`127.0.0.1:${cluster.nodes[1]!.peerPort}`]: proxy.port };
    client = await connectCoordinator(
      { ...cluster, clientPort },
      {
        hints: new HintStore({ maxBytes: 0 }),
        writeConsistency: 'DC_ONE',
        commandTimeoutMs: 200,
        downAfterErrors: 1,
      },
    );
    const replica = cluster.direct(1);
    await client.set(key, 'v1');
    expect(await replica.get(key)).toBe('v1');

    const old = proxy.links.at(-1)!;
    old.stalled = true;
    await client.set(key, 'v2'); // rack1 acknowledges; rack2's copy is held by the path, times out, and is hinted
    await waitFor('the held write to time out into a hint', () => client!.stats().nodes[1]!.hints!.stored >= 1);
    old.client.destroy(); // the path breaks on the client's side; Redis still has the old connection open

    await waitFor('a new connection and the replay', async () => proxy.links.length > 1 && (await replica.get(key)) === 'v2');
    await client.set(key, 'v3'); // DC_ONE: answered by rack1; rack2's copy lands just after
    await waitFor('v3 on the replica', async () => (await replica.get(key)) === 'v3');

    // The stalled path delivers the old connection's bytes now, after the newer writes.
    for (const d of old.held.splice(0)) old.server.write(d);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await replica.get(key)).toBe('v3');
    expect(old.serverClosed).toBe(true); // Redis dropped it when the new connection started
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
