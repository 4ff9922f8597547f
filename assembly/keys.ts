// Batch key hashing and routing: one call hashes and dispatches a whole batch,
// so no key crosses the JavaScript boundary on its own.
import { hashBytes } from './hash/index';
import { dispatchInto } from './dispatch';

// Hash-tag extraction result, kept in globals to avoid returning a pair.
let tagStart: usize = 0;
let tagEnd: usize = 0;

/**
 * Position of the first byte `b` in [p, end), or `end`: 16 bytes per compare.
 * A load may read up to 15 bytes past `end`; the glue allocates each scratch
 * array on a 64-byte boundary and more arrays follow the keys, so such a read
 * stays in memory, and matches past `end` are ignored.
 */
@inline function findByte(p: usize, end: usize, b: i32): usize {
  const needle = i8x16.splat(<i8>b);
  for (; p < end; p += 16) {
    const mask = i8x16.bitmask(i8x16.eq(v128.load(p), needle));
    if (mask != 0) {
      const at = p + <usize>ctz<u32>(mask);
      return at < end ? at : end;
    }
  }
  return end;
}

/**
 * The bytes to hash under a two-character hash tag: those strictly between the
 * first `open` and the first `close` after it, else the whole key. A negative
 * `open` means no tag.
 */
@inline function tagRange(start: usize, end: usize, open: i32, close: i32): void {
  tagStart = start;
  tagEnd = end;
  if (open < 0) return;
  const at = findByte(start, end, open);
  if (at == end) return;
  const stop = findByte(at + 1, end, close);
  if (stop == end) return;
  tagStart = at + 1;
  tagEnd = stop;
}

@inline function keyToken(hashId: u32, open: i32, close: i32, bytes: usize, offsets: usize, base: u32, k: usize): u32 {
  const start = bytes + <usize>(load<u32>(offsets + (k << 2)) - base);
  const end = bytes + <usize>(load<u32>(offsets + (k << 2), 4) - base);
  tagRange(start, end, open, close);
  return hashBytes(hashId, tagStart, tagEnd - tagStart);
}

/** Tokens of `count` keys; key k is bytes[offsets[k] - base, offsets[k + 1] - base). */
export function hashKeys(hashId: u32, open: i32, close: i32, bytes: usize, offsets: usize, base: u32, count: u32, out: usize): void {
  for (let k: usize = 0; k < <usize>count; k++) {
    store<u32>(out + (k << 2), keyToken(hashId, open, close, bytes, offsets, base, k));
  }
}

/**
 * Owner of each key in each rack, `out[k * racks + r]`. The route table holds
 * one (block address, entry count, layout, unused) u32 quadruple per rack.
 * All tokens are hashed into `tokens` first, then each rack dispatches them
 * as a batch, so small racks get the four-at-a-time SIMD kernels.
 */
export function routeKeys(table: usize, racks: u32, hashId: u32, open: i32, close: i32, bytes: usize, offsets: usize, base: u32, count: u32, tokens: usize, out: usize): void {
  hashKeys(hashId, open, close, bytes, offsets, base, count, tokens);
  const stride = (<usize>racks) << 2;
  for (let r: usize = 0; r < <usize>racks; r++) {
    const entry = table + (r << 4);
    dispatchInto(<usize>load<u32>(entry), load<u32>(entry, 4), load<u32>(entry, 8), tokens, out + (r << 2), count, stride);
  }
}
