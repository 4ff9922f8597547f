/**
 * Where the in-memory store keeps payload bytes. Small payloads are copied
 * into shared slabs (one typed-array allocation per hint, off-heap above 64
 * bytes in V8, costs far more than the copy); larger ones get a buffer of
 * their own. Bytes are never reused once written, because a taken or drained
 * hint's payload is a view into them that its receiver may keep.
 *
 * Memory is bounded by compaction, which the store runs once the buffers
 * hold more than twice its cap: one live hint would otherwise pin a whole
 * slab, so long-lived hints among short-lived ones could hold many times
 * `maxBytes`.
 */

/** A buffer of payload bytes and how many of them belong to stored hints. */
export interface Slab {
  readonly buffer: ArrayBuffer;
  /** A view of all of `buffer`, made once, so copies make no view per payload. */
  readonly bytes: Uint8Array;
  /** Bytes of stored hints in it; the slab is dropped when this reaches 0. */
  live: number;
  /** Whether it is one payload's own buffer rather than a shared slab. */
  readonly own: boolean;
}

/** Size of a shared slab: the most a store holds beyond twice its cap. */
export const SLAB_BYTES = 16 * 1024;
/** Payloads longer than this get their own buffer; at most this much of a slab's tail goes unused. */
export const OWN_BUFFER_BYTES = 1024;

/** The payload buffers of one store, and the bytes they hold. */
export class PayloadSlabs {
  /** Bytes of every buffer held: slabs with live hints, the current slab, and own buffers. */
  held = 0;
  /** The part of {@link held} in own buffers. */
  private ownHeld = 0;
  /** The slab that takes the next small payload. */
  private current: Slab | null = null;
  private used = 0;
  /** Where the last {@link place}d payload starts in its slab (a field, so placing allocates nothing more). */
  offset = 0;

  /**
   * Copies `payload` in and returns the slab now holding it; its bytes start
   * at {@link offset}.
   */
  place(payload: Uint8Array): Slab {
    const size = payload.length;
    if (size > OWN_BUFFER_BYTES) {
      const buffer = new ArrayBuffer(size);
      const own: Slab = { buffer, bytes: new Uint8Array(buffer), live: size, own: true };
      own.bytes.set(payload);
      this.held += size;
      this.ownHeld += size;
      this.offset = 0;
      return own;
    }
    const slab = this.room(size);
    slab.bytes.set(payload, this.offset);
    return slab;
  }

  /** Copies a small payload of `size` bytes at `at` in `from` in, as {@link place} does. */
  move(from: Slab, at: number, size: number): Slab {
    const slab = this.room(size);
    const src = from.bytes;
    const dst = slab.bytes;
    // Most hints are short: a loop beats making a view to copy with `set`.
    if (size <= 64) for (let i = 0, to = this.offset; i < size; i++) dst[to + i] = src[at + i]!;
    else dst.set(src.subarray(at, at + size), this.offset);
    return slab;
  }

  /** Reserves `size` bytes in the current slab (a fresh one if they do not fit) at {@link offset}. */
  private room(size: number): Slab {
    let slab = this.current;
    if (slab === null || this.used + size > SLAB_BYTES) {
      const buffer = new ArrayBuffer(SLAB_BYTES);
      this.current = slab = { buffer, bytes: new Uint8Array(buffer), live: 0, own: false };
      this.held += SLAB_BYTES;
      this.used = 0;
    }
    this.offset = this.used;
    this.used += size;
    slab.live += size;
    return slab;
  }

  /** Gives back a hint's `size` bytes in `slab`; a slab with none left is dropped. */
  release(slab: Slab, size: number): void {
    slab.live -= size;
    if (slab.live > 0) return;
    this.held -= slab.buffer.byteLength;
    if (slab.own) this.ownHeld -= slab.buffer.byteLength;
    // The current slab's tail is never rewritten (views may remain): start a fresh one.
    if (slab === this.current) this.current = null;
  }

  /**
   * Starts a compaction: forgets every shared slab, so that the store
   * {@link place}s each small payload again into fresh ones. Own buffers stay
   * as they are (they waste nothing), and stay counted.
   */
  restart(): void {
    this.current = null;
    this.held = this.ownHeld;
  }
}
