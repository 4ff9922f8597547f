/**
 * Token dispatch (issue 9, case 1 and 2): a batch of 1,000,000 random tokens
 * through continuums of 3 to 1,048,576 entries on the WebAssembly engine, the
 * TypeScript engine, a plain JavaScript binary search and two native C
 * references (bench/native/ring.c: the same S-tree with AVX2, and a
 * branch-free binary search); WebAssembly is held against the better of the
 * two at each size. Then single `dispatch(token)` calls from JavaScript.
 * Contract: `run({ quick, lib })` with `lib` the built library module.
 */
import { Bench } from 'tinybench';
import { buildNative, checksum, runNative } from '../native/native.mjs';
import { median, random } from '../stats.mjs';

const SIZES = [3, 8, 64, 1_024, 65_536, 1_048_576];
/**
 * Where the WebAssembly layout changes: SIMD serves up to 8 entries, the
 * S-tree above, with one level up to 16 entries, two up to 272 (16 x 17).
 * Both layouts are timed at 8 (SIMD cannot serve more); the S-tree alone on
 * each side of its level steps.
 */
const LAYOUT_SIZES = [8, 9, 16, 17, 272, 273];
const TOKENS = 1_000_000;
const PEERS = 256;
const CALLS_PER_SAMPLE = 1_024;
let sink = 0; // keeps single-call results and cache-warming reads alive

/**
 * Median ns per token of each implementation, timed in interleaved rounds so
 * that load from other processes falls on all of them alike. A JavaScript
 * implementation writes `out`; the native one returns its own timing, which
 * leaves out process start-up, and checksum. Every run's output must match.
 * The native program times warm repetitions over inputs already in cache; so
 * that the JavaScript side is timed alike, the queries are read and `out`
 * written just before each timed call (the native process evicts them).
 */
function interleaved(impls, queries, out, rounds, what) {
  const samples = Object.fromEntries(Object.keys(impls).map((k) => [k, []]));
  let expected;
  for (let r = 0; r < rounds; r++) {
    for (const [impl, fn] of Object.entries(impls)) {
      for (let i = 0; i < queries.length; i += 16) sink ^= queries[i];
      out.fill(0);
      const start = process.hrtime.bigint();
      const own = fn();
      const elapsed = Number(process.hrtime.bigint() - start) / TOKENS;
      samples[impl].push(own?.nsPerOp ?? elapsed);
      const sum = own?.checksum ?? checksum(out);
      expected ??= sum;
      if (sum !== expected) throw new Error(`${impl} disagrees with the WebAssembly engine ${what}`);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

/** One rack of `n` entries spread over up to PEERS peers, on each engine. */
function continuums(lib, n, rand) {
  const peerCount = Math.min(n, PEERS);
  const peers = Array.from({ length: peerCount }, (_, index) => ({
    index,
    endpoint: { host: `10.0.${index >> 8}.${index & 255}`, port: 8101 },
    rack: 'rack1',
    dc: 'dc1',
    tokens: [],
  }));
  for (let i = 0; i < n; i++) peers[i % peerCount].tokens.push(rand());
  const build = (engine) => lib.Topology.fromPeers(peers, { engine }).continuum('dc1', 'rack1');
  return { wasm: build('wasm'), js: build('js'), auto: build('auto') };
}

/** What a user would write: a lower bound over a Uint32Array, wrapping past the end. */
function plainDispatch(tokens, peers, queries, out) {
  const n = tokens.length;
  for (let i = 0; i < queries.length; i++) {
    const t = queries[i];
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (tokens[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    out[i] = peers[lo === n ? 0 : lo];
  }
}

/** ns per single `dispatch(token)` call, timed in blocks of CALLS_PER_SAMPLE calls. */
async function singleCalls(c, queries, quick) {
  const bench = new Bench({ time: quick ? 80 : 1_000, warmupTime: quick ? 20 : 200 });
  const result = {};
  for (const [engine, continuum] of Object.entries(c)) {
    let at = 0;
    bench.add(engine, () => {
      for (let i = 0; i < CALLS_PER_SAMPLE; i++) sink ^= continuum.dispatch(queries[(at + i) & 0xffff]);
      at += CALLS_PER_SAMPLE;
    });
  }
  await bench.run();
  for (const task of bench.tasks) result[task.name] = (task.result.latency.p50 * 1e6) / CALLS_PER_SAMPLE;
  return result;
}

export default async function run({ quick, lib }) {
  const rounds = quick ? 2 : 7;
  const nativeReps = quick ? 1 : 3;
  const native = buildNative();
  const rand = random(0x9e3779b9);
  const queries = Uint32Array.from({ length: TOKENS }, rand);
  const out = new Uint32Array(TOKENS);
  const cases = [];
  const targets = [];
  const notes = native.ok ? [] : [native.reason];
  const ratio = (a, b, name, goal, met) => targets.push({ name, ratio: a / b, goal, met: met(a / b) });

  for (const n of SIZES) {
    const c = continuums(lib, n, rand);
    const { tokens, peers } = c.js.data;
    const layout = c.wasm.data.layout;
    const wasmImpl = layout ? `wasm-${layout}` : 'wasm';

    const impls = {
      wasm: () => {
        c.wasm.dispatchBatch(queries, out);
      },
      js: () => {
        c.js.dispatchBatch(queries, out);
      },
      plain: () => plainDispatch(tokens, peers, queries, out),
    };
    const nativeInput = [Uint32Array.of(n, TOKENS, nativeReps), tokens, peers, queries];
    if (native.ok) {
      impls.nativeStree = () => runNative('dispatch-stree', nativeInput);
      impls.nativeBsearch = () => runNative('dispatch', nativeInput);
    }
    // One untimed round first warms up the JIT and checks agreement.
    interleaved(impls, queries, out, 1, `at ${n} entries`);
    const ns = interleaved(impls, queries, out, rounds, `at ${n} entries`);
    const name = 'dispatch batch, 1M tokens';
    cases.push({ name, size: n, impl: wasmImpl, nsPerOp: ns.wasm });
    cases.push({ name, size: n, impl: 'js-engine', nsPerOp: ns.js });
    cases.push({ name, size: n, impl: 'plain-js', nsPerOp: ns.plain });
    if (native.ok) {
      cases.push({ name, size: n, impl: 'native-stree', nsPerOp: ns.nativeStree });
      cases.push({ name, size: n, impl: 'native-bsearch', nsPerOp: ns.nativeBsearch });
      const best = Math.min(ns.nativeStree, ns.nativeBsearch);
      ratio(ns.wasm, best, `dispatch ${n}: wasm / best native`, '<= 1.3', (r) => r <= 1.3);
    }
    if (n >= 64) ratio(ns.plain, ns.wasm, `dispatch ${n}: plain JS / wasm`, '>= 3', (r) => r >= 3);

    const single = await singleCalls(c, queries, quick);
    for (const engine of ['wasm', 'js', 'auto']) {
      cases.push({ name: 'dispatch(token) single call', size: n, impl: engine, nsPerOp: single[engine] });
    }
    const best = Math.min(single.wasm, single.js);
    ratio(single.auto, best, `dispatch(token) ${n}: auto / faster engine`, '<= 1.1', (r) => r <= 1.1);
  }
  for (const n of LAYOUT_SIZES) {
    const c = continuums(lib, n, rand);
    const impls = {};
    for (const layout of n <= 8 ? ['simd', 'stree'] : ['stree']) {
      // The wasm continuum with its data's layout forced: new data, so the engine uploads it anew.
      const forced = Object.assign(Object.create(c.wasm), { data: { ...c.wasm.data, layout } });
      impls[layout] = () => forced.dispatchBatch(queries, out);
    }
    if (native.ok)
      impls.native = () => runNative('dispatch-stree', [Uint32Array.of(n, TOKENS, nativeReps), c.js.data.tokens, c.js.data.peers, queries]);
    interleaved(impls, queries, out, 1, `at ${n} entries`);
    const ns = interleaved(impls, queries, out, rounds, `at ${n} entries`);
    for (const [impl, v] of Object.entries(ns)) {
      cases.push({
        name: 'dispatch batch by layout, 1M tokens',
        size: n,
        impl: impl === 'native' ? 'native-stree' : `wasm-${impl}`,
        nsPerOp: v,
      });
    }
  }
  return { cases, targets, notes };
}
