// Benchmark of the durable hint store (issue 6): enqueue throughput of
// 100-byte hints per sync mode with 64 concurrent writers, and replay speed
// at open. Imports the built bundle, so run it after the build.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../../dist/durable.js', import.meta.url));
const WRITERS = 64;
const PAYLOAD = 100;
// Hints go to one peer: the usual case is a single peer down taking every write meant for it.
const PEER = 7;

/** ns per enqueue with WRITERS concurrent writers each enqueueing `perWriter` hints in sequence. */
async function enqueueCase(DurableHintStore, sync, total) {
  const dir = await mkdtemp(join(tmpdir(), `dynoring-bench-${sync}-`));
  try {
    const store = await DurableHintStore.open(dir, { maxBytes: 0, sync });
    const payload = new Uint8Array(PAYLOAD).fill(0x61);
    const perWriter = Math.ceil(total / WRITERS);
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: WRITERS }, async () => {
        for (let i = 0; i < perWriter; i++) await store.enqueue(PEER, payload, 3_600_000);
      }),
    );
    const ns = Number(process.hrtime.bigint() - start);
    const fsyncs = store.stats().fsyncs;
    await store.close();
    return { nsPerOp: ns / (perWriter * WRITERS), ops: perWriter * WRITERS, fsyncs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes `megabytes` of 100-byte hints with sync 'never', then times opening the store (replay). */
async function replayCase(DurableHintStore, megabytes) {
  const dir = await mkdtemp(join(tmpdir(), 'dynoring-bench-replay-'));
  try {
    const writer = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'never' });
    const payload = new Uint8Array(PAYLOAD).fill(0x62);
    const hints = Math.ceil((megabytes * 1e6) / (PAYLOAD + 16));
    for (let i = 0; i < hints; i += 4096) {
      const batch = [];
      for (let j = i; j < Math.min(hints, i + 4096); j++) batch.push(writer.enqueue(j % 4, payload, 3_600_000));
      await Promise.all(batch);
    }
    const diskBytes = writer.stats().diskBytes;
    await writer.close();
    // Three opens; the median is reported, the first (coldest JIT) is shown too.
    const times = [];
    for (let run = 0; run < 3; run++) {
      const start = process.hrtime.bigint();
      const reader = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'never' });
      times.push(Number(process.hrtime.bigint() - start));
      const replayed = reader.stats().replayedHints;
      await reader.close();
      if (replayed !== hints) throw new Error(`replay found ${replayed} hints, wrote ${hints}`);
    }
    return { ns: [...times].sort((a, b) => a - b)[1], firstNs: times[0], diskBytes, hints };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Bench contract: `{ cases, targets }`. */
export default async function run({ quick }) {
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: build first (npm run build)`);
  const { DurableHintStore } = await import(bundle);
  const counts = quick ? { always: 256, batch: 20_000, never: 50_000 } : { always: 2_048, batch: 200_000, never: 500_000 };
  const replayMB = quick ? 20 : 200;

  const cases = [];
  const throughput = {};
  for (const sync of ['always', 'batch', 'never']) {
    const r = await enqueueCase(DurableHintStore, sync, counts[sync]);
    throughput[sync] = 1e9 / r.nsPerOp;
    cases.push({
      name: `durable enqueue 100 B, 64 writers, sync=${sync} (${r.ops} hints, ${r.fsyncs} fsyncs)`,
      size: r.ops,
      impl: 'js',
      nsPerOp: r.nsPerOp,
    });
  }
  const replay = await replayCase(DurableHintStore, replayMB);
  const mbps = replay.diskBytes / 1e6 / (replay.ns / 1e9);
  const firstMBps = replay.diskBytes / 1e6 / (replay.firstNs / 1e9);
  cases.push({
    name: `durable replay at open, median of 3 (${(replay.diskBytes / 1e6).toFixed(0)} MB, ${replay.hints} hints; first open ${firstMBps.toFixed(0)} MB/s)`,
    size: replay.diskBytes,
    impl: 'js',
    nsPerOp: replay.ns / replay.hints,
  });

  const batchRatio = throughput.batch / throughput.always;
  const replayRatio = mbps / 200;
  return {
    cases,
    targets: [
      {
        name: `durable enqueue: batch vs always throughput (${throughput.batch.toFixed(0)} vs ${throughput.always.toFixed(0)} hints/s)`,
        ratio: batchRatio,
        goal: '>= 20',
        met: batchRatio >= 20,
      },
      { name: `durable replay speed (${mbps.toFixed(0)} MB/s) vs 200 MB/s`, ratio: replayRatio, goal: '>= 1', met: replayRatio >= 1 },
    ],
  };
}
