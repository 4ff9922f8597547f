/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of the
 * durable hint records. Slicing-by-8: eight 256-entry tables let the loop fold
 * eight bytes per step, which is what makes replay run at hundreds of MB/s in
 * plain JavaScript.
 */

/** Eight 256-entry tables, back to back: table k at offset k * 256. */
const TABLES = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

/**
 * CRC-32C of `bytes[start..end)`, continuing from `previous` (the result of an
 * earlier call over the bytes just before, or 0 to start afresh).
 *
 * @returns the checksum as an unsigned 32-bit integer.
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, previous = 0): number {
  return crc32cView(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), bytes, start, end, previous);
}

/**
 * {@link crc32c} for hot paths that already hold `view`, a DataView over
 * exactly the bytes of `bytes`: it reads eight bytes as two 32-bit loads,
 * which V8 compiles to plain memory reads.
 */
export function crc32cView(view: DataView, bytes: Uint8Array, start: number, end: number, previous = 0): number {
  const t = TABLES;
  let c = ~previous;
  let i = start;
  const end8 = start + ((end - start) & ~7);
  while (i < end8) {
    const lo = c ^ view.getInt32(i, true);
    const hi = view.getInt32(i + 4, true);
    c =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + (hi & 0xff)]! ^
      t[512 + ((hi >>> 8) & 0xff)]! ^
      t[256 + ((hi >>> 16) & 0xff)]! ^
      t[hi >>> 24]!;
    i += 8;
  }
  while (i < end) c = t[(c ^ bytes[i++]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
