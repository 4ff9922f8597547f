/**
 * The in-memory hint store (docs/hints.md): per-peer FIFO queues of hints,
 * each with its own deadline heap, plus a heap of the peers by their
 * earliest deadline, so that `enqueue`, `takeFor`, `drain` and `expireNow`
 * each cost what they touch, not what is stored; payload bytes live in
 * shared slabs that are compacted so memory follows what is stored.
 */
import { HintDeliveryError } from '../../errors.js';
import { describe } from '../../ring/token.js';
import {
  checkDeliver,
  checkDrainOptions,
  checkExpireTime,
  checkHintArguments,
  checkLabels,
  checkMaxBytes,
  checkPeer,
  overCapacity,
  refuseHint,
  DeliveryWindow,
  type DeliverHint,
  type DrainOptions,
  type DrainResult,
  type Hint,
  type HintStoreStats,
  type WindowFailure,
} from '../hint.js';
import { DeadlineHeap } from './deadline-heap.js';
import { PayloadSlabs, SLAB_BYTES } from './payload-slabs.js';
import { PeerQueue } from './peer-queue.js';

/** Options of a {@link HintStore}; every field has a default, in {@link HINT_STORE_DEFAULTS}. */
export interface HintStoreOptions {
  /**
   * Cap on the sum of stored payload lengths, in bytes; 0 means no cap. The
   * store's payload memory stays within twice this plus 16 KiB (see
   * {@link HintStoreMemoryStats.heldBytes}); its index adds about 50 bytes
   * per hint.
   *
   * @default 64 MiB (67108864)
   */
  maxBytes?: number;
  /**
   * Monotonic clock in milliseconds; deadlines are read on it. Tests inject
   * one to move time without sleeping.
   *
   * @default performance.now
   */
  now?: () => number;
}

/**
 * The defaults of {@link HintStoreOptions}. `maxBytes` is 64 MiB: a store
 * must be bounded by default (an outage of a peer must not turn into an
 * out-of-memory crash of the client), and 64 MiB holds about a minute of
 * writes of 1 KiB at 1,000 per second, longer than most outages a hint TTL
 * is meant for, while its worst case (twice that) fits any server.
 */
export const HINT_STORE_DEFAULTS: Readonly<Required<HintStoreOptions>> = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  now: performance.now.bind(performance),
});

/** A snapshot of a {@link HintStore}'s counters. */
export interface HintStoreMemoryStats extends HintStoreStats {
  /**
   * Bytes of the buffers the store holds for payloads: at most twice
   * `maxBytes` plus 16 KiB (uncapped: twice the most bytes stored since the
   * last compaction, plus 16 KiB), whatever the pattern of sizes, expiries
   * and drains. (Payloads handed out by `takeFor` or `drain` are views into
   * these buffers, so a receiver that keeps one keeps its buffer alive too.)
   */
  heldBytes: number;
}

/**
 * Stores hints in memory, per peer, in arrival order, under a cap on payload
 * bytes.
 *
 * @example
 * ```ts
 * const store = new HintStore({ maxBytes: 16 * 1024 * 1024 });
 * store.enqueue(3, requestBytes, 60_000); // peer 3 is down: keep it for a minute
 * // ... later, when peer 3 is back:
 * await store.drain(3, (hint) => sendTo(hint.peer, hint.payload));
 * ```
 */
export class HintStore {
  /** The cap on stored payload bytes; 0 means no cap. */
  readonly maxBytes: number;
  private readonly clock: () => number;
  private readonly slabs = new PayloadSlabs();
  /** The queues of peers with hints; a queue leaves once empty. */
  private readonly queues = new Map<number, PeerQueue>();
  /** The same queues (by peer), by their earliest deadline. */
  private readonly due = new DeadlineHeap((peer, i) => {
    this.queues.get(peer)!.index = i;
  });
  /** Per peer, the end of the drains asked for, so they run one at a time. */
  private readonly drains = new Map<number, Promise<unknown>>();
  private count = 0;
  private bytes = 0;
  /** The most `bytes` since the last compaction: the memory bound of an uncapped store. */
  private peakBytes = 0;
  private expiredTotal = 0;
  private rejectedOverCapacityTotal = 0;
  private readonly labels = new Map<number, string>();

  /**
   * @param options - see {@link HintStoreOptions}; defaults in {@link HINT_STORE_DEFAULTS}.
   * @throws TypeError or RangeError if an option has the wrong type or range.
   */
  constructor(options: HintStoreOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`options must be an object such as { maxBytes: ${HINT_STORE_DEFAULTS.maxBytes} }, got ${describe(options)}`);
    }
    const { maxBytes = HINT_STORE_DEFAULTS.maxBytes, now = HINT_STORE_DEFAULTS.now } = options;
    this.maxBytes = checkMaxBytes(maxBytes);
    if (typeof now !== 'function') throw new TypeError('options.now must be a function returning milliseconds');
    this.clock = now;
  }

  /** The current time on this store's clock (ms), the clock deadlines are on. */
  now(): number {
    return this.clock();
  }

  /**
   * Stores a copy of `payload` for `peer`, due `ttlMs` from now. The store
   * copies the bytes, so the caller may reuse its buffer at once.
   *
   * @throws TypeError or RangeError, before anything changes, if `peer` is not a
   *   u32 integer, `payload` is not a `Uint8Array`, or `ttlMs` is negative,
   *   NaN or infinite.
   * @throws HintStoreError `ZeroTtl` if `ttlMs` is under 1 ms, then
   *   `EmptyPayload` if `payload` is empty, then `OverCapacity` if the bytes
   *   would exceed `maxBytes` (counted in `rejectedOverCapacityTotal`; nothing
   *   else changes).
   */
  enqueue(peer: number, payload: Uint8Array, ttlMs: number): void {
    checkHintArguments(peer, payload, ttlMs);
    refuseHint(peer, payload, ttlMs);
    const refusal = overCapacity(peer, payload.length, this.bytes, this.maxBytes);
    if (refusal !== undefined) {
      this.rejectedOverCapacityTotal++;
      throw refusal;
    }
    this.insert(peer, payload, this.clock() + ttlMs, false);
  }

  /**
   * Removes and returns all of `peer`'s hints, oldest first. Hints already
   * due (`deadline <= now`) are dropped and counted as expired instead. The
   * payloads are views of the store's buffers, never overwritten.
   *
   * @throws TypeError or RangeError if `peer` is not a u32 integer.
   */
  takeFor(peer: number): Hint[] {
    checkPeer(peer);
    const queue = this.queues.get(peer);
    if (queue === undefined) return [];
    const out: Hint[] = [];
    const expired = queue.takeAll(this.clock(), out);
    this.count -= queue.live;
    this.bytes -= queue.bytes;
    this.expiredTotal += expired;
    this.forget(queue);
    return out;
  }

  /**
   * Puts hints back at the front of `peer`'s queue, ahead of anything stored
   * since, keeping their order and original deadlines; for a caller of
   * {@link takeFor} whose delivery failed part way. Hints already due are
   * dropped and counted as expired, as if they had stayed queued. The store
   * copies the payloads.
   *
   * Requeued hints were accepted once, so this never refuses for space: it may
   * push `bytes` over `maxBytes` (by at most the bytes requeued), after which
   * `enqueue` refuses until drains or expiry bring `bytes` back under the cap.
   *
   * @returns how many hints were put back.
   * @throws TypeError or RangeError, before anything changes, if `peer` is not
   *   a u32 integer or a hint is malformed or meant for another peer.
   */
  requeueFront(peer: number, hints: readonly Hint[]): number {
    checkPeer(peer);
    if (!Array.isArray(hints)) throw new TypeError(`hints must be an array of hints, got ${describe(hints)}`);
    hints.forEach((hint, i) => checkRequeued(peer, hint, i));
    const now = this.clock();
    let requeued = 0;
    // Push front from the last to the first so the batch keeps its order.
    for (let i = hints.length - 1; i >= 0; i--) {
      const hint = hints[i]!;
      if (hint.deadline <= now) {
        this.expiredTotal++;
        continue;
      }
      this.insert(peer, hint.payload, hint.deadline, true);
      requeued++;
    }
    return requeued;
  }

  /**
   * Hands `peer`'s hints (those stored when the drain starts) to `deliver`,
   * oldest first, `options.window` at a time (one by default; see
   * {@link DrainOptions}). A hint stays stored, and counted in
   * {@link lenFor}, {@link totalLen}, {@link stats} and against `maxBytes`,
   * until `deliver` resolved for it and for every hint before it; then it is removed. A hint that falls
   * due before its turn is dropped and counted as expired, never delivered;
   * one that falls due while out for delivery is counted expired, not
   * delivered. Hints stored meanwhile wait behind these. Drains of one peer
   * run one after the other: a second waits for the first to end.
   *
   * `deliver` must settle: a delivery that never does holds up later drains
   * of that peer (a `HintDrainer` bounds each send with `sendTimeoutMs`).
   *
   * @throws {HintDeliveryError} when `deliver` rejects, with whatever value
   *   (its `cause`), once the deliveries still in flight have settled: that
   *   hint and the later ones stay at the front of the queue, in order, with
   *   their deadlines, and `result` has the counts.
   */
  drain(peer: number, deliver: DeliverHint, options?: DrainOptions): Promise<DrainResult> {
    checkPeer(peer);
    checkDeliver(deliver);
    const window = checkDrainOptions(options);
    const before = this.drains.get(peer);
    // With no drain of the peer running, start now, so the drain covers exactly the hints stored at the call.
    const run = before === undefined ? this.drainQueue(peer, deliver, window) : before.then(() => this.drainQueue(peer, deliver, window));
    const end = run.then(
      () => undefined,
      () => undefined,
    );
    this.drains.set(peer, end);
    void end.then(() => {
      if (this.drains.get(peer) === end) this.drains.delete(peer);
    });
    return run;
  }

  /**
   * Drops every hint with `deadline <= now`. Costs O(k log n) for k hints
   * dropped, never a walk of the store.
   *
   * @param now - the time to expire at (any number but NaN: `Infinity` drops
   *   every hint); default the store's clock.
   * @returns how many hints were dropped.
   * @throws TypeError or RangeError if `now` is given and is not a number or is NaN.
   */
  expireNow(now?: number): number {
    if (now === undefined) now = this.clock();
    else checkExpireTime(now);
    const due = this.due;
    let dropped = 0;
    while (due.size > 0 && due.firstKey() <= now) {
      const queue = this.queues.get(due.firstId())!;
      do {
        this.bytes -= queue.expireFirst();
        dropped++;
      } while (queue.live > 0 && queue.firstDeadline() <= now);
      this.settle(queue);
    }
    this.count -= dropped;
    this.expiredTotal += dropped;
    return dropped;
  }

  /** How many hints are stored, over all peers, including those out for delivery. */
  totalLen(): number {
    return this.count;
  }

  /**
   * How many hints are stored for `peer`, including those out for delivery.
   *
   * @throws TypeError or RangeError if `peer` is not a u32 integer.
   */
  lenFor(peer: number): number {
    checkPeer(peer);
    return this.queues.get(peer)?.live ?? 0;
  }

  /** The peers that have at least one hint stored, in ascending order. */
  peersWithHints(): number[] {
    return [...this.queues.keys()].sort((a, b) => a - b);
  }

  /**
   * Records what peer numbers stand for (see {@link checkLabels}); peers
   * not named keep theirs. A coordinator records each peer's `host:port`,
   * in the same turn as it changes its numbering (this is synchronous in
   * both stores).
   *
   * @throws TypeError or RangeError for labels {@link checkLabels} refuses; nothing is recorded then.
   */
  setLabels(labels: ReadonlyMap<number, string>): void {
    for (const [peer, label] of checkLabels(labels)) this.labels.set(peer, label);
  }

  /**
   * The label {@link setLabels} recorded for `peer`, if any.
   *
   * @throws TypeError or RangeError if `peer` is not a u32 integer.
   */
  labelOf(peer: number): string | undefined {
    checkPeer(peer);
    return this.labels.get(peer);
  }

  /** A snapshot of the store's counters. */
  stats(): HintStoreMemoryStats {
    return {
      hintCount: this.count,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      expiredTotal: this.expiredTotal,
      rejectedOverCapacityTotal: this.rejectedOverCapacityTotal,
      heldBytes: this.slabs.held,
    };
  }

  /** Delivers `peer`'s hints in place, `window` at a time; the body of {@link drain}. */
  private async drainQueue(peer: number, deliver: DeliverHint, window: number): Promise<DrainResult> {
    const result: DrainResult = { delivered: 0, expired: 0, left: 0 };
    const queue = this.queues.get(peer);
    if (queue === undefined) return result;
    queue.startDrain();
    // The queue leaves the store when emptied or taken: then the drain is over.
    const current = () => this.queues.get(peer) === queue;
    const inFlight = new DeliveryWindow<number>(window);
    // The next position to hand out; from the front whenever nothing is out (hints requeued at the front go first).
    let next = queue.head;
    // The front when last looked at: one further forward means hints were requeued there, and they go next.
    let front = queue.head;
    try {
      for (;;) {
        if (inFlight.length === 0 || ((queue.head - front) | 0) < 0) next = queue.head;
        front = queue.head;
        while (!inFlight.full && current()) {
          const pos = queue.nextToDrain(next);
          if (Number.isNaN(pos)) break;
          next = (pos + 1) | 0;
          if (queue.deadlineAt(pos) <= this.clock()) {
            this.removeHint(queue, pos);
            this.expiredTotal++;
            result.expired++;
            continue;
          }
          queue.sendAt(pos);
          inFlight.add(pos, deliver, queue.hintAt(pos));
        }
        if (inFlight.length === 0) return result;
        let pos: number;
        try {
          pos = await inFlight.oldest();
        } catch (failure) {
          result.left = current() ? queue.drainLeft() : 0;
          throw new HintDeliveryError((failure as WindowFailure).cause, result);
        }
        // Expired or taken while out for delivery: counted then, not delivered.
        if (!current() || !queue.stillOut(pos)) continue;
        this.removeHint(queue, pos);
        result.delivered++;
      }
    } finally {
      queue.endDrain();
    }
  }

  /** Stores a copy of a hint at the back (or front) of its peer's queue. */
  private insert(peer: number, payload: Uint8Array, deadline: number, front: boolean): void {
    let queue = this.queues.get(peer);
    if (queue === undefined) {
      this.queues.set(peer, (queue = new PeerQueue(peer, this.slabs)));
      queue.push(payload, deadline, front);
      this.due.push(deadline, peer);
    } else {
      const earliest = queue.firstDeadline();
      queue.push(payload, deadline, front);
      if (deadline < earliest) this.due.update(queue.index, deadline);
    }
    this.count++;
    this.bytes += payload.length;
    if (this.bytes > this.peakBytes) this.peakBytes = this.bytes;
    this.compactIfWasteful();
  }

  /** Removes one delivered or expired hint. */
  private removeHint(queue: PeerQueue, pos: number): void {
    this.bytes -= queue.remove(pos);
    this.count--;
    this.settle(queue);
  }

  /** After removals from `queue`: drops it if empty, else re-keys it by its earliest deadline. */
  private settle(queue: PeerQueue): void {
    if (queue.live === 0) this.forget(queue);
    else this.due.update(queue.index, queue.firstDeadline());
  }

  /** Takes `queue` out of the store. */
  private forget(queue: PeerQueue): void {
    this.due.removeAt(queue.index);
    this.queues.delete(queue.peer);
  }

  /**
   * Copies every small payload into fresh slabs once the buffers hold more
   * than twice the cap plus a slab (uncapped: twice the most bytes stored
   * since the last compaction). Only storing grows the buffers, so only
   * `insert` checks. Costs O(live bytes), paid for by the at least as many
   * bytes stored since the last compaction; a store that only drains never
   * compacts (its slabs empty and go as it drains).
   */
  private compactIfWasteful(): void {
    const bound = this.maxBytes > 0 ? Math.max(this.maxBytes, this.bytes) : this.peakBytes;
    if (this.slabs.held <= 2 * bound + SLAB_BYTES) return;
    this.slabs.restart();
    for (const queue of this.queues.values()) queue.relocate();
    this.peakBytes = this.bytes;
  }
}

function checkRequeued(peer: number, hint: Hint, i: number): void {
  if (typeof hint !== 'object' || hint === null) throw new TypeError(`hints[${i}] must be a hint object, got ${describe(hint)}`);
  if (hint.peer !== peer)
    throw new RangeError(`hints[${i}] is for peer ${hint.peer}, not peer ${peer}; requeue each peer's hints separately`);
  if (!(hint.payload instanceof Uint8Array) || hint.payload.length === 0) {
    throw new TypeError(`hints[${i}].payload must be a non-empty Uint8Array, got ${describe(hint.payload)}`);
  }
  if (typeof hint.deadline !== 'number' || Number.isNaN(hint.deadline)) {
    throw new TypeError(`hints[${i}].deadline must be a number of milliseconds, got ${describe(hint.deadline)}`);
  }
}
