/**
 * Everything the durable store keeps for one peer: its segment files (oldest
 * first, the newest one open for appends), the records accepted but not yet
 * written, and the two locks that order work on them.
 *
 * - `io` serialises file operations: commits, compaction, deletion.
 * - `consumer` admits one reader at a time (`drain`, `takeFor`, compaction),
 *   because those address records by their index, which compaction renumbers.
 *   A drain holds it while `deliver` runs but not `io`, so appends continue.
 */
import { HintDeliveryError } from '../../errors.js';
import { DeliveryWindow, type DeliverHint, type DrainResult, type Hint, type WindowFailure } from '../hint.js';
import { Mutex } from './mutex.js';
import type { ResolvedOptions } from './options.js';
import { FILE_HEADER_BYTES, RECORD_HEADER_BYTES } from './record-format.js';
import { Segment, type CorruptionReport, type StoredRecord } from './segment.js';
import { syncDir } from './fs-util.js';

/** Counters shared by all peers of one store. */
export interface Counters {
  hintCount: number;
  bytes: number;
  expiredTotal: number;
  fsyncs: number;
}

/** What a peer log needs from its store. */
export interface PeerLogContext {
  dir: string;
  options: ResolvedOptions;
  counters: Counters;
  /** Told of a damaged record skipped on read-back (the peer log has already uncounted it). */
  reportCorruption(report: CorruptionReport): void;
}

interface Pending {
  framed: Uint8Array;
  length: number;
  deadline: number;
  resolve(): void;
  reject(err: unknown): void;
}

/** The hints of one peer. */
export class PeerLog {
  /** Live hints, written or pending. */
  hintCount = 0;
  private readonly pending: Pending[] = [];
  private readonly io = new Mutex();
  private readonly consumer = new Mutex();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate = false;
  private readonly onCorrupt = (report: CorruptionReport, length: number): void => {
    this.release(length);
    this.ctx.reportCorruption(report);
  };

  /**
   * @param segments - replayed segments, oldest first, all sealed.
   * @param nextSeq - sequence number of the next segment to create.
   */
  constructor(
    readonly peer: number,
    private readonly ctx: PeerLogContext,
    private readonly segments: Segment[],
    private nextSeq: number,
  ) {
    for (const s of segments) this.hintCount += s.index.liveCount;
  }

  /** Segment files, for stats. */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Bytes of the segment files, for stats. */
  get diskBytes(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }

  /**
   * Takes a validated, framed record; resolves once it is as durable as the
   * sync mode promises. It counts as stored from this call on.
   */
  append(framed: Uint8Array, length: number, deadline: number): Promise<void> {
    this.hintCount++;
    this.ctx.counters.hintCount++;
    this.ctx.counters.bytes += length;
    const done = new Promise<void>((resolve, reject) => this.pending.push({ framed, length, deadline, resolve, reject }));
    const { sync, batchMs } = this.ctx.options;
    if (sync === 'always') {
      void this.io.run(() => this.commit(1));
    } else if (sync === 'batch' && batchMs > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.commitAll();
      }, batchMs);
    } else if (!this.immediate) {
      // Once per event-loop turn: callers of the same turn share a commit, and
      // so do those arriving while the previous commit's fsync runs (they queue on `io`).
      this.immediate = true;
      setImmediate(() => {
        this.immediate = false;
        this.commitAll();
      });
    }
    return done;
  }

  /** Removes the hints due by `now` from the index (disk space is reclaimed by {@link tidyIfIdle}). */
  expire(now: number): number {
    let removed = 0;
    for (const s of this.segments) removed += s.index.expire(now, (length) => this.release(length));
    this.ctx.counters.expiredTotal += removed;
    return removed;
  }

  /** Removes and returns every live hint, oldest first; due ones are dropped and counted as expired. */
  takeAll(): Promise<Hint[]> {
    return this.consumer.run(() =>
      this.io.run(async () => {
        await this.commit(Infinity);
        const read: Array<{ segment: Segment; record: StoredRecord }> = [];
        for (const segment of this.segments) {
          for await (const records of segment.liveChunks(segment.index.count, this.onCorrupt)) {
            for (const record of records) read.push({ segment, record });
          }
        }
        // Only now that every record was read does anything leave the store.
        const now = this.ctx.options.now();
        const hints: Hint[] = [];
        for (const { segment, record } of read) {
          const removed = segment.index.remove(record.index);
          if (removed === 0) continue; // expired meanwhile, and counted then
          this.release(removed);
          if (record.deadline <= now) this.ctx.counters.expiredTotal++;
          else hints.push(this.toHint(record));
        }
        await this.removeSegments(this.segments.slice());
        return hints;
      }),
    );
  }

  /**
   * Delivers the hints present when called, oldest first, `window` at a
   * time, removing each only after `deliver` resolved for it and every one
   * before it. Stops at the first rejection (that hint and the later ones
   * stay, in order; rejects with a HintDeliveryError once those in flight
   * have settled), when `stop()` says so (after those in flight), or when
   * `abandon` fires while deliveries are in flight (they stay stored; the
   * drain resolves).
   */
  drain(deliver: DeliverHint, window: number, stop: () => boolean, abandon: AbortSignal): Promise<DrainResult> {
    return this.consumer.run(async () => {
      await this.io.run(() => this.commit(Infinity));
      const segments = this.segments.slice();
      const last = segments.at(-1);
      const lastLimit = last?.index.count ?? 0;
      const result: DrainResult = { delivered: 0, expired: 0, left: 0 };
      // Counted, not derived: expireNow may remove hints while deliver runs.
      const leftOver = () => {
        result.left = segments.reduce(
          (sum, segment) => sum + (segment === last ? segment.index.liveBelow(lastLimit) : segment.index.liveCount),
          0,
        );
        return result;
      };
      const inFlight = new DeliveryWindow<{ segment: Segment; record: StoredRecord }>(window);
      /** Settles the oldest delivery: removes its hint. False when abandoned. */
      const settleOldest = async (): Promise<boolean> => {
        let settled: { segment: Segment; record: StoredRecord } | undefined;
        try {
          settled = await untilAbandoned(inFlight.oldest(), abandon);
        } catch (failure) {
          throw new HintDeliveryError((failure as WindowFailure).cause, leftOver());
        }
        if (settled === undefined) return false;
        const { segment, record } = settled;
        const removed = segment.index.remove(record.index);
        segment.delivered = true;
        if (removed === 0) return true; // expired while deliver ran, and counted then
        this.release(removed);
        result.delivered++;
        return true;
      };
      /** Settles every delivery in flight. False when abandoned. */
      const settleAll = async (): Promise<boolean> => {
        while (inFlight.length > 0) if (!(await settleOldest())) return false;
        return true;
      };
      try {
        for (const segment of segments) {
          const limit = segment === last ? lastLimit : segment.index.count;
          for await (const records of segment.liveChunks(limit, this.onCorrupt)) {
            for (const record of records) {
              if (!segment.index.isLive(record.index)) continue; // expired while we read
              if (record.deadline <= this.ctx.options.now()) {
                this.release(segment.index.remove(record.index));
                this.ctx.counters.expiredTotal++;
                result.expired++;
                continue;
              }
              if (abandon.aborted || stop()) {
                await settleAll();
                return leftOver();
              }
              inFlight.add({ segment, record }, deliver, this.toHint(record));
              if (inFlight.full && !(await settleOldest())) return leftOver();
            }
          }
          if (!(await settleAll())) return leftOver();
          // Delete each segment as soon as it is done, so a crash redelivers at most one.
          // No compaction yet: it would renumber records this drain still has to visit.
          if (segment.index.liveCount === 0) await this.io.run(() => this.tidy(false));
        }
        return result;
      } finally {
        await this.io.run(() => this.tidy(true));
      }
    });
  }

  /** Reclaims disk space now unless a reader is busy (it tidies when it finishes). */
  async tidyIfIdle(): Promise<void> {
    if (!this.consumer.locked) await this.consumer.run(() => this.io.run(() => this.tidy(true)));
  }

  /** Writes what is pending (synced as the mode says) and closes the files; waits for a running drain or take. */
  close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    return this.consumer.run(() =>
      this.io.run(async () => {
        await this.commit(Infinity);
        await this.activeSegment()?.seal();
      }),
    );
  }

  /**
   * Writes up to `limit` pending records (one write per segment touched),
   * fsyncs them unless the mode is `never`, indexes them and settles their
   * `enqueue` promises. Never throws: a failure rejects the records concerned.
   */
  private async commit(limit: number): Promise<void> {
    while (this.pending.length > 0 && limit > 0) {
      let segment: Segment;
      try {
        segment = await this.segmentFor(this.pending[0]!.framed.length);
      } catch (err) {
        this.fail(this.pending.splice(0, limit), err);
        return;
      }
      const { segmentBytes, sync } = this.ctx.options;
      let n = 0;
      let bytes = 0;
      while (n < this.pending.length && n < limit) {
        const size = this.pending[n]!.framed.length;
        if (n > 0 && segment.size + bytes + size > segmentBytes) break;
        bytes += size;
        n++;
      }
      const batch = this.pending.splice(0, n);
      limit -= n;
      let at = -1;
      try {
        at = await segment.append(concat(batch, bytes));
        if (sync !== 'never') await this.syncSegment(segment);
        let offset = at;
        for (const r of batch) {
          segment.index.push(offset, r.length, r.deadline);
          offset += r.framed.length;
        }
      } catch (err) {
        // Callers are told these records failed, so they must not come back at the next open.
        if (at >= 0 && segment.index.count > 0) {
          await segment
            .revert(at)
            .catch((cause: unknown) =>
              this.ctx.options.onWarning(
                `could not remove ${batch.length} hint(s) whose sync failed from ${segment.path} (${(cause as Error).message}); ` +
                  'they may be delivered after a restart although enqueue reported a failure',
              ),
            );
        }
        // A segment created for this batch goes too: a failed enqueue leaves the directory as it was.
        if (segment.index.count === 0) await this.discard(segment);
        this.fail(batch, err);
        continue;
      }
      for (const r of batch) r.resolve();
      if (segment.size >= segmentBytes) await segment.seal().catch(() => undefined);
    }
  }

  private commitAll(): void {
    void this.io.run(() => this.commit(Infinity));
  }

  /** The segment to append a record of `size` bytes to, rotating to a new one when the active one is full. */
  private async segmentFor(size: number): Promise<Segment> {
    const active = this.activeSegment();
    if (active !== null && (active.size === FILE_HEADER_BYTES || active.size + size <= this.ctx.options.segmentBytes)) return active;
    await active?.seal();
    const segment = await Segment.create(this.ctx.dir, this.peer, this.nextSeq++, this.ctx.options.sync !== 'never');
    this.segments.push(segment);
    return segment;
  }

  private activeSegment(): Segment | null {
    const last = this.segments.at(-1);
    return last?.active ? last : null;
  }

  private async syncSegment(segment: Segment): Promise<void> {
    await segment.sync();
    this.ctx.counters.fsyncs++;
  }

  /**
   * Deletes segments with no live record and, with `compact`, rewrites those
   * a drain took records from or whose removed bytes outweigh the live ones.
   * A failure is a warning: the files are left as they were, still consistent.
   */
  private async tidy(compact: boolean): Promise<void> {
    try {
      await this.removeSegments(this.segments.filter((s) => s.index.liveCount === 0));
      if (!compact) return;
      for (const segment of this.segments) {
        const live = segment.size - FILE_HEADER_BYTES - segment.deadBytes;
        if (segment.deadBytes > 0 && (segment.delivered || segment.deadBytes >= live)) {
          await segment.seal();
          await segment.compact(this.onCorrupt);
        }
      }
    } catch (err) {
      this.ctx.options.onWarning(
        `dynoring: could not reclaim disk space of peer ${this.peer}'s hints in ${this.ctx.dir}: ${String(err)}; will retry after the next drain`,
      );
    }
  }

  /** Deletes a segment that never held a record (its first write failed), warning if even that fails. */
  private async discard(segment: Segment): Promise<void> {
    try {
      await this.removeSegments([segment]);
    } catch (err) {
      this.ctx.options.onWarning(`dynoring: could not delete the empty hint segment ${segment.path}: ${String(err)}`);
    }
  }

  private async removeSegments(doomed: Segment[]): Promise<void> {
    if (doomed.length === 0) return;
    for (const segment of doomed) {
      await segment.remove();
      this.segments.splice(this.segments.indexOf(segment), 1);
    }
    if (this.ctx.options.sync !== 'never') await syncDir(this.ctx.dir);
  }

  private release(length: number): void {
    if (length === 0) return;
    this.hintCount--;
    this.ctx.counters.hintCount--;
    this.ctx.counters.bytes -= length;
  }

  private fail(batch: Pending[], err: unknown): void {
    for (const r of batch) {
      this.release(r.length);
      r.reject(err);
    }
  }

  private toHint(record: StoredRecord): Hint {
    return { peer: this.peer, payload: record.framed.slice(RECORD_HEADER_BYTES), deadline: record.deadline };
  }
}

/**
 * `settled`'s value, or undefined once `abandon` fires first (a rejection
 * that comes after that is dropped: the drain has already ended).
 */
async function untilAbandoned<T>(settled: Promise<T>, abandon: AbortSignal): Promise<T | undefined> {
  if (abandon.aborted) {
    settled.catch(() => undefined);
    return undefined;
  }
  let onAbort!: () => void;
  const abandoned = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    abandon.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([settled, abandoned]);
  } finally {
    abandon.removeEventListener('abort', onAbort);
    settled.catch(() => undefined);
  }
}

function concat(batch: Pending[], bytes: number): Uint8Array {
  if (batch.length === 1) return batch[0]!.framed;
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const r of batch) {
    out.set(r.framed, at);
    at += r.framed.length;
  }
  return out;
}
