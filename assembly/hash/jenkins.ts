/**
 * Bob Jenkins' lookup3 `hashlittle` with initval 13, as Dynomite's
 * `jenkins`. An empty key gives 0xdeadbefc (the C server leaves the token
 * unset; this is the algorithm's own value).
 */
export function hashJenkins(ptr: usize, len: usize): u32 {
  // Quirk: the initval is 13 (JENKINS_INITVAL), added to 0xdeadbeef + length.
  let a: u32 = 0xdeadbeef + <u32>len + 13;
  let b = a;
  let c = a;
  // Quirk: an empty key returns the initial state, unmixed.
  if (len == 0) return c;
  let p = ptr;
  while (len > 12) {
    a += load<u32>(p);
    b += load<u32>(p, 4);
    c += load<u32>(p, 8);
    a -= c; a ^= rotl(c, 4); c += b;
    b -= a; b ^= rotl(a, 6); a += c;
    c -= b; c ^= rotl(b, 8); b += a;
    a -= c; a ^= rotl(c, 16); c += b;
    b -= a; b ^= rotl(a, 19); a += c;
    c -= b; c ^= rotl(b, 4); b += a;
    len -= 12;
    p += 12;
  }
  // Whole words where the tail has them, bytes for the rest; never reads past the key.
  switch (<u32>len) {
    case 12: c += load<u32>(p, 8); b += load<u32>(p, 4); a += load<u32>(p); break;
    case 11: c += <u32>load<u8>(p, 10) << 16; // falls through
    case 10: c += <u32>load<u16>(p, 8); b += load<u32>(p, 4); a += load<u32>(p); break;
    case 9: c += <u32>load<u8>(p, 8); // falls through
    case 8: b += load<u32>(p, 4); a += load<u32>(p); break;
    case 7: b += <u32>load<u8>(p, 6) << 16; // falls through
    case 6: b += <u32>load<u16>(p, 4); a += load<u32>(p); break;
    case 5: b += <u32>load<u8>(p, 4); // falls through
    case 4: a += load<u32>(p); break;
    case 3: a += <u32>load<u8>(p, 2) << 16; // falls through
    case 2: a += <u32>load<u16>(p); break;
    case 1: a += <u32>load<u8>(p);
  }
  c ^= b; c -= rotl(b, 14);
  a ^= c; a -= rotl(c, 11);
  b ^= a; b -= rotl(a, 25);
  c ^= b; c -= rotl(b, 16);
  a ^= c; a -= rotl(c, 4);
  b ^= a; b -= rotl(a, 14);
  c ^= b; c -= rotl(b, 24);
  return c;
}
