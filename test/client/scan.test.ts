/**
 * scanStream against real redis-servers (two racks of two, every key on its
 * owner in both racks as Dynomite replicates it): the whole rack, each key
 * once, failing over to the same-token node, and resuming.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynoClient } from '../../src/client.js';
import { redisAvailable, startCluster, waitFor, type TestCluster } from './helpers.js';

const run = redisAvailable('test/client/scan.test.ts');

describe.skipIf(!run)('DynoClient scanStream', () => {
  let cluster: TestCluster;
  let client: DynoClient;
  const keys = Array.from({ length: 600 }, (_, i) => `s:${i}`);

  /** Writes every key to its owner in each rack, as Dynomite replicates it (only to `only`, when given). */
  async function fill(only?: number): Promise<void> {
    for (const k of [...keys, 'other:1', 'other:2']) {
      for (const owner of client.topology.route(k))
        if (only === undefined || owner.index === only) await cluster.direct(owner.index).set(k, '1');
    }
  }

  beforeAll(async () => {
    cluster = await startCluster({ racks: 2, perRack: 2 });
    client = await DynoClient.connect({ seeds: cluster.seeds, clientPort: cluster.clientPort, localRack: 'rack1', probeIntervalMs: 50 });
    await fill();
  });
  afterAll(async () => {
    await client?.quit();
    await cluster?.stop();
  });

  async function collect(stream: AsyncIterable<string[]>, stopAfter = Infinity): Promise<string[]> {
    const out: string[] = [];
    let batches = 0;
    for await (const batch of stream) {
      out.push(...batch);
      if (++batches >= stopAfter) break;
    }
    return out;
  }

  it('yields every matching key of the rack once', async () => {
    const got = await collect(client.scanStream({ match: 's:*', count: 50 }));
    expect(got.length).toBe(keys.length);
    expect(new Set(got)).toEqual(new Set(keys));
  });

  it('fails over to the same-token node of the other rack, even mid-scan, without repeating keys', async () => {
    const stream = client.scanStream({ match: 's:*', count: 20 });
    const got: string[] = [];
    const first = stream.position();
    expect(first.done).toBe(0);
    let killed: number | undefined;
    try {
      for await (const batch of stream) {
        got.push(...batch);
        if (killed === undefined) {
          killed = stream.position().node;
          await cluster.nodes[killed]!.server.stop('SIGKILL');
        }
      }
      expect(got.length).toBe(keys.length);
      expect(new Set(got)).toEqual(new Set(keys));
    } finally {
      // The restarted server is empty: give it back its keys, and wait until the client routes to it again,
      // so the tests after this one scan a whole rack.
      if (killed !== undefined) {
        await cluster.nodes[killed]!.server.restart();
        await fill(killed);
        const key = keys.find((k) => client.topology.route(k).some((p) => p.index === killed))!;
        await waitFor(`node ${killed} back in routing`, () => client.nodeFor(key).index === killed);
      }
    }
  });

  it('resumes from a position in the middle of a node', async () => {
    const stream = client.scanStream({ match: 's:*', count: 30 });
    const before = await collect(stream, 3);
    const at = stream.position();
    expect(at.done).toBe(0);
    expect(at.cursor).not.toBe('0');
    const rest = await collect(client.scanStream({ match: 's:*', count: 30, resume: at }));
    expect(new Set([...before, ...rest])).toEqual(new Set(keys));
    expect(before.length + rest.length).toBe(keys.length);
  });

  it('resumes after a finished node with the next one, not that node over again', async () => {
    // A COUNT above a node's key count finishes each node in one batch, so the
    // stream is left at the yield of a node's last batch (cursor 0).
    const stream = client.scanStream({ match: 's:*', count: 10_000 });
    const before = await collect(stream, 1);
    const at = stream.position();
    expect(at).toEqual({ done: 1, cursor: '0', node: -1 });
    const rest = await collect(client.scanStream({ match: 's:*', count: 10_000, resume: at }));
    expect(before.length + rest.length).toBe(keys.length);
    expect(new Set([...before, ...rest])).toEqual(new Set(keys));
  });
});
