/**
 * Routing and single-key commands against real redis-servers standing in
 * for two racks of two nodes: every key lands on its owner in the local
 * rack, commands without keys go round the local rack, and every refusal
 * is typed and sends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandRefusedError, DynoClient, ServerReplyError } from '../../src/client.js';
import { Topology } from '../../src/index.js';
import { redisAvailable, startCluster, type TestCluster } from './helpers.js';

const run = redisAvailable('test/client/routing.test.ts');

describe.skipIf(!run)('DynoClient routing (two racks of two redis-servers)', () => {
  let cluster: TestCluster;
  let client: DynoClient;

  beforeAll(async () => {
    cluster = await startCluster({ racks: 2, perRack: 2 });
    client = await DynoClient.connect({ seeds: cluster.seeds, clientPort: cluster.clientPort, localRack: 'rack1', hashTag: '{}' });
  });
  afterAll(async () => {
    await client?.quit();
    await cluster?.stop();
  });

  it('puts every key of 10,000 on its owner in the local rack, and nowhere else', async () => {
    const topology = Topology.fromPeers(client.topology.peers, { hashTag: '{}' });
    const keys = Array.from({ length: 10_000 }, (_, i) => `user:${i}:${(i * 2654435761) % 1000}`);
    for (let i = 0; i < keys.length; i += 500) await Promise.all(keys.slice(i, i + 500).map((k) => client.set(k, `v-${k}`)));
    const expected = new Map<number, string[]>();
    for (const k of keys) {
      const owner = topology.route(k)[0]!.index; // rack1 is the first rack of dc1
      expected.set(owner, [...(expected.get(owner) ?? []), k]);
      expect(client.nodeFor(k).index).toBe(owner);
    }
    for (const node of cluster.nodes) {
      const stored = (await cluster.direct(node.index).keys('user:*')).sort();
      expect(stored).toEqual((expected.get(node.index) ?? []).sort());
    }
    expect(expected.size).toBe(2);
    expect(await client.get(keys[1234]!)).toBe(`v-${keys[1234]}`);
  });

  it('describes the node a key goes to', () => {
    const info = client.nodeFor('user:42');
    const node = cluster.nodes[info.index]!;
    expect(info).toEqual({ index: node.index, dc: 'dc1', rack: 'rack1', host: '127.0.0.1', port: node.server.port, state: 'up' });
  });

  it('sends commands without keys to the local rack in turn', async () => {
    const before = client.stats().nodes.map((n) => n.requests);
    for (let i = 0; i < 10; i++) expect(await client.ping()).toBe('PONG');
    const after = client.stats().nodes.map((n) => n.requests);
    const delta = after.map((n, i) => n - before[i]!);
    expect(delta).toEqual([5, 5, 0, 0]);
  });

  it('offers Buffer twins, call, and node-style callbacks', async () => {
    await client.set('buf', 'bytes');
    expect(await client.getBuffer('buf')).toEqual(Buffer.from('bytes'));
    expect(await client.call('get', 'buf')).toBe('bytes');
    const viaCallback = await new Promise((resolve, reject) => client.get('buf', (err, v) => (err ? reject(err) : resolve(v))));
    expect(viaCallback).toBe('bytes');
  });

  it('returns a server error as a typed reply error without holding it against the node', async () => {
    await client.rpush('a-list', 'x');
    for (let i = 0; i < 10; i++) {
      const err = await client.get('a-list').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServerReplyError);
      expect(err).toMatchObject({ kind: 'ServerError', command: 'get' });
      expect((err as Error).message).toMatch(/^WRONGTYPE/);
    }
    const node = client.stats().nodes.find((n) => n.index === client.nodeFor('a-list').index)!;
    expect(node.state).toBe('up');
    expect(node.errors.server).toBeGreaterThanOrEqual(10);
    expect(node.failovers).toBe(0);
  });

  it('refuses, typed and before sending, what Dynomite would close the connection on', async () => {
    const before = client.stats().nodes.reduce((s, n) => s + n.requests, 0);
    const refusals: [Promise<unknown>, string, RegExp][] = [
      [client.call('multi'), 'UnsupportedCommand', /MULTI/],
      [client.blpop('k', 0), 'UnsupportedCommand', /BLPOP/],
      [client.select(1), 'UnsupportedCommand', /SELECT/],
      [client.dbsize(), 'UnsupportedCommand', /DBSIZE/],
      [client.command('COUNT'), 'UnsupportedCommand', /COMMAND/],
      [client.rename('a', 'b'), 'UnsupportedCommand', /RENAME/],
      [client.client('SETNAME', 'x'), 'UnsupportedCommand', /CLIENT/],
      [client.touch('a'), 'UnsupportedCommand', /TOUCH/],
      [client.unlink('a'), 'UnsupportedCommand', /UNLINK/],
      [client.scan('0'), 'UnsupportedCommand', /scanStream/],
      [client.hset('h', 'f1', 'v1', 'f2', 'v2'), 'UnsupportedCommand', /exactly a key and two arguments/],
      [client.call('nosuchcommand', 'x'), 'UnsupportedCommand', /NOSUCHCOMMAND/],
      [client.set('x{}1', 'v'), 'EmptyHashTag', /empty hash tag/],
      [client.get('{}'), 'EmptyHashTag', /empty hash tag/],
      [client.get(''), 'EmptyKey', /empty key/],
      [client.sunion('a', 'b', 'c', 'd', 'e', 'f'), 'KeysOnDifferentNodes', /different owners/],
    ];
    for (const [promise, kind, message] of refusals) {
      const err = await promise.then(
        () => new Error('resolved'),
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CommandRefusedError);
      expect(err).toMatchObject({ kind });
      expect((err as Error).message).toMatch(message);
    }
    expect(client.stats().nodes.reduce((s, n) => s + n.requests, 0)).toBe(before);
  });

  it('runs multi-key commands whose keys share their owners (a common hash tag)', async () => {
    await client.sadd('{u1}:a', 'x', 'y');
    await client.sadd('{u1}:b', 'y', 'z');
    expect((await client.sunion('{u1}:a', '{u1}:b')).sort()).toEqual(['x', 'y', 'z']);
  });
});
