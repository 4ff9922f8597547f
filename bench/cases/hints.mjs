/**
 * Hinted-handoff benchmarks (issue 5): enqueue + takeFor throughput, and
 * expireNow's cost with many live hints none of which is due.
 * Contract: `run({ quick, lib })` with `lib` the built library module.
 */
import { median } from '../stats.mjs';

const PEERS = 64;
const PAYLOAD_BYTES = 100;
const THROUGHPUT_GOAL = 2e6; // hints per second through enqueue + takeFor

/** ns per hint to enqueue `perPeer` hints to each of 64 peers (round robin, as a fan-out does), then take them all. */
function enqueueTakeRound(lib, perPeer) {
  const store = new lib.HintStore({ maxBytes: 0 });
  const payload = new Uint8Array(PAYLOAD_BYTES).fill(7);
  let taken = 0;
  let last;
  const start = performance.now();
  for (let i = 0; i < perPeer; i++) {
    for (let peer = 0; peer < PEERS; peer++) store.enqueue(peer, payload, 60_000);
  }
  payload.fill(8); // as a socket reuses its buffer; the hints must keep their 7s
  for (let peer = 0; peer < PEERS; peer++) {
    last = store.takeFor(peer);
    taken += last.length;
  }
  const elapsed = performance.now() - start;
  if (taken !== perPeer * PEERS) throw new Error(`took ${taken} hints, expected ${perPeer * PEERS}`);
  const sample = last[last.length - 1].payload;
  if (sample.length !== PAYLOAD_BYTES || sample[0] !== 7 || sample[PAYLOAD_BYTES - 1] !== 7) throw new Error('hint payload is not a copy');
  return (elapsed * 1e6) / taken;
}

/** Runs `round` until both `minRounds` rounds and `minMs` have passed, so the JIT and the GC reach their steady state. */
function warmUp(round, minRounds, minMs) {
  const start = performance.now();
  for (let i = 0; i < minRounds || performance.now() - start < minMs; i++) round();
}

/** A store holding `live` hints, none due at the time it is left at. */
function storeWithLiveHints(lib, live) {
  let clock = 0;
  const store = new lib.HintStore({ maxBytes: 0, now: () => clock });
  const payload = new Uint8Array(16).fill(1);
  // Varied TTLs so the deadline structure is not trivially ordered.
  for (let i = 0; i < live; i++) store.enqueue(i % PEERS, payload, 60_000 + ((i * 7919) % 10_000));
  clock = 1_000;
  return store;
}

/** ns per expireNow call over `calls` calls on `store`, which must drop nothing. */
function expireNowRep(store, calls) {
  const live = store.totalLen();
  let dropped = 0;
  const start = performance.now();
  for (let i = 0; i < calls; i++) dropped += store.expireNow();
  const ns = ((performance.now() - start) * 1e6) / calls;
  if (dropped !== 0 || store.totalLen() !== live) throw new Error('expireNow dropped hints that were not due');
  return ns;
}

export default async function run({ quick, lib }) {
  // Hints per peer per round: what a drain of a peer down for a moment takes.
  const perPeer = quick ? 500 : 1_000;
  // Rounds take tens of ms; the median of many rides out other load and GC pauses.
  const reps = quick ? 9 : 31;
  warmUp(() => enqueueTakeRound(lib, perPeer), quick ? 5 : 10, quick ? 200 : 500);
  const throughputNs = median(Array.from({ length: reps }, () => enqueueTakeRound(lib, perPeer)));

  const calls = 200_000; // calls are cheap; enough of them lets the JIT settle even in quick mode
  const small = storeWithLiveHints(lib, 10_000);
  const big = storeWithLiveHints(lib, 1_000_000);
  for (let i = 0; i < 3; i++) expireNowRep(small, calls); // warm-up, so no size pays for the JIT
  // Alternate the sizes, so load that comes and goes hits both figures of the ratio alike.
  const smallSamples = [];
  const bigSamples = [];
  for (let rep = 0; rep < 15; rep++) {
    smallSamples.push(expireNowRep(small, calls));
    bigSamples.push(expireNowRep(big, calls));
  }
  const smallNs = median(smallSamples);
  const bigNs = median(bigSamples);

  const hintsPerSecond = 1e9 / throughputNs;
  return {
    cases: [
      { name: 'hints enqueue+takeFor (100 B, 64 peers)', size: perPeer * PEERS, impl: 'HintStore', nsPerOp: throughputNs },
      { name: 'hints expireNow, none due', size: 10_000, impl: 'HintStore', nsPerOp: smallNs },
      { name: 'hints expireNow, none due', size: 1_000_000, impl: 'HintStore', nsPerOp: bigNs },
    ],
    targets: [
      {
        name: 'hints enqueue+takeFor >= 2M hints/s',
        ratio: hintsPerSecond / THROUGHPUT_GOAL,
        goal: '>= 1',
        met: hintsPerSecond >= THROUGHPUT_GOAL,
      },
      {
        name: 'hints expireNow 1M vs 10k live hints within 2x',
        ratio: bigNs / smallNs,
        goal: '<= 2',
        met: bigNs / smallNs <= 2,
      },
    ],
  };
}
