/**
 * Review (review3): the fence must survive a reconnect whose own handshake
 * fails before CLIENT KILL ID was answered.
 *
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
import type { DynoClient } from '../../../src/client.js';
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
  /** How many of the next links start stalled. */
  const stall = { next: 0 };
  const server = net.createServer((client) => {
    const upstream = net.createConnection({ host: '127.0.0.1', port });
    const link: Link = { client, server: upstream, held: [], stalled: stall.next > 0, serverClosed: false };
    if (stall.next > 0) stall.next--;
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
    stall,
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

describe.skipIf(!RUN)('coordinator mode: the fence after a handshake that failed half way', () => {
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

  it('still kills the old connection when the first reconnect timed out on CLIENT KILL ID', async () => {
    const topology = await topologyOf(cluster);
    const key = 'fenced';
    expect(ownerIn(topology, key, 'rack2')).toBe(1);
    const clientPort = { ...cluster.clientPort, [`127.0.0.1:${cluster.nodes[1]!.peerPort}`]: proxy.port };
    client = await connectCoordinator(
      { ...cluster, clientPort },
      { hints: new HintStore({ maxBytes: 0 }), writeConsistency: 'DC_ONE', commandTimeoutMs: 200, downAfterErrors: 1 },
    );
    client.on('error', () => {});
    const replica = cluster.direct(1);
    await client.set(key, 'v1');
    expect(await replica.get(key)).toBe('v1');

    const old = proxy.links.at(-1)!;
    old.stalled = true;
    await client.set(key, 'v2');
    await waitFor('the held write to time out into a hint', () => client!.stats().nodes[1]!.hints!.stored >= 1);
    proxy.stall.next = 1; // the path is still bad for the first reconnect: its CLIENT KILL ID times out
    old.client.destroy();

    await waitFor('a third connection and the replay', async () => proxy.links.length > 2 && (await replica.get(key)) === 'v2');
    await client.set(key, 'v3');
    await waitFor('v3 on the replica', async () => (await replica.get(key)) === 'v3');

    for (const d of old.held.splice(0)) old.server.write(d);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await replica.get(key)).toBe('v3'); // without the fix: 'v2', the held write landed last
    expect(old.serverClosed).toBe(true); // without the fix: the id was forgotten when the second handshake failed
  });
});
