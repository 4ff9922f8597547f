/** CRC-32 table (reflected polynomial 0xEDB88320), built once. */
const TABLE = buildTable();

function buildTable(): Int32Array {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[n] = c;
  }
  return t;
}

function crc(bytes: Uint8Array, start: number, end: number): number {
  let c = -1;
  for (let i = start; i < end; i++) c = (c >>> 8) ^ TABLE[(c ^ bytes[i]!) & 0xff]!;
  return ~c;
}

/** Dynomite's `crc32` (libmemcached-compatible): bits 16..30 of the CRC-32 only. */
export function hashCrc32(bytes: Uint8Array, start: number, end: number): number {
  // Quirk: the token is ((~crc) >> 16) & 0x7fff, not the CRC itself.
  return (crc(bytes, start, end) >>> 16) & 0x7fff;
}

/** Dynomite's `crc32a`: the standard CRC-32 (IEEE) of the key. */
export function hashCrc32a(bytes: Uint8Array, start: number, end: number): number {
  return crc(bytes, start, end) >>> 0;
}
