const M = 0x5bd1e995;

/**
 * Dynomite's `murmur` (the default): MurmurHash2, 32-bit, little-endian
 * words, seeded from the key length.
 */
export function hashMurmur(bytes: Uint8Array, start: number, end: number): number {
  const len = end - start;
  // Quirk: seed is 0xdeadbeef * length, then XORed with the length again.
  let h = Math.imul(0xdeadbeef, len) ^ len;
  let i = start;
  for (const stop = start + (len & ~3); i < stop; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  switch (len & 3) {
    case 3:
      h ^= bytes[i + 2]! << 16;
    // falls through
    case 2:
      h ^= bytes[i + 1]! << 8;
    // falls through
    case 1:
      h = Math.imul(h ^ bytes[i]!, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h >>> 0;
}
