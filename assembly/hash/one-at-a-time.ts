/**
 * Bob Jenkins' one-at-a-time hash, as Dynomite's `one_at_a_time`, with bytes
 * read as signed `char` as on x86 (ARM builds of the server differ).
 */
export function hashOneAtATime(ptr: usize, len: usize): u32 {
  let h: u32 = 0;
  for (let p = ptr, end = ptr + len; p < end; p++) {
    // Quirk: the C code reads `const char`, sign-extended on x86.
    h += <u32>load<i8>(p);
    h += h << 10;
    h ^= h >> 6;
  }
  h += h << 3;
  h ^= h >> 11;
  h += h << 15;
  return h;
}
