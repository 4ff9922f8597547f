/**
 * The hint contract, the one module both hint stores (`HintStore` in memory,
 * `DurableHintStore` on disk) and the {@link HintDrainer} are written
 * against: the hint type, what a drain reports, the counters both stores
 * keep, and the checks and refusals of `enqueue`, so both stores check the
 * same things, in the same order, with the same messages.
 *
 * The delivery promise: `drain(peer, deliver)` hands a peer's hints to
 * `deliver` oldest first and removes each only after `deliver` resolved for
 * it, so a failed delivery never loses a hint (at-least-once: a crash or a
 * lost acknowledgement may deliver one twice).
 */
import { HintStoreError } from '../errors.js';
import { describe } from '../ring/token.js';

/** A hint: request bytes kept for a peer that could not take them yet. */
export interface Hint {
  /** Index of the peer the request was meant for. */
  readonly peer: number;
  /** The request bytes exactly as they go on the wire (the store's copy, not the caller's buffer). */
  readonly payload: Uint8Array;
  /**
   * Absolute deadline on the store's clock, in ms; the hint is due (dropped,
   * never delivered) once `deadline <= now`.
   */
  readonly deadline: number;
}

/** Delivers one hint: resolves once the peer has it, rejects (or throws) if not. */
export type DeliverHint = (hint: Hint) => Promise<void>;

/** What one `drain` did. */
export interface DrainResult {
  /** Hints `deliver` accepted; they are gone from the store. */
  delivered: number;
  /** Hints found past their deadline and dropped without delivery. */
  expired: number;
  /**
   * Hints the drain started with that are still stored, in order, with their
   * deadlines: after `deliver` rejected, or when the store was closed.
   */
  left: number;
}

/** The counters every hint store keeps; each store's `stats()` returns at least these. */
export interface HintStoreStats {
  /** Hints stored now, including those out for delivery in a drain. */
  hintCount: number;
  /** Sum of the stored payloads' lengths, including those out for delivery. */
  bytes: number;
  /** The cap on `bytes`; 0 means no cap. */
  maxBytes: number;
  /** Hints dropped because their deadline passed, since the store was made. */
  expiredTotal: number;
  /** `enqueue` calls refused with `OverCapacity`, since the store was made. */
  rejectedOverCapacityTotal: number;
}

/** Options of a drain. */
export interface DrainOptions {
  /**
   * Deliveries in flight at once: with more than one, a replay over one
   * connection is pipelined instead of paying a round trip per hint. Hints
   * are still handed out oldest first, and each is removed only once it and
   * every hint before it were delivered; after a rejection, the hints after
   * the failed one stay stored too, even those already delivered, and are
   * delivered again by the next drain (at-least-once, and in order). A
   * `deliver` must therefore keep the order it is called in (one connection
   * does). Between 1 and {@link MAX_DRAIN_WINDOW}.
   * @default 1
   */
  window?: number;
}

/** Largest drain window: more in flight buys nothing over one connection and holds more payload views. */
export const MAX_DRAIN_WINDOW = 65_536;

/**
 * Checks a drain's options.
 *
 * @returns the window.
 * @throws TypeError or RangeError unless `options` is undefined or an object whose
 *   `window`, if given, is an integer from 1 to {@link MAX_DRAIN_WINDOW}.
 */
export function checkDrainOptions(options: unknown): number {
  if (options === undefined) return 1;
  if (typeof options !== 'object' || options === null) throw new TypeError(`drain options must be an object, got ${describe(options)}`);
  const { window = 1 } = options as DrainOptions;
  return checkWindow(window, 'options.window');
}

/**
 * Checks a drain window wherever one is given (a drain's options, a
 * `HintDrainer`'s, a coordinator's `hintReplayWindow`), naming it `name`.
 *
 * @returns the window.
 * @throws TypeError or RangeError unless it is an integer from 1 to {@link MAX_DRAIN_WINDOW}.
 */
export function checkWindow(window: unknown, name: string): number {
  if (typeof window !== 'number') throw new TypeError(`${name} must be a number of deliveries, got ${typeof window}`);
  if (!Number.isInteger(window) || window < 1 || window > MAX_DRAIN_WINDOW) {
    throw new RangeError(`${name} must be an integer from 1 to ${MAX_DRAIN_WINDOW}, got ${window}`);
  }
  return window;
}

/** The methods a {@link HintDrainer} calls on its store. */
export const DRAINABLE_METHODS = ['drain', 'peersWithHints', 'expireNow'] as const;

/** Whether `value` is an object with a function under each of `names` (how a store passed in is recognised). */
export function hasMethods(value: unknown, names: readonly string[]): boolean {
  return typeof value === 'object' && value !== null && names.every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
}

/**
 * The deliveries of one drain in flight, oldest first. Internal to the
 * stores: they hand out with {@link add} while {@link full} is false and
 * settle strictly in order with {@link oldest}.
 *
 * @internal
 */
export class DeliveryWindow<T> {
  private readonly items: T[] = [];
  private readonly outcomes: Promise<{ failed: false } | { failed: true; cause: unknown }>[] = [];
  private head = 0;

  constructor(private readonly size: number) {}

  /** Deliveries in flight. */
  get length(): number {
    return this.items.length - this.head;
  }

  get full(): boolean {
    return this.length >= this.size;
  }

  /** Starts delivering `hint` (its place is `item`); a `deliver` that throws counts as a rejection. */
  add(item: T, deliver: DeliverHint, hint: Hint): void {
    this.items.push(item);
    this.outcomes.push(
      new Promise<void>((resolve) => resolve(deliver(hint))).then(
        () => ({ failed: false }) as const,
        (cause: unknown) => ({ failed: true, cause }) as const,
      ),
    );
  }

  /**
   * Waits for the oldest delivery and returns its item.
   *
   * @throws {WindowFailure} when it rejected, once every later one has settled too (they stay stored).
   */
  async oldest(): Promise<T> {
    const outcome = await this.outcomes[this.head]!;
    if (outcome.failed) {
      await Promise.all(this.outcomes.slice(this.head + 1));
      throw new WindowFailure(outcome.cause);
    }
    const item = this.items[this.head]!;
    this.items[this.head] = undefined as never;
    this.outcomes[this.head++] = undefined as never;
    if (this.head === this.items.length) {
      this.items.length = this.outcomes.length = this.head = 0;
    }
    return item;
  }
}

/** A delivery of a {@link DeliveryWindow} rejected with `cause`. @internal */
export class WindowFailure {
  constructor(readonly cause: unknown) {}
}

/** A store a {@link HintDrainer} can drain: `HintStore` and `DurableHintStore` both are. */
export interface DrainableHintStore {
  /** Peers that have hints, ascending. */
  peersWithHints(): number[];
  /** Drops every hint that is due; returns (or resolves to) how many. */
  expireNow(): number | Promise<number>;
  /**
   * Hands `peer`'s hints to `deliver`, oldest first, removing each after
   * `deliver` resolved (for it and every hint before it); hints that are due
   * are dropped instead.
   *
   * @throws {HintDeliveryError} when `deliver` rejects (with any value, Error
   *   or not: it is the error's `cause`).
   */
  drain(peer: number, deliver: DeliverHint, options?: DrainOptions): Promise<DrainResult>;
}

/** Largest peer index: Dynomite numbers peers with a u32. */
const U32_MAX = 0xffff_ffff;

/**
 * Shortest TTL a hint may have, in ms. A shorter one is refused as `ZeroTtl`:
 * on a clock in ms, `now + 1e-12` rounds to `now`, so the hint would be due
 * the moment it is stored.
 */
export const MIN_TTL_MS = 1;

/** @throws TypeError or RangeError unless `peer` is a peer index (a u32 integer). */
export function checkPeer(peer: unknown): asserts peer is number {
  if (typeof peer !== 'number') throw new TypeError(`peer must be a peer index (u32 integer), got ${typeof peer}`);
  if (!Number.isInteger(peer) || peer < 0 || peer > U32_MAX) {
    throw new RangeError(`peer must be a peer index, an integer from 0 to ${U32_MAX}, got ${peer}`);
  }
}

/**
 * The type checks of `enqueue(peer, payload, ttlMs)`, made before anything
 * else: a wrong type is a bug in the caller, not a refusal.
 *
 * @throws TypeError or RangeError if `peer` is not a u32 integer, `payload`
 *   is not a `Uint8Array`, or `ttlMs` is not a finite number >= 0.
 */
export function checkHintArguments(peer: unknown, payload: unknown, ttlMs: unknown): asserts payload is Uint8Array {
  checkPeer(peer);
  if (!(payload instanceof Uint8Array)) {
    throw new TypeError(`payload must be a Uint8Array (the request bytes), got ${describe(payload)}`);
  }
  if (typeof ttlMs !== 'number') throw new TypeError(`ttlMs must be a number of milliseconds, got ${typeof ttlMs}`);
  if (!Number.isFinite(ttlMs) || ttlMs < 0) {
    throw new RangeError(`ttlMs must be a finite number of milliseconds >= ${MIN_TTL_MS}, got ${ttlMs}`);
  }
}

/**
 * The first two refusals of `enqueue`, in the contract's order: `ZeroTtl`
 * (a TTL under {@link MIN_TTL_MS}), then `EmptyPayload`. Call after
 * {@link checkHintArguments}; the store checks `OverCapacity` last, with
 * {@link overCapacity}.
 *
 * @throws HintStoreError `ZeroTtl` or `EmptyPayload`.
 */
export function refuseHint(peer: number, payload: Uint8Array, ttlMs: number): void {
  if (ttlMs < MIN_TTL_MS) {
    throw new HintStoreError(
      'ZeroTtl',
      `hint for peer ${peer} has a TTL of ${ttlMs} ms, under ${MIN_TTL_MS} ms, so it would be due at once; pass ttlMs >= ${MIN_TTL_MS}`,
    );
  }
  if (payload.length === 0) {
    throw new HintStoreError('EmptyPayload', `hint for peer ${peer} has an empty payload; a hint must carry the request bytes`);
  }
}

/**
 * The last refusal of `enqueue`: whether a `size`-byte hint for `peer` fits
 * under `maxBytes` with `used` bytes stored.
 *
 * @returns the `OverCapacity` error to throw (after counting it in
 *   `rejectedOverCapacityTotal`), or `undefined` if the hint fits.
 */
export function overCapacity(peer: number, size: number, used: number, maxBytes: number): HintStoreError | undefined {
  if (maxBytes === 0 || used + size <= maxBytes) return undefined;
  return new HintStoreError(
    'OverCapacity',
    `hint store is full: ${used} of ${maxBytes} bytes used, a ${size}-byte hint for peer ${peer} does not fit; ` +
      'drain or expire hints, or raise maxBytes',
    maxBytes,
  );
}

/**
 * Checks a store's `maxBytes` option.
 *
 * @returns `maxBytes`.
 * @throws TypeError or RangeError unless it is a safe integer >= 0 (0: no cap).
 */
export function checkMaxBytes(maxBytes: unknown): number {
  if (typeof maxBytes !== 'number') throw new TypeError(`options.maxBytes must be a number of bytes, got ${typeof maxBytes}`);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`options.maxBytes must be a non-negative safe integer (0 for no cap), got ${maxBytes}`);
  }
  return maxBytes;
}

/**
 * Checks the `now` argument of `expireNow(now)`. Any number but NaN: `Infinity`
 * expires every hint, `-Infinity` none.
 *
 * @throws TypeError or RangeError if `now` is not a number or is NaN.
 */
export function checkExpireTime(now: unknown): asserts now is number {
  if (typeof now !== 'number') throw new TypeError(`now must be a number of milliseconds, got ${typeof now}`);
  if (Number.isNaN(now)) throw new RangeError('now must be a number of milliseconds, got NaN');
}

/** Longest peer label, in UTF-16 code units: a label names a server (`host:port`), it is not data. */
export const MAX_LABEL_LENGTH = 1024;

/**
 * The argument checks of `setLabels(labels)`: what each peer number stands
 * for, as both stores record it (a coordinator records each peer's
 * `host:port`, so that a later user of the store that numbers its peers
 * differently is caught before it replays hints to the wrong server).
 *
 * @returns the labels as entries.
 * @throws TypeError or RangeError unless `labels` is a `Map` from peer
 *   indexes to non-empty strings of at most {@link MAX_LABEL_LENGTH}.
 */
export function checkLabels(labels: unknown): Array<[number, string]> {
  if (!(labels instanceof Map)) throw new TypeError(`labels must be a Map from peer index to label, got ${describe(labels)}`);
  const entries = [...(labels as Map<unknown, unknown>)];
  for (const [peer, label] of entries) {
    checkPeer(peer);
    if (typeof label !== 'string') throw new TypeError(`the label of peer ${peer} must be a string, got ${describe(label)}`);
    if (label === '' || label.length > MAX_LABEL_LENGTH) {
      throw new RangeError(`the label of peer ${peer} must have 1 to ${MAX_LABEL_LENGTH} characters, got ${label.length}`);
    }
  }
  return entries as Array<[number, string]>;
}

/** @throws TypeError unless `deliver` is a function. */
export function checkDeliver(deliver: unknown): asserts deliver is DeliverHint {
  if (typeof deliver !== 'function') throw new TypeError('deliver must be a function (hint) => Promise<void>');
}
