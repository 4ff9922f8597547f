/**
 * Failover to a remote datacenter (two datacenters of one rack of two
 * redis-servers): only with `allowRemoteDc`, and then to the key's owner in
 * the remote datacenter; without it a remote node is never sent anything.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynoClient, type ClientEvents, type ClientOptions } from '../../src/client.js';
import { redisAvailable, startCluster, waitFor, type TestCluster } from './helpers.js';

const run = redisAvailable('test/client/remote-dc.test.ts');

describe.skipIf(!run)('DynoClient remote-datacenter failover', () => {
  let cluster: TestCluster;
  let client: DynoClient | undefined;
  const keys = Array.from({ length: 40 }, (_, i) => `r:${i}`);

  beforeAll(async () => {
    cluster = await startCluster({ racks: 1, perRack: 2, dcs: 2 });
  });
  afterEach(async () => {
    await client?.quit();
    client = undefined;
    for (const n of cluster.nodes) if (!n.server.running) await n.server.restart();
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const connect = (allowRemoteDc: boolean, extra: Partial<ClientOptions> = {}) =>
    DynoClient.connect({
      seeds: cluster.seeds,
      clientPort: cluster.clientPort,
      localDc: 'dc1',
      allowRemoteDc,
      commandTimeoutMs: 400,
      probeIntervalMs: 50,
      ...extra,
    });

  /** Writes every key to its owner in both datacenters, as Dynomite replicates it. */
  async function fill(c: DynoClient): Promise<void> {
    for (const k of keys)
      for (const dc of ['dc1', 'dc2']) for (const owner of c.topology.route(k, dc)) await cluster.direct(owner.index).set(k, `v${k}`);
  }

  const remote = (c: DynoClient) => c.stats().nodes.filter((n) => n.dc === 'dc2');

  it('never sends to a remote datacenter without allowRemoteDc, even with the local owner dead', async () => {
    client = await connect(false);
    await fill(client);
    for (const k of keys) expect(await client.get(k)).toBe(`v${k}`);
    const owner = client.nodeFor(keys[0]!);
    expect(owner.dc).toBe('dc1');
    await cluster.nodes[owner.index]!.server.stop('SIGKILL');
    const mine = keys.filter((k) => client!.topology.route(k).some((p) => p.index === owner.index));
    for (const k of mine) await expect(client.get(k)).rejects.toMatchObject({ name: 'CommandFailedError', kind: 'NoNodeAvailable' });
    expect(remote(client).every((n) => n.requests === 0)).toBe(true);
  });

  it('fails over to the owner in the remote datacenter with allowRemoteDc, and back once the local owner returns', async () => {
    // Reconnects 1 s apart: the first GET after the kill must find the owner still up (its connection merely closed),
    // not already marked down by a refused reconnect on a loaded machine, so that it fails over.
    client = await connect(true, { probeIntervalMs: 1000, probeBackoffMaxMs: 1000 });
    await fill(client);
    const failovers: ClientEvents['failover'][] = [];
    client.on('failover', (e) => failovers.push(e));
    const owner = client.nodeFor(keys[0]!);
    const mine = keys.filter((k) => client!.topology.route(k).some((p) => p.index === owner.index));
    await cluster.nodes[owner.index]!.server.stop('SIGKILL');
    for (const k of mine) expect(await client.get(k)).toBe(`v${k}`);
    const twin = client.topology.route(mine[0]!, 'dc2')[0]!;
    expect(failovers[0]).toMatchObject({ from: { index: owner.index, dc: 'dc1' }, to: { index: twin.index, dc: 'dc2' }, command: 'get' });
    expect(client.nodeFor(mine[0]!)).toMatchObject({ index: twin.index, dc: 'dc2' });
    // Keys whose local owner is alive still stay in dc1.
    const others = keys.filter((k) => !mine.includes(k));
    for (const k of others) expect(client.nodeFor(k).dc).toBe('dc1');
    await cluster.nodes[owner.index]!.server.restart();
    await waitFor('the local owner back in routing', () => client!.nodeFor(mine[0]!).index === owner.index);
  });
});
