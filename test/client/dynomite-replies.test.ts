/**
 * What only a Dynomite node answers, from a small RESP server in the test:
 * its transport errors (`-ERR Peer:`, `-ERR Storage:`, `-ERR Dynomite: ...
 * state does not allow ...`), the consistency command on every connection,
 * and a handshake free of the commands Dynomite closes the connection on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CommandFailedError, DynoClient } from '../../src/client.js';
import { RedisServer } from '../helpers/redis-servers.js';
import { redisAvailable, waitFor } from './helpers.js';
import { startRespServer, type Answer, type RespServer } from './resp-server.js';

const run = redisAvailable('test/client/dynomite-replies.test.ts');

describe.skipIf(!run)('DynoClient and Dynomite-only replies', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  /** rack1: the fake node; rack2: a real redis-server holding the data. Both own every key (one node per rack). */
  async function setup(answer: (command: string[]) => Answer | undefined, extra: object = {}) {
    const fake = await startRespServer(answer);
    closers.push(() => fake.close());
    const redis = await RedisServer.launch();
    closers.push(() => redis.destroy());
    const client = await DynoClient.connect({
      seeds: ['127.0.0.1:31001:rack1:dc1:0', '127.0.0.1:31002:rack2:dc1:0'],
      clientPort: { '127.0.0.1:31001': fake.port, '127.0.0.1:31002': redis.port },
      localRack: 'rack1',
      commandTimeoutMs: 10_000, // exact failover counts: no healthy node may time out on a loaded machine
      ...extra,
    });
    closers.push(() => client.quit());
    await client.markDown(0);
    await client.set('k', 'from-rack2');
    client.markUp(0);
    return { fake, client };
  }

  const transport = (reply: string) => (c: string[]) => (['GET', 'SET', 'INCR'].includes(c[0]!) ? reply : undefined);

  it('fails reads and idempotent writes over on -ERR Peer:, without marking the node down', async () => {
    const { client } = await setup(transport('-ERR Peer: Peer Node is not connected\r\n'));
    for (let i = 0; i < 5; i++) expect(await client.get('k')).toBe('from-rack2');
    expect(await client.set('k2', 'v')).toBe('OK');
    const [fakeNode] = client.stats().nodes;
    expect(fakeNode).toMatchObject({ state: 'up', failovers: 6 });
    expect(fakeNode!.errors.transport).toBe(6);
  });

  it('fails over on -ERR Storage:, but does not retry INCR after it (the coordinator may have replicated it)', async () => {
    const { client } = await setup(transport('-ERR Storage: Datastore refused connection\r\n'));
    expect(await client.get('k')).toBe('from-rack2');
    const err = await client.incr('n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect(err).toMatchObject({ kind: 'MaybeApplied', attempts: [{ reason: 'transport' }] });
  });

  it('retries INCR after -ERR Dynomite: ... state does not allow ..., which proves nothing was applied', async () => {
    const { client } = await setup(transport("-ERR Dynomite: Node's state does not allow this request\r\n"));
    expect(await client.incr('n')).toBe(1);
  });

  it('sends DYNO_CONFIG:CONN_CONSISTENCY first on every connection, before any command, also after a reconnect', async () => {
    const fake: RespServer = await startRespServer((c) => (c[0] === 'GET' ? '$2\r\nok\r\n' : undefined));
    closers.push(() => fake.close());
    const client = await DynoClient.connect({
      seeds: ['127.0.0.1:31001:rack1:dc1:0'],
      clientPort: { '127.0.0.1:31001': fake.port },
      consistency: 'DC_QUORUM',
      probeIntervalMs: 20,
    });
    closers.push(() => client.quit());
    expect(await client.get('k')).toBe('ok');
    fake.dropConnections();
    await waitFor('a second connection', () => fake.connections.length >= 2);
    await waitFor(
      'a GET answered on it',
      async () =>
        (await client.get('k').catch(() => null)) === 'ok' &&
        client.nodeFor('k').index === 0 &&
        fake.connections[1]!.some((c) => c[0] === 'GET'),
    );
    for (const log of fake.connections) {
      expect(log[0]).toEqual(['DYNO_CONFIG:CONN_CONSISTENCY', 'DC_QUORUM']);
      const forbidden = log.filter((c) => ['CLIENT', 'SELECT', 'INFO', 'COMMAND', 'DBSIZE'].includes(c[0]!));
      expect(forbidden).toEqual([]);
    }
  });
});
