/**
 * The one heap of the in-memory store: a binary min-heap of (deadline, id)
 * pairs in a typed array, that reports every entry's index as it moves, so
 * its owner can remove or re-key any entry in O(log n). Each peer queue
 * keeps one over its hints (id: the hint's position), and the store one over
 * its queues (id: the peer, key: the queue's earliest deadline).
 */

/** Told that the entry `id` now sits at heap index `index`. */
export type HeapMoved = (id: number, index: number) => void;

// Two doubles per entry, key then id: no object per entry, which the GC
// would have to trace (with a million hints that cost more than the rest).
const STRIDE = 2;
const MIN_CAPACITY = 16;

/** A min-heap of (deadline, id) pairs whose owner tracks each entry's index. */
export class DeadlineHeap {
  /** Entries in the heap. */
  size = 0;
  private entries: Float64Array;

  /** @param moved - called whenever an entry is placed, with its new index. */
  constructor(
    private readonly moved: HeapMoved,
    capacity = MIN_CAPACITY,
  ) {
    this.entries = new Float64Array(Math.max(MIN_CAPACITY, capacity) * STRIDE);
  }

  /** The smallest deadline; Infinity when empty. */
  firstKey(): number {
    return this.size > 0 ? this.entries[0]! : Infinity;
  }

  /** The id with the smallest deadline; only meaningful when not empty. */
  firstId(): number {
    return this.entries[1]!;
  }

  /** Adds (deadline, id). */
  push(key: number, id: number): void {
    if (this.size * STRIDE === this.entries.length) {
      const next = new Float64Array(this.entries.length * 2);
      next.set(this.entries);
      this.entries = next;
    }
    this.up(this.size++, key, id);
  }

  /** Removes the entry at `index`. */
  removeAt(index: number): void {
    const last = --this.size;
    if (index === last) return;
    const e = this.entries;
    this.place(index, e[last * STRIDE]!, e[last * STRIDE + 1]!);
  }

  /** Gives the entry at `index` a new deadline. */
  update(index: number, key: number): void {
    this.place(index, key, this.entries[index * STRIDE + 1]!);
  }

  /** Empties the heap and sizes its storage for `capacity` entries (storage follows what is stored). */
  reset(capacity: number): void {
    this.entries = new Float64Array(Math.max(MIN_CAPACITY, capacity) * STRIDE);
    this.size = 0;
  }

  /** Puts (key, id) at `index` or wherever above or below it heap order wants it. */
  private place(index: number, key: number, id: number): void {
    if (index > 0 && key < this.entries[((index - 1) >> 1) * STRIDE]!) this.up(index, key, id);
    else this.down(index, key, id);
  }

  private up(i: number, key: number, id: number): void {
    const e = this.entries;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = parent * STRIDE;
      if (e[p]! <= key) break;
      this.set(i, e[p]!, e[p + 1]!);
      i = parent;
    }
    this.set(i, key, id);
  }

  private down(i: number, key: number, id: number): void {
    const e = this.entries;
    const n = this.size;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && e[(child + 1) * STRIDE]! < e[child * STRIDE]!) child++;
      const c = child * STRIDE;
      if (e[c]! >= key) break;
      this.set(i, e[c]!, e[c + 1]!);
      i = child;
    }
    this.set(i, key, id);
  }

  private set(i: number, key: number, id: number): void {
    this.entries[i * STRIDE] = key;
    this.entries[i * STRIDE + 1] = id;
    this.moved(id, i);
  }
}
