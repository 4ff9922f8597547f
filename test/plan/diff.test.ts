/**
 * diffPeers against a brute-force owner comparison: on random configs whose
 * tokens sit on a grid of 64 cells, every cell has one owner per side, so
 * probing each cell's last token is an exhaustive comparison.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countMovedKeys, diffPeers, TOKEN_SPACE, Topology, type Peer } from '../../src/index.js';
import { endpointKey, makePeer } from '../../src/ring/peer.js';

const CELLS = 64;
const GRID = TOKEN_SPACE / CELLS;
const HOSTS = ['a', 'b', 'c', 'd', 'e', 'f'];
const RACKS = ['r1', 'r2', 'r3'];

/** A side: some of the hosts, each in a rack with 0 to 3 grid tokens. */
const side = fc
  .uniqueArray(
    fc.record({
      host: fc.constantFrom(...HOSTS),
      rack: fc.constantFrom(...RACKS),
      cells: fc.uniqueArray(fc.nat(CELLS - 1), { maxLength: 3 }),
    }),
    { selector: (p) => p.host, minLength: 1, maxLength: HOSTS.length },
  )
  .map((specs) =>
    specs.map((s, index) =>
      makePeer({ index, endpoint: { host: s.host, port: 8101 }, dc: 'dc1', rack: s.rack, tokens: s.cells.map((c) => c * GRID) }),
    ),
  );

/** The owner of token t in a rack, by the rule itself: the first (token, index) entry at or after t, else the first. */
function naiveOwner(peers: readonly Peer[], rack: string, t: number): string | null {
  const entries = peers
    .filter((p) => p.rack === rack)
    .flatMap((p) => p.tokens.map((token) => ({ token, index: p.index, name: endpointKey(p.endpoint) })))
    .sort((a, b) => a.token - b.token || a.index - b.index);
  if (entries.length === 0) return null;
  return (entries.find((e) => e.token >= t) ?? entries[0]!).name;
}

describe('diffPeers', () => {
  it('finds exactly the cells whose owner changes, with their owners, on random configs', () => {
    fc.assert(
      fc.property(side, side, (before, after) => {
        const diff = diffPeers(before, after);
        const racks = [...new Set([...before, ...after].map((p) => p.rack))].sort();
        expect(diff.racks.map((r) => r.rack)).toEqual(racks);
        for (const r of diff.racks) {
          const expected = new Map<number, [string | null, string | null]>();
          for (let k = 1; k <= CELLS; k++) {
            const probe = (k * GRID) % TOKEN_SPACE;
            const owners: [string | null, string | null] = [naiveOwner(before, r.rack, probe), naiveOwner(after, r.rack, probe)];
            if (owners[0] !== owners[1]) expected.set(k % CELLS, owners);
          }
          const actual = new Map<number, [string | null, string | null]>();
          for (const m of r.moves) {
            expect(m.length % GRID).toBe(0);
            for (let step = 1; step <= m.length / GRID; step++) actual.set(((m.start + step * GRID) % TOKEN_SPACE) / GRID, [m.from, m.to]);
          }
          expect(actual).toEqual(expected);
          expect(r.moved).toBe(expected.size * GRID);
          expect(r.fraction).toBe(expected.size / CELLS);
          // Runs are merged: no two consecutive moves could be one.
          r.moves.forEach((m, i) => {
            const next = r.moves[(i + 1) % r.moves.length]!;
            if (r.moves.length > 1) expect(m.end === next.start && m.from === next.from && m.to === next.to).toBe(false);
          });
        }
      }),
      { numRuns: 400 },
    );
  });

  it('agrees with counted keys: a rack without tokens on one side moves every key', () => {
    const peer = (host: string, rack: string, tokens: number[], index: number) =>
      makePeer({ index, endpoint: { host, port: 8101 }, dc: 'dc1', rack, tokens });
    const before = [peer('a', 'r1', [0], 0), peer('b', 'r2', [], 1)];
    const after = [peer('a', 'r1', [0], 0), peer('c', 'r1', [TOKEN_SPACE / 2], 1), peer('b', 'r2', [7], 2)];
    const diff = diffPeers(before, after);
    expect(diff.racks.map((r) => [r.rack, r.fraction])).toEqual([
      ['r1', 0.5],
      ['r2', 1],
    ]);
    expect(diff.racks[1]!.moves).toEqual([{ start: 7, end: 7, length: TOKEN_SPACE, from: null, to: 'b:8101' }]);
    const keys = Array.from({ length: 20_000 }, (_, i) => `key:${i}`);
    const counted = countMovedKeys(Topology.fromPeers(before), Topology.fromPeers(after), keys);
    expect(counted.map((c) => [c.rack, c.keys])).toEqual([
      ['r1', 20_000],
      ['r2', 20_000],
    ]);
    expect(Math.abs(counted[0]!.fraction - 0.5)).toBeLessThan(0.02);
    expect(counted[1]!.moved).toBe(20_000);
  });
});
