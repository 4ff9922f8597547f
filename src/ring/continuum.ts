import { NoTargetsError } from '../errors.js';
import { checkEngine, kernelFor, type Engine } from '../engine/engines.js';
import { layoutFor, type ContinuumData } from '../engine/kernel.js';
import type { Peer } from './peer.js';
import { MAX_TOKEN, TOKEN_SPACE, describe } from './token.js';

/** Checks a token given at run time (not from config) and names what is wrong. */
export function checkToken(token: unknown): number {
  if (typeof token !== 'number') throw new TypeError(`a token must be a number, got ${describe(token)}`);
  if (!Number.isInteger(token) || token < 0 || token > MAX_TOKEN) {
    throw new RangeError(`a token is an integer from 0 to ${MAX_TOKEN}, got ${token}`);
  }
  return token;
}

/**
 * One (datacenter, rack) ring: every (token, peer index) of the rack's peers,
 * sorted by token with ties broken by peer index, so the order never depends
 * on input order. Token `t` belongs to the first entry whose token is `>= t`,
 * wrapping to the first entry past the last token.
 */
export class Continuum {
  /** Number of (token, peer) entries. */
  readonly size: number;
  /** @internal The kernels' view of the entries. */
  readonly data: ContinuumData;

  /** @internal Use `topology.continuum(dc, rack)`. */
  constructor(
    readonly dc: string,
    readonly rack: string,
    peers: readonly Peer[],
    private readonly engine: Engine = 'auto',
  ) {
    checkEngine(engine);
    const entries: [number, number][] = [];
    for (const p of peers) for (const t of p.tokens) entries.push([t, p.index]);
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.size = entries.length;
    this.data = {
      tokens: Uint32Array.from(entries, (e) => e[0]),
      peers: Uint32Array.from(entries, (e) => e[1]),
      layout: layoutFor(entries.length),
    };
  }

  /** The entries in dispatch order, as `[token, peerIndex]` pairs. */
  entries(): [token: number, peer: number][] {
    return Array.from(this.data.tokens, (t, i) => [t, this.data.peers[i]!]);
  }

  /**
   * The peer index that owns `token`.
   *
   * @throws {NoTargetsError} when the rack has no tokens.
   * @throws {TypeError | RangeError} when `token` is not an integer from 0 to 4294967295.
   */
  dispatch(token: number): number {
    checkToken(token);
    this.checkNotEmpty();
    // Under auto, WebAssembly: crossing included, one S-tree walk (a few cache
    // lines) beats a JavaScript binary search (bench/cases/dispatch.mjs), at
    // every size, since the block stays resident between calls.
    return kernelFor(this.engine).dispatch(this.data, token);
  }

  /**
   * The owners of many tokens, in one call into the engine.
   *
   * @param out Where to write; a new array when omitted. Must have `tokens.length` entries.
   */
  dispatchBatch(tokens: Uint32Array, out?: Uint32Array): Uint32Array {
    if (!(tokens instanceof Uint32Array)) throw new TypeError(`dispatchBatch takes a Uint32Array of tokens, got ${describe(tokens)}`);
    const result = out ?? new Uint32Array(tokens.length);
    if (!(result instanceof Uint32Array) || result.length !== tokens.length) {
      throw new RangeError(`out must be a Uint32Array of ${tokens.length} entries (one per token)`);
    }
    if (tokens.length === 0) return result;
    this.checkNotEmpty();
    kernelFor(this.engine).dispatchBatch(this.data, tokens, result);
    return result;
  }

  /**
   * Each peer's share of the 2^32 token space: entry `i` owns
   * `(token[i-1], token[i]]`, the first entry also the wrap-around arc.
   * Shares sum to 1 in a non-empty rack; the map is empty for an empty one.
   */
  ownership(): Map<number, number> {
    const owned = new Map<number, number>();
    const { tokens, peers } = this.data;
    for (let i = 0; i < tokens.length; i++) {
      const arc = i === 0 ? TOKEN_SPACE - tokens[tokens.length - 1]! + tokens[0]! : tokens[i]! - tokens[i - 1]!;
      owned.set(peers[i]!, (owned.get(peers[i]!) ?? 0) + arc);
    }
    for (const [peer, arc] of owned) owned.set(peer, arc / TOKEN_SPACE);
    return owned;
  }

  /** @internal */
  checkNotEmpty(): void {
    if (this.size === 0) throw new NoTargetsError(this.dc, this.rack);
  }
}
