/**
 * Token placement: equidistant rings, midpoints and the optimal `add`,
 * checked against every placement in small token spaces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equidistantTokens, midpointTokens, PlanError, placeTokens, TOKEN_SPACE } from '../../src/index.js';
import { rangeLengths } from '../../src/plan/tokens.js';

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** Every way to choose `k` of `items`. */
function* subsets<T>(items: readonly T[], k: number, from = 0): Generator<T[]> {
  if (k === 0) return yield [];
  for (let i = from; i <= items.length - k; i++) for (const rest of subsets(items, k - 1, i + 1)) yield [items[i]!, ...rest];
}

/** What placeTokens optimises, for old tokens plus `added`: [largest, smallest, moved]. */
function score(old: number[], added: number[], space: number): [number, number, number] {
  const all = sorted([...old, ...added]);
  const lengths = rangeLengths(all, space);
  const fresh = new Set(added);
  const moved = all.reduce((n, t, i) => n + (fresh.has(t) ? lengths[i]! : 0), 0);
  return [Math.max(...lengths), Math.min(...lengths), moved];
}

/** Lexicographic: smaller largest, then larger smallest, then smaller moved. */
const better = (a: [number, number, number], b: [number, number, number]) => a[0] - b[0] || b[1] - a[1] || a[2] - b[2];

describe('equidistantTokens', () => {
  it('spaces tokens floor(i * 2^32 / n) apart, every range within one token of the others', () => {
    for (const n of [1, 2, 3, 5, 7, 12, 1000, 1024, 65_536]) {
      const tokens = equidistantTokens(n);
      expect(tokens[0]).toBe(0);
      expect(tokens.every((t, i) => t === Math.floor((i * TOKEN_SPACE) / n))).toBe(true);
      const lengths = rangeLengths(tokens);
      expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
      expect(lengths.reduce((a, b) => a + b, 0)).toBe(TOKEN_SPACE);
    }
    expect(() => equidistantTokens(0)).toThrow(RangeError);
    expect(() => equidistantTokens(65_537)).toThrow(/1 to 65536/);
  });
});

describe('midpointTokens', () => {
  it('takes exactly half of the space on any ring, leaving no range shorter than half its old range (rounded down)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: TOKEN_SPACE - 1 }), { minLength: 1, maxLength: 40 }), (raw) => {
        const old = sorted(raw);
        fc.pre(rangeLengths(old).every((l) => l >= 2));
        const added = midpointTokens(old);
        const [, smallest, moved] = score(old, added, TOKEN_SPACE);
        expect(moved).toBe(TOKEN_SPACE / 2);
        expect(smallest).toBeGreaterThanOrEqual(Math.floor(Math.min(...rangeLengths(old)) / 2));
      }),
    );
  });

  it('doubles an equidistant ring into a ring as even as integers allow', () => {
    for (let n = 1; n <= 1024; n++) {
      const all = sorted([...equidistantTokens(n), ...midpointTokens(equidistantTokens(n))]);
      const lengths = rangeLengths(all);
      expect(Math.max(...lengths) - Math.min(...lengths), `n = ${n}`).toBeLessThanOrEqual(1);
    }
  });

  it('refuses a range too short to split', () => {
    expect(() => midpointTokens([5, 6])).toThrow(PlanError);
    expect(() => midpointTokens([5, 6])).toThrow(/ending at token 6 is 1 token long/);
  });
});

describe('placeTokens', () => {
  it('matches the best of every placement in small spaces (largest, then smallest, then moved)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 22 }),
        fc.uniqueArray(fc.nat(21), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 3 }),
        (space, raw, k) => {
          const old = sorted(raw.filter((t) => t < space));
          fc.pre(old.length > 0 && k <= space - old.length);
          const free = Array.from({ length: space }, (_, t) => t).filter((t) => !old.includes(t));
          let best: [number, number, number] | undefined;
          for (const added of subsets(free, k)) {
            const s = score(old, added, space);
            if (!best || better(s, best) < 0) best = s;
          }
          const placed = placeTokens(old, k, space);
          expect(placed.tokens).toHaveLength(k);
          expect(placed.tokens.every((t) => !old.includes(t) && t >= 0 && t < space)).toBe(true);
          expect(new Set(placed.tokens).size).toBe(k);
          const achieved = score(old, placed.tokens, space);
          expect(achieved).toEqual([placed.largest, placed.smallest, placed.moved]);
          expect(achieved).toEqual(best);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('adds one node to N equidistant ones by halving a range: 1/(2N) moves, the largest share stays 1/N', () => {
    for (const n of [2, 4, 8, 16]) {
      const placed = placeTokens(equidistantTokens(n), 1);
      expect(placed).toEqual({
        tokens: [TOKEN_SPACE / (2 * n)],
        largest: TOKEN_SPACE / n,
        smallest: TOKEN_SPACE / (2 * n),
        moved: TOKEN_SPACE / (2 * n),
      });
    }
  });

  it('refuses more tokens than the ring has room for', () => {
    expect(() => placeTokens([0, 1, 2], 1, 3)).toThrow(/room for 0 more distinct tokens, not 1/);
    expect(() => placeTokens([0], 0)).toThrow(RangeError);
  });
});
