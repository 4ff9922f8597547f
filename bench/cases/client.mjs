/**
 * DynoClient against plain ioredis (issue 14's speed section): both talk to
 * the same one `redis-server` on loopback, GET/SET alternating, unpipelined
 * (one command in flight) and in pipelines of 64, timed in interleaved rounds
 * (medians) so load from other processes falls on both alike. Also the
 * routing cost per command (check, hash, owner lookup) with no I/O.
 * Contract: `run({ quick, lib })`; this case loads `dist/client.js` itself.
 */
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { startRedis } from '../redis.mjs';
import { median } from '../stats.mjs';

const { DynoClient } = await import('../../dist/client.js');

const keys = Array.from({ length: 1024 }, (_, i) => `user:${i}:profile`);

async function unpipelined(client, ops) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) {
    const k = keys[i & 1023];
    if (i & 1) await client.get(k);
    else await client.set(k, 'value');
  }
  return Number(process.hrtime.bigint() - start) / ops;
}

async function pipelined(client, ops) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < ops; i += 64) {
    const p = client.pipeline();
    for (let j = 0; j < 64; j++) {
      const k = keys[(i + j) & 1023];
      if (j & 1) p.get(k);
      else p.set(k, 'value');
    }
    await p.exec();
  }
  return Number(process.hrtime.bigint() - start) / ops;
}

export default async function run({ quick }) {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    return { cases: [], targets: [], notes: ['redis-server is not installed: client case skipped'] };
  }
  const redis = await startRedis();
  const plain = new Redis({ port: redis.port, host: '127.0.0.1' });
  const dyno = await DynoClient.connect({
    seeds: [`127.0.0.1:${redis.port - 1}:rack1:dc1:0`],
    clientPort: { [`127.0.0.1:${redis.port - 1}`]: redis.port },
  });
  try {
    const rounds = quick ? 5 : 15;
    const single = quick ? 2000 : 6000;
    const piped = quick ? 64 * 100 : 64 * 400;
    // Warm both up (JIT, connections) before timing.
    await unpipelined(plain, 2000);
    await unpipelined(dyno, 2000);
    await pipelined(plain, 64 * 50);
    await pipelined(dyno, 64 * 50);
    const samples = { plain1: [], dyno1: [], plain64: [], dyno64: [] };
    for (let r = 0; r < rounds; r++) {
      samples.plain1.push(await unpipelined(plain, single));
      samples.dyno1.push(await unpipelined(dyno, single));
      samples.plain64.push(await pipelined(plain, piped));
      samples.dyno64.push(await pipelined(dyno, piped));
    }
    // Routing alone: check, plan (hash and owner lookup) of GET, no I/O.
    const routeSamples = [];
    for (let r = 0; r < rounds; r++) {
      const n = 200_000;
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) dyno.plan('get', [keys[i & 1023]]);
      routeSamples.push(Number(process.hrtime.bigint() - start) / n);
    }
    const ns = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
    const routeNs = median(routeSamples);
    const name1 = 'GET/SET unpipelined, one redis-server';
    const name64 = 'GET/SET pipeline depth 64, one redis-server';
    const ratio1 = ns.plain1 / ns.dyno1;
    const ratio64 = ns.plain64 / ns.dyno64;
    return {
      cases: [
        { name: name1, size: 1, impl: 'ioredis', nsPerOp: ns.plain1 },
        { name: name1, size: 1, impl: 'DynoClient', nsPerOp: ns.dyno1 },
        { name: name64, size: 64, impl: 'ioredis', nsPerOp: ns.plain64 },
        { name: name64, size: 64, impl: 'DynoClient', nsPerOp: ns.dyno64 },
        { name: 'routing per command (GET)', size: 1, impl: 'DynoClient', nsPerOp: routeNs },
      ],
      targets: [
        { name: 'client unpipelined: DynoClient / ioredis throughput', ratio: ratio1, goal: '>= 0.85', met: ratio1 >= 0.85 },
        { name: 'client pipeline 64: DynoClient / ioredis throughput', ratio: ratio64, goal: '>= 0.85', met: ratio64 >= 0.85 },
        { name: 'client routing ns per command / 1000', ratio: routeNs / 1000, goal: '<= 1', met: routeNs <= 1000 },
      ],
    };
  } finally {
    await dyno.quit();
    plain.disconnect();
    redis.stop();
  }
}
