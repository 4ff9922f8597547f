// Duplicate-token scan for coverage validation: radix-sort the entries by
// (group, token, peer), then scan neighbours for one token claimed by
// different peers of the same group.

const FIELDS: u32 = 3;
const DIGITS: u32 = FIELDS * 4;

@inline function field(set: usize, f: u32, n: u32): usize {
  return set + (<usize>f) * ((<usize>n) << 2);
}

// Field order, least significant first: peer, token, group.
@inline function fieldForDigit(d: u32): u32 {
  return 2 - d / 4;
}

/**
 * Sorts the n entries of `src` (three u32 arrays back to back: group, token,
 * peer) stably into `src`, using `tmp` (same shape) and `hist` (12 x 256 u32).
 * Digits on which every entry agrees are skipped.
 */
function radixSort(src: usize, tmp: usize, hist: usize, n: u32): void {
  memory.fill(hist, 0, <usize>DIGITS << 10);
  for (let i: usize = 0; i < <usize>n; i++) {
    for (let f: u32 = 0; f < FIELDS; f++) {
      const v = load<u32>(field(src, f, n) + (i << 2));
      const h = hist + ((<usize>(2 - f) * 4) << 10);
      for (let b: u32 = 0; b < 4; b++) {
        const slot = h + ((<usize>b) << 10) + ((<usize>((v >> (b << 3)) & 0xff)) << 2);
        store<u32>(slot, load<u32>(slot) + 1);
      }
    }
  }
  let from = src;
  let to = tmp;
  for (let d: u32 = 0; d < DIGITS; d++) {
    const h = hist + ((<usize>d) << 10);
    let trivial = false;
    let sum: u32 = 0;
    for (let b: usize = 0; b < 256; b++) {
      const c = load<u32>(h + (b << 2));
      if (c == n) trivial = true;
      store<u32>(h + (b << 2), sum);
      sum += c;
    }
    if (trivial) continue;
    const keyField = fieldForDigit(d);
    const shift = (d & 3) << 3;
    const kf = field(from, keyField, n);
    const g0 = field(from, 0, n), t0 = field(from, 1, n), p0 = field(from, 2, n);
    const g1 = field(to, 0, n), t1 = field(to, 1, n), p1 = field(to, 2, n);
    for (let i: usize = 0; i < <usize>n; i++) {
      const at = i << 2;
      const slot = h + ((<usize>((load<u32>(kf + at) >> shift) & 0xff)) << 2);
      const dst = (<usize>load<u32>(slot)) << 2;
      store<u32>(slot, load<u32>(slot) + 1);
      store<u32>(g1 + dst, load<u32>(g0 + at));
      store<u32>(t1 + dst, load<u32>(t0 + at));
      store<u32>(p1 + dst, load<u32>(p0 + at));
    }
    const swap = from;
    from = to;
    to = swap;
  }
  if (from != src) memory.copy(src, from, (<usize>n) * 12);
}

/**
 * Sorts `src` and writes each overlap as (group, token, peerA, peerB) into
 * four u32 arrays of capacity n starting at `out`; returns how many. peerA is
 * the lowest peer claiming the token in its group; a peer repeating its own
 * token is not an overlap.
 */
export function findOverlaps(src: usize, tmp: usize, hist: usize, n: u32, out: usize): u32 {
  radixSort(src, tmp, hist, n);
  const g = field(src, 0, n), t = field(src, 1, n), p = field(src, 2, n);
  const og = field(out, 0, n), ot = field(out, 1, n), oa = field(out, 2, n), ob = (out + (<usize>n) * 12);
  let found: usize = 0;
  let i: usize = 0;
  while (i < <usize>n) {
    const group = load<u32>(g + (i << 2));
    const token = load<u32>(t + (i << 2));
    const first = load<u32>(p + (i << 2));
    let prev = first;
    let j = i + 1;
    while (j < <usize>n && load<u32>(g + (j << 2)) == group && load<u32>(t + (j << 2)) == token) {
      const peer = load<u32>(p + (j << 2));
      if (peer != prev) {
        store<u32>(og + (found << 2), group);
        store<u32>(ot + (found << 2), token);
        store<u32>(oa + (found << 2), first);
        store<u32>(ob + (found << 2), peer);
        found++;
        prev = peer;
      }
      j++;
    }
    i = j;
  }
  return <u32>found;
}
