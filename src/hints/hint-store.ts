/**
 * The in-memory hint store (DESIGN.md section 5): per-peer FIFO queues of
 * hints plus a global deadline heap, so that `enqueue`, `takeFor` and
 * `expireNow` each cost what they touch, not what is stored.
 */
import { HintStoreError } from '../errors.js';

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
  private readonly queues = new Map<number, PeerQueue>();
  private readonly heap = new DeadlineHeap();
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
    this.queues.delete(peer);
    const now = this.clock();
    const out: Hint[] = [];
    queue.forEach((entry) => {
      const buf = entry.buf;
      if (buf === null) return; // expired earlier, left in place as a tombstone
      entry.buf = null; // its heap slot is now stale
      this.count--;
      this.bytes -= entry.size;
      if (entry.deadline <= now) this.expiredTotal++;
      else out.push({ peer, payload: entry.view(buf), deadline: entry.deadline });
    });
    this.heap.compactIfStale(this.count);
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
   * Drops every hint with `deadline <= now`. Costs O(k log n) for k hints
   * dropped (plus, amortised, hints already taken), never a walk of the store.
   *
   * @param now - the time to expire at; default the store's clock.
   * @returns how many hints were dropped.
   * @throws TypeError or RangeError if `now` is given and is not a number or is NaN.
   */
  expireNow(now?: number): number {
    if (now === undefined) now = this.clock();
    else if (typeof now !== 'number') throw new TypeError(`now must be a number of milliseconds, got ${typeof now}`);
    else if (Number.isNaN(now)) throw new RangeError('now must be a number of milliseconds, got NaN');
    let dropped = 0;
    for (let entry = this.heap.popDue(now); entry !== undefined; entry = this.heap.popDue(now)) {
      if (entry.buf === null) continue; // taken or expired already
      this.bytes -= entry.size;
      entry.buf = null;
      this.count--;
      dropped++;
      const queue = this.queues.get(entry.peer)!;
      if (--queue.live === 0) this.queues.delete(entry.peer);
      else queue.removeDead(entry);
    }
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

  /** Stores a copy of a hint at the back (or front) of its peer's queue and schedules its expiry. */
  private insert(peer: number, payload: Uint8Array, deadline: number, front: boolean): void {
    let queue = this.queues.get(peer);
    if (queue === undefined) this.queues.set(peer, (queue = new PeerQueue()));
    const entry = queue.copy(peer, payload, deadline);
    if (front) queue.pushFront(entry);
    else queue.pushBack(entry);
    queue.live++;
    this.count++;
    this.bytes += entry.size;
    this.heap.push(entry);
  }
}

/**
 * One stored hint: its payload is `size` bytes at `offset` in `buf`. `buf`
 * becomes null once the hint is taken or expired; the entry may linger (heap
 * slot, queue tombstone) until cleaned up lazily. The view is made only when
 * the hint is taken, so stored hints hold no per-hint typed array.
 */
class Entry {
  constructor(
    readonly peer: number,
    public buf: Uint8Array | null,
    readonly offset: number,
    readonly size: number,
    readonly deadline: number,
  ) {}

  /** The payload as a view of `buf` (the live buffer, passed in as already checked non-null). */
  view(buf: Uint8Array): Uint8Array {
    return this.size === buf.length ? buf : buf.subarray(this.offset, this.offset + this.size);
  }
}

// Small payloads are copied into per-peer slabs: one typed-array allocation
// per hint (off-heap above 64 bytes in V8) costs far more than the copy.
// Slabs are per peer, so a peer that stays down pins only its own slabs, and
// `takeFor` hands the whole slab over with the hints it holds.
const SLAB_MIN_BYTES = 1024;
const SLAB_MAX_BYTES = 16 * 1024;
// Larger payloads get their own buffer; never more than a fresh slab holds.
const OWN_BUFFER_BYTES = SLAB_MIN_BYTES;

/**
 * One peer's hints in order: a ring-buffer deque that may hold tombstones
 * (entries expired out of order). `live` counts the others.
 */
class PeerQueue {
  live = 0;
  private buf: (Entry | undefined)[] = new Array<Entry | undefined>(8);
  private head = 0;
  private length = 0;
  private slab: Uint8Array | null = null;
  private slabUsed = 0;
  private nextSlabBytes = SLAB_MIN_BYTES;

  /** An entry holding a private copy of `payload`, in this peer's slab when small. */
  copy(peer: number, payload: Uint8Array, deadline: number): Entry {
    const size = payload.length;
    // `new Uint8Array(view)` always copies; `slice` on a Node Buffer would not.
    if (size > OWN_BUFFER_BYTES) return new Entry(peer, new Uint8Array(payload), 0, size, deadline);
    if (this.slab === null || this.slabUsed + size > this.slab.length) {
      this.slab = new Uint8Array(this.nextSlabBytes);
      this.slabUsed = 0;
      this.nextSlabBytes = Math.min(SLAB_MAX_BYTES, this.nextSlabBytes * 2);
    }
    this.slab.set(payload, this.slabUsed);
    const entry = new Entry(peer, this.slab, this.slabUsed, size, deadline);
    this.slabUsed += size;
    return entry;
  }

  pushBack(entry: Entry): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) & (this.buf.length - 1)] = entry;
    this.length++;
  }

  pushFront(entry: Entry): void {
    if (this.length === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = entry;
    this.length++;
  }

  forEach(fn: (entry: Entry) => void): void {
    const mask = this.buf.length - 1;
    for (let i = 0; i < this.length; i++) fn(this.buf[(this.head + i) & mask]!);
  }

  /**
   * Called after `entry` (already counted out of `live`) expired. Drops
   * tombstones at the front, and compacts once tombstones outnumber live
   * entries, so the cost stays amortised O(1) per expired hint.
   */
  removeDead(entry: Entry): void {
    const mask = this.buf.length - 1;
    if (this.buf[this.head] === entry) {
      while (this.length > 0 && this.buf[this.head]!.buf === null) {
        this.buf[this.head] = undefined;
        this.head = (this.head + 1) & mask;
        this.length--;
      }
    } else if (this.length - this.live > this.live + 32) {
      const kept: (Entry | undefined)[] = [];
      this.forEach((e) => {
        if (e.buf !== null) kept.push(e);
      });
      let capacity = 8;
      while (capacity < kept.length) capacity *= 2;
      kept.length = capacity;
      this.buf = kept;
      this.head = 0;
      this.length = this.live;
    }
  }

  private grow(): void {
    const next = new Array<Entry | undefined>(this.buf.length * 2);
    const mask = this.buf.length - 1;
    for (let i = 0; i < this.length; i++) next[i] = this.buf[(this.head + i) & mask];
    this.buf = next;
    this.head = 0;
  }
}

/**
 * Binary min-heap of entries by deadline. Entries taken by `takeFor` stay in
 * it as stale slots (lazy deletion) and are skipped when popped; a rebuild
 * once stale slots outnumber live ones keeps memory bounded, amortised O(1).
 */
class DeadlineHeap {
  private items: Entry[] = [];

  push(entry: Entry): void {
    const items = this.items;
    let i = items.length;
    items.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.deadline <= entry.deadline) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = entry;
  }

  /** Removes and returns the earliest entry if it is due at `now`, stale or not. */
  popDue(now: number): Entry | undefined {
    const items = this.items;
    const top = items[0];
    if (top === undefined || top.deadline > now) return undefined;
    const last = items.pop()!;
    if (items.length > 0) this.siftDown(0, last);
    return top;
  }

  /** Rebuilds from live entries once stale slots are the majority. */
  compactIfStale(live: number): void {
    if (this.items.length <= 2 * live + 1024) return;
    this.items = this.items.filter((e) => e.buf !== null);
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(i, this.items[i]!);
  }

  /** Places `entry` at slot `start` or below, restoring heap order. */
  private siftDown(start: number, entry: Entry): void {
    const items = this.items;
    const n = items.length;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && items[child + 1]!.deadline < items[child]!.deadline) child++;
      if (items[child]!.deadline >= entry.deadline) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = entry;
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
  if (hint.peer !== peer) throw new RangeError(`hints[${i}] is for peer ${hint.peer}, not peer ${peer}; requeue each peer's hints separately`);
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
