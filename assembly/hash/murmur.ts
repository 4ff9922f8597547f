const M: u32 = 0x5bd1e995;

/**
 * Dynomite's `murmur` (the default): MurmurHash2, 32-bit, little-endian
 * words, seeded from the key length.
 */
export function hashMurmur(ptr: usize, len: usize): u32 {
  const n = <u32>len;
  // Quirk: seed is 0xdeadbeef * length, then XORed with the length again.
  let h: u32 = (0xdeadbeef * n) ^ n;
  let p = ptr;
  for (const stop = ptr + (len & ~3); p < stop; p += 4) {
    let k = load<u32>(p);
    k *= M;
    k ^= k >> 24;
    k *= M;
    h = (h * M) ^ k;
  }
  switch (n & 3) {
    case 3:
      h ^= <u32>load<u8>(p, 2) << 16;
    // falls through
    case 2:
      h ^= <u32>load<u8>(p, 1) << 8;
    // falls through
    case 1:
      h = (h ^ <u32>load<u8>(p)) * M;
  }
  h ^= h >> 13;
  h *= M;
  h ^= h >> 15;
  return h;
}
