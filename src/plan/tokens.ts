/**
 * Where tokens go: equidistant rings, doubling by midpoints, and adding K
 * tokens to a ring at the positions that balance it best. Pure integer
 * arithmetic on one rack's sorted tokens; `space` is 2^32 in every public
 * use (smaller spaces exist so tests can compare against brute force).
 *
 * A token `t[i]` owns the range `(t[i-1], t[i]]`; the first token also owns
 * the wrap-around, so range `i` has length `(t[i] - t[i-1]) mod space`, and
 * a lone token owns all `space`.
 */
import { PlanError } from '../errors.js';
import { TOKEN_SPACE } from '../ring/token.js';

/** The most nodes per rack a plan takes (`i · 2^32` stays exact in a double well past it). */
export const MAX_NODES_PER_RACK = 65_536;

/**
 * `n` equidistant tokens: `floor(i · 2^32 / n)` for `i = 0 … n-1`. Every
 * range is `floor(2^32 / n)` or `ceil(2^32 / n)` tokens long, the most even
 * split integers allow (exactly `2^32 / n` when `n` is a power of two).
 *
 * @throws {RangeError} unless `n` is an integer from 1 to {@link MAX_NODES_PER_RACK}.
 */
export function equidistantTokens(n: number, space: number = TOKEN_SPACE): number[] {
  if (!Number.isInteger(n) || n < 1 || n > Math.min(space, MAX_NODES_PER_RACK)) {
    throw new RangeError(`the number of nodes per rack must be an integer from 1 to ${Math.min(space, MAX_NODES_PER_RACK)}, got ${n}`);
  }
  return Array.from({ length: n }, (_, i) => Math.floor((i * space) / n));
}

/** The length of each range, in the order of `sorted` (range `i` ends at `sorted[i]`). */
export function rangeLengths(sorted: readonly number[], space: number = TOKEN_SPACE): number[] {
  return sorted.map((t, i) => (i === 0 ? space - sorted[sorted.length - 1]! + t : t - sorted[i - 1]!));
}

/**
 * The midpoint of every range, for doubling a ring: range `(a, b]` of
 * length `L` gets a new token at `a + L/2`, so the new node takes `(a, a +
 * L/2]` from the node at `b`. An odd length cannot split evenly; the odd
 * ranges alternate rounding down and up (in token order), so that the new
 * tokens take exactly half of the space in all (odd ranges come in pairs:
 * the lengths sum to the even `space`). On an equidistant ring the result is
 * an equidistant ring of twice the size, every range within one token of
 * the others.
 *
 * @param sorted the rack's tokens, ascending, distinct.
 * @returns one new token per range, in the order of `sorted`.
 * @throws {PlanError} `NoRoom` for a range shorter than 2 tokens.
 */
export function midpointTokens(sorted: readonly number[], space: number = TOKEN_SPACE): number[] {
  let odd = 0;
  return rangeLengths(sorted, space).map((length, i) => {
    if (length < 2) throw noRoom(sorted[i]!, length);
    const start = i === 0 ? sorted[sorted.length - 1]! : sorted[i - 1]!;
    const half = length % 2 === 0 ? length / 2 : (length - 1) / 2 + (odd++ % 2);
    return (start + half) % space;
  });
}

/** Where {@link placeTokens} put the new tokens, and what it achieved. */
export interface Placement {
  /** The new tokens, ascending. */
  tokens: number[];
  /** The longest range after placement (old or new), in tokens. */
  largest: number;
  /** The shortest range after placement, in tokens. */
  smallest: number;
  /** Tokens that change owner: the sum of the ranges the new tokens take. */
  moved: number;
}

/**
 * Adds `k` tokens to a ring whose tokens stay where they are, optimising,
 * in this order (lexicographically):
 *   1. the largest range after placement, as small as possible;
 *   2. then the smallest range, as large as possible (no new node is left
 *      with a sliver);
 *   3. then the tokens that change owner, as few as possible.
 * Ties go to the range that starts first (the one across 0 last).
 *
 * Why this is optimal. Say range `r` (length `L_r`) receives `c_r` new
 * tokens, so it splits into `c_r + 1` parts; its old owner keeps the last.
 *   1. Its largest part is at least `ceil(L_r / (c_r + 1))`, so the best
 *      largest range is the least `M` with `Σ (ceil(L_r / M) - 1) ≤ k`
 *      (each range needs that many tokens to fit in `M`), found by binary
 *      search and reached by splitting evenly.
 *   2. With parts at most `M`, range `r` can hold `c_r` in
 *      `[ceil(L_r / M) - 1, floor(L_r / m) - 1]` tokens if no part is below
 *      `m`; the best smallest range is the greatest `m` for which those
 *      intervals are non-empty and their upper ends sum to at least `k`.
 *   3. With parts in `[m, M]`, the old owner keeps at most `min(M, L_r -
 *      c_r·m)`, so range `r` moves at least `f_r(c_r) = max(L_r - M, c_r·m)`
 *      tokens (0 when `c_r = 0`), and that is reached. Each `f_r` is convex
 *      in `c_r`, so giving the `k - Σ lower ends` remaining tokens one at a
 *      time to the range whose move grows least is optimal (separable convex
 *      allocation under a sum constraint).
 * `test/plan/tokens.test.ts` checks this against every placement in small spaces.
 *
 * @param sorted the rack's tokens, ascending, distinct, at least one.
 * @throws {PlanError} `NoRoom` when the ring cannot take `k` more distinct tokens.
 */
export function placeTokens(sorted: readonly number[], k: number, space: number = TOKEN_SPACE): Placement {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`the number of nodes to add must be a positive integer, got ${k}`);
  const lengths = rangeLengths(sorted, space);
  if (k > lengths.reduce((n, l) => n + l - 1, 0)) {
    throw new PlanError('NoRoom', `the ring has room for ${space - sorted.length} more distinct tokens, not ${k}`);
  }
  const need = (M: number) => lengths.map((l) => Math.ceil(l / M) - 1);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  // 1. The least largest range M: need(M) is non-increasing in M.
  const M = leastTrue(1, Math.max(...lengths), (x) => sum(need(x)) <= k);
  const lower = need(M);
  // 2. The greatest smallest range m: the upper ends floor(L/m) - 1 grow as m shrinks.
  const upperAt = (x: number) => lengths.map((l) => Math.floor(l / x) - 1);
  const fits = (x: number) => {
    const upper = upperAt(x);
    return upper.every((u, r) => u >= lower[r]!) && sum(upper) >= k;
  };
  const m = M - leastTrue(0, M - 1, (d) => fits(M - d));
  const upper = upperAt(m);
  // 3. The remaining tokens, each to the range whose move grows least.
  const moveOf = (r: number, c: number) => (c === 0 ? 0 : Math.max(lengths[r]! - M, c * m));
  const counts = [...lower];
  // Ties go to the range that starts first: range 0 (across the wrap) starts last.
  const byStart = [...lengths.keys()].slice(1).concat(0);
  for (let left = k - sum(lower); left > 0; left--) {
    let best = -1;
    let bestCost = Infinity;
    for (const r of byStart) {
      const c = counts[r]!;
      const cost = c < upper[r]! ? moveOf(r, c + 1) - moveOf(r, c) : Infinity;
      if (cost < bestCost) [best, bestCost] = [r, cost];
    }
    counts[best]!++;
  }

  const tokens: number[] = [];
  let moved = 0;
  let smallest = Infinity;
  let largest = 0;
  counts.forEach((c, r) => {
    const length = lengths[r]!;
    const taken = moveOf(r, c);
    const kept = length - taken;
    const start = r === 0 ? sorted[sorted.length - 1]! : sorted[r - 1]!;
    // The taken part splits as evenly as integers allow: parts of q or q + 1.
    const q = c === 0 ? 0 : Math.floor(taken / c);
    let at = start;
    for (let j = 0; j < c; j++) {
      const part = q + (j < taken - q * c ? 1 : 0);
      at += part;
      tokens.push(at % space);
      smallest = Math.min(smallest, part);
      largest = Math.max(largest, part);
    }
    smallest = Math.min(smallest, kept);
    largest = Math.max(largest, kept);
    moved += taken;
  });
  return { tokens: tokens.sort((a, b) => a - b), largest, smallest, moved };
}

/** The least `x` in `[lo, hi]` with `ok(x)`, for `ok` false then true; `hi` when none is. */
function leastTrue(lo: number, hi: number, ok: (x: number) => boolean): number {
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function noRoom(token: number, length: number): PlanError {
  return new PlanError(
    'NoRoom',
    `the range ending at token ${token} is ${length} token${length === 1 ? '' : 's'} long: too short to split`,
  );
}
