/** The client example, run against real redis-servers (two racks of two). */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../examples/client.js';
import { redisAvailable, startCluster, type TestCluster } from '../client/helpers.js';

const run = redisAvailable('test/examples/client.test.ts');
let cluster: TestCluster;

beforeAll(async () => {
  if (run) cluster = await startCluster({ racks: 2, perRack: 2 });
});
afterAll(async () => {
  await cluster?.stop();
});

it.skipIf(!run)('writes, reads, pipelines and scans through the local rack', async () => {
  const args = cluster.nodes.map((n) => `${n.seed}=${n.server.port}`);
  const lines = await main(args);
  expect(lines[0]).toMatch(/^user:42 = ada \(on node [01]\)$/);
  expect(lines[1]).toBe('pipeline: ["OK","OK",["1","2"]]');
  expect(lines[2]).toBe('user keys in the local rack: 1');
  expect(lines[3]).toMatch(/^node 0: up, \d+ requests, p50 \d+\.\d\d ms$/);
});
