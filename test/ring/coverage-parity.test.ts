/**
 * Parity of the duplicate-token scan: the WebAssembly and TypeScript engines
 * must agree with each other and with a reference written the obvious way.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTokenCoverage, engineInfo, type CoverageIssue, type Peer } from '../../src/index.js';
import { makePeerForTest as peer } from './peers.js';
import { xorshift } from '../helpers/random.js';

type Rack = { dc: string; rack: string };

/** Coverage problems by brute force: group, collect claimants per token, sort. */
function reference(peers: readonly Peer[], racks: readonly Rack[] = []): CoverageIssue[] {
  const groups = new Map<string, { dc: string; rack: string; claims: Map<number, Set<number>> }>();
  const groupFor = (dc: string, rack: string) => {
    const id = JSON.stringify([dc, rack]);
    if (!groups.has(id)) groups.set(id, { dc, rack, claims: new Map() });
    return groups.get(id)!;
  };
  for (const p of peers) {
    const g = groupFor(p.dc, p.rack);
    for (const t of p.tokens) g.claims.set(t, (g.claims.get(t) ?? new Set()).add(p.index));
  }
  for (const r of racks) groupFor(r.dc, r.rack);

  const issues: { issue: CoverageIssue; order: [string, string, number, number] }[] = [];
  for (const g of groups.values()) {
    if (g.claims.size === 0) issues.push({ issue: { kind: 'EmptyRack', dc: g.dc, rack: g.rack }, order: [g.dc, g.rack, -1, -1] });
    for (const [token, claimants] of g.claims) {
      const [lowest, ...others] = [...claimants].sort((a, b) => a - b);
      for (const other of others) {
        issues.push({
          issue: { kind: 'Overlap', dc: g.dc, rack: g.rack, token, peers: [lowest!, other] },
          order: [g.dc, g.rack, token, other],
        });
      }
    }
  }
  const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  issues.sort((a, b) => a.order.reduce<number>((acc, v, i) => acc || cmp(v, b.order[i]!), 0));
  return issues.map((i) => i.issue);
}

// Few names and few token values, so collisions (the interesting case) are common;
// the extremes of the token range are always in play.
const token = fc.oneof(
  fc.integer({ min: 0, max: 12 }),
  fc.constantFrom(0, 4294967295, 2147483648),
  fc.integer({ min: 0, max: 4294967295 }),
);
const peerSpec = fc.record({
  dc: fc.constantFrom('dc1', 'dc2', 'us-east', 'é'),
  rack: fc.constantFrom('r1', 'r2', 'rack-b', 'R1'),
  tokens: fc.array(token, { maxLength: 6 }),
});
const peerSet = fc
  .record({
    specs: fc.array(peerSpec, { maxLength: 40 }),
    // Indices are unique but not in input order, and not dense.
    indices: fc.uniqueArray(fc.integer({ min: 0, max: 4294967295 }), { minLength: 40, maxLength: 40 }),
    racks: fc.array(fc.record({ dc: fc.constantFrom('dc1', 'dc3'), rack: fc.constantFrom('r1', 'r9') }), { maxLength: 3 }),
  })
  .map(({ specs, indices, racks }) => ({ peers: specs.map((s, i) => peer(indices[i]!, s.dc, s.rack, s.tokens)), racks }));

describe('duplicate-token scan parity', () => {
  it('runs the WebAssembly engine in these tests', () => {
    expect(engineInfo().active).toBe('wasm');
  });

  it('wasm, js and the reference agree on random peer sets with many collisions', () => {
    fc.assert(
      fc.property(peerSet, ({ peers, racks }) => {
        const expected = reference(peers, racks);
        expect(checkTokenCoverage(peers, { engine: 'js', racks })).toEqual(expected);
        expect(checkTokenCoverage(peers, { engine: 'wasm', racks })).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('agree on a million tokens (4,000 peers x 250 tokens) with planted overlaps', () => {
    const racks = ['r1', 'r2', 'r3', 'r4'];
    const peers: Peer[] = [];
    const random = xorshift(0x9e3779b9);
    for (let i = 0; i < 4000; i++) {
      const tokens = Array.from({ length: 250 }, (_, k) => ((i * 250 + k) * 4099 + 17) >>> 0);
      peers.push(peer(i, i < 2000 ? 'dc1' : 'dc2', racks[i % 4]!, tokens));
    }
    // Plant overlaps: copy a token of one peer into another peer of the same rack.
    const planted: CoverageIssue[] = [];
    for (let n = 0; n < 25; n++) {
      const from = random() % 4000;
      let to = from + 4 * (1 + (random() % 50));
      if (to >= 4000 || from < 2000 !== to < 2000) to = from - 4 * (1 + (random() % 50));
      if (to < 0 || from < 2000 !== to < 2000) continue;
      const t = peers[from]!.tokens[random() % 250]!;
      const target = peers[to]!;
      peers[to] = peer(to, target.dc, target.rack, [...target.tokens.slice(1), t]);
      planted.push({ kind: 'Overlap', dc: target.dc, rack: target.rack, token: t, peers: [Math.min(from, to), Math.max(from, to)] });
    }
    expect(peers.reduce((n, p) => n + p.tokens.length, 0)).toBe(1_000_000);

    const wasm = checkTokenCoverage(peers, { engine: 'wasm' });
    const js = checkTokenCoverage(peers, { engine: 'js' });
    expect(wasm).toEqual(js);
    expect(wasm).toEqual(reference(peers));
    expect(planted.length).toBeGreaterThan(10);
    for (const p of planted) expect(wasm).toContainEqual(p);
  });
});
