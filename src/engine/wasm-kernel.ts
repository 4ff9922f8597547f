/**
 * The WebAssembly engine: the only module that knows the kernels' memory
 * layout (docs/wasm-abi.md). Every constant of that layout is read from the
 * module's exported globals (assembly/abi.ts) once, when the engine is
 * created, and checked against the library's own. Linear memory above the
 * module's static data is laid out as:
 *
 * - a resident region, where continuums and route tables stay between calls
 *   (a bump allocator; when full, everything is evicted at once by bumping a
 *   generation, so memory stays bounded however many topologies come and go);
 * - a large slot after it, for the one most recent block too big for the
 *   resident region, so repeated calls on a huge continuum do not upload it
 *   again each time;
 * - a scratch region above that, reset on every call, for a batch's inputs
 *   and outputs, which are copied in and out in bounded chunks, so memory
 *   stays bounded whatever the batch size.
 *
 * Addresses are plain non-negative numbers up to 2^32 (no 32-bit bit tricks,
 * which would wrap past 2^31); the exports take them as `usize`.
 */
import { EngineError } from '../errors.js';
import { HASH_NAMES } from '../hash/functions.js';
import { jsKernel } from './js-kernel.js';
import {
  SIMD_MAX,
  type ContinuumData,
  type CoverageInput,
  type Kernel,
  type KeyHashing,
  type Layout,
  type Overlaps,
  type RouteTable,
} from './kernel.js';
import type { WasmExports } from './wasm-exports.generated.js';

/** Sizes the WebAssembly engine works within. */
export interface WasmLimits {
  /**
   * Bytes kept for resident continuums and route tables before they are all
   * evicted. A larger block gets the large slot.
   *
   * @default 32 MiB
   */
  residentBytes: number;
  /**
   * Most token entries one duplicate scan sorts in WebAssembly memory (40
   * bytes each); a larger input is split by token range into scans of at most
   * this many.
   *
   * @default 2^20 (40 MiB of scratch)
   */
  coverageEntries: number;
}

/** Defaults of {@link WasmLimits}. */
export const WASM_LIMITS: Readonly<WasmLimits> = Object.freeze({ residentBytes: 32 << 20, coverageEntries: 1 << 20 });

/**
 * Tokens or keys per chunk copied through scratch memory. Measured at 2^10 to
 * 2^16 tokens per chunk: larger chunks cost less per token (fewer crossings),
 * flattening out from 2^14, whose 128 KiB of input and output still fit in L2.
 */
const CHUNK = 1 << 14;
/** Key bytes per chunk (a single longer key gets a chunk of its own). */
const CHUNK_BYTES = 1 << 20;
const PAGE = 65536;
const PAD_TOKEN = 0xffff_ffff;
/** Radix digit per partition level of an oversized duplicate scan. */
const DIGIT_BITS = 8;

// Blocks start on a cache line, so each S-tree node is exactly one line.
const align64 = (n: number) => Math.ceil(n / 64) * 64;
const padded4 = (n: number) => Math.ceil(n / 4) * 4;

/** The module's ABI constants (assembly/abi.ts), read once. */
interface Abi {
  readonly layoutId: Readonly<Record<Layout, number>>;
  readonly bias: number;
  readonly nodeKeys: number;
  readonly fanout: number;
  readonly headerBytes: number;
  readonly levelsAt: number;
  readonly peersAt: number;
  readonly level0At: number;
  readonly routeEntryBytes: number;
}

type Global = { readonly value: number };

/**
 * Reads the ABI constants and checks those the library states itself: each
 * hash id against its position in `HASH_NAMES`, and the SIMD layout's size
 * limit against `SIMD_MAX` (continuums choose their layout before the module
 * loads).
 *
 * @throws {EngineError} for a module built from other sources than this library.
 */
function readAbi(x: WasmExports): Abi {
  const globals = x as unknown as Record<string, Global | undefined>;
  const read = (name: string): number => {
    const g = globals[name];
    if (typeof g?.value !== 'number')
      throw new EngineError(`the WebAssembly module exports no constant ${name}: rebuild it from assembly/`);
    return g.value >>> 0;
  };
  const mismatch = (what: string, module: number, library: number) =>
    new EngineError(
      `the WebAssembly module and the library disagree about ${what} (${module} against ${library}): rebuild it from assembly/`,
    );
  if (read('HASH_COUNT') !== HASH_NAMES.length) throw mismatch('the number of hash functions', read('HASH_COUNT'), HASH_NAMES.length);
  HASH_NAMES.forEach((name, id) => {
    const own = read(`HASH_${name.toUpperCase()}`);
    if (own !== id) throw mismatch(`the id of hash '${name}'`, own, id);
  });
  if (read('SIMD_MAX') !== SIMD_MAX) throw mismatch('the largest SIMD-layout continuum', read('SIMD_MAX'), SIMD_MAX);
  return {
    layoutId: { simd: read('LAYOUT_SIMD'), stree: read('LAYOUT_STREE') },
    bias: read('TOKEN_BIAS'),
    nodeKeys: read('STREE_NODE_KEYS'),
    fanout: read('STREE_FANOUT'),
    headerBytes: read('STREE_HEADER_BYTES'),
    levelsAt: read('STREE_LEVELS_AT'),
    peersAt: read('STREE_PEERS_AT'),
    level0At: read('STREE_LEVEL0_AT'),
    routeEntryBytes: read('ROUTE_ENTRY_BYTES'),
  };
}

/** Node counts per level of an S-tree, root first, with each level's byte offset and the peers array's. */
interface STreeShape {
  counts: number[];
  levels: number[];
  peers: number;
  bytes: number;
}

/** Where a block lives: `large` blocks are valid while the large slot's generation is unchanged. */
interface Residency {
  large: boolean;
  gen: number;
  addr: number;
}

/** Memory figures of the WebAssembly engine, for tests of boundedness and residency. */
export interface WasmMemoryStats {
  /** Linear memory size in bytes (it never shrinks; it is reused). */
  memoryBytes: number;
  /** How often the resident region was evicted. */
  evictions: number;
  /** Blocks (continuums, route tables) written into memory so far. */
  uploads: number;
}

class WasmKernel implements Kernel {
  readonly name = 'wasm';
  private readonly abi: Abi;
  private readonly limits: WasmLimits;
  private readonly residentStart: number;
  private readonly largeStart: number;
  private residentTop: number;
  private scratchStart: number;
  private gen = 0;
  private largeGen = 0;
  private uploads = 0;
  private readonly resident = new WeakMap<object, Residency>();
  /** The last continuum looked up: single dispatch calls skip the WeakMap for it. */
  private last: { owner: object | undefined; at: Residency } = { owner: undefined, at: { large: false, gen: -1, addr: 0 } };
  private scratchTop = 0;
  private buffer: ArrayBuffer | undefined;
  private u8 = new Uint8Array(0);
  private u32 = new Uint32Array(0);

  constructor(
    private readonly x: WasmExports,
    limits: Partial<WasmLimits>,
  ) {
    this.abi = readAbi(x);
    this.limits = { ...WASM_LIMITS, ...limits };
    this.residentStart = align64(x.heapBase() >>> 0);
    this.residentTop = this.residentStart;
    this.largeStart = this.residentStart + align64(this.limits.residentBytes);
    this.scratchStart = this.largeStart;
  }

  memoryStats(): WasmMemoryStats {
    return { memoryBytes: this.x.memory.buffer.byteLength, evictions: this.gen, uploads: this.uploads };
  }

  dispatch(c: ContinuumData, token: number): number {
    return this.x.dispatch(this.continuumAddr(c), c.tokens.length, this.abi.layoutId[c.layout], token) >>> 0;
  }

  dispatchBatch(c: ContinuumData, tokens: Uint32Array, out: Uint32Array): void {
    const block = this.continuumAddr(c);
    const layout = this.abi.layoutId[c.layout];
    this.scratchTop = this.scratchStart;
    const chunk = Math.min(CHUNK, tokens.length);
    const q = this.alloc(4 * chunk);
    const o = this.alloc(4 * chunk);
    // Views made once per call (memory cannot grow inside the loop), so a full chunk allocates only the input's subarray.
    const into = this.u32.subarray(q / 4, q / 4 + chunk);
    const owners = this.u32.subarray(o / 4, o / 4 + chunk);
    for (let i = 0; i < tokens.length; i += chunk) {
      const count = Math.min(chunk, tokens.length - i);
      into.set(tokens.subarray(i, i + count));
      this.x.dispatchBatch(block, c.tokens.length, layout, q, o, count);
      out.set(count === chunk ? owners : owners.subarray(0, count), i);
    }
  }

  hashKeys(h: KeyHashing, bytes: Uint8Array, offsets: Uint32Array, out: Uint32Array): void {
    this.scratchTop = this.scratchStart;
    this.eachKeyChunk(
      bytes,
      offsets,
      1,
      (keys, off, base, count, o) => {
        this.x.hashKeys(h.hashId, h.tagOpen, h.tagClose, keys, off, base, count, o);
      },
      out,
    );
  }

  routeKeys(t: RouteTable, h: KeyHashing, bytes: Uint8Array, offsets: Uint32Array, out: Uint32Array): void {
    const table = this.routeTableAddr(t);
    const racks = t.racks.length;
    this.scratchTop = this.scratchStart;
    const tokens = this.alloc(4 * Math.min(CHUNK, offsets.length - 1));
    this.eachKeyChunk(
      bytes,
      offsets,
      racks,
      (keys, off, base, count, o) => {
        this.x.routeKeys(table, racks, h.hashId, h.tagOpen, h.tagClose, keys, off, base, count, tokens, o);
      },
      out,
    );
  }

  /**
   * Inputs of up to `coverageEntries` entries are scanned in one call. A
   * larger one is split by token range, a byte at a time from the top, into
   * parts that fit (a token's claims all land in one part, so no overlap is
   * lost); a part that is still too big once the whole token is used (a
   * single token claimed that often) is scanned by the TypeScript kernel.
   */
  findOverlaps(input: CoverageInput): Overlaps {
    if (input.tokens.length <= this.limits.coverageEntries) return this.scanOverlaps(input);
    const parts: Overlaps[] = [];
    this.partitionOverlaps(input, 32 - DIGIT_BITS, parts);
    return byGroup(parts);
  }

  private partitionOverlaps(input: CoverageInput, shift: number, parts: Overlaps[]): void {
    const n = input.tokens.length;
    const buckets = 1 << DIGIT_BITS;
    const starts = new Uint32Array(buckets + 1);
    for (let i = 0; i < n; i++) starts[((input.tokens[i]! >>> shift) & (buckets - 1)) + 1]!++;
    for (let b = 0; b < buckets; b++) starts[b + 1]! += starts[b]!;
    const at = starts.slice(0, buckets);
    const split = { groups: new Uint32Array(n), tokens: new Uint32Array(n), peers: new Uint32Array(n) };
    for (let i = 0; i < n; i++) {
      const j = at[(input.tokens[i]! >>> shift) & (buckets - 1)]!++;
      split.groups[j] = input.groups[i]!;
      split.tokens[j] = input.tokens[i]!;
      split.peers[j] = input.peers[i]!;
    }
    for (let b = 0; b < buckets; b++) {
      const part = {
        groups: split.groups.subarray(starts[b], starts[b + 1]),
        tokens: split.tokens.subarray(starts[b], starts[b + 1]),
        peers: split.peers.subarray(starts[b], starts[b + 1]),
      };
      if (part.tokens.length <= this.limits.coverageEntries) parts.push(this.scanOverlaps(part));
      else if (shift > 0) this.partitionOverlaps(part, shift - DIGIT_BITS, parts);
      else parts.push(jsKernel.findOverlaps(part));
    }
  }

  private scanOverlaps(input: CoverageInput): Overlaps {
    this.scratchTop = this.scratchStart;
    const n = input.tokens.length;
    const src = this.alloc(12 * n);
    const tmp = this.alloc(12 * n);
    const hist = this.alloc(12 * 256 * 4);
    const out = this.alloc(16 * n);
    this.u32.set(input.groups, src / 4);
    this.u32.set(input.tokens, src / 4 + n);
    this.u32.set(input.peers, src / 4 + 2 * n);
    const found = this.x.findOverlaps(src, tmp, hist, n, out) >>> 0;
    const column = (i: number) => this.u32.slice(out / 4 + i * n, out / 4 + i * n + found);
    return { groups: column(0), tokens: column(1), peerA: column(2), peerB: column(3) };
  }

  /**
   * Copies keys through scratch in chunks of at most CHUNK keys and about
   * CHUNK_BYTES bytes, calls `run` on each, and copies `width` results per key out.
   */
  private eachKeyChunk(
    bytes: Uint8Array,
    offsets: Uint32Array,
    width: number,
    run: (keys: number, offsets: number, base: number, count: number, out: number) => void,
    out: Uint32Array,
  ): void {
    const total = offsets.length - 1;
    const mark = this.scratchTop;
    for (let k = 0; k < total;) {
      let end = k + 1;
      const limit = Math.min(total, k + CHUNK);
      while (end < limit && offsets[end + 1]! - offsets[k]! <= CHUNK_BYTES) end++;
      const count = end - k;
      const base = offsets[k]!;
      this.scratchTop = mark;
      const keys = this.alloc(offsets[end]! - base);
      const off = this.alloc(4 * (count + 1));
      const o = this.alloc(4 * count * width);
      this.u8.set(bytes.subarray(base, offsets[end]!), keys);
      this.u32.set(offsets.subarray(k, end + 1), off / 4);
      run(keys, off, base, count, o);
      out.set(this.u32.subarray(o / 4, o / 4 + count * width), k * width);
      k = end;
    }
  }

  private continuumAddr(c: ContinuumData): number {
    const last = this.last;
    if (last.owner === c && this.isValid(last.at)) return last.at.addr;
    const at = this.residentAddr(c, this.continuumBytes(c), (addr) => this.writeContinuum(c, addr));
    this.last = { owner: c, at };
    return at.addr;
  }

  /** A header of one ROUTE_ENTRY_BYTES entry (block, entries, layout, unused) per rack, then the blocks. */
  private routeTableAddr(t: RouteTable): number {
    const header = align64(this.abi.routeEntryBytes * t.racks.length);
    const size = t.racks.reduce((sum, c) => sum + align64(this.continuumBytes(c)), header);
    return this.residentAddr(t, size, (addr) => {
      let at = addr + header;
      t.racks.forEach((c, r) => {
        this.writeContinuum(c, at);
        this.u32.set([at, c.tokens.length, this.abi.layoutId[c.layout], 0], (addr + r * this.abi.routeEntryBytes) / 4);
        at += align64(this.continuumBytes(c));
      });
    }).addr;
  }

  private isValid(r: Residency): boolean {
    return r.gen === (r.large ? this.largeGen : this.gen);
  }

  /** Where `owner`'s block lives, uploading it first unless it is still there. */
  private residentAddr(owner: object, size: number, write: (addr: number) => void): Residency {
    const known = this.resident.get(owner);
    if (known !== undefined && this.isValid(known)) return known;
    let at: Residency;
    if (size > this.limits.residentBytes) {
      // Too big for the resident region: it takes the large slot, evicting the block there; scratch moves above it.
      this.largeGen++;
      at = { large: true, gen: this.largeGen, addr: this.largeStart };
      this.scratchStart = align64(this.largeStart + size);
      this.ensure(this.scratchStart);
    } else {
      if (this.residentTop + size > this.largeStart) {
        this.gen++;
        this.residentTop = this.residentStart;
      }
      at = { large: false, gen: this.gen, addr: this.residentTop };
      this.residentTop = align64(at.addr + size);
      this.ensure(this.residentTop);
    }
    write(at.addr);
    this.uploads++;
    this.resident.set(owner, at);
    return at;
  }

  private continuumBytes(c: ContinuumData): number {
    return c.layout === 'stree' ? this.streeShape(c.tokens.length).bytes : 8 * padded4(c.tokens.length);
  }

  /** SIMD layout: the biased tokens padded to a multiple of four with the biased maximum, then the peers, padded likewise. */
  private writeContinuum(c: ContinuumData, addr: number): void {
    if (c.layout === 'stree') return this.writeSTree(c, addr);
    const at = addr / 4;
    const peers = at + padded4(c.tokens.length);
    this.u32.fill(0, at, peers + padded4(c.tokens.length));
    c.tokens.forEach((t, i) => (this.u32[at + i] = (t ^ this.abi.bias) >>> 0));
    this.u32.fill((PAD_TOKEN ^ this.abi.bias) >>> 0, at + c.tokens.length, peers);
    this.u32.set(c.peers, peers);
  }

  private streeShape(n: number): STreeShape {
    const { nodeKeys, fanout, headerBytes } = this.abi;
    const counts = [Math.ceil(n / nodeKeys)];
    while (counts[0]! > 1) counts.unshift(Math.ceil(counts[0]! / fanout));
    const levels: number[] = [];
    let at = headerBytes;
    for (const count of counts) {
      levels.push(at);
      at += 4 * nodeKeys * count;
    }
    // One peer per leaf slot, plus one for the rank past a full last leaf; slots from n on wrap.
    const peerSlots = padded4(nodeKeys * counts[counts.length - 1]! + 1);
    return { counts, levels, peers: at, bytes: at + 4 * peerSlots };
  }

  /** The S-tree block of docs/wasm-abi.md: header, levels root first, then the peers by sorted position. */
  private writeSTree(c: ContinuumData, addr: number): void {
    const n = c.tokens.length;
    const { nodeKeys, fanout, bias, levelsAt, peersAt, level0At } = this.abi;
    const { counts, levels, peers, bytes } = this.streeShape(n);
    const u32 = this.u32;
    const at = addr / 4;
    const pad = (PAD_TOKEN ^ bias) >>> 0;
    u32[at + levelsAt / 4] = counts.length;
    u32[at + peersAt / 4] = peers;
    u32.set(levels, at + level0At / 4);
    u32.fill(pad, at + levels[0]! / 4, at + peers / 4);
    let span = nodeKeys; // sorted entries under one node of the level being written
    for (let h = counts.length - 1; h >= 0; h--) {
      const base = at + levels[h]! / 4;
      if (h === counts.length - 1) {
        for (let i = 0; i < n; i++) u32[base + i] = (c.tokens[i]! ^ bias) >>> 0;
      } else {
        // Child j of node k is node fanout k + j below, whose entries end at (fanout k + j + 1) span.
        for (let k = 0; k < counts[h]!; k++) {
          for (let j = 0; j < nodeKeys; j++) {
            const end = (fanout * k + j + 1) * span;
            if (end >= n) break;
            u32[base + nodeKeys * k + j] = (c.tokens[end - 1]! ^ bias) >>> 0;
          }
        }
        span *= fanout;
      }
    }
    const first = at + peers / 4;
    u32.set(c.peers, first);
    u32.fill(c.peers[0]!, first + n, at + bytes / 4);
  }

  private alloc(size: number): number {
    const addr = this.scratchTop;
    this.scratchTop = align64(addr + size);
    this.ensure(this.scratchTop);
    return addr;
  }

  /** Grows memory to cover `end` and refreshes the views after a grow. */
  private ensure(end: number): void {
    const mem = this.x.memory;
    if (end > mem.buffer.byteLength) {
      if (end > 2 ** 32)
        throw new EngineError(`the WebAssembly engine needs ${end} bytes, more than its 4 GiB address space; use engine 'js'`);
      mem.grow(Math.ceil((end - mem.buffer.byteLength) / PAGE));
    }
    if (this.buffer !== mem.buffer) {
      this.buffer = mem.buffer;
      this.u8 = new Uint8Array(this.buffer);
      this.u32 = new Uint32Array(this.buffer);
    }
  }
}

/**
 * Concatenates duplicate-scan results of token-ordered parts, each sorted by
 * (group, token, peer), into one sorted the same way: a stable counting sort
 * by group keeps the parts' token order within each group.
 */
function byGroup(parts: readonly Overlaps[]): Overlaps {
  let total = 0;
  let groups = 0;
  for (const p of parts) {
    total += p.groups.length;
    for (const g of p.groups) groups = Math.max(groups, g + 1);
  }
  const next = new Uint32Array(groups + 1);
  for (const p of parts) for (const g of p.groups) next[g + 1]!++;
  for (let g = 0; g < groups; g++) next[g + 1]! += next[g]!;
  const out = {
    groups: new Uint32Array(total),
    tokens: new Uint32Array(total),
    peerA: new Uint32Array(total),
    peerB: new Uint32Array(total),
  };
  for (const p of parts) {
    for (let i = 0; i < p.groups.length; i++) {
      const j = next[p.groups[i]!]!++;
      out.groups[j] = p.groups[i]!;
      out.tokens[j] = p.tokens[i]!;
      out.peerA[j] = p.peerA[i]!;
      out.peerB[j] = p.peerB[i]!;
    }
  }
  return out;
}

/** A WebAssembly kernel over an instantiated module, with the memory probe tests use. */
export type WasmEngine = Kernel & { memoryStats(): WasmMemoryStats };

/**
 * Wraps an instance of the dynoring module.
 *
 * @param limits Internal sizes, lowered by tests to reach the large slot and the split scan without huge inputs.
 * @throws {EngineError} when the module's ABI constants differ from the library's.
 */
export function wasmKernel(instance: WebAssembly.Instance, limits: Partial<WasmLimits> = {}): WasmEngine {
  return new WasmKernel(instance.exports as unknown as WasmExports, limits);
}
