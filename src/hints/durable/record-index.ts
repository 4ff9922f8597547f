/**
 * The in-memory index of one segment: where each record is, how long its
 * payload is and when it expires. Payloads stay on disk, so memory is about
 * 20 bytes per hint (three typed-array slots) whatever the payload size.
 */

const INITIAL_CAPACITY = 64;

/** Record positions of one segment, in file order; a length of 0 marks a removed record. */
export class RecordIndex {
  private offsets = new Float64Array(INITIAL_CAPACITY);
  private lengths = new Uint32Array(INITIAL_CAPACITY);
  private deadlines = new Float64Array(INITIAL_CAPACITY);
  /** Entries, live or removed. */
  count = 0;
  /** Every entry before `head` is removed, so scans start here. */
  head = 0;
  /** Live entries. */
  liveCount = 0;
  /** Payload bytes of live entries. */
  liveBytes = 0;
  /** No live entry expires before this (exact after {@link expire}, a lower bound otherwise). */
  minDeadline = Infinity;

  /** Adds a live record at the end. */
  push(offset: number, length: number, deadline: number): void {
    if (this.count === this.offsets.length) this.grow();
    const i = this.count++;
    this.offsets[i] = offset;
    this.lengths[i] = length;
    this.deadlines[i] = deadline;
    this.liveCount++;
    this.liveBytes += length;
    if (deadline < this.minDeadline) this.minDeadline = deadline;
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

  /**
   * Removes entry `i`.
   *
   * @returns the payload bytes freed; 0 if it was already removed.
   */
  /** Live entries before entry `limit`. */
  liveBelow(limit: number): number {
    let live = 0;
    for (let i = this.head; i < limit; i++) if (this.lengths[i]! > 0) live++;
    return live;
  }

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
   * each one's payload length. Costs nothing unless something is due.
   *
   * @returns how many were removed.
   */
  expire(now: number, onExpired: (length: number) => void): number {
    if (this.minDeadline > now) return 0;
    let removed = 0;
    let min = Infinity;
    for (let i = this.head; i < this.count; i++) {
      if (this.lengths[i] === 0) continue;
      const deadline = this.deadlines[i]!;
      if (deadline <= now) {
        onExpired(this.remove(i));
        removed++;
      } else if (deadline < min) min = deadline;
    }
    this.minDeadline = min;
    return removed;
  }

  private grow(): void {
    const capacity = this.offsets.length * 2;
    this.offsets = copyInto(new Float64Array(capacity), this.offsets);
    this.lengths = copyInto(new Uint32Array(capacity), this.lengths);
    this.deadlines = copyInto(new Float64Array(capacity), this.deadlines);
  }
}

function copyInto<T extends Float64Array | Uint32Array>(to: T, from: T): T {
  to.set(from);
  return to;
}
