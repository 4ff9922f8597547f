const FNV_32_INIT = 0x811c9dc5;
const FNV_32_PRIME = 0x01000193;
// The low 32 bits of a 64-bit FNV product depend only on the low 32 bits of
// its factors, so the 64-bit variants run in 32-bit arithmetic.
const FNV_64_INIT_LO = 0x84222325;
const FNV_64_PRIME_LO = 0x1b3;

/** Dynomite's `fnv1_64`: 64-bit FNV-1, truncated to its low 32 bits. */
export function hashFnv1_64(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_64_INIT_LO | 0;
  // Quirk: the token is the low 32 bits of the 64-bit hash (a plain downcast).
  for (let i = start; i < end; i++) h = Math.imul(h, FNV_64_PRIME_LO) ^ bytes[i]!;
  return h >>> 0;
}

/** Dynomite's `fnv1a_64`: FNV-1a over a 32-bit state seeded with truncated 64-bit constants. */
export function hashFnv1a_64(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_64_INIT_LO | 0;
  // Quirk: the C code casts the 64-bit offset basis and prime to uint32_t before hashing.
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, FNV_64_PRIME_LO);
  return h >>> 0;
}

/** Dynomite's `fnv1_32`: 32-bit FNV-1. */
export function hashFnv1_32(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_32_INIT | 0;
  for (let i = start; i < end; i++) h = Math.imul(h, FNV_32_PRIME) ^ bytes[i]!;
  return h >>> 0;
}

/** Dynomite's `fnv1a_32`: 32-bit FNV-1a. */
export function hashFnv1a_32(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_32_INIT | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, FNV_32_PRIME);
  return h >>> 0;
}
