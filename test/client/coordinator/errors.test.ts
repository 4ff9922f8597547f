/**
 * Errors that are not a periodic round's: each one is its own `error`
 * event, even with the same message (the de-duplication covers only the
 * rounds: `fanout.test.ts`): two replicas' hints lost to a store failure
 * in one write, and each throw of a broken `hint:stored` listener.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DynoClient } from '../../../src/client.js';
import { HintStore } from '../../../src/index.js';
import { freePort, RedisServer } from '../../helpers/redis-servers.js';
import { redisAvailable } from '../helpers.js';

const RUN = redisAvailable('test/client/coordinator/errors.test.ts');

/** A store whose disk fails for every enqueue (not a refusal: not a HintStoreError). */
class FailingStore extends HintStore {
  override enqueue(): void {
    throw new Error('EIO: i/o error, write');
  }
}

describe.skipIf(!RUN)('coordinator mode: errors that are each reported', () => {
  let server: RedisServer | undefined;
  let client: DynoClient | undefined;
  afterEach(async () => {
    client?.disconnect();
    await server?.destroy();
  });

  const open = async (racks: number, hints: HintStore) => {
    server = await RedisServer.launch();
    const seeds = [`127.0.0.1:${server.port}:r1:dc1:0`];
    for (let r = 2; r <= racks; r++) seeds.push(`127.0.0.1:${await freePort()}:r${r}:dc1:0`);
    // A long replay interval: no round runs during the test.
    client = await DynoClient.connect({ seeds, localRack: 'r1', nodes: 'redis', hints, hintReplayIntervalMs: 60_000 });
    const errors: Error[] = [];
    client.on('error', (e: Error) => errors.push(e));
    return { client, errors };
  };

  it('a store failure for each of two replicas of one write gives two error events', async () => {
    const { client, errors } = await open(3, new FailingStore({ maxBytes: 1 << 20 }));
    await client.set('k', 'v'); // DC_ONE: r1 answers; r2 and r3 are down and their hints fail to store
    await new Promise((r) => setTimeout(r, 50));
    const refused = client.stats().nodes.reduce((s, n) => s + (n.hints?.refused ?? 0), 0);
    expect(refused).toBe(2);
    expect(errors.filter((e) => e.message.startsWith('EIO'))).toHaveLength(refused);
  });

  it('each throw of a hint:stored listener is reported', async () => {
    const { client, errors } = await open(2, new HintStore({ maxBytes: 1 << 20 }));
    client.on('hint:stored', () => {
      throw new Error('listener bug');
    });
    await client.set('a', '1');
    await new Promise((r) => setTimeout(r, 20));
    await client.set('b', '2');
    await new Promise((r) => setTimeout(r, 20));
    expect(client.stats().nodes.reduce((s, n) => s + (n.hints?.stored ?? 0), 0)).toBe(2);
    expect(errors.filter((e) => e.message === 'listener bug')).toHaveLength(2);
  });
});
