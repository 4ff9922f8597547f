/**
 * Paul Hsieh's SuperFastHash, as Dynomite's `hsieh`. An empty key gives 0
 * (the C server leaves the token unset; 0 is the algorithm's own value).
 */
export function hashHsieh(bytes: Uint8Array, start: number, end: number): number {
  const len = end - start;
  // Quirk: the C code returns before hashing an empty key.
  if (len <= 0) return 0;
  let h = 0;
  let i = start;
  for (const stop = start + (len & ~3); i < stop; i += 4) {
    h = (h + (bytes[i]! | (bytes[i + 1]! << 8))) | 0;
    const tmp = ((bytes[i + 2]! | (bytes[i + 3]! << 8)) << 11) ^ h;
    h = (h << 16) ^ tmp;
    h = (h + (h >>> 11)) | 0;
  }
  switch (len & 3) {
    case 3:
      h = (h + (bytes[i]! | (bytes[i + 1]! << 8))) | 0;
      h ^= h << 16;
      // Quirk: the C source reads this byte through `const char`, yet the reference vectors show it unsigned.
      h ^= bytes[i + 2]! << 18;
      h = (h + (h >>> 11)) | 0;
      break;
    case 2:
      h = (h + (bytes[i]! | (bytes[i + 1]! << 8))) | 0;
      h ^= h << 11;
      h = (h + (h >>> 17)) | 0;
      break;
    case 1:
      h = (h + bytes[i]!) | 0;
      h ^= h << 10;
      h = (h + (h >>> 1)) | 0;
      break;
  }
  h ^= h << 3;
  h = (h + (h >>> 5)) | 0;
  h ^= h << 4;
  h = (h + (h >>> 17)) | 0;
  h ^= h << 25;
  h = (h + (h >>> 6)) | 0;
  return h >>> 0;
}
