/** The current 64-byte block as 16 little-endian words; reused by every call. */
const X = new Int32Array(16);
/** The padded final block(s); reused by every call. */
const TAIL = new Uint8Array(128);
/** MD5 state A, B, C, D between blocks. */
const S = new Int32Array(4);

function loadBlock(src: Uint8Array, at: number): void {
  for (let j = 0; j < 16; j++, at += 4) {
    X[j] = src[at]! | (src[at + 1]! << 8) | (src[at + 2]! << 16) | (src[at + 3]! << 24);
  }
}

function step(q: number, a: number, b: number, x: number, t: number, s: number): number {
  a = (a + q + x + t) | 0;
  return (((a << s) | (a >>> (32 - s))) + b) | 0;
}
function ff(a: number, b: number, c: number, d: number, x: number, t: number, s: number): number {
  return step(d ^ (b & (c ^ d)), a, b, x, t, s);
}
function gg(a: number, b: number, c: number, d: number, x: number, t: number, s: number): number {
  return step(c ^ (d & (b ^ c)), a, b, x, t, s);
}
function hh(a: number, b: number, c: number, d: number, x: number, t: number, s: number): number {
  return step(b ^ c ^ d, a, b, x, t, s);
}
function ii(a: number, b: number, c: number, d: number, x: number, t: number, s: number): number {
  return step(c ^ (b | ~d), a, b, x, t, s);
}

/** One MD5 compression of the block in X into the state S (RFC 1321). */
function compress(): void {
  let a = S[0]!;
  let b = S[1]!;
  let c = S[2]!;
  let d = S[3]!;
  const x = X;
  a = ff(a, b, c, d, x[0]!, 0xd76aa478, 7); d = ff(d, a, b, c, x[1]!, 0xe8c7b756, 12);
  c = ff(c, d, a, b, x[2]!, 0x242070db, 17); b = ff(b, c, d, a, x[3]!, 0xc1bdceee, 22);
  a = ff(a, b, c, d, x[4]!, 0xf57c0faf, 7); d = ff(d, a, b, c, x[5]!, 0x4787c62a, 12);
  c = ff(c, d, a, b, x[6]!, 0xa8304613, 17); b = ff(b, c, d, a, x[7]!, 0xfd469501, 22);
  a = ff(a, b, c, d, x[8]!, 0x698098d8, 7); d = ff(d, a, b, c, x[9]!, 0x8b44f7af, 12);
  c = ff(c, d, a, b, x[10]!, 0xffff5bb1, 17); b = ff(b, c, d, a, x[11]!, 0x895cd7be, 22);
  a = ff(a, b, c, d, x[12]!, 0x6b901122, 7); d = ff(d, a, b, c, x[13]!, 0xfd987193, 12);
  c = ff(c, d, a, b, x[14]!, 0xa679438e, 17); b = ff(b, c, d, a, x[15]!, 0x49b40821, 22);

  a = gg(a, b, c, d, x[1]!, 0xf61e2562, 5); d = gg(d, a, b, c, x[6]!, 0xc040b340, 9);
  c = gg(c, d, a, b, x[11]!, 0x265e5a51, 14); b = gg(b, c, d, a, x[0]!, 0xe9b6c7aa, 20);
  a = gg(a, b, c, d, x[5]!, 0xd62f105d, 5); d = gg(d, a, b, c, x[10]!, 0x02441453, 9);
  c = gg(c, d, a, b, x[15]!, 0xd8a1e681, 14); b = gg(b, c, d, a, x[4]!, 0xe7d3fbc8, 20);
  a = gg(a, b, c, d, x[9]!, 0x21e1cde6, 5); d = gg(d, a, b, c, x[14]!, 0xc33707d6, 9);
  c = gg(c, d, a, b, x[3]!, 0xf4d50d87, 14); b = gg(b, c, d, a, x[8]!, 0x455a14ed, 20);
  a = gg(a, b, c, d, x[13]!, 0xa9e3e905, 5); d = gg(d, a, b, c, x[2]!, 0xfcefa3f8, 9);
  c = gg(c, d, a, b, x[7]!, 0x676f02d9, 14); b = gg(b, c, d, a, x[12]!, 0x8d2a4c8a, 20);

  a = hh(a, b, c, d, x[5]!, 0xfffa3942, 4); d = hh(d, a, b, c, x[8]!, 0x8771f681, 11);
  c = hh(c, d, a, b, x[11]!, 0x6d9d6122, 16); b = hh(b, c, d, a, x[14]!, 0xfde5380c, 23);
  a = hh(a, b, c, d, x[1]!, 0xa4beea44, 4); d = hh(d, a, b, c, x[4]!, 0x4bdecfa9, 11);
  c = hh(c, d, a, b, x[7]!, 0xf6bb4b60, 16); b = hh(b, c, d, a, x[10]!, 0xbebfbc70, 23);
  a = hh(a, b, c, d, x[13]!, 0x289b7ec6, 4); d = hh(d, a, b, c, x[0]!, 0xeaa127fa, 11);
  c = hh(c, d, a, b, x[3]!, 0xd4ef3085, 16); b = hh(b, c, d, a, x[6]!, 0x04881d05, 23);
  a = hh(a, b, c, d, x[9]!, 0xd9d4d039, 4); d = hh(d, a, b, c, x[12]!, 0xe6db99e5, 11);
  c = hh(c, d, a, b, x[15]!, 0x1fa27cf8, 16); b = hh(b, c, d, a, x[2]!, 0xc4ac5665, 23);

  a = ii(a, b, c, d, x[0]!, 0xf4292244, 6); d = ii(d, a, b, c, x[7]!, 0x432aff97, 10);
  c = ii(c, d, a, b, x[14]!, 0xab9423a7, 15); b = ii(b, c, d, a, x[5]!, 0xfc93a039, 21);
  a = ii(a, b, c, d, x[12]!, 0x655b59c3, 6); d = ii(d, a, b, c, x[3]!, 0x8f0ccc92, 10);
  c = ii(c, d, a, b, x[10]!, 0xffeff47d, 15); b = ii(b, c, d, a, x[1]!, 0x85845dd1, 21);
  a = ii(a, b, c, d, x[8]!, 0x6fa87e4f, 6); d = ii(d, a, b, c, x[15]!, 0xfe2ce6e0, 10);
  c = ii(c, d, a, b, x[6]!, 0xa3014314, 15); b = ii(b, c, d, a, x[13]!, 0x4e0811a1, 21);
  a = ii(a, b, c, d, x[4]!, 0xf7537e82, 6); d = ii(d, a, b, c, x[11]!, 0xbd3af235, 10);
  c = ii(c, d, a, b, x[2]!, 0x2ad7d2bb, 15); b = ii(b, c, d, a, x[9]!, 0xeb86d391, 21);

  S[0] = (S[0]! + a) | 0;
  S[1] = (S[1]! + b) | 0;
  S[2] = (S[2]! + c) | 0;
  S[3] = (S[3]! + d) | 0;
}

/** Dynomite's `md5`: the first four digest bytes, read little-endian. */
export function hashMd5(bytes: Uint8Array, start: number, end: number): number {
  S[0] = 0x67452301;
  S[1] = 0xefcdab89;
  S[2] = 0x98badcfe;
  S[3] = 0x10325476;
  const len = end - start;
  let i = start;
  for (const stop = start + (len & ~63); i < stop; i += 64) {
    loadBlock(bytes, i);
    compress();
  }
  const rem = end - i;
  const blocks = rem < 56 ? 1 : 2;
  TAIL.fill(0);
  for (let k = 0; k < rem; k++) TAIL[k] = bytes[i + k]!;
  TAIL[rem] = 0x80;
  // Message length in bits, as a 64-bit little-endian count.
  const at = blocks * 64 - 8;
  const lo = (len << 3) >>> 0;
  const hi = Math.floor(len / 0x20000000);
  TAIL[at] = lo; TAIL[at + 1] = lo >>> 8; TAIL[at + 2] = lo >>> 16; TAIL[at + 3] = lo >>> 24;
  TAIL[at + 4] = hi; TAIL[at + 5] = hi >>> 8; TAIL[at + 6] = hi >>> 16; TAIL[at + 7] = hi >>> 24;
  for (let k = 0; k < blocks; k++) {
    loadBlock(TAIL, k * 64);
    compress();
  }
  // Quirk: the token is digest bytes 0..3 as a little-endian u32, i.e. state word A.
  return S[0]! >>> 0;
}
