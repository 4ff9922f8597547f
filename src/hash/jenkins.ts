function rot(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Bob Jenkins' lookup3 `hashlittle` with initval 13, as Dynomite's
 * `jenkins`. An empty key gives 0xdeadbefc (the C server leaves the token
 * unset; this is the algorithm's own value).
 */
export function hashJenkins(bytes: Uint8Array, start: number, end: number): number {
  let len = end - start;
  // Quirk: the initval is 13 (JENKINS_INITVAL), added to 0xdeadbeef + length.
  let a = (0xdeadbeef + len + 13) | 0;
  let b = a;
  let c = a;
  // Quirk: an empty key returns the initial state, unmixed.
  if (len === 0) return c >>> 0;
  let i = start;
  while (len > 12) {
    a = (a + (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) | 0;
    b = (b + (bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24))) | 0;
    c = (c + (bytes[i + 8]! | (bytes[i + 9]! << 8) | (bytes[i + 10]! << 16) | (bytes[i + 11]! << 24))) | 0;
    a = (a - c) | 0;
    a ^= rot(c, 4);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 6);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 8);
    b = (b + a) | 0;
    a = (a - c) | 0;
    a ^= rot(c, 16);
    c = (c + b) | 0;
    b = (b - a) | 0;
    b ^= rot(a, 19);
    a = (a + c) | 0;
    c = (c - b) | 0;
    c ^= rot(b, 4);
    b = (b + a) | 0;
    len -= 12;
    i += 12;
  }
  switch (len) {
    case 12:
      c = (c + (bytes[i + 11]! << 24)) | 0; // falls through
    case 11:
      c = (c + (bytes[i + 10]! << 16)) | 0; // falls through
    case 10:
      c = (c + (bytes[i + 9]! << 8)) | 0; // falls through
    case 9:
      c = (c + bytes[i + 8]!) | 0; // falls through
    case 8:
      b = (b + (bytes[i + 7]! << 24)) | 0; // falls through
    case 7:
      b = (b + (bytes[i + 6]! << 16)) | 0; // falls through
    case 6:
      b = (b + (bytes[i + 5]! << 8)) | 0; // falls through
    case 5:
      b = (b + bytes[i + 4]!) | 0; // falls through
    case 4:
      a = (a + (bytes[i + 3]! << 24)) | 0; // falls through
    case 3:
      a = (a + (bytes[i + 2]! << 16)) | 0; // falls through
    case 2:
      a = (a + (bytes[i + 1]! << 8)) | 0; // falls through
    case 1:
      a = (a + bytes[i]!) | 0;
  }
  c ^= b;
  c = (c - rot(b, 14)) | 0;
  a ^= c;
  a = (a - rot(c, 11)) | 0;
  b ^= a;
  b = (b - rot(a, 25)) | 0;
  c ^= b;
  c = (c - rot(b, 16)) | 0;
  a ^= c;
  a = (a - rot(c, 4)) | 0;
  b ^= a;
  b = (b - rot(a, 14)) | 0;
  c ^= b;
  c = (c - rot(b, 24)) | 0;
  return c >>> 0;
}
