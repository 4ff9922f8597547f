/**
 * scanStream against real redis-servers (two racks of two, every key on its
 * owner in both racks as Dynomite replicates it): the whole rack, each key
 * once, failing over to the same-token node, and resuming.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynoClient } from '../../src/client.js';
import { redisAvailable, startCluster, type TestCluster } from './helpers.js';

const run = redisAvailable('test/client/scan.test.ts');

describe.skipIf(!run)('DynoClient scanStream', () => {
  let cluster: TestCluster;
  let client: DynoClient;
  const keys = Array.from({ length: 600 }, (_, i) => `s:${i}`);

  beforeAll(async () => {
    cluster = await startCluster({ racks: 2, perRack: 2 });
    client = await DynoClient.connect({ seeds: cluster.seeds, clientPort: cluster.clientPort, localRack: 'rack1', probeIntervalMs: 50 });
    for (const k of [...keys, 'other:1', 'other:2']) {
      for (const owner of client.topology.route(k)) await cluster.direct(owner.index).set(k, '1');
    }
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
    let killed = false;
    for await (const batch of stream) {
      got.push(...batch);
      if (!killed) {
        killed = true;
        await cluster.nodes[stream.position().node]!.server.stop('SIGKILL');
      }
    }
    expect(got.length).toBe(keys.length);
    expect(new Set(got)).toEqual(new Set(keys));
    await cluster.nodes.find((n) => !n.server.running)!.server.restart();
  });

  it('resumes from a position', async () => {
    const stream = client.scanStream({ match: 's:*', count: 30 });
    const before = await collect(stream, 3);
    const rest = await collect(client.scanStream({ match: 's:*', count: 30, resume: stream.position() }));
    expect(new Set([...before, ...rest])).toEqual(new Set(keys));
    expect(before.length + rest.length).toBe(keys.length);
  });
});
