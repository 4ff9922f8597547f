/**
 * The interface every engine implements. The rest of the library calls these
 * and does not care whether WebAssembly or TypeScript answers; both must give
 * identical output for identical input.
 */

/**
 * How the WebAssembly engine lays a continuum out in its memory: racks of up
 * to {@link SIMD_MAX} entries are searched by comparing every token at once
 * with SIMD; larger ones are a static B-tree (S-tree) of 16-token nodes,
 * each searched with SIMD compares.
 */
export type Layout = 'simd' | 'stree';

/**
 * Largest continuum searched by a SIMD count of all its tokens, four queries
 * per compare, with every token and peer in registers. From 9 entries on the
 * S-tree is faster (about 2.6 against 4.1 ns per token at 9 to 16 entries):
 * up to 16 entries its one node, held in registers, is the whole tree.
 */
export const SIMD_MAX = 8;

/** The layout for a continuum of `size` entries, chosen once when it is built. */
export function layoutFor(size: number): Layout {
  return size <= SIMD_MAX ? 'simd' : 'stree';
}

/** A continuum as the kernels read it: tokens sorted ascending, ties by peer index. */
export interface ContinuumData {
  /** Sorted tokens, length `size`. */
  readonly tokens: Uint32Array;
  /** Peer index of each entry, parallel to `tokens`. */
  readonly peers: Uint32Array;
  /** The WebAssembly engine's layout (the TypeScript engine reads the sorted arrays). */
  readonly layout: Layout;
}

/** Every rack of one datacenter, in the order routing reports them. */
export interface RouteTable {
  readonly racks: readonly ContinuumData[];
}

/** Hash function id (position in `HASH_NAMES`) and hash tag for key routing. */
export interface KeyHashing {
  readonly hashId: number;
  /** The two tag characters as bytes, or -1 each when no tag is set. */
  readonly tagOpen: number;
  readonly tagClose: number;
}

/** Token entries of one (dc, rack) group for the duplicate-token scan. */
export interface CoverageInput {
  /** Group of each entry; groups are numbered in the order results are wanted. */
  readonly groups: Uint32Array;
  readonly tokens: Uint32Array;
  readonly peers: Uint32Array;
}

/**
 * Overlaps found by the duplicate scan, sorted by (group, token, peer): each
 * triple says `peerB` claims `token` that `peerA`, the lowest index claiming
 * it in that group, also claims.
 */
export interface Overlaps {
  readonly groups: Uint32Array;
  readonly tokens: Uint32Array;
  readonly peerA: Uint32Array;
  readonly peerB: Uint32Array;
}

export interface Kernel {
  readonly name: 'wasm' | 'js';
  /** Owner of one token; the continuum is non-empty. */
  dispatch(c: ContinuumData, token: number): number;
  /** Owners of many tokens into `out` (same length); the continuum is non-empty. */
  dispatchBatch(c: ContinuumData, tokens: Uint32Array, out: Uint32Array): void;
  /** Tokens of the keys `bytes[offsets[i], offsets[i+1])`. */
  hashKeys(h: KeyHashing, bytes: Uint8Array, offsets: Uint32Array, out: Uint32Array): void;
  /** Owner of each key in each rack: `out[key * racks + rack]`; every rack is non-empty. */
  routeKeys(t: RouteTable, h: KeyHashing, bytes: Uint8Array, offsets: Uint32Array, out: Uint32Array): void;
  /** Duplicate-token scan over all groups at once. */
  findOverlaps(input: CoverageInput): Overlaps;
}
