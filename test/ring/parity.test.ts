import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Topology, type Peer } from '../../src/index.js';
import { wasmEngine } from '../../src/engine/engines.js';
import { makePeerForTest } from './peers.js';
import { xorshift } from '../helpers/random.js';

const MAX = 4294967295;

/** The rule of docs/design.md §2, written as plainly as possible. */
function referenceDispatch(entries: [number, number][], t: number): number {
  const sorted = [...entries].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const hit = sorted.find(([token]) => token >= t);
  return (hit ?? sorted[0]!)[1];
}

const token = fc.oneof(fc.constantFrom(0, 1, MAX - 1, MAX), fc.integer({ min: 0, max: MAX }));

/** Peers with random tokens drawn from a small pool, so duplicates are common. */
const rack = fc
  .record({
    pool: fc.array(token, { minLength: 1, maxLength: 64 }),
    peers: fc.array(fc.array(fc.nat(), { maxLength: 8 }), { minLength: 1, maxLength: 24 }),
  })
  .map(({ pool, peers }): Peer[] =>
    peers.map((picks, index) =>
      makePeerForTest(
        index,
        'dc1',
        'r1',
        picks.map((p) => pool[p % pool.length]!),
      ),
    ),
  )
  .filter((peers) => peers.some((p) => p.tokens.length > 0));

function queriesFor(peers: Peer[], random: number[]): Uint32Array {
  const boundaries = peers.flatMap((p) => p.tokens.flatMap((t) => [t, Math.max(0, t - 1), Math.min(MAX, t + 1)]));
  return Uint32Array.from([0, MAX, ...boundaries, ...random]);
}

describe('dispatch parity: WebAssembly, TypeScript and the plain rule agree', () => {
  it('on random small racks with duplicate tokens and boundary queries', () => {
    fc.assert(
      fc.property(rack, fc.array(token, { maxLength: 200 }), (peers, random) => {
        const entries = peers.flatMap((p) => p.tokens.map((t): [number, number] => [t, p.index]));
        const queries = queriesFor(peers, random);
        const wasm = Topology.fromPeers(peers, { engine: 'wasm' }).continuum('dc1', 'r1');
        const js = Topology.fromPeers(peers, { engine: 'js' }).continuum('dc1', 'r1');
        const expected = Array.from(queries, (q) => referenceDispatch(entries, q));
        expect(Array.from(wasm.dispatchBatch(queries))).toEqual(expected);
        expect(Array.from(js.dispatchBatch(queries))).toEqual(expected);
        expect(Array.from(queries, (q) => wasm.dispatch(q))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('on random continuums of 1 to 100,000 entries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 5000 }), fc.integer(), (size, peerCount, seed) => {
        const next = xorshift(seed);
        const tokens: number[][] = Array.from({ length: peerCount }, () => []);
        for (let i = 0; i < size; i++) {
          // One in eight tokens repeats an earlier one, so ties between peers are exercised.
          const t = i > 0 && next() % 8 === 0 ? (tokens[next() % peerCount]![0] ?? next()) : next();
          tokens[next() % peerCount]!.push(t);
        }
        const peers = tokens.map((ts, i) => makePeerForTest(i, 'dc1', 'r1', ts));
        const queries = Uint32Array.from({ length: 1024 }, (_, i) => (i < 2 ? i * MAX : next()));
        const wasm = Topology.fromPeers(peers, { engine: 'wasm' }).continuum('dc1', 'r1');
        const js = Topology.fromPeers(peers, { engine: 'js' }).continuum('dc1', 'r1');
        const { tokens: sorted, peers: owners } = js.data;
        const expected = Array.from(queries, (q) => {
          let lo = 0;
          while (lo < sorted.length && sorted[lo]! < q) lo++;
          return owners[lo === sorted.length ? 0 : lo]!;
        });
        expect(Array.from(wasm.dispatchBatch(queries))).toEqual(expected);
        expect(Array.from(js.dispatchBatch(queries))).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it('orders an entry list independently of input order', () => {
    fc.assert(
      fc.property(rack, (peers) => {
        const reversed = [...peers].reverse();
        expect(Topology.fromPeers(reversed).continuum('dc1', 'r1').entries()).toEqual(
          Topology.fromPeers(peers).continuum('dc1', 'r1').entries(),
        );
      }),
    );
  });
});

describe('WebAssembly memory', () => {
  it('stays bounded while 10,000 topologies are built, used and discarded', () => {
    const engine = wasmEngine()!;
    const base = Array.from({ length: 9 }, (_, p) =>
      makePeerForTest(
        p,
        'dc1',
        `r${p % 3}`,
        Array.from({ length: 100 }, (_, k) => (p * 104729 + k * 15485863) >>> 0),
      ),
    );
    const before = engine.memoryStats().evictions;
    const sizes: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      // New peer objects each time: every topology uploads its own continuums.
      const t = Topology.fromPeers(
        base.map((p) => ({ ...p })),
        { engine: 'wasm' },
      );
      t.continuum('dc1', 'r0').dispatchBatch(Uint32Array.of(i, i * 3, 4294967295));
      t.routeKeys([`key-${i}`, `other-${i}`]);
      if (i % 1000 === 999) sizes.push(engine.memoryStats().memoryBytes);
    }
    // About 100 MB was uploaded in all: the resident region was recycled, and
    // memory grew once to hold it, then never again.
    expect(engine.memoryStats().evictions).toBeGreaterThan(before);
    expect(new Set(sizes).size).toBe(1);
    expect(sizes[0]!).toBeLessThanOrEqual(40 << 20);
  });
});
