/**
 * The in-memory index of one segment: where each record is, how long its
 * payload is and when it expires, plus a min-heap of the entries by
 * deadline so that expiry costs what it drops. Payloads stay on disk, so
 * memory is about 24 bytes per hint (four typed-array slots) whatever the
 * payload size.
 */

const INITIAL_CAPACITY = 64;

/** Record positions of one segment, in file order; a length of 0 marks a removed record. */
export class RecordIndex {
  private offsets = new Float64Array(INITIAL_CAPACITY);
  private lengths = new Uint32Array(INITIAL_CAPACITY);
  private deadlines = new Float64Array(INITIAL_CAPACITY);
  /**
   * Entry numbers ordered by deadline (a binary min-heap). A removed entry
   * stays until it reaches the top and its deadline passes, so removal stays
   * O(1) and each entry leaves the heap once.
   */
  private heap = new Uint32Array(INITIAL_CAPACITY);
  private heapSize = 0;
  /** Entries, live or removed. */
  count = 0;
  /** Every entry before `head` is removed, so scans start here. */
  head = 0;
  /** Live entries. */
  liveCount = 0;
  /** Payload bytes of live entries. */
  liveBytes = 0;

  /** Adds a live record at the end. */
  push(offset: number, length: number, deadline: number): void {
    if (this.count === this.offsets.length) this.grow();
    const i = this.count++;
    this.offsets[i] = offset;
    this.lengths[i] = length;
    this.deadlines[i] = deadline;
    this.liveCount++;
    this.liveBytes += length;
    this.heapPush(i);
  }

  /** File offset of entry `i`'s record. */
  offset(i: number): number {
    return this.offsets[i]!;
  }

  /** Payload length of entry `i`, 0 once removed. */
  length(i: number): number {
    return this.lengths[i]!;
  }

  /** Deadline of entry `i`. */
  deadline(i: number): number {
    return this.deadlines[i]!;
  }

  /** Whether entry `i` is still live. */
  isLive(i: number): boolean {
    return this.lengths[i]! !== 0;
  }

  /** Live entries before entry `limit`. */
  liveBelow(limit: number): number {
    let live = 0;
    for (let i = this.head; i < limit; i++) if (this.lengths[i]! > 0) live++;
    return live;
  }

  /**
   * Removes entry `i`.
   *
   * @returns the payload bytes freed; 0 if it was already removed.
   */
  remove(i: number): number {
    const length = this.lengths[i]!;
    if (length === 0) return 0;
    this.lengths[i] = 0;
    this.liveCount--;
    this.liveBytes -= length;
    while (this.head < this.count && this.lengths[this.head] === 0) this.head++;
    return length;
  }

  /**
   * Removes every live entry with `deadline <= now`, calling `onExpired` with
   * each one's payload length. Costs O(log n) per entry it takes off the
   * heap (each entry once), nothing when nothing is due.
   *
   * @returns how many were removed.
   */
  expire(now: number, onExpired: (length: number) => void): number {
    let removed = 0;
    while (this.heapSize > 0) {
      const top = this.heap[0]!;
      if (this.deadlines[top]! > now) break;
      this.heapPop();
      if (this.lengths[top] === 0) continue; // delivered or taken earlier
      onExpired(this.remove(top));
      removed++;
    }
    return removed;
  }

  private heapPush(entry: number): void {
    const heap = this.heap;
    const deadlines = this.deadlines;
    let at = this.heapSize++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const p = heap[parent]!;
      if (before(deadlines, p, entry)) break;
      heap[at] = p;
      at = parent;
    }
    heap[at] = entry;
  }

  private heapPop(): void {
    const heap = this.heap;
    const deadlines = this.deadlines;
    const size = --this.heapSize;
    if (size === 0) return;
    const last = heap[size]!;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && before(deadlines, heap[right]!, heap[child]!)) child = right;
      const c = heap[child]!;
      if (before(deadlines, last, c)) break;
      heap[at] = c;
      at = child;
    }
    heap[at] = last;
  }

  private grow(): void {
    const capacity = this.offsets.length * 2;
    this.offsets = copyInto(new Float64Array(capacity), this.offsets);
    this.lengths = copyInto(new Uint32Array(capacity), this.lengths);
    this.deadlines = copyInto(new Float64Array(capacity), this.deadlines);
    this.heap = copyInto(new Uint32Array(capacity), this.heap);
  }
}

/** Whether entry `a` comes before entry `b` in the heap: earlier deadline, then file order (ties expire oldest first). */
function before(deadlines: Float64Array, a: number, b: number): boolean {
  const da = deadlines[a]!;
  const db = deadlines[b]!;
  return da < db || (da === db && a < b);
}

function copyInto<T extends Float64Array | Uint32Array>(to: T, from: T): T {
  to.set(from);
  return to;
}
