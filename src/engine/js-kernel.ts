/**
 * The TypeScript engine: the same kernels as assembly/, for where WebAssembly
 * is missing and for parity tests. Output is identical to the WebAssembly
 * engine's for identical input.
 */
import { HASH_FUNCTIONS } from '../hash/functions.js';
import type { ContinuumData, CoverageInput, Kernel, KeyHashing, Overlaps, RouteTable } from './kernel.js';

/** Index of the first entry whose token is >= t, or `tokens.length`. */
function lowerBound(tokens: Uint32Array, t: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function dispatch(c: ContinuumData, t: number): number {
  const i = lowerBound(c.tokens, t);
  return c.peers[i === c.tokens.length ? 0 : i]!;
}

// Hash-tag bounds, kept in module state so the hot loop allocates nothing.
let tagStart = 0;
let tagEnd = 0;

/** Index of the first `value` in `bytes[from, end)`, or -1. */
function indexIn(bytes: Uint8Array, value: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (bytes[i] === value) return i;
  return -1;
}

// Bounded by the key's end: `indexOf` would scan the rest of the buffer (the
// rest of a batch, or a 64 KiB scratch buffer) whenever a key has no tag.
function tagRange(bytes: Uint8Array, start: number, end: number, open: number, close: number): void {
  tagStart = start;
  tagEnd = end;
  if (open < 0) return;
  const at = indexIn(bytes, open, start, end);
  if (at < 0) return;
  const stop = indexIn(bytes, close, at + 1, end);
  if (stop < 0) return;
  tagStart = at + 1;
  tagEnd = stop;
}

/** Token of the key `bytes[start, end)`, after hash-tag extraction. */
export function tokenOf(h: KeyHashing, bytes: Uint8Array, start: number, end: number): number {
  tagRange(bytes, start, end, h.tagOpen, h.tagClose);
  return HASH_FUNCTIONS[h.hashId]!(bytes, tagStart, tagEnd);
}

function keyToken(h: KeyHashing, bytes: Uint8Array, offsets: Uint32Array, k: number): number {
  return tokenOf(h, bytes, offsets[k]!, offsets[k + 1]!);
}

function findOverlaps(input: CoverageInput): Overlaps {
  const { groups, tokens, peers } = input;
  const order = Array.from({ length: tokens.length }, (_, i) => i);
  order.sort((a, b) => groups[a]! - groups[b]! || tokens[a]! - tokens[b]! || peers[a]! - peers[b]!);
  const og: number[] = [];
  const ot: number[] = [];
  const oa: number[] = [];
  const ob: number[] = [];
  for (let i = 0; i < order.length;) {
    const first = order[i]!;
    let prev = peers[first]!;
    let j = i + 1;
    for (; j < order.length && groups[order[j]!] === groups[first] && tokens[order[j]!] === tokens[first]; j++) {
      const peer = peers[order[j]!]!;
      if (peer !== prev) {
        og.push(groups[first]!);
        ot.push(tokens[first]!);
        oa.push(peers[first]!);
        ob.push(peer);
        prev = peer;
      }
    }
    i = j;
  }
  return { groups: Uint32Array.from(og), tokens: Uint32Array.from(ot), peerA: Uint32Array.from(oa), peerB: Uint32Array.from(ob) };
}

/** The TypeScript engine. */
export const jsKernel: Kernel = {
  name: 'js',
  dispatch,
  dispatchBatch(c, tokens, out) {
    for (let i = 0; i < tokens.length; i++) out[i] = dispatch(c, tokens[i]!);
  },
  hashKeys(h, bytes, offsets, out) {
    for (let k = 0; k < out.length; k++) out[k] = keyToken(h, bytes, offsets, k);
  },
  routeKeys(table: RouteTable, h, bytes, offsets, out) {
    const racks = table.racks;
    const keys = offsets.length - 1;
    for (let k = 0, o = 0; k < keys; k++) {
      const token = keyToken(h, bytes, offsets, k);
      for (let r = 0; r < racks.length; r++) out[o++] = dispatch(racks[r]!, token);
    }
  },
  findOverlaps,
};
