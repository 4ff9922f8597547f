// The WebAssembly boundary in one place. Every constant both sides must agree
// on is defined here and exported as a global; the glue (src/engine/wasm-kernel.ts)
// reads them once at instantiation instead of restating them, and refuses a
// module whose hash ids or layout threshold differ from the library's.
// docs/wasm-abi.md describes the block formats these constants shape.

/** Continuum block layouts (the `layout` argument of the dispatch exports). */
export const LAYOUT_SIMD: u32 = 0;
export const LAYOUT_STREE: u32 = 1;
/** Largest continuum the SIMD layout serves (its batch kernels hold at most 8 tokens in registers). */
export const SIMD_MAX: u32 = 8;

/**
 * Tokens are stored XOR this bias: x86 has a signed 32-bit SIMD compare but
 * no unsigned one, and the bias turns one into the other.
 */
export const TOKEN_BIAS: u32 = 0x80000000;

/** S-tree: keys per node (one 64-byte cache line), children per inner node. */
export const STREE_NODE_KEYS: u32 = 16;
export const STREE_FANOUT: u32 = 17;
/** S-tree header, in bytes, before the root node. */
export const STREE_HEADER_BYTES: u32 = 64;
/** Header byte offsets: the number of levels, the peers array's offset, then each level's offset, root first. */
export const STREE_LEVELS_AT: u32 = 0;
export const STREE_PEERS_AT: u32 = 4;
export const STREE_LEVEL0_AT: u32 = 8;

/** Bytes per rack in a route table: (block address, entry count, layout, unused) as u32. */
export const ROUTE_ENTRY_BYTES: u32 = 16;

/** Hash function ids, in the order of HASH_NAMES in src/hash/functions.ts. */
export const HASH_ONE_AT_A_TIME: u32 = 0;
export const HASH_MD5: u32 = 1;
export const HASH_CRC16: u32 = 2;
export const HASH_CRC32: u32 = 3;
export const HASH_CRC32A: u32 = 4;
export const HASH_FNV1_64: u32 = 5;
export const HASH_FNV1A_64: u32 = 6;
export const HASH_FNV1_32: u32 = 7;
export const HASH_FNV1A_32: u32 = 8;
export const HASH_HSIEH: u32 = 9;
export const HASH_MURMUR: u32 = 10;
export const HASH_JENKINS: u32 = 11;
/** How many hash functions the module computes. */
export const HASH_COUNT: u32 = 12;
