/**
 * One peer's hints in the in-memory store: a ring-buffer deque in arrival
 * order and a {@link DeadlineHeap} with one entry per live hint, so that
 * appending, removing the front, and expiring the earliest each cost
 * O(log n), whatever else is stored.
 */
import type { Hint } from '../hint.js';
import { DeadlineHeap } from './deadline-heap.js';
import type { PayloadSlabs, Slab } from './payload-slabs.js';

// Per-hint metadata, STRIDE doubles per ring slot (no object per hint:
// collecting those cost more than everything else did).
const STRIDE = 4;
const DEADLINE = 0;
const OFFSET = 1;
const SIZE = 2;
/** Where the hint's entry is in the queue's deadline heap. */
const HEAP = 3;
const MIN_SLOTS = 16;

/**
 * A peer's hints. A hint's position is an int32 that stays put while it is
 * queued (growth keeps positions, pushing at the front takes `head - 1`), so
 * heap entries, keyed by position, stay valid until the queue is compacted,
 * which renumbers the live hints from 0 and rebuilds the heap. Slots may be
 * tombstones (hints removed out of order; `live` counts the others); the
 * front slot never is.
 */
export class PeerQueue {
  /** Hints stored, tombstones excluded. */
  live = 0;
  /** Sum of their payload lengths. */
  bytes = 0;
  /** Position of the first slot; positions wrap around as int32. */
  head = 0;
  /** Slots in use from `head`, tombstones included. */
  length = 0;
  /** Where this queue is in the store's heap of queues. */
  index = -1;
  private mask = MIN_SLOTS - 1;
  private meta = new Float64Array(MIN_SLOTS * STRIDE);
  /** The slab each slot's payload is in; undefined for a tombstone. */
  private bufs: (Slab | undefined)[] = new Array<Slab | undefined>(MIN_SLOTS);
  private readonly due = new DeadlineHeap((pos, i) => {
    this.meta[(pos & this.mask) * STRIDE + HEAP] = i;
  });
  /** Whether a drain is running: it holds positions, so compaction waits for its end. */
  private draining = false;
  /** The position after the last hint the running drain delivers. */
  private drainEnd = 0;
  /** Positions of the hints out for delivery; one leaves when it is removed (delivered, expired or taken). */
  private readonly out = new Set<number>();

  constructor(
    readonly peer: number,
    private readonly slabs: PayloadSlabs,
  ) {}

  /** The earliest deadline of its hints; Infinity if it has none. */
  firstDeadline(): number {
    return this.due.firstKey();
  }

  /** Stores a copy of a hint after (or before) the others. */
  push(payload: Uint8Array, deadline: number, front: boolean): void {
    if (this.length > this.mask) this.relayout((this.mask + 1) * 2, false);
    let pos: number;
    if (front) this.head = pos = (this.head - 1) | 0;
    else pos = (this.head + this.length) | 0;
    this.length++;
    const slab = this.slabs.place(payload);
    const slot = pos & this.mask;
    const m = slot * STRIDE;
    const meta = this.meta;
    meta[m + DEADLINE] = deadline;
    meta[m + OFFSET] = this.slabs.offset;
    meta[m + SIZE] = payload.length;
    this.bufs[slot] = slab;
    this.live++;
    this.bytes += payload.length;
    this.due.push(deadline, pos);
  }

  /** The deadline of the hint at `pos`. */
  deadlineAt(pos: number): number {
    return this.meta[(pos & this.mask) * STRIDE + DEADLINE]!;
  }

  /** The hint at `pos`, its payload a view of the store's bytes. */
  hintAt(pos: number): Hint {
    const slot = pos & this.mask;
    const m = slot * STRIDE;
    const meta = this.meta;
    return {
      peer: this.peer,
      payload: new Uint8Array(this.bufs[slot]!.buffer, meta[m + OFFSET], meta[m + SIZE]),
      deadline: meta[m + DEADLINE]!,
    };
  }

  /** Removes the hint at `pos` (a live one) and returns its size. */
  remove(pos: number): number {
    const slot = pos & this.mask;
    const m = slot * STRIDE;
    const size = this.meta[m + SIZE]!;
    this.slabs.release(this.bufs[slot]!, size);
    this.bufs[slot] = undefined;
    this.due.removeAt(this.meta[m + HEAP]!);
    this.live--;
    this.bytes -= size;
    if (this.out.size > 0) this.out.delete(pos);
    while (this.length > 0 && this.bufs[this.head & this.mask] === undefined) {
      this.head = (this.head + 1) | 0;
      this.length--;
    }
    if (!this.draining) this.tidy();
    return size;
  }

  /** Removes the hint with the earliest deadline and returns its size. */
  expireFirst(): number {
    return this.remove(this.due.firstId());
  }

  /**
   * Hands every hint over: those with `deadline <= now` are counted, the
   * others appended to `out` oldest first. The queue is spent afterwards.
   *
   * @returns how many were due.
   */
  takeAll(now: number, out: Hint[]): number {
    const { meta, bufs, mask, peer, slabs } = this;
    let due = 0;
    // Consecutive hints mostly share a slab: give its bytes back once per run.
    let run: Slab | undefined;
    let runBytes = 0;
    for (let i = 0, pos = this.head; i < this.length; i++, pos = (pos + 1) | 0) {
      const slot = pos & mask;
      const slab = bufs[slot];
      if (slab === undefined) continue;
      const m = slot * STRIDE;
      const size = meta[m + SIZE]!;
      if (slab !== run) {
        if (run !== undefined) slabs.release(run, runBytes);
        run = slab;
        runBytes = 0;
      }
      runBytes += size;
      const deadline = meta[m + DEADLINE]!;
      if (deadline <= now) due++;
      else out.push({ peer, payload: new Uint8Array(slab.buffer, meta[m + OFFSET], size), deadline });
    }
    if (run !== undefined) slabs.release(run, runBytes);
    return due;
  }

  /** Copies its small payloads into the store's fresh slabs, after `PayloadSlabs.restart`. */
  relocate(): void {
    const { meta, bufs, mask } = this;
    for (let i = 0, pos = this.head; i < this.length; i++, pos = (pos + 1) | 0) {
      const slot = pos & mask;
      const slab = bufs[slot];
      if (slab === undefined || slab.own) continue;
      const m = slot * STRIDE;
      bufs[slot] = this.slabs.move(slab, meta[m + OFFSET]!, meta[m + SIZE]!);
      meta[m + OFFSET] = this.slabs.offset;
    }
  }

  /** Starts a drain of the hints stored now; until {@link endDrain}, positions stay put. */
  startDrain(): void {
    this.draining = true;
    this.drainEnd = (this.head + this.length) | 0;
  }

  /**
   * The first hint at or after position `from` (or the front, if that is
   * later) that the running drain is to deliver and is not out already; NaN
   * when none is left.
   */
  nextToDrain(from: number): number {
    const end = (this.head + this.length) | 0;
    for (
      let pos = ((from - this.head) | 0) < 0 ? this.head : from;
      ((end - pos) | 0) > 0 && ((this.drainEnd - pos) | 0) > 0;
      pos = (pos + 1) | 0
    ) {
      if (this.bufs[pos & this.mask] !== undefined && (this.out.size === 0 || !this.out.has(pos))) return pos;
    }
    return Number.NaN;
  }

  /** Marks the hint at `pos` as out for delivery. */
  sendAt(pos: number): void {
    this.out.add(pos);
  }

  /** Whether the hint sent from `pos` is still stored (not expired or removed meanwhile). */
  stillOut(pos: number): boolean {
    return this.out.has(pos);
  }

  /** How many hints the running drain has still to deliver. */
  drainLeft(): number {
    let left = 0;
    for (let i = 0, pos = this.head; i < this.length && ((this.drainEnd - pos) | 0) > 0; i++, pos = (pos + 1) | 0) {
      if (this.bufs[pos & this.mask] !== undefined) left++;
    }
    return left;
  }

  /** Ends the drain, and compacts if removals during it called for that. */
  endDrain(): void {
    this.draining = false;
    this.out.clear();
    this.tidy();
  }

  /**
   * Compacts once tombstones outnumber live hints or the ring is mostly
   * empty, so memory follows what is stored and the cost stays amortised
   * O(log n) per removal.
   */
  private tidy(): void {
    if (this.live > 0 && (this.length - this.live > this.live + 32 || this.mask + 1 > 4 * Math.max(this.length, MIN_SLOTS))) {
      let slots = MIN_SLOTS;
      while (slots < this.live) slots *= 2;
      this.relayout(slots, true);
      this.due.reset(slots);
      for (let i = 0; i < this.live; i++) this.due.push(this.meta[i * STRIDE + DEADLINE]!, i);
    }
  }

  /**
   * Copies the ring into `slots` slots: keeping positions, or (`pack`)
   * dropping tombstones and numbering the live hints from 0.
   */
  private relayout(slots: number, pack: boolean): void {
    const { meta, bufs, mask } = this;
    const nextMeta = new Float64Array(slots * STRIDE);
    const nextBufs = new Array<Slab | undefined>(slots);
    let packed = 0;
    for (let i = 0, pos = this.head; i < this.length; i++, pos = (pos + 1) | 0) {
      const from = pos & mask;
      if (pack && bufs[from] === undefined) continue;
      const to = pack ? packed++ : pos & (slots - 1);
      const f = from * STRIDE;
      const t = to * STRIDE;
      nextMeta[t + DEADLINE] = meta[f + DEADLINE]!;
      nextMeta[t + OFFSET] = meta[f + OFFSET]!;
      nextMeta[t + SIZE] = meta[f + SIZE]!;
      nextMeta[t + HEAP] = meta[f + HEAP]!;
      nextBufs[to] = bufs[from];
    }
    if (pack) {
      this.head = 0;
      this.length = this.live;
    }
    this.meta = nextMeta;
    this.bufs = nextBufs;
    this.mask = slots - 1;
  }
}
