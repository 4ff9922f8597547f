/**
 * Coordinator mode across two runs that share a DurableHintStore: hints are
 * kept by peer number, and a run whose topology gives a number with hints
 * waiting to another server is refused at connect, before anything is sent.
 */
import { mkdir, mkdtemp, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynoClient, type ClientEvents } from '../../../src/client.js';
import { DurableHintStore } from '../../../src/durable.js';
import { HintStore } from '../../../src/index.js';
import { adminPort, httpReply } from '../admin-port.js';
import { redisAvailable, startCluster, waitFor, type TestCluster } from '../helpers.js';
import { connectCoordinator } from './support.js';

const RUN = redisAvailable('test/client/coordinator/hint-labels.test.ts');

describe.skipIf(!RUN)('coordinator mode, hints kept by peer number across runs', () => {
  let cluster: TestCluster;
  let dir: string;
  beforeAll(async () => {
    cluster = await startCluster({ racks: 2, perRack: 2 });
    dir = await mkdtemp(join(tmpdir(), 'dynoring-labels-'));
  });
  afterAll(async () => {
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a run that renumbers a peer with hints waiting, and takes it once they drained', async () => {
    const reversed = [...cluster.seeds].reverse();
    const endpoint = (i: number) => `127.0.0.1:${cluster.clientPort[`127.0.0.1:${cluster.nodes[i]!.peerPort}`]}`;
    let store = await DurableHintStore.open(join(dir, 'hints'));
    // A long timeout: on a loaded machine a live write that timed out would hint another peer too.
    const first = await connectCoordinator(cluster, { hints: store, commandTimeoutMs: 10_000 });
    const down = 3;
    first.markDown(down);
    await Promise.all(Array.from({ length: 40 }, (_, i) => first.set(`labels:${i}`, 'v')));
    const waiting = store.lenFor(down);
    expect(waiting).toBeGreaterThan(0);
    expect(store.labelOf(down)).toBe(endpoint(down));
    await first.quit();
    await store.close();

    // The next run lists the same servers the other way round: peer 3 is now another server.
    store = await DurableHintStore.open(join(dir, 'hints'));
    const refused = await connectCoordinator(cluster, { hints: store, seeds: reversed }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'ConfigError', kind: 'HintsRenumbered' });
    expect((refused as Error).message).toContain(
      `peer(s) ${down} (stored for ${endpoint(down)}; this topology's peer ${down} is ${endpoint(0)})`,
    );
    expect(store.lenFor(down)).toBe(waiting);
    expect(store.labelOf(down)).toBe(endpoint(down));

    // The numbering they were stored under takes them, and replays them to the server they were for.
    const second = await connectCoordinator(cluster, { hints: store });
    await waitFor('the hints to drain', () => store.totalLen() === 0);
    expect(await cluster.direct(down).dbsize()).toBeGreaterThanOrEqual(waiting);
    await second.quit();
    const third = await connectCoordinator(cluster, { hints: store, seeds: reversed });
    expect(store.labelOf(down)).toBe(endpoint(0));
    await third.quit();
    await store.close();
  });

  it('does not take a refreshed numbering whose labels cannot be written, so a later run is never sent the wrong way', async () => {
    const hints = join(dir, 'refresh');
    const seeds = (list: string[]) => httpReply('text/plain', list.join('|'));
    const source = await adminPort(seeds(cluster.seeds));
    const options = {
      florida: source.url,
      clientPort: cluster.clientPort,
      localRack: 'rack1',
      nodes: 'redis',
      refreshIntervalMs: 0,
    } as const;
    let store = await DurableHintStore.open(hints);
    const client = await DynoClient.connect({ ...options, hints: store });
    const rejected: ClientEvents['topology:rejected'][] = [];
    client.on('topology:rejected', (e) => rejected.push(e));
    const before = store.labelOf(0);
    try {
      // The labels cannot be written (here a directory where the temporary file goes): the new numbering is not taken.
      await mkdir(join(hints, 'peers.json.tmp'));
      source.current = seeds([...cluster.seeds].reverse());
      expect(await client.refresh()).toBe(false);
      expect(rejected.map((e) => (e.error as NodeJS.ErrnoException).code)).toEqual([expect.stringMatching(/EISDIR|EPERM/)]);
      expect(client.topology.peers[0]!.endpoint.port).toBe(cluster.nodes[0]!.peerPort);
      expect(store.labelOf(0)).toBe(before);
      // Once they can, the next refresh takes it and records it before any hint is stored under it.
      await rmdir(join(hints, 'peers.json.tmp'));
      expect(await client.refresh()).toBe(true);
      expect(store.labelOf(0)).not.toBe(before);
      client.markDown(0);
      await Promise.all(Array.from({ length: 40 }, (_, i) => client.set(`refresh:${i}`, 'v')));
      expect(store.lenFor(0)).toBeGreaterThan(0);
    } finally {
      await client.quit();
      await store.close();
    }
    // A run with the first numbering, where peer 0 is another server, is refused.
    source.current = seeds(cluster.seeds);
    store = await DurableHintStore.open(hints);
    try {
      await expect(DynoClient.connect({ ...options, hints: store })).rejects.toMatchObject({
        name: 'ConfigError',
        kind: 'HintsRenumbered',
      });
    } finally {
      await store.close();
      await source.close();
    }
  });

  it('refuses hints for a peer number the topology does not have, naming how to drop them', async () => {
    const store = new HintStore();
    store.setLabels(new Map([[7, '10.0.0.7:6379']]));
    store.enqueue(7, new Uint8Array([42]), 60_000);
    const refused = await DynoClient.connect({ seeds: cluster.seeds, clientPort: cluster.clientPort, nodes: 'redis', hints: store }).catch(
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ name: 'ConfigError', kind: 'HintsRenumbered' });
    expect((refused as Error).message).toMatch(
      /peer\(s\) 7 \(stored for 10\.0\.0\.7:6379; this topology has no peer 7\).*store\.takeFor\(peer\)/,
    );
    store.takeFor(7);
    const client = await DynoClient.connect({ seeds: cluster.seeds, clientPort: cluster.clientPort, nodes: 'redis', hints: store });
    expect(store.labelOf(0)).toBe(`127.0.0.1:${cluster.nodes[0]!.server.port}`);
    await client.quit();
  });
});
