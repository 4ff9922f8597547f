/**
 * Bob Jenkins' one-at-a-time hash, as Dynomite's `one_at_a_time`.
 *
 * Bytes of 0x80 and above are read as signed `char`, as the server does on
 * x86. On ARM builds of the server `char` is unsigned, so keys holding such
 * bytes hash differently there; this function matches x86 servers.
 */
export function hashOneAtATime(bytes: Uint8Array, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) {
    // Quirk: the C code reads `const char`, sign-extended on x86.
    h = (h + ((bytes[i]! << 24) >> 24)) | 0;
    h = (h + (h << 10)) | 0;
    h ^= h >>> 6;
  }
  h = (h + (h << 3)) | 0;
  h ^= h >>> 11;
  h = (h + (h << 15)) | 0;
  return h >>> 0;
}
