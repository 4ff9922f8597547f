// Token dispatch: the owner of token t is the first entry whose token is >= t,
// wrapping to entry 0 past the last token (docs/design.md §2).
//
// The glue (src/engine/wasm-kernel.ts) writes each continuum block in the
// layout chosen for its size when the continuum is built: SIMD for racks of
// up to SIMD_MAX entries, an S-tree above. docs/wasm-abi.md describes both
// block formats; assembly/abi.ts holds every constant that shapes them.
import {
  LAYOUT_SIMD, LAYOUT_STREE, STREE_FANOUT, STREE_LEVEL0_AT, STREE_LEVELS_AT, STREE_NODE_KEYS, STREE_PEERS_AT, TOKEN_BIAS,
} from './abi';

const BIAS = TOKEN_BIAS;

@inline function padded(n: u32): usize {
  return (<usize>((n + 3) & ~3)) << 2;
}

// ---- SIMD layout ---------------------------------------------------------

/** Lower bound by counting tokens below t, four per instruction. */
@inline function countBelow(tok: usize, n: u32, t: u32): u32 {
  const vt = i32x4.splat(t ^ BIAS);
  let count: u32 = 0;
  for (let i: usize = 0, end = (<usize>n) << 2; i < end; i += 16) {
    count += popcnt<u32>(i32x4.bitmask(i32x4.lt_s(v128.load(tok + i), vt)));
  }
  return count;
}

@inline function simdOne(block: usize, n: u32, t: u32): u32 {
  const idx = countBelow(block, n, t);
  return load<u32>(block + padded(n) + ((<usize>select<u32>(0, idx, idx == n)) << 2));
}

/** Four queries, biased like the tokens. */
@inline function queries(q: usize, i: u32): v128 {
  return v128.xor(v128.load(q + ((<usize>i) << 2)), i32x4.splat(BIAS));
}

/**
 * One compare of a splatted token against four queries, counted into every
 * byte of each lane: a true lane is all ones, -1 in each byte.
 */
@inline function countIn(acc: v128, token: v128, t: v128): v128 {
  return i8x16.sub(acc, i32x4.lt_s(token, t));
}

/**
 * Byte-shuffle mask that picks u32 entry `idx` of a peers table in each lane,
 * from a count held in every byte of the lane (index n wraps to 0): bytes
 * 4 idx + 0, 1, 2, 3.
 */
@inline function entryMask(idx: v128, n: u32): v128 {
  const wrapped = v128.andnot(idx, i8x16.eq(idx, i8x16.splat(<i8>n)));
  const times2 = i8x16.add(wrapped, wrapped);
  return i8x16.add(i8x16.add(times2, times2), i32x4.splat(0x03020100));
}

/** Stores four owners at `out`, `stride` bytes apart. */
@inline function store4(out: usize, stride: usize, owners: v128): void {
  if (stride == 4) {
    v128.store(out, owners);
  } else {
    store<u32>(out, i32x4.extract_lane(owners, 0));
    store<u32>(out + stride, i32x4.extract_lane(owners, 1));
    store<u32>(out + 2 * stride, i32x4.extract_lane(owners, 2));
    store<u32>(out + 3 * stride, i32x4.extract_lane(owners, 3));
  }
}

// Four tokens per step: each continuum token is compared against a vector of
// four queries, and the owners come out of the peers table by byte shuffles,
// without a scalar load. Racks of up to four and up to eight entries keep
// everything in registers.

function simdBatch4(block: usize, n: u32, q: usize, out: usize, count: u32, stride: usize): u32 {
  const a = v128.load32_splat(block), b = v128.load32_splat(block, 4);
  const c = v128.load32_splat(block, 8), d = v128.load32_splat(block, 12);
  const p0 = v128.load(block + 16);
  let o = out;
  let i: u32 = 0;
  for (; i + 4 <= count; i += 4) {
    const t = queries(q, i);
    const below = countIn(countIn(countIn(countIn(i32x4.splat(0), a, t), b, t), c, t), d, t);
    store4(o, stride, i8x16.swizzle(p0, entryMask(below, n)));
    o += 4 * stride;
  }
  return i;
}

function simdBatch8(block: usize, n: u32, q: usize, out: usize, count: u32, stride: usize): u32 {
  const a = v128.load32_splat(block), b = v128.load32_splat(block, 4);
  const c = v128.load32_splat(block, 8), d = v128.load32_splat(block, 12);
  const e = v128.load32_splat(block, 16), f = v128.load32_splat(block, 20);
  const g = v128.load32_splat(block, 24), h = v128.load32_splat(block, 28);
  const p0 = v128.load(block + 32), p1 = v128.load(block + 48);
  const sixteen = i8x16.splat(16);
  let o = out;
  let i: u32 = 0;
  for (; i + 4 <= count; i += 4) {
    const t = queries(q, i);
    const lo = countIn(countIn(countIn(countIn(i32x4.splat(0), a, t), b, t), c, t), d, t);
    const below = countIn(countIn(countIn(countIn(lo, e, t), f, t), g, t), h, t);
    const m = entryMask(below, n);
    // Out-of-range shuffle indices give zero bytes, so the two halves just OR.
    store4(o, stride, v128.or(i8x16.swizzle(p0, m), i8x16.swizzle(p1, i8x16.sub(m, sixteen))));
    o += 4 * stride;
  }
  return i;
}

// ---- S-tree layout -------------------------------------------------------

/**
 * Rank of biased query t in a 16-key node: how many keys are below it. The
 * four compares are packed into one byte mask, so one popcount counts them.
 */
@inline function rankOf(a: v128, b: v128, c: v128, d: v128, t: v128): u32 {
  const lo = i16x8.narrow_i32x4_s(i32x4.lt_s(a, t), i32x4.lt_s(b, t));
  const hi = i16x8.narrow_i32x4_s(i32x4.lt_s(c, t), i32x4.lt_s(d, t));
  return popcnt<u32>(i8x16.bitmask(i8x16.narrow_i16x8_s(lo, hi)));
}

@inline function rank(node: usize, t: v128): u32 {
  return rankOf(v128.load(node), v128.load(node, 16), v128.load(node, 32), v128.load(node, 48), t);
}

@inline function biased(t: u32): v128 {
  return i32x4.splat(t ^ BIAS);
}

/** Byte offset of level h's first node (level 0 is the root, the last level the leaves). */
@inline function level(s: usize, h: u32): usize {
  return s + <usize>load<u32>(s + STREE_LEVEL0_AT + ((<usize>h) << 2));
}

/** Node of the next level: the child of node k that the rank of t names. */
@inline function down(base: usize, k: u32, t: v128): u32 {
  return k * STREE_FANOUT + rank(base + ((<usize>k) << 6), t);
}

/** The owner from leaf k: its position in sorted order is 16 k + rank. */
@inline function leafOwner(peers: usize, leaves: usize, k: u32, t: v128): u32 {
  return load<u32>(peers + ((<usize>(k * STREE_NODE_KEYS + rank(leaves + ((<usize>k) << 6), t))) << 2));
}

@inline function streeOne(s: usize, t: u32): u32 {
  const inner = load<u32>(s + STREE_LEVELS_AT) - 1;
  const v = biased(t);
  let k: u32 = 0;
  for (let h: u32 = 0; h < inner; h++) k = down(level(s, h), k, v);
  return leafOwner(s + <usize>load<u32>(s + STREE_PEERS_AT), level(s, inner), k, v);
}

// Eight searches in lockstep: each level's node loads are independent, so
// cache misses overlap instead of queueing (WebAssembly has no prefetch).
// The root is the same node for every query, so it is loaded once, into
// registers. For trees of at least two levels (more than 16 entries).
function streeBatch(s: usize, q: usize, out: usize, count: u32, stride: usize): u32 {
  const inner = load<u32>(s + STREE_LEVELS_AT) - 1;
  const peers = s + <usize>load<u32>(s + STREE_PEERS_AT);
  const leaves = level(s, inner);
  const root = level(s, 0);
  const ra = v128.load(root), rb = v128.load(root, 16), rc = v128.load(root, 32), rd = v128.load(root, 48);
  let o = out;
  let i: u32 = 0;
  for (; i + 8 <= count; i += 8) {
    const qi = q + ((<usize>i) << 2);
    const t0 = biased(load<u32>(qi)), t1 = biased(load<u32>(qi, 4)), t2 = biased(load<u32>(qi, 8)), t3 = biased(load<u32>(qi, 12));
    const t4 = biased(load<u32>(qi, 16)), t5 = biased(load<u32>(qi, 20)), t6 = biased(load<u32>(qi, 24)), t7 = biased(load<u32>(qi, 28));
    let k0 = rankOf(ra, rb, rc, rd, t0), k1 = rankOf(ra, rb, rc, rd, t1), k2 = rankOf(ra, rb, rc, rd, t2), k3 = rankOf(ra, rb, rc, rd, t3);
    let k4 = rankOf(ra, rb, rc, rd, t4), k5 = rankOf(ra, rb, rc, rd, t5), k6 = rankOf(ra, rb, rc, rd, t6), k7 = rankOf(ra, rb, rc, rd, t7);
    for (let h: u32 = 1; h < inner; h++) {
      const base = level(s, h);
      k0 = down(base, k0, t0); k1 = down(base, k1, t1); k2 = down(base, k2, t2); k3 = down(base, k3, t3);
      k4 = down(base, k4, t4); k5 = down(base, k5, t5); k6 = down(base, k6, t6); k7 = down(base, k7, t7);
    }
    store<u32>(o, leafOwner(peers, leaves, k0, t0));
    store<u32>(o + stride, leafOwner(peers, leaves, k1, t1));
    store<u32>(o + 2 * stride, leafOwner(peers, leaves, k2, t2));
    store<u32>(o + 3 * stride, leafOwner(peers, leaves, k3, t3));
    store<u32>(o + 4 * stride, leafOwner(peers, leaves, k4, t4));
    store<u32>(o + 5 * stride, leafOwner(peers, leaves, k5, t5));
    store<u32>(o + 6 * stride, leafOwner(peers, leaves, k6, t6));
    store<u32>(o + 7 * stride, leafOwner(peers, leaves, k7, t7));
    o += 8 * stride;
  }
  return i;
}

/** A one-leaf tree (up to 16 entries): the root, in registers, is the leaf. */
function leafBatch(s: usize, q: usize, out: usize, count: u32, stride: usize): u32 {
  const peers = s + <usize>load<u32>(s + STREE_PEERS_AT);
  const root = level(s, 0);
  const ra = v128.load(root), rb = v128.load(root, 16), rc = v128.load(root, 32), rd = v128.load(root, 48);
  let o = out;
  let i: u32 = 0;
  for (; i + 4 <= count; i += 4) {
    const qi = q + ((<usize>i) << 2);
    const k0 = rankOf(ra, rb, rc, rd, biased(load<u32>(qi))), k1 = rankOf(ra, rb, rc, rd, biased(load<u32>(qi, 4)));
    const k2 = rankOf(ra, rb, rc, rd, biased(load<u32>(qi, 8))), k3 = rankOf(ra, rb, rc, rd, biased(load<u32>(qi, 12)));
    store<u32>(o, load<u32>(peers + ((<usize>k0) << 2)));
    store<u32>(o + stride, load<u32>(peers + ((<usize>k1) << 2)));
    store<u32>(o + 2 * stride, load<u32>(peers + ((<usize>k2) << 2)));
    store<u32>(o + 3 * stride, load<u32>(peers + ((<usize>k3) << 2)));
    o += 4 * stride;
  }
  return i;
}

// ---- Entry points --------------------------------------------------------

/** Owner of token t in a block of n > 0 entries. */
@inline export function dispatchOne(block: usize, n: u32, layout: u32, t: u32): u32 {
  return layout == LAYOUT_SIMD ? simdOne(block, n, t) : streeOne(block, t);
}

export function dispatch(block: usize, n: u32, layout: u32, t: u32): u32 {
  return dispatchOne(block, n, layout, t);
}

/** Owners of `count` tokens at `q`, written `stride` bytes apart from `out`. */
export function dispatchInto(block: usize, n: u32, layout: u32, q: usize, out: usize, count: u32, stride: usize): void {
  let done: u32;
  if (layout == LAYOUT_STREE) done = n <= STREE_NODE_KEYS ? leafBatch(block, q, out, count, stride) : streeBatch(block, q, out, count, stride);
  else if (n <= 4) done = simdBatch4(block, n, q, out, count, stride);
  else done = simdBatch8(block, n, q, out, count, stride);
  for (let i = done; i < count; i++) {
    store<u32>(out + (<usize>i) * stride, dispatchOne(block, n, layout, load<u32>(q + ((<usize>i) << 2))));
  }
}

/** Owners of `count` tokens at `q` into `out`. */
export function dispatchBatch(block: usize, n: u32, layout: u32, q: usize, out: usize, count: u32): void {
  dispatchInto(block, n, layout, q, out, count, 4);
}
