/**
 * The in-memory hint store (docs/design.md §5): per-peer FIFO queues of
 * hints, each with its own deadline heap, plus a heap of the peers by their
 * earliest deadline, so that `enqueue`, `takeFor` and `expireNow` each cost
 * what they touch, not what is stored.
 */
import { HintDeliveryError, HintStoreError } from '../../errors.js';
import type { DrainResult } from '../hint.js';

/** A hint: request bytes kept for a peer that could not take them yet. */
export interface Hint {
  /** Index of the peer the request was meant for. */
  readonly peer: number;
  /** The request bytes exactly as they go on the wire. */
  readonly payload: Uint8Array;
  /** Absolute deadline on the store's clock (ms); due when `deadline <= now`. */
  readonly deadline: number;
}

/** A snapshot of a {@link HintStore}'s counters. */
export interface HintStoreStats {
  /** Hints stored now. */
  hintCount: number;
  /** Sum of the stored payloads' lengths, exact at every moment. */
  bytes: number;
  /** The cap on `bytes`; 0 means no cap. */
  maxBytes: number;
  /** Hints dropped because their deadline passed, since the store was made. */
  expiredTotal: number;
  /** `enqueue` calls refused with `OverCapacity`, since the store was made. */
  rejectedOverCapacityTotal: number;
}

/** Options of a {@link HintStore}. */
export interface HintStoreOptions {
  /**
   * Monotonic clock in milliseconds; deadlines are read on it.
   * Default `performance.now`. Tests inject one to move time without sleeping.
   */
  now?: () => number;
}

const U32_MAX = 0xffff_ffff;

/**
 * Stores hints in memory, per peer, in arrival order, under an optional cap
 * on payload bytes.
 *
 * @example
 * ```ts
 * const store = new HintStore(64 * 1024 * 1024);
 * store.enqueue(3, requestBytes, 60_000); // peer 3 is down: keep it for a minute
 * for (const hint of store.takeFor(3)) await sendTo(hint.peer, hint.payload);
 * ```
 */
export class HintStore {
  /** The cap on stored payload bytes; 0 means no cap. */
  readonly maxBytes: number;
  private readonly clock: () => number;
  /** The queues of peers with hints; a queue leaves once empty. */
  private readonly queues = new Map<number, PeerQueue>();
  /** The same queues, by their earliest deadline. */
  private readonly due = new QueueHeap();
  private count = 0;
  private bytes = 0;
  private expiredTotal = 0;
  private rejectedOverCapacityTotal = 0;

  /**
   * @param maxBytes - cap on the sum of stored payload lengths; 0 means no cap.
   * @param options - see {@link HintStoreOptions}.
   * @throws TypeError or RangeError if `maxBytes` is not a non-negative safe integer.
   */
  constructor(maxBytes: number, options: HintStoreOptions = {}) {
    if (typeof maxBytes !== 'number') throw new TypeError(`maxBytes must be a number, got ${typeof maxBytes}`);
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
      throw new RangeError(`maxBytes must be a non-negative safe integer (0 for no cap), got ${maxBytes}`);
    }
    const now = options.now ?? performance.now.bind(performance);
    if (typeof now !== 'function') throw new TypeError('options.now must be a function returning milliseconds');
    this.maxBytes = maxBytes;
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
   * @throws HintStoreError `ZeroTtl` if `ttlMs` is 0, then `EmptyPayload` if
   *   `payload` is empty, then `OverCapacity` if the bytes would exceed
   *   `maxBytes` (counted in `rejectedOverCapacityTotal`; nothing else changes).
   */
  enqueue(peer: number, payload: Uint8Array, ttlMs: number): void {
    checkPeer(peer);
    if (!(payload instanceof Uint8Array)) {
      throw new TypeError(`payload must be a Uint8Array (the request bytes), got ${describe(payload)}`);
    }
    if (typeof ttlMs !== 'number') throw new TypeError(`ttlMs must be a number of milliseconds, got ${typeof ttlMs}`);
    if (!(ttlMs >= 0) || ttlMs === Infinity) {
      throw new RangeError(`ttlMs must be a finite number of milliseconds > 0, got ${ttlMs}`);
    }
    if (ttlMs === 0) {
      throw new HintStoreError('ZeroTtl', `hint for peer ${peer} has a TTL of 0 ms, so it would be due at once; pass ttlMs > 0`);
    }
    const size = payload.length;
    if (size === 0) {
      throw new HintStoreError('EmptyPayload', `hint for peer ${peer} has an empty payload; a hint must carry the request bytes`);
    }
    if (this.maxBytes > 0 && this.bytes + size > this.maxBytes) {
      this.rejectedOverCapacityTotal++;
      throw new HintStoreError(
        'OverCapacity',
        `hint store is full: ${this.bytes} of ${this.maxBytes} bytes used, a ${size}-byte hint for peer ${peer} does not fit; ` +
          'drain or expire hints, or raise maxBytes',
        this.maxBytes,
      );
    }
    this.insert(peer, payload, this.clock() + ttlMs, false);
  }

  /**
   * Removes and returns all of `peer`'s hints, oldest first. Hints already
   * due (`deadline <= now`) are dropped and counted as expired instead.
   *
   * @throws TypeError or RangeError if `peer` is not a u32 integer.
   */
  takeFor(peer: number): Hint[] {
    checkPeer(peer);
    const queue = this.queues.get(peer);
    if (queue === undefined) return [];
    // The queue goes with its slabs: the payloads returned are views of them.
    this.queues.delete(peer);
    this.due.remove(queue);
    const now = this.clock();
    const { meta, bufs, mask } = queue;
    const out: Hint[] = [];
    let bytes = 0;
    let expired = 0;
    for (let i = 0, pos = queue.head; i < queue.length; i++, pos = (pos + 1) | 0) {
      const slot = pos & mask;
      const buf = bufs[slot];
      if (buf === undefined) continue; // a hint expired out of order
      const m = slot * STRIDE;
      const size = meta[m + SIZE]!;
      const deadline = meta[m + DEADLINE]!;
      bytes += size;
      if (deadline <= now) expired++;
      else out.push({ peer, payload: new Uint8Array(buf, meta[m + OFFSET], size), deadline });
    }
    this.count -= queue.live;
    this.bytes -= bytes;
    this.expiredTotal += expired;
    return out;
  }

  /**
   * Puts hints back at the front of `peer`'s queue, ahead of anything stored
   * since, keeping their order and original deadlines; for a drainer whose
   * delivery failed part way. Hints already due are dropped and counted as
   * expired, as if they had stayed queued. The store copies the payloads.
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
   * Hands `peer`'s hints to `deliver`, oldest first, one at a time; a hint
   * counts as delivered once `deliver` resolved for it. A hint that falls due
   * before its turn is dropped and counted as expired, never delivered. Hints
   * stored meanwhile wait behind these. Run one drain of a peer at a time (a
   * `HintDrainer` does): a second one would take the newer hints while the
   * first still holds the older ones.
   *
   * @throws {HintDeliveryError} when `deliver` rejects: that hint and the
   *   later ones are back at the front of the queue, in order, with their
   *   deadlines (see {@link requeueFront}), and `result` has the counts.
   */
  async drain(peer: number, deliver: (hint: Hint) => Promise<void>): Promise<DrainResult> {
    if (typeof deliver !== 'function') throw new TypeError('deliver must be a function returning a promise');
    const expiredBefore = this.expiredTotal;
    const hints = this.takeFor(peer);
    const result: DrainResult = { delivered: 0, expired: this.expiredTotal - expiredBefore, left: 0 };
    for (let i = 0; i < hints.length; i++) {
      const hint = hints[i]!;
      if (hint.deadline <= this.clock()) {
        this.expiredTotal++;
        result.expired++;
        continue;
      }
      try {
        await deliver(hint);
      } catch (cause) {
        const rest = hints.slice(i);
        result.left = this.requeueFront(peer, rest);
        result.expired += rest.length - result.left;
        throw new HintDeliveryError(cause, result);
      }
      result.delivered++;
    }
    return result;
  }

  /**
   * Drops every hint with `deadline <= now`. Costs O(k log n) for k hints
   * dropped, never a walk of the store.
   *
   * @param now - the time to expire at; default the store's clock.
   * @returns how many hints were dropped.
   * @throws TypeError or RangeError if `now` is given and is not a number or is NaN.
   */
  expireNow(now?: number): number {
    if (now === undefined) now = this.clock();
    else if (typeof now !== 'number') throw new TypeError(`now must be a number of milliseconds, got ${typeof now}`);
    else if (Number.isNaN(now)) throw new RangeError('now must be a number of milliseconds, got NaN');
    const due = this.due;
    let dropped = 0;
    for (let queue = due.first(); queue !== undefined && queue.firstDeadline() <= now; queue = due.first()) {
      do {
        this.bytes -= queue.expireFirst();
        dropped++;
      } while (queue.live > 0 && queue.firstDeadline() <= now);
      if (queue.live > 0) due.later(queue);
      else {
        due.remove(queue);
        this.queues.delete(queue.peer);
      }
    }
    this.count -= dropped;
    this.expiredTotal += dropped;
    return dropped;
  }

  /** How many hints are stored, over all peers. */
  totalLen(): number {
    return this.count;
  }

  /**
   * How many hints are stored for `peer`.
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

  /** A snapshot of the store's counters. */
  stats(): HintStoreStats {
    return {
      hintCount: this.count,
      bytes: this.bytes,
      maxBytes: this.maxBytes,
      expiredTotal: this.expiredTotal,
      rejectedOverCapacityTotal: this.rejectedOverCapacityTotal,
    };
  }

  /** Stores a copy of a hint at the back (or front) of its peer's queue. */
  private insert(peer: number, payload: Uint8Array, deadline: number, front: boolean): void {
    let queue = this.queues.get(peer);
    if (queue === undefined) {
      this.queues.set(peer, (queue = new PeerQueue(peer)));
      queue.push(payload, deadline, front);
      this.due.add(queue);
    } else {
      const earliest = queue.firstDeadline();
      queue.push(payload, deadline, front);
      if (deadline < earliest) this.due.sooner(queue);
    }
    this.count++;
    this.bytes += payload.length;
  }
}

// Per-hint metadata, STRIDE doubles per ring slot of a queue's `meta` (no
// object per hint: collecting those cost more than everything else did).
const STRIDE = 3;
const DEADLINE = 0;
const OFFSET = 1;
const SIZE = 2;
// A queue's deadline heap: DUE_STRIDE doubles per entry, deadline and position.
const DUE_STRIDE = 2;
const QUEUE_MIN_SLOTS = 16;

// Small payloads are copied into per-peer slabs: one typed-array allocation
// per hint (off-heap above 64 bytes in V8) costs far more than the copy.
// Slabs are per peer, so a peer that stays down pins only its own slabs, and
// `takeFor` hands the whole slab over with the hints it holds.
const SLAB_MIN_BYTES = 1024;
const SLAB_MAX_BYTES = 16 * 1024;
// Larger payloads get their own buffer; never more than a fresh slab holds.
const OWN_BUFFER_BYTES = SLAB_MIN_BYTES;

/**
 * One peer's hints: a ring-buffer deque in arrival order, whose slots may be
 * tombstones (hints expired out of order; `live` counts the others), and a
 * binary min-heap of (deadline, position) with exactly one entry per live
 * hint. A hint's position is an int32 that stays put while it is queued
 * (growth keeps positions, pushing at the front takes `head - 1`), so heap
 * entries stay valid until the queue is compacted, which rebuilds the heap.
 * Nothing else removes a hint but `takeFor`, which drops the whole queue, so
 * the heap never holds stale entries.
 */
class PeerQueue {
  live = 0;
  /** Position of the first slot; positions wrap around as int32. */
  head = 0;
  /** Slots in use from `head`, tombstones included. */
  length = 0;
  mask = QUEUE_MIN_SLOTS - 1;
  meta = new Float64Array(QUEUE_MIN_SLOTS * STRIDE);
  /**
   * The buffer each slot's payload is in; undefined for a tombstone, so the
   * slab can be freed. ArrayBuffers, because `view.buffer` calls into C++.
   */
  bufs: (ArrayBuffer | undefined)[] = new Array<ArrayBuffer | undefined>(QUEUE_MIN_SLOTS);
  /** Where this queue is in the store's {@link QueueHeap}; -1 when out of it. */
  index = -1;
  /** The deadline heap, `live` entries. */
  private due = new Float64Array(QUEUE_MIN_SLOTS * DUE_STRIDE);
  private slab: Uint8Array | null = null;
  private slabBuffer: ArrayBuffer | null = null;
  private slabUsed = 0;
  private nextSlabBytes = SLAB_MIN_BYTES;

  constructor(readonly peer: number) {}

  /** The earliest deadline of its hints; Infinity if it has none. */
  firstDeadline(): number {
    return this.live > 0 ? this.due[0]! : Infinity;
  }

  /** Stores a copy of a hint after (or before) the others. */
  push(payload: Uint8Array, deadline: number, front: boolean): void {
    if (this.length > this.mask) this.grow();
    let pos: number;
    if (front) this.head = pos = (this.head - 1) | 0;
    else pos = (this.head + this.length) | 0;
    this.length++;
    const size = payload.length;
    let buf: ArrayBuffer;
    let offset = 0;
    if (size > OWN_BUFFER_BYTES) {
      buf = new ArrayBuffer(size);
      new Uint8Array(buf).set(payload);
    } else {
      let slab = this.slab;
      if (slab === null || this.slabUsed + size > slab.length) {
        this.slabBuffer = new ArrayBuffer(this.nextSlabBytes);
        this.slab = slab = new Uint8Array(this.slabBuffer);
        this.slabUsed = 0;
        this.nextSlabBytes = Math.min(SLAB_MAX_BYTES, this.nextSlabBytes * 2);
      }
      offset = this.slabUsed;
      slab.set(payload, offset);
      this.slabUsed = offset + size;
      buf = this.slabBuffer!;
    }
    const slot = pos & this.mask;
    const m = slot * STRIDE;
    const meta = this.meta;
    meta[m + DEADLINE] = deadline;
    meta[m + OFFSET] = offset;
    meta[m + SIZE] = size;
    this.bufs[slot] = buf;
    this.siftUp(this.live++, deadline, pos);
  }

  /**
   * Drops the hint with the earliest deadline and returns its size. Drops
   * tombstones at the front at once, and compacts once tombstones outnumber
   * live hints or the ring is mostly empty, so memory follows what is stored
   * and the cost stays amortised O(log n) per expired hint.
   */
  expireFirst(): number {
    const due = this.due;
    const slot = due[1]! & this.mask;
    const size = this.meta[slot * STRIDE + SIZE]!;
    this.bufs[slot] = undefined;
    const last = --this.live * DUE_STRIDE;
    if (this.live > 0) this.siftDown(0, due[last]!, due[last + 1]!);
    while (this.length > 0 && this.bufs[this.head & this.mask] === undefined) {
      this.head = (this.head + 1) | 0;
      this.length--;
    }
    if (this.live > 0 && (this.length - this.live > this.live + 32 || this.mask >= 8 * Math.max(this.length, QUEUE_MIN_SLOTS))) {
      this.compact();
    }
    return size;
  }

  /** Moves the live hints to the front of a right-sized ring and rebuilds the heap. */
  private compact(): void {
    let slots = QUEUE_MIN_SLOTS;
    while (slots < this.live) slots *= 2;
    this.relayout(slots, true);
    const due = this.due;
    for (let i = 0; i < this.live; i++) {
      due[i * DUE_STRIDE] = this.meta[i * STRIDE + DEADLINE]!;
      due[i * DUE_STRIDE + 1] = i;
    }
    for (let i = (this.live >> 1) - 1; i >= 0; i--) this.siftDown(i, due[i * DUE_STRIDE]!, i);
  }

  /** Doubles the slots, keeping every hint at its position. */
  private grow(): void {
    this.relayout((this.mask + 1) * 2, false);
  }

  /**
   * Copies the ring into `slots` slots: keeping positions, or (`pack`)
   * dropping tombstones and numbering the live hints from 0.
   */
  private relayout(slots: number, pack: boolean): void {
    const { meta, bufs, mask } = this;
    const nextMeta = new Float64Array(slots * STRIDE);
    const nextBufs = new Array<ArrayBuffer | undefined>(slots);
    let packed = 0;
    for (let i = 0, pos = this.head; i < this.length; i++, pos = (pos + 1) | 0) {
      const from = pos & mask;
      if (pack && bufs[from] === undefined) continue;
      const to = pack ? packed++ : pos & (slots - 1);
      nextMeta[to * STRIDE + DEADLINE] = meta[from * STRIDE + DEADLINE]!;
      nextMeta[to * STRIDE + OFFSET] = meta[from * STRIDE + OFFSET]!;
      nextMeta[to * STRIDE + SIZE] = meta[from * STRIDE + SIZE]!;
      nextBufs[to] = bufs[from];
    }
    if (pack) {
      this.head = 0;
      this.length = this.live;
    }
    const nextDue = new Float64Array(slots * DUE_STRIDE);
    if (!pack) nextDue.set(this.due.subarray(0, this.live * DUE_STRIDE));
    this.meta = nextMeta;
    this.bufs = nextBufs;
    this.due = nextDue;
    this.mask = slots - 1;
  }

  /** Places (deadline, pos) at heap index `i` or above, restoring heap order. */
  private siftUp(i: number, deadline: number, pos: number): void {
    const due = this.due;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = parent * DUE_STRIDE;
      if (due[p]! <= deadline) break;
      due[i * DUE_STRIDE] = due[p]!;
      due[i * DUE_STRIDE + 1] = due[p + 1]!;
      i = parent;
    }
    due[i * DUE_STRIDE] = deadline;
    due[i * DUE_STRIDE + 1] = pos;
  }

  /** Places (deadline, pos) at heap index `i` or below, restoring heap order. */
  private siftDown(i: number, deadline: number, pos: number): void {
    const due = this.due;
    const n = this.live;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && due[(child + 1) * DUE_STRIDE]! < due[child * DUE_STRIDE]!) child++;
      const c = child * DUE_STRIDE;
      if (due[c]! >= deadline) break;
      due[i * DUE_STRIDE] = due[c]!;
      due[i * DUE_STRIDE + 1] = due[c + 1]!;
      i = child;
    }
    due[i * DUE_STRIDE] = deadline;
    due[i * DUE_STRIDE + 1] = pos;
  }
}

/**
 * Binary min-heap of the queues with hints, by earliest deadline; each
 * queue knows its index, so taking a peer's hints removes its queue in
 * O(log peers) and leaves nothing stale behind.
 */
class QueueHeap {
  private readonly items: PeerQueue[] = [];

  /** The queue with the earliest deadline. */
  first(): PeerQueue | undefined {
    return this.items[0];
  }

  add(queue: PeerQueue): void {
    this.items.push(queue);
    this.up(this.items.length - 1, queue);
  }

  remove(queue: PeerQueue): void {
    const items = this.items;
    const i = queue.index;
    queue.index = -1;
    const last = items.pop()!;
    if (last === queue) return;
    // The queue moved into the hole may belong above it or below it.
    if (i > 0 && last.firstDeadline() < items[(i - 1) >> 1]!.firstDeadline()) this.up(i, last);
    else this.down(i, last);
  }

  /** Call after `queue`'s earliest deadline moved earlier. */
  sooner(queue: PeerQueue): void {
    this.up(queue.index, queue);
  }

  /** Call after `queue`'s earliest deadline moved later. */
  later(queue: PeerQueue): void {
    this.down(queue.index, queue);
  }

  private up(i: number, queue: PeerQueue): void {
    const items = this.items;
    const deadline = queue.firstDeadline();
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = items[parent]!;
      if (above.firstDeadline() <= deadline) break;
      items[i] = above;
      above.index = i;
      i = parent;
    }
    items[i] = queue;
    queue.index = i;
  }

  private down(i: number, queue: PeerQueue): void {
    const items = this.items;
    const n = items.length;
    const deadline = queue.firstDeadline();
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && items[child + 1]!.firstDeadline() < items[child]!.firstDeadline()) child++;
      const below = items[child]!;
      if (below.firstDeadline() >= deadline) break;
      items[i] = below;
      below.index = i;
      i = child;
    }
    items[i] = queue;
    queue.index = i;
  }
}

function checkPeer(peer: number): void {
  if (typeof peer !== 'number') throw new TypeError(`peer must be a peer index (u32 integer), got ${typeof peer}`);
  if (!Number.isInteger(peer) || peer < 0 || peer > U32_MAX) {
    throw new RangeError(`peer must be a peer index, an integer from 0 to ${U32_MAX}, got ${peer}`);
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

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
