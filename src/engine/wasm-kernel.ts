/**
 * The WebAssembly engine: the only module that knows the kernels' memory
 * layout. It owns linear memory above the module's static data:
 *
 * - a resident region, where continuums and route tables stay between calls
 *   (a bump allocator; when full, everything is evicted at once by bumping a
 *   generation, so memory stays bounded however many topologies come and go);
 * - a scratch region above it, reset on every call, for a batch's inputs and
 *   outputs, which are copied in and out in chunks.
 */
import type { ContinuumData, CoverageInput, Kernel, KeyHashing, Layout, Overlaps, RouteTable } from './kernel.js';

interface Exports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  dispatch(block: number, n: number, layout: number, t: number): number;
  dispatchBatch(block: number, n: number, layout: number, q: number, out: number, count: number): void;
  hashKeys(hashId: number, open: number, close: number, bytes: number, offsets: number, base: number, count: number, out: number): void;
  routeKeys(
    table: number,
    racks: number,
    hashId: number,
    open: number,
    close: number,
    bytes: number,
    offsets: number,
    base: number,
    count: number,
    tokens: number,
    out: number,
  ): void;
  findOverlaps(src: number, tmp: number, hist: number, n: number, out: number): number;
}

/** Bytes kept for resident continuums before they are all evicted. */
export const RESIDENT_BYTES = 32 << 20;
/**
 * Tokens or keys per chunk copied through scratch memory. Measured at 2^10 to
 * 2^16 tokens per chunk: larger chunks cost less per token (fewer crossings),
 * flattening out from 2^14, whose 128 KiB of input and output still fit in L2.
 */
const CHUNK = 1 << 14;
/** Key bytes per chunk (a single longer key gets a chunk of its own). */
const CHUNK_BYTES = 1 << 20;
const PAGE = 65536;
/** The SIMD layout stores tokens XOR this, so the kernels can use signed compares. */
const BIAS = 0x8000_0000;
const PAD_TOKEN = 0xffff_ffff;

/** Layout ids as assembly/dispatch.ts numbers them. */
const LAYOUT_ID: Record<Layout, number> = { simd: 0, stree: 1 };

// Blocks start on a cache line, so each S-tree node is exactly one line.
const align64 = (n: number) => (n + 63) & ~63;
const paddedLength = (n: number) => (n + 3) & ~3;
/** Words before the peers array of the SIMD layout: the tokens, padded to 16 bytes. */
const peersAt = (c: ContinuumData) => paddedLength(c.tokens.length);
const continuumBytes = (c: ContinuumData) => (c.layout === 'stree' ? streeShape(c.tokens.length).bytes : 8 * peersAt(c));

/** S-tree keys per node (one 64-byte cache line) and children per inner node. */
const NODE = 16;
const FANOUT = 17;
/** Bytes before the root: levels, peers offset and each level's offset, in u32 words. */
const STREE_HEADER = 64;

/**
 * Node counts per level of the S-tree over n entries, root first, and the
 * byte offsets of each level and of the peers array.
 */
function streeShape(n: number): { counts: number[]; levels: number[]; peers: number; bytes: number } {
  const counts = [Math.ceil(n / NODE)];
  while (counts[0]! > 1) counts.unshift(Math.ceil(counts[0]! / FANOUT));
  const levels: number[] = [];
  let at = STREE_HEADER;
  for (const count of counts) {
    levels.push(at);
    at += 4 * NODE * count;
  }
  // One peer per leaf slot, plus one for the rank past a full last leaf; slots from n on wrap.
  const peerSlots = paddedLength(NODE * counts[counts.length - 1]! + 1);
  return { counts, levels, peers: at, bytes: at + 4 * peerSlots };
}

interface Residency {
  gen: number;
  addr: number;
}

class WasmKernel implements Kernel {
  readonly name = 'wasm';
  private readonly residentStart: number;
  private readonly scratchStart: number;
  private residentTop: number;
  private gen = 0;
  private readonly resident = new WeakMap<object, Residency>();
  /** The last continuum looked up: single dispatch calls skip the WeakMap for it. */
  private last: { owner: object | undefined } & Residency = { owner: undefined, gen: -1, addr: 0 };
  private scratchTop = 0;
  private buffer: ArrayBuffer | undefined;
  private u8 = new Uint8Array(0);
  private u32 = new Uint32Array(0);

  constructor(private readonly x: Exports) {
    this.residentStart = align64(x.heapBase());
    this.residentTop = this.residentStart;
    this.scratchStart = this.residentStart + RESIDENT_BYTES;
  }

  /** Linear memory size and how often the resident region was evicted (for tests of boundedness). */
  memoryStats(): { memoryBytes: number; evictions: number } {
    return { memoryBytes: this.x.memory.buffer.byteLength, evictions: this.gen };
  }

  dispatch(c: ContinuumData, token: number): number {
    this.scratchTop = this.scratchStart;
    return this.x.dispatch(this.continuumAddr(c), c.tokens.length, LAYOUT_ID[c.layout], token) >>> 0;
  }

  dispatchBatch(c: ContinuumData, tokens: Uint32Array, out: Uint32Array): void {
    this.scratchTop = this.scratchStart;
    const block = this.continuumAddr(c);
    const layout = LAYOUT_ID[c.layout];
    const chunk = Math.min(CHUNK, tokens.length);
    const q = this.alloc(4 * chunk);
    const o = this.alloc(4 * chunk);
    // Views made once per call (memory cannot grow inside the loop), so a full chunk allocates only the input's subarray.
    const into = this.u32.subarray(q >>> 2, (q >>> 2) + chunk);
    const owners = this.u32.subarray(o >>> 2, (o >>> 2) + chunk);
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
    this.scratchTop = this.scratchStart;
    const table = this.routeTableAddr(t);
    const racks = t.racks.length;
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

  findOverlaps(input: CoverageInput): Overlaps {
    this.scratchTop = this.scratchStart;
    const n = input.tokens.length;
    const src = this.alloc(12 * n);
    const tmp = this.alloc(12 * n);
    const hist = this.alloc(12 * 256 * 4);
    const out = this.alloc(16 * n);
    this.u32.set(input.groups, src >>> 2);
    this.u32.set(input.tokens, (src >>> 2) + n);
    this.u32.set(input.peers, (src >>> 2) + 2 * n);
    const found = this.x.findOverlaps(src, tmp, hist, n, out) >>> 0;
    const column = (i: number) => this.u32.slice((out >>> 2) + i * n, (out >>> 2) + i * n + found);
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
      this.u32.set(offsets.subarray(k, end + 1), off >>> 2);
      run(keys, off, base, count, o);
      out.set(this.u32.subarray(o >>> 2, (o >>> 2) + count * width), k * width);
      k = end;
    }
  }

  private continuumAddr(c: ContinuumData): number {
    const last = this.last;
    if (last.owner === c && last.gen === this.gen) return last.addr;
    const addr = this.residentAddr(c, continuumBytes(c), (at) => this.writeContinuum(c, at));
    // Remember only resident blocks: one that lives in scratch is gone after this call.
    if (this.resident.get(c)?.gen === this.gen) this.last = { owner: c, gen: this.gen, addr };
    return addr;
  }

  /** A header of (block, entries, layout, unused) per rack, then the blocks. */
  private routeTableAddr(t: RouteTable): number {
    const header = align64(16 * t.racks.length);
    const size = t.racks.reduce((sum, c) => sum + align64(continuumBytes(c)), header);
    return this.residentAddr(t, size, (addr) => {
      let at = addr + header;
      t.racks.forEach((c, r) => {
        this.writeContinuum(c, at);
        this.u32.set([at, c.tokens.length, LAYOUT_ID[c.layout], 0], (addr >>> 2) + 4 * r);
        at += align64(continuumBytes(c));
      });
    });
  }

  /** Address of `owner`'s block, uploading it first unless it is still resident. */
  private residentAddr(owner: object, size: number, write: (addr: number) => void): number {
    const known = this.resident.get(owner);
    if (known !== undefined && known.gen === this.gen) return known.addr;
    if (size > RESIDENT_BYTES) {
      // Larger than the whole resident region: lives in scratch for this call only.
      const addr = this.alloc(size);
      write(addr);
      return addr;
    }
    if (this.residentTop + size > this.scratchStart) {
      this.gen++;
      this.residentTop = this.residentStart;
    }
    const addr = this.residentTop;
    this.residentTop = align64(addr + size);
    this.ensure(this.residentTop);
    write(addr);
    this.resident.set(owner, { gen: this.gen, addr });
    return addr;
  }

  private writeContinuum(c: ContinuumData, addr: number): void {
    if (c.layout === 'stree') return this.writeSTree(c, addr);
    const at = addr >>> 2;
    const peers = at + peersAt(c);
    this.u32.fill(0, at, peers + peersAt(c));
    c.tokens.forEach((t, i) => (this.u32[at + i] = t ^ BIAS));
    this.u32.fill(PAD_TOKEN ^ BIAS, at + c.tokens.length, peers);
    this.u32.set(c.peers, peers);
  }

  /**
   * The S-tree (a static B+ tree): leaves hold the sorted tokens, 16 per
   * node, padded with the maximum; an inner node holds, for each of its
   * first 16 children, the largest token under that child, so a query's rank
   * in the node is the child to descend into (17 k + rank). A child that holds
   * the last entry, and any child after it, gets the maximum instead: a query
   * above every token then runs down the right edge to rank n, where the
   * peers array holds the wrap-around owner.
   */
  private writeSTree(c: ContinuumData, addr: number): void {
    const n = c.tokens.length;
    const { counts, levels, peers, bytes } = streeShape(n);
    const u32 = this.u32;
    const at = addr >>> 2;
    const pad = PAD_TOKEN ^ BIAS;
    u32.set([counts.length, peers, ...levels], at);
    u32.fill(pad, at + levels[0]! / 4, at + peers / 4);
    let span = NODE; // sorted entries under one node of the level being written
    for (let h = counts.length - 1; h >= 0; h--) {
      const base = at + levels[h]! / 4;
      if (h === counts.length - 1) {
        for (let i = 0; i < n; i++) u32[base + i] = c.tokens[i]! ^ BIAS;
      } else {
        // Child j of node k is node 17 k + j below, whose entries end at (17 k + j + 1) span.
        for (let k = 0; k < counts[h]!; k++) {
          for (let j = 0; j < NODE; j++) {
            const end = (FANOUT * k + j + 1) * span;
            if (end >= n) break;
            u32[base + NODE * k + j] = c.tokens[end - 1]! ^ BIAS;
          }
        }
        span *= FANOUT;
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
    if (end > mem.buffer.byteLength) mem.grow(Math.ceil((end - mem.buffer.byteLength) / PAGE));
    if (this.buffer !== mem.buffer) {
      this.buffer = mem.buffer;
      this.u8 = new Uint8Array(this.buffer);
      this.u32 = new Uint32Array(this.buffer);
    }
  }
}

/** A WebAssembly kernel over an instantiated module, with the memory probe tests use. */
export type WasmEngine = Kernel & { memoryStats(): { memoryBytes: number; evictions: number } };

/** Wraps an instance of the dynoring module. */
export function wasmKernel(instance: WebAssembly.Instance): WasmEngine {
  return new WasmKernel(instance.exports as unknown as Exports);
}
