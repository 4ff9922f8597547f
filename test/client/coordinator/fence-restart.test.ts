/**
 * The fence after the replica's Redis restarted. Client ids are numbered afresh by every server process (from 3
 * on Redis 7), so the id the client remembers from the old process may name
 * another client's connection on the new one: the fence kills only within the server process it connected to (INFO's `run_id`).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynoClient } from '../../../src/client.js';
import { HintStore } from '../../../src/index.js';
import { redisAvailable, startCluster, waitFor, type TestCluster } from '../helpers.js';
import { connectCoordinator } from './support.js';

const RUN = redisAvailable('test/client/coordinator/fence-restart.test.ts');

/** A raw connection of some other client; `id` is its CLIENT ID. */
async function otherClient(port: number): Promise<{ id: number; socket: net.Socket; closed: () => boolean }> {
  const socket = net.createConnection({ host: '127.0.0.1', port });
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const reply = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
  socket.write('CLIENT ID\r\n');
  const id = Number(/^:(\d+)/.exec(await reply)![1]);
  return { id, socket, closed: () => closed };
}

describe.skipIf(!RUN)('coordinator mode: the fence after the replica restarted', () => {
  let cluster: TestCluster;
  let client: DynoClient | undefined;
  const others: net.Socket[] = [];
  beforeAll(async () => {
    cluster = await startCluster({ racks: 2, perRack: 1 });
  });
  afterAll(async () => {
    for (const s of others) s.destroy();
    await client?.quit().catch(() => client?.disconnect());
    await cluster?.stop();
  });

  it("does not kill another client's connection that got the old id", async () => {
    client = await connectCoordinator(cluster, {
      hints: new HintStore({ maxBytes: 0 }),
      probeIntervalMs: 1500,
      probeBackoffMaxMs: 1500,
      commandTimeoutMs: 2000,
    });
    client.on('error', () => {});
    const server = cluster.nodes[1]!.server;
    // The coordinator's connection id on the first process.
    const inspector = cluster.direct(1);
    const self = Number(await inspector.call('CLIENT', 'ID'));
    const ids = [...String(await inspector.call('CLIENT', 'LIST')).matchAll(/id=(\d+)/g)]
      .map((m) => Number(m[1]))
      .filter((id) => id !== self);
    expect(ids).toHaveLength(1);
    const previous = ids[0]!;
    inspector.disconnect();
    await server.stop('SIGKILL');
    await server.restart();
    // Another client connects first and happens to get that number.
    let victim: Awaited<ReturnType<typeof otherClient>> | undefined;
    for (let i = 0; i < 50 && victim === undefined; i++) {
      const c = await otherClient(server.port);
      others.push(c.socket);
      if (c.id === previous) victim = c;
      else if (c.id > previous) break;
    }
    expect(victim, `no connection got id ${previous}`).toBeDefined();
    // The coordinator reconnects (its retry) and runs its fence.
    await waitFor(
      'the coordinator to reconnect',
      async () => (await client!.set('k', 'v').catch(() => 'no')) === 'OK' && client!.stats().nodes[1]!.state === 'up',
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(victim!.closed()).toBe(false);
  });
});
