/**
 * Coordinator mode (issue 15) against four real redis-server processes, two
 * racks of two, in one run:
 * - pipelined write throughput of `DynoClient` with `nodes: 'redis'` at
 *   DC_QUORUM (each write on both racks' owners) against plain ioredis doing
 *   the same replication by hand (owners looked up in advance, both writes
 *   awaited, the same number in flight, ioredis auto-pipelining as the
 *   coordinator's connections use it);
 * - with one replica down, what hinting costs per hinted write over the
 *   healthy path (DC_ONE, so both runs are acknowledged alike: the issue's
 *   figure), and over the same writes with no hint store, where the down
 *   replica's write is only counted as failed (the cost of the hint alone:
 *   both skip that replica's network round trip).
 * Skipped (no figures, a note) when redis-server is not installed.
 */
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { startRedis } from '../redis.mjs';
import { median } from '../stats.mjs';

const IN_FLIGHT = 256;

/** Runs `write(i)` for i in [0, n), `IN_FLIGHT` at a time; ns per write. */
async function timed(n, write) {
  const start = performance.now();
  for (let i = 0; i < n; i += IN_FLIGHT) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + IN_FLIGHT); j++) batch.push(write(j));
    await Promise.all(batch);
  }
  return ((performance.now() - start) * 1e6) / n;
}

export default async function run({ quick }) {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
    return { cases: [], targets: [], notes: ['skipped: redis-server is not installed (apt-get install redis-server)'] };
  }
  const { DynoClient } = await import('../../dist/client.js');
  const { HintStore } = await import('../../dist/index.js');
  const servers = [];
  const plain = [];
  let client;
  let hinting;
  let dropping;
  try {
    for (let i = 0; i < 4; i++) servers.push(await startRedis());
    const seeds = servers.map((s, i) => `127.0.0.1:${30000 + i}:rack${1 + (i >> 1)}:dc1:${(i & 1) * 2147483648}`);
    const clientPort = Object.fromEntries(servers.map((s, i) => [`127.0.0.1:${30000 + i}`, s.port]));
    const base = { seeds, clientPort, localRack: 'rack1', nodes: 'redis', commandTimeoutMs: 10_000 };
    client = await DynoClient.connect({ ...base, writeConsistency: 'DC_QUORUM' });
    const n = quick ? 20_000 : 100_000;
    const keys = Array.from({ length: n }, (_, i) => `bench:${i}`);
    // The hand-written replication: each key's owner in both racks, looked up before timing.
    // Pipelined the same way as the coordinator's connections: a tick's commands leave in one socket write per server.
    for (const s of servers) plain.push(new Redis({ port: s.port, enableAutoPipelining: true }));
    const owners = keys.map((k) => client.topology.replicas(k).local.map((o) => plain[o.peer.index]));
    const reps = quick ? 3 : 7;
    const coord = [];
    const hand = [];
    await timed(n, (i) => client.set(keys[i], 'v')); // warm-up
    await timed(n, (i) => Promise.all(owners[i].map((r) => r.set(keys[i], 'v'))));
    // Alternate, so load that comes and goes hits both figures alike.
    for (let r = 0; r < reps; r++) {
      coord.push(await timed(n, (i) => client.set(keys[i], 'v')));
      hand.push(await timed(n, (i) => Promise.all(owners[i].map((c) => c.set(keys[i], 'v')))));
    }
    const coordNs = median(coord);
    const handNs = median(hand);

    // Hinting: the same writes at DC_ONE, all replicas up, then with rack2's first node down.
    const store = new HintStore({ maxBytes: 0 });
    hinting = await DynoClient.connect({ ...base, writeConsistency: 'DC_ONE', hints: store, hintReplayIntervalMs: 3_600_000 });
    dropping = await DynoClient.connect({ ...base, writeConsistency: 'DC_ONE' });
    const down = 2;
    dropping.markDown(down);
    const hinted = keys.filter((k) => hinting.topology.replicas(k).local.some((o) => o.peer.index === down)).length;
    await timed(n, (i) => hinting.set(keys[i], 'v'));
    await timed(n, (i) => dropping.set(keys[i], 'v'));
    const healthy = [];
    const oneDown = [];
    const noStore = [];
    for (let r = 0; r < reps; r++) {
      noStore.push(await timed(n, (i) => dropping.set(keys[i], 'v')));
      healthy.push(await timed(n, (i) => hinting.set(keys[i], 'v')));
      hinting.markDown(down); // as after its failures: every write for it is hinted
      oneDown.push(await timed(n, (i) => hinting.set(keys[i], 'v')));
      // A few more: writes of the healthy run still out when it went down are hinted again, to keep their order.
      if (store.lenFor(down) < hinted) throw new Error(`expected ${hinted} hints for node ${down}, found ${store.lenFor(down)}`);
      store.takeFor(down);
      hinting.markUp(down); // node:up replays its (now empty) queue, and it takes live writes again
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const healthyNs = median(healthy);
    const downNs = median(oneDown);
    const noStoreNs = median(noStore);
    const perHintUs = ((downNs - healthyNs) * n) / hinted / 1000;
    const hintAloneUs = ((downNs - noStoreNs) * n) / hinted / 1000;
    const ratio = handNs / coordNs;
    return {
      cases: [
        { name: 'replicated SET to 2 racks, 256 in flight', size: n, impl: 'DynoClient nodes:redis DC_QUORUM', nsPerOp: coordNs },
        { name: 'replicated SET to 2 racks, 256 in flight', size: n, impl: 'ioredis by hand', nsPerOp: handNs },
        { name: 'SET at DC_ONE, all replicas up', size: n, impl: 'DynoClient nodes:redis', nsPerOp: healthyNs },
        { name: 'SET at DC_ONE, one replica down (hinted)', size: n, impl: 'DynoClient nodes:redis', nsPerOp: downNs },
        { name: 'SET at DC_ONE, one replica down (no hint store)', size: n, impl: 'DynoClient nodes:redis', nsPerOp: noStoreNs },
      ],
      targets: [
        { name: 'coordinator write throughput >= 0.8x ioredis by hand', ratio, goal: '>= 0.8', met: ratio >= 0.8 },
        {
          name: 'hinting costs <= 2 µs per hinted write over the healthy path',
          ratio: perHintUs / 2,
          goal: '<= 1',
          met: perHintUs <= 2,
        },
      ],
      notes: [
        `hinting: ${perHintUs.toFixed(2)} µs per hinted write over the healthy path (${hinted} of ${n} writes had the down replica); ` +
          'negative when the replica write saved costs more than the hint',
        `the hint alone (over the same writes with no hint store): ${hintAloneUs.toFixed(2)} µs per hinted write`,
      ],
    };
  } finally {
    for (const r of plain) r.disconnect();
    await client?.quit().catch(() => client.disconnect());
    await hinting?.quit().catch(() => hinting.disconnect());
    await dropping?.quit().catch(() => dropping.disconnect());
    for (const s of servers) s.stop();
  }
}
