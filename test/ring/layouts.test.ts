/**
 * Each WebAssembly dispatch layout at the sizes where it starts, ends or
 * changes shape: SIMD up to SIMD_MAX entries; above, an S-tree whose levels
 * grow at 16, 16·17 and 16·17² entries (and whose last leaf is full at
 * multiples of 16). Duplicate tokens, tokens 0 and 4294967295 and queries on
 * both sides of every token are in every case; wasm and js must agree with
 * the plain rule of docs/design.md §2.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SIMD_MAX, layoutFor } from '../../src/engine/kernel.js';
import { Topology } from '../../src/index.js';
import { makePeerForTest } from './peers.js';
import { xorshift } from '../helpers/random.js';

const MAX = 4294967295;

/** S-tree level boundaries: one leaf holds 16 entries, an inner node 17 children. */
const LEVEL_EDGES = [16, 16 * 17, 16 * 17 ** 2, 16 * 17 ** 3];

const SIZES = [
  ...Array.from({ length: 20 }, (_, i) => i + 1),
  SIMD_MAX - 1,
  SIMD_MAX,
  SIMD_MAX + 1,
  ...LEVEL_EDGES.flatMap((e) => [e - 1, e, e + 1]),
  31,
  32,
  33,
  64,
  1024,
  65_536,
];

/**
 * A rack of `size` entries over `peerCount` peers. `dupEvery` > 0 makes every
 * dupEvery-th token repeat an earlier one (on another peer, or the same);
 * 0 and MAX are always present from two entries on.
 */
function rack(size: number, peerCount: number, seed: number, dupEvery: number) {
  const next = xorshift(seed);
  const tokens: number[] = [];
  for (let i = 0; i < size; i++) {
    if (i === 0 && size > 1) tokens.push(0);
    else if (i === 1) tokens.push(MAX);
    else if (dupEvery > 0 && i > 1 && i % dupEvery === 0) tokens.push(tokens[next() % tokens.length]!);
    else tokens.push(next());
  }
  const perPeer: number[][] = Array.from({ length: peerCount }, () => []);
  tokens.forEach((t) => perPeer[next() % peerCount]!.push(t));
  const peers = perPeer.map((ts, i) => makePeerForTest(i, 'dc1', 'r1', ts));
  return { peers, tokens, next };
}

/** Every token and its neighbours (all of them on small racks, a sample on large ones), the extremes, and random tokens. */
function queriesFor(tokens: number[], next: () => number): Uint32Array {
  const picks = tokens.length <= 2048 ? tokens : Array.from({ length: 2048 }, () => tokens[next() % tokens.length]!);
  const near = picks.flatMap((t) => [t, Math.max(0, t - 1), Math.min(MAX, t + 1)]);
  return Uint32Array.from([0, 1, MAX - 1, MAX, ...near, ...Array.from({ length: 512 }, next)]);
}

/** The plain rule over the sorted entries: first token >= t, ties by lowest peer index, wrap to the first. */
function reference(entries: [number, number][], queries: Uint32Array): number[] {
  const sorted = [...entries].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return Array.from(queries, (t) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]![0] < t) lo = mid + 1;
      else hi = mid;
    }
    return sorted[lo === sorted.length ? 0 : lo]![1];
  });
}

function check(size: number, peerCount: number, seed: number, dupEvery: number): void {
  const { peers, tokens, next } = rack(size, peerCount, seed, dupEvery);
  const queries = queriesFor(tokens, next);
  const entries = peers.flatMap((p) => p.tokens.map((t): [number, number] => [t, p.index]));
  const expected = reference(entries, queries);
  const wasm = Topology.fromPeers(peers, { engine: 'wasm' }).continuum('dc1', 'r1');
  const js = Topology.fromPeers(peers, { engine: 'js' }).continuum('dc1', 'r1');
  expect(wasm.data.layout).toBe(layoutFor(size));
  expect(Array.from(wasm.dispatchBatch(queries))).toEqual(expected);
  expect(Array.from(js.dispatchBatch(queries))).toEqual(expected);
  // Single calls take the scalar path of each layout; a slice keeps large racks quick.
  const some = queries.subarray(0, 600);
  expect(Array.from(some, (q) => wasm.dispatch(q))).toEqual(expected.slice(0, 600));
  // routeKeys dispatches each rack with a stride into its column: next to a
  // three-entry rack, both engines must route alike.
  const small = [0, 1, 2].map((i) => makePeerForTest(peerCount + i, 'dc1', 'r0', [next()]));
  const keys = Array.from({ length: 301 }, (_, i) => `key:${seed}:${i}`);
  const route = (engine: 'wasm' | 'js') => Array.from(Topology.fromPeers([...peers, ...small], { engine }).routeKeys(keys));
  expect(route('wasm')).toEqual(route('js'));
}

describe('dispatch layouts at their size boundaries', () => {
  it('picks SIMD up to SIMD_MAX entries and the S-tree above', () => {
    expect(layoutFor(1)).toBe('simd');
    expect(layoutFor(SIMD_MAX)).toBe('simd');
    expect(layoutFor(SIMD_MAX + 1)).toBe('stree');
    expect(layoutFor(1 << 20)).toBe('stree');
  });

  for (const size of [...new Set(SIZES)].sort((a, b) => a - b)) {
    it(`agrees with the plain rule at ${size} entries (${layoutFor(size)})`, () => {
      // Few peers keep topology building quick at large sizes; ties need only a handful.
      for (const [peerCount, dupEvery] of [
        [1, 0],
        [3, 2],
        [Math.min(size, 64), 5],
        [Math.min(size, 300), 0],
      ] as const) {
        check(size, peerCount, size * 7919 + peerCount, dupEvery);
      }
    });
  }

  it('agrees when every entry holds the same token (0, 1, MAX - 1 or MAX)', () => {
    for (const size of [1, 8, 9, 16, 17, 33, 272, 273, 4625]) {
      for (const t of [0, 1, MAX - 1, MAX]) {
        const owned: number[][] = [[], [], [], []];
        for (let i = 0; i < size; i++) owned[(i * 3 + 1) % 4]!.push(t);
        const peers = owned.map((ts, i) => makePeerForTest(i, 'dc1', 'r1', ts));
        const queries = Uint32Array.of(0, 1, t > 0 ? t - 1 : 0, t, t < MAX ? t + 1 : MAX, MAX - 1, MAX);
        const entries = peers.flatMap((p) => p.tokens.map((x): [number, number] => [x, p.index]));
        const expected = reference(entries, queries);
        for (const engine of ['wasm', 'js'] as const) {
          const c = Topology.fromPeers(peers, { engine }).continuum('dc1', 'r1');
          expect(Array.from(c.dispatchBatch(queries))).toEqual(expected);
          expect(Array.from(queries, (q) => c.dispatch(q))).toEqual(expected);
        }
      }
    }
  });

  it('agrees on random sizes around each boundary with heavy duplication', () => {
    const around = fc.oneof(...[SIMD_MAX, ...LEVEL_EDGES].map((e) => fc.integer({ min: Math.max(1, e - 20), max: e + 20 })));
    fc.assert(
      fc.property(
        around,
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        fc.integer({ min: 2, max: 4 }),
        (size, peerCount, seed, dupEvery) => {
          check(size, peerCount, seed, dupEvery);
        },
      ),
      { numRuns: 40 },
    );
  });
});
