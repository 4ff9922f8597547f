/**
 * Paul Hsieh's SuperFastHash, as Dynomite's `hsieh`. An empty key gives 0
 * (the C server leaves the token unset; 0 is the algorithm's own value).
 */
export function hashHsieh(ptr: usize, len: usize): u32 {
  // Quirk: the C code returns before hashing an empty key.
  if (len == 0) return 0;
  let h: u32 = 0;
  let p = ptr;
  for (const stop = ptr + (len & ~3); p < stop; p += 4) {
    h += <u32>load<u16>(p);
    const tmp = (<u32>load<u16>(p, 2) << 11) ^ h;
    h = (h << 16) ^ tmp;
    h += h >> 11;
  }
  switch (<u32>(len & 3)) {
    case 3: {
      h += <u32>load<u16>(p);
      h ^= h << 16;
      // Quirk: the C source reads this byte through `const char`, yet the reference vectors show it unsigned.
      h ^= <u32>load<u8>(p, 2) << 18;
      h += h >> 11;
      break;
    }
    case 2: {
      h += <u32>load<u16>(p);
      h ^= h << 11;
      h += h >> 17;
      break;
    }
    case 1: {
      h += <u32>load<u8>(p);
      h ^= h << 10;
      h += h >> 1;
      break;
    }
  }
  h ^= h << 3;
  h += h >> 5;
  h ^= h << 4;
  h += h >> 17;
  h ^= h << 25;
  h += h >> 6;
  return h;
}
