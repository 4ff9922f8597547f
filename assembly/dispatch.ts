// Token dispatch: the owner of token t is the first entry whose token is >= t,
// wrapping to entry 0 past the last token (DESIGN.md section 2).
//
// The glue (src/engine/wasm-kernel.ts) writes each continuum block in the
// layout chosen for its size when the continuum is built (layoutFor in
// src/engine/kernel.ts):
//
// - SIMD, for racks of up to 16 entries: the sorted tokens XOR 0x80000000
//   (x86 has a signed 32-bit compare but no unsigned one, and the bias turns
//   one into the other), padded with 0x7FFFFFFF, the biased maximum, to a
//   multiple of four (padding is never < t, so counts ignore it), then the
//   peers, padded likewise. Dispatch counts the tokens below t.
// - EYTZINGER: word k (1 to n) holds node k of the implicit search tree in
//   breadth-first order, children 2k and 2k + 1, so the top levels share a few
//   cache lines; then the peers in the same order, with word 0 holding the
//   first sorted entry's peer, which is where a search past the end lands.

export const LAYOUT_SIMD: u32 = 0;
export const LAYOUT_EYTZINGER: u32 = 1;
const BIAS: u32 = 0x80000000;

@inline function padded(n: u32): usize {
  return (<usize>((n + 3) & ~3)) << 2;
}

/** Byte offset of the peers array inside a block. */
@inline function peersOffset(n: u32, layout: u32): usize {
  return layout == LAYOUT_SIMD ? padded(n) : padded(n + 1);
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

function simdBatch16(block: usize, n: u32, q: usize, out: usize, count: u32, stride: usize): u32 {
  const peers = block + padded(n);
  const end = padded(n);
  const sixteen = i8x16.splat(16);
  let o = out;
  let i: u32 = 0;
  for (; i + 4 <= count; i += 4) {
    const t = queries(q, i);
    let below = i32x4.splat(0);
    for (let j: usize = 0; j < end; j += 4) below = countIn(below, v128.load32_splat(block + j), t);
    let m = entryMask(below, n);
    let owners = i8x16.swizzle(v128.load(peers), m);
    for (let j: usize = 16; j < end; j += 16) {
      m = i8x16.sub(m, sixteen);
      owners = v128.or(owners, i8x16.swizzle(v128.load(peers + j), m));
    }
    store4(o, stride, owners);
    o += 4 * stride;
  }
  return i;
}

// ---- Eytzinger layout ----------------------------------------------------

/** Tree levels every search passes through: nodes 1 to 2^levels - 1 all exist. */
@inline function levels(n: u32): u32 {
  return 31 - clz<u32>(n);
}

/** One step down from node k: left to 2k, or right to 2k + 1 when node k < t. */
@inline function step(e: usize, k: u32, t: u32): u32 {
  return (k << 1) | <u32>(load<u32>(e + ((<usize>k) << 2)) < t);
}

/**
 * The step into the deepest, partly filled level. From a missing node
 * (k > n) the search goes right, which the final shift undoes exactly.
 */
@inline function lastStep(e: usize, n: u32, k: u32, t: u32): u32 {
  const inside = k <= n;
  const below = load<u32>(e + ((<usize>select<u32>(k, 0, inside)) << 2)) < t;
  return (k << 1) | (<u32>below | <u32>!inside);
}

/**
 * The owner after the walk: the lower bound is the last node where the search
 * went left, found by dropping the trailing right turns and that left turn;
 * all right turns give 0, whose peer slot holds the wrap-around owner.
 */
@inline function eytzingerOwner(e: usize, n: u32, k: u32): u32 {
  return load<u32>(e + padded(n + 1) + ((<usize>(k >> (ctz<u32>(~k) + 1))) << 2));
}

@inline function eytzingerOne(e: usize, n: u32, t: u32): u32 {
  let k: u32 = 1;
  for (let d = levels(n); d > 0; d--) k = step(e, k, t);
  return eytzingerOwner(e, n, lastStep(e, n, k, t));
}

// Eight searches in lockstep: their loads are independent, so the cache
// misses of a large continuum overlap instead of queueing (WebAssembly has
// no prefetch instruction; this is the portable way to keep misses in flight).
function eytzingerBatch(e: usize, n: u32, q: usize, out: usize, count: u32, stride: usize): u32 {
  const depth = levels(n);
  let o = out;
  let i: u32 = 0;
  for (; i + 8 <= count; i += 8) {
    const qi = q + ((<usize>i) << 2);
    const t0 = load<u32>(qi), t1 = load<u32>(qi, 4), t2 = load<u32>(qi, 8), t3 = load<u32>(qi, 12);
    const t4 = load<u32>(qi, 16), t5 = load<u32>(qi, 20), t6 = load<u32>(qi, 24), t7 = load<u32>(qi, 28);
    let k0: u32 = 1, k1: u32 = 1, k2: u32 = 1, k3: u32 = 1, k4: u32 = 1, k5: u32 = 1, k6: u32 = 1, k7: u32 = 1;
    for (let d = depth; d > 0; d--) {
      k0 = step(e, k0, t0); k1 = step(e, k1, t1); k2 = step(e, k2, t2); k3 = step(e, k3, t3);
      k4 = step(e, k4, t4); k5 = step(e, k5, t5); k6 = step(e, k6, t6); k7 = step(e, k7, t7);
    }
    store<u32>(o, eytzingerOwner(e, n, lastStep(e, n, k0, t0)));
    store<u32>(o + stride, eytzingerOwner(e, n, lastStep(e, n, k1, t1)));
    store<u32>(o + 2 * stride, eytzingerOwner(e, n, lastStep(e, n, k2, t2)));
    store<u32>(o + 3 * stride, eytzingerOwner(e, n, lastStep(e, n, k3, t3)));
    store<u32>(o + 4 * stride, eytzingerOwner(e, n, lastStep(e, n, k4, t4)));
    store<u32>(o + 5 * stride, eytzingerOwner(e, n, lastStep(e, n, k5, t5)));
    store<u32>(o + 6 * stride, eytzingerOwner(e, n, lastStep(e, n, k6, t6)));
    store<u32>(o + 7 * stride, eytzingerOwner(e, n, lastStep(e, n, k7, t7)));
    o += 8 * stride;
  }
  return i;
}

// ---- Entry points --------------------------------------------------------

/** Owner of token t in a block of n > 0 entries. */
@inline export function dispatchOne(block: usize, n: u32, layout: u32, t: u32): u32 {
  return layout == LAYOUT_SIMD ? simdOne(block, n, t) : eytzingerOne(block, n, t);
}

export function dispatch(block: usize, n: u32, layout: u32, t: u32): u32 {
  return dispatchOne(block, n, layout, t);
}

/** Owners of `count` tokens at `q`, written `stride` bytes apart from `out`. */
export function dispatchInto(block: usize, n: u32, layout: u32, q: usize, out: usize, count: u32, stride: usize): void {
  let done: u32;
  if (layout == LAYOUT_EYTZINGER) done = eytzingerBatch(block, n, q, out, count, stride);
  else if (n <= 4) done = simdBatch4(block, n, q, out, count, stride);
  else if (n <= 8) done = simdBatch8(block, n, q, out, count, stride);
  else done = simdBatch16(block, n, q, out, count, stride);
  for (let i = done; i < count; i++) {
    store<u32>(out + (<usize>i) * stride, dispatchOne(block, n, layout, load<u32>(q + ((<usize>i) << 2))));
  }
}

/** Owners of `count` tokens at `q` into `out`. */
export function dispatchBatch(block: usize, n: u32, layout: u32, q: usize, out: usize, count: u32): void {
  dispatchInto(block, n, layout, q, out, count, 4);
}
