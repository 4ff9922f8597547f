const FNV_32_INIT: u32 = 0x811c9dc5;
const FNV_32_PRIME: u32 = 0x01000193;
// The low 32 bits of a 64-bit FNV product depend only on the low 32 bits of
// its factors, so the 64-bit variants run in 32-bit arithmetic.
const FNV_64_INIT_LO: u32 = 0x84222325;
const FNV_64_PRIME_LO: u32 = 0x1b3;

/** Dynomite's `fnv1_64`: 64-bit FNV-1, truncated to its low 32 bits. */
export function hashFnv1_64(ptr: usize, len: usize): u32 {
  let h = FNV_64_INIT_LO;
  // Quirk: the token is the low 32 bits of the 64-bit hash (a plain downcast).
  for (let p = ptr, end = ptr + len; p < end; p++) h = (h * FNV_64_PRIME_LO) ^ <u32>load<u8>(p);
  return h;
}

/** Dynomite's `fnv1a_64`: FNV-1a over a 32-bit state seeded with truncated 64-bit constants. */
export function hashFnv1a_64(ptr: usize, len: usize): u32 {
  let h = FNV_64_INIT_LO;
  // Quirk: the C code casts the 64-bit offset basis and prime to uint32_t before hashing.
  for (let p = ptr, end = ptr + len; p < end; p++) h = (h ^ <u32>load<u8>(p)) * FNV_64_PRIME_LO;
  return h;
}

/** Dynomite's `fnv1_32`: 32-bit FNV-1. */
export function hashFnv1_32(ptr: usize, len: usize): u32 {
  let h = FNV_32_INIT;
  for (let p = ptr, end = ptr + len; p < end; p++) h = (h * FNV_32_PRIME) ^ <u32>load<u8>(p);
  return h;
}

/** Dynomite's `fnv1a_32`: 32-bit FNV-1a. */
export function hashFnv1a_32(ptr: usize, len: usize): u32 {
  let h = FNV_32_INIT;
  for (let p = ptr, end = ptr + len; p < end; p++) h = (h ^ <u32>load<u8>(p)) * FNV_32_PRIME;
  return h;
}
