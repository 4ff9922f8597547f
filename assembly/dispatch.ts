// Token dispatch: the owner of token t is the first entry whose token is >= t,
// wrapping to entry 0 past the last token (DESIGN.md section 2).
//
// A continuum block in linear memory is the sorted tokens, padded with
// 0xFFFFFFFF to a multiple of four (the padding is never < t, so SIMD counts
// ignore it), followed by the peer index of each entry.

/** Up to this many entries a SIMD count of `token < t` beats any search. */
export const SMALL_MAX: u32 = 16;

/** Byte offset of the peers array inside a continuum block. */
@inline export function peersOffset(n: u32): usize {
  return (<usize>((n + 3) & ~3)) << 2;
}

/** Lower bound by counting tokens below t: branch-free, four per instruction. */
@inline function countBelow(tok: usize, n: u32, t: u32): u32 {
  const vt = i32x4.splat(t);
  let count: u32 = 0;
  for (let i: usize = 0, end = (<usize>n) << 2; i < end; i += 16) {
    count += popcnt<u32>(i32x4.bitmask(i32x4.lt_u(v128.load(tok + i), vt)));
  }
  return count;
}

/** Lower bound by branch-free binary search (Khuong and Morin's form). */
@inline function searchBelow(tok: usize, n: u32, t: u32): u32 {
  let base = tok;
  let len = n;
  while (len > 1) {
    const half = len >> 1;
    base = select<usize>(base + ((<usize>half) << 2), base, load<u32>(base + ((<usize>half) << 2)) < t);
    len -= half;
  }
  return <u32>((base - tok) >> 2) + <u32>(load<u32>(base) < t);
}

@inline function owner(block: usize, n: u32, idx: u32): u32 {
  return load<u32>(block + peersOffset(n) + ((<usize>select<u32>(0, idx, idx == n)) << 2));
}

/** Owner of token t in the continuum block of n > 0 entries. */
@inline export function dispatchOne(block: usize, n: u32, t: u32): u32 {
  return owner(block, n, n <= SMALL_MAX ? countBelow(block, n, t) : searchBelow(block, n, t));
}

export function dispatch(block: usize, n: u32, t: u32): u32 {
  return dispatchOne(block, n, t);
}

/** Owners of `count` tokens at `q` into `out`. */
export function dispatchBatch(block: usize, n: u32, q: usize, out: usize, count: u32): void {
  if (n <= 4) batchVectors1(block, n, q, out, count);
  else if (n <= 8) batchVectors2(block, n, q, out, count);
  else if (n <= SMALL_MAX) batchSmall(block, n, q, out, count);
  else batchSearch(block, n, q, out, count);
}

// One and two vectors stay in registers for the whole batch.
function batchVectors1(block: usize, n: u32, q: usize, out: usize, count: u32): void {
  const v0 = v128.load(block);
  const peers = block + peersOffset(n);
  for (let i: usize = 0, end = (<usize>count) << 2; i < end; i += 4) {
    const vt = i32x4.splat(load<u32>(q + i));
    const idx = popcnt<u32>(i32x4.bitmask(i32x4.lt_u(v0, vt)));
    store<u32>(out + i, load<u32>(peers + ((<usize>select<u32>(0, idx, idx == n)) << 2)));
  }
}

function batchVectors2(block: usize, n: u32, q: usize, out: usize, count: u32): void {
  const v0 = v128.load(block);
  const v1 = v128.load(block, 16);
  const peers = block + peersOffset(n);
  for (let i: usize = 0, end = (<usize>count) << 2; i < end; i += 4) {
    const vt = i32x4.splat(load<u32>(q + i));
    const idx =
      popcnt<u32>(i32x4.bitmask(i32x4.lt_u(v0, vt))) + popcnt<u32>(i32x4.bitmask(i32x4.lt_u(v1, vt)));
    store<u32>(out + i, load<u32>(peers + ((<usize>select<u32>(0, idx, idx == n)) << 2)));
  }
}

function batchSmall(block: usize, n: u32, q: usize, out: usize, count: u32): void {
  for (let i: usize = 0, end = (<usize>count) << 2; i < end; i += 4) {
    store<u32>(out + i, owner(block, n, countBelow(block, n, load<u32>(q + i))));
  }
}

// Eight searches in lockstep: their loads are independent, so cache misses on
// a large continuum overlap instead of queueing.
function batchSearch(block: usize, n: u32, q: usize, out: usize, count: u32): void {
  let i: u32 = 0;
  for (; i + 8 <= count; i += 8) {
    const qi = q + ((<usize>i) << 2);
    const t0 = load<u32>(qi), t1 = load<u32>(qi, 4), t2 = load<u32>(qi, 8), t3 = load<u32>(qi, 12);
    const t4 = load<u32>(qi, 16), t5 = load<u32>(qi, 20), t6 = load<u32>(qi, 24), t7 = load<u32>(qi, 28);
    let b0 = block, b1 = block, b2 = block, b3 = block, b4 = block, b5 = block, b6 = block, b7 = block;
    let len = n;
    while (len > 1) {
      const half = len >> 1;
      const off = (<usize>half) << 2;
      b0 = select<usize>(b0 + off, b0, load<u32>(b0 + off) < t0);
      b1 = select<usize>(b1 + off, b1, load<u32>(b1 + off) < t1);
      b2 = select<usize>(b2 + off, b2, load<u32>(b2 + off) < t2);
      b3 = select<usize>(b3 + off, b3, load<u32>(b3 + off) < t3);
      b4 = select<usize>(b4 + off, b4, load<u32>(b4 + off) < t4);
      b5 = select<usize>(b5 + off, b5, load<u32>(b5 + off) < t5);
      b6 = select<usize>(b6 + off, b6, load<u32>(b6 + off) < t6);
      b7 = select<usize>(b7 + off, b7, load<u32>(b7 + off) < t7);
      len -= half;
    }
    const o = out + ((<usize>i) << 2);
    store<u32>(o, owner(block, n, <u32>((b0 - block) >> 2) + <u32>(load<u32>(b0) < t0)));
    store<u32>(o, owner(block, n, <u32>((b1 - block) >> 2) + <u32>(load<u32>(b1) < t1)), 4);
    store<u32>(o, owner(block, n, <u32>((b2 - block) >> 2) + <u32>(load<u32>(b2) < t2)), 8);
    store<u32>(o, owner(block, n, <u32>((b3 - block) >> 2) + <u32>(load<u32>(b3) < t3)), 12);
    store<u32>(o, owner(block, n, <u32>((b4 - block) >> 2) + <u32>(load<u32>(b4) < t4)), 16);
    store<u32>(o, owner(block, n, <u32>((b5 - block) >> 2) + <u32>(load<u32>(b5) < t5)), 20);
    store<u32>(o, owner(block, n, <u32>((b6 - block) >> 2) + <u32>(load<u32>(b6) < t6)), 24);
    store<u32>(o, owner(block, n, <u32>((b7 - block) >> 2) + <u32>(load<u32>(b7) < t7)), 28);
  }
  for (; i < count; i++) {
    const at = (<usize>i) << 2;
    store<u32>(out + at, owner(block, n, searchBelow(block, n, load<u32>(q + at))));
  }
}
