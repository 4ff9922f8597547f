/**
 * The durable hint store (docs/design.md §5): the operations of
 * the in-memory `HintStore`, backed by per-peer append-only segment files
 * that are replayed at open and survive a crash at any byte.
 */
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { HintStoreError } from '../../errors.js';
import { checkPayload, checkPeer, checkTime, checkTtl } from './arguments.js';
import { DirLock } from './dir-lock.js';
import { DurableStoreError } from '../../errors.js';
import { DIR_MODE, isErrno } from './fs-util.js';
import { resolveOptions, type DurableHintStoreOptions, type ResolvedOptions } from './options.js';
import type { DrainResult } from '../hint.js';
import { PeerLog, type Counters, type DurableHint } from './peer-log.js';
import { encodeRecord } from './record-format.js';
import { COMPACT_SUFFIX, parseSegmentName, Segment, type CorruptionReport } from './segment.js';

/** A snapshot of a {@link DurableHintStore}'s counters. */
export interface DurableHintStoreStats {
  /** Hints stored now (written or being written). */
  hintCount: number;
  /** Sum of the stored payloads' lengths. */
  bytes: number;
  /** The cap on `bytes`; 0 means no cap. */
  maxBytes: number;
  /** Hints dropped because their deadline passed, since open (replay included). */
  expiredTotal: number;
  /** `enqueue` calls refused with `OverCapacity`, since open. */
  rejectedOverCapacityTotal: number;
  /** Hints recovered from disk at open. */
  replayedHints: number;
  /** `.corrupt` files written since open: each holds a damaged tail or a whole unreadable segment. */
  corruptFiles: number;
  /** Bytes set aside in those files, plus bytes of damaged records skipped on read-back. */
  corruptBytes: number;
  /** Records whose checksum failed when read back after open (damaged on disk since); skipped, never delivered. */
  corruptRecords: number;
  /** Segment files now. */
  segmentFiles: number;
  /** Bytes of the segment files now (payloads, framing, and removed hints not yet compacted away). */
  diskBytes: number;
  /** fsyncs of segment data since open: with `sync: 'batch'`, fewer than the hints enqueued. */
  fsyncs: number;
}

/**
 * Hints for peers that are down, kept on disk so a restart loses none that
 * were acknowledged.
 *
 * Layout: in `dir`, one sequence of segment files per peer
 * (`hints-<peer>-<seq>.log`), a `LOCK` file, and `.corrupt` files holding
 * whatever replay found damaged. Records are framed with their length, a
 * CRC-32C and a wall-clock deadline.
 *
 * Memory: payloads stay on disk; the index costs about 20 bytes per hint,
 * plus one open file per peer with an active segment.
 *
 * Concurrency: calls may overlap freely. Per peer, records reach the file in
 * `enqueue` call order; `drain` and `takeFor` of one peer run one at a time,
 * while appends continue during a drain. One process owns `dir` at a time.
 *
 * @example
 * ```ts
 * const store = await DurableHintStore.open('/var/lib/myapp/hints', { maxBytes: 256 << 20, sync: 'batch' });
 * await store.enqueue(3, requestBytes, 3 * 3600_000); // peer 3 is down: keep it for 3 hours
 * // ... later, when peer 3 is back:
 * await store.drain(3, (hint) => sendTo(hint.peer, hint.payload));
 * await store.close();
 * ```
 */
export class DurableHintStore {
  /** The cap on stored payload bytes; 0 means no cap. */
  readonly maxBytes: number;
  private readonly counters: Counters = { hintCount: 0, bytes: 0, expiredTotal: 0, fsyncs: 0 };
  private readonly peers = new Map<number, PeerLog>();
  private rejectedOverCapacityTotal = 0;
  private replayedHints = 0;
  private corruptFiles = 0;
  private corruptBytes = 0;
  private corruptRecords = 0;
  private closed = false;
  private closing: Promise<void> | null = null;

  private constructor(
    /** The directory the store owns. */
    readonly dir: string,
    private readonly options: ResolvedOptions,
    private readonly lock: DirLock,
  ) {
    this.maxBytes = options.maxBytes;
  }

  /**
   * Opens (creating if needed, mode 0o700) the store in `dir`, takes its
   * lock, and replays every segment. Damaged bytes are set aside and
   * reported through `onWarning` and {@link stats}; opening does not fail
   * because of them.
   *
   * @throws TypeError/RangeError for bad arguments; DurableStoreError
   *   `Locked` if a live process owns `dir`, `NotADirectory` if `dir` is a
   *   file; Node's errors for I/O failures.
   */
  static async open(dir: string, options: DurableHintStoreOptions): Promise<DurableHintStore> {
    if (typeof dir !== 'string' || dir === '') throw new TypeError('dir must be a non-empty path string');
    const resolved = resolveOptions(options);
    await mkdir(dir, { recursive: true, mode: DIR_MODE }).catch((err: unknown) => {
      if (!isErrno(err, 'EEXIST')) throw err;
    });
    if (!(await stat(dir)).isDirectory())
      throw new DurableStoreError('NotADirectory', `${dir} exists and is not a directory; give a directory path`, dir);
    const lock = await DirLock.acquire(dir, resolved.onWarning);
    const store = new DurableHintStore(dir, resolved, lock);
    try {
      await store.replay();
    } catch (err) {
      await store.closeLogs().catch(() => undefined);
      await lock.release().catch(() => undefined);
      throw err;
    }
    return store;
  }

  /**
   * Stores a hint for `peer`, due `ttlMs` from now on the wall clock, and
   * resolves once it is as durable as the `sync` mode promises. It counts in
   * {@link lenFor}, {@link totalLen} and {@link stats} from the call on. The
   * store keeps its own copy of `payload`.
   *
   * Checks, in order: argument types (TypeError/RangeError); a closed store
   * (DurableStoreError `Closed`); then HintStoreError `ZeroTtl`,
   * `EmptyPayload`; DurableStoreError `RecordTooLarge` (over
   * `maxRecordBytes`); HintStoreError `OverCapacity` (counted in
   * `rejectedOverCapacityTotal`). A refusal changes nothing else.
   */
  async enqueue(peer: number, payload: Uint8Array, ttlMs: number): Promise<void> {
    checkPeer(peer);
    checkPayload(payload);
    checkTtl(ttlMs);
    this.checkOpen();
    if (ttlMs === 0)
      throw new HintStoreError('ZeroTtl', `hint for peer ${peer} has a TTL of 0: it would expire at once; give a positive ttlMs`);
    if (payload.length === 0)
      throw new HintStoreError('EmptyPayload', `hint for peer ${peer} has an empty payload: there is nothing to deliver`);
    const { maxRecordBytes } = this.options;
    if (payload.length > maxRecordBytes) {
      throw new DurableStoreError(
        'RecordTooLarge',
        `hint for peer ${peer} has ${payload.length} bytes, over maxRecordBytes ${maxRecordBytes}; raise maxRecordBytes when opening the store`,
      );
    }
    if (this.maxBytes !== 0 && this.counters.bytes + payload.length > this.maxBytes) {
      this.rejectedOverCapacityTotal++;
      throw new HintStoreError(
        'OverCapacity',
        `hint store is full: ${this.counters.bytes} of ${this.maxBytes} bytes used, a ${payload.length}-byte hint does not fit; drain or expire hints, or raise maxBytes`,
        this.maxBytes,
      );
    }
    const deadline = this.options.now() + ttlMs;
    await this.logFor(peer).append(encodeRecord(payload, deadline), payload.length, deadline);
  }

  /**
   * Removes and returns all of `peer`'s hints, oldest first; those past
   * their deadline are dropped and counted as expired. They leave the disk
   * when this resolves: use {@link drain} to keep a hint until it is delivered.
   */
  async takeFor(peer: number): Promise<DurableHint[]> {
    checkPeer(peer);
    this.checkOpen();
    return (await this.peers.get(peer)?.takeAll()) ?? [];
  }

  /**
   * Delivers `peer`'s hints (those stored when called) oldest first. A hint
   * is removed only after `deliver` resolved for it, so a crash can deliver
   * it again but never loses it (at-least-once). Hints past their deadline
   * are dropped, counted, and not delivered. If `deliver` rejects, that hint
   * and the later ones stay, in order, and the drain rejects with a
   * `HintDeliveryError` (`cause`: what `deliver` threw; `result`: the counts).
   * Delivered segments are deleted, a partly delivered one is compacted.
   * Closing the store stops a drain between two hints.
   */
  async drain(peer: number, deliver: (hint: DurableHint) => Promise<void>): Promise<DrainResult> {
    checkPeer(peer);
    if (typeof deliver !== 'function') throw new TypeError('deliver must be a function returning a promise');
    this.checkOpen();
    const log = this.peers.get(peer);
    if (log === undefined) return { delivered: 0, expired: 0, left: 0 };
    return log.drain(deliver, () => this.closed);
  }

  /**
   * Drops every hint with `deadline <= now` (default: the store's clock) and
   * returns how many. Finding them costs the number dropped plus one check
   * per segment; the disk space is reclaimed before this resolves, except for
   * peers being drained, whose drain reclaims it when it ends.
   */
  async expireNow(now: number = this.options.now()): Promise<number> {
    checkTime(now);
    this.checkOpen();
    let dropped = 0;
    const touched: PeerLog[] = [];
    for (const log of this.peers.values()) {
      const n = log.expire(now);
      if (n > 0) touched.push(log);
      dropped += n;
    }
    await Promise.all(touched.map((log) => log.tidyIfIdle()));
    return dropped;
  }

  /** Hints stored, all peers. */
  totalLen(): number {
    return this.counters.hintCount;
  }

  /** Hints stored for `peer`. */
  lenFor(peer: number): number {
    checkPeer(peer);
    return this.peers.get(peer)?.hintCount ?? 0;
  }

  /** Peers with at least one hint, ascending. */
  peersWithHints(): number[] {
    const out: number[] = [];
    for (const [peer, log] of this.peers) if (log.hintCount > 0) out.push(peer);
    return out.sort((a, b) => a - b);
  }

  /** A snapshot of the counters. */
  stats(): DurableHintStoreStats {
    let segmentFiles = 0;
    let diskBytes = 0;
    for (const log of this.peers.values()) {
      segmentFiles += log.segmentCount;
      diskBytes += log.diskBytes;
    }
    return {
      hintCount: this.counters.hintCount,
      bytes: this.counters.bytes,
      maxBytes: this.maxBytes,
      expiredTotal: this.counters.expiredTotal,
      rejectedOverCapacityTotal: this.rejectedOverCapacityTotal,
      replayedHints: this.replayedHints,
      corruptFiles: this.corruptFiles,
      corruptBytes: this.corruptBytes,
      corruptRecords: this.corruptRecords,
      segmentFiles,
      diskBytes,
      fsyncs: this.counters.fsyncs,
    };
  }

  /**
   * Commits pending hints, waits for running drains (which stop after the
   * hint in flight) and takes, closes the files and releases the lock.
   * Further calls fail with DurableStoreError `Closed`; closing twice is fine.
   */
  close(): Promise<void> {
    if (this.closing === null) {
      this.closed = true;
      this.closing = (async () => {
        try {
          await this.closeLogs();
        } finally {
          // Even after a failed close, this process must not keep the directory locked.
          await this.lock.release();
        }
      })();
    }
    return this.closing;
  }

  private async closeLogs(): Promise<void> {
    await Promise.all([...this.peers.values()].map((log) => log.close()));
  }

  private checkOpen(): void {
    if (this.closed) throw new DurableStoreError('Closed', `hint store ${this.dir} is closed; open it again to use it`, this.dir);
  }

  private logFor(peer: number): PeerLog {
    let log = this.peers.get(peer);
    if (log === undefined) {
      log = new PeerLog(peer, this.context(), [], 0);
      this.peers.set(peer, log);
    }
    return log;
  }

  private context() {
    return {
      dir: this.dir,
      options: this.options,
      counters: this.counters,
      reportCorruption: (report: CorruptionReport) => this.reportCorruption(report),
    };
  }

  /** Loads every segment in `dir`, oldest first per peer, then reclaims what is already dead. */
  private async replay(): Promise<void> {
    const found = new Map<number, number[]>();
    for (const name of await readdir(this.dir)) {
      if (name.endsWith(COMPACT_SUFFIX)) {
        // A compaction cut short by a crash: the original it was replacing is intact.
        await unlink(join(this.dir, name)).catch((err: unknown) => {
          if (!isErrno(err, 'ENOENT')) throw err;
        });
        continue;
      }
      const parsed = parseSegmentName(name);
      if (parsed === null) continue;
      const seqs = found.get(parsed.peer) ?? [];
      seqs.push(parsed.seq);
      found.set(parsed.peer, seqs);
    }
    const now = this.options.now();
    const ctx = {
      now,
      maxRecordBytes: this.options.maxRecordBytes,
      onExpired: () => this.counters.expiredTotal++,
      onCorrupt: (report: CorruptionReport) => this.reportCorruption(report),
    };
    for (const [peer, seqs] of found) {
      seqs.sort((a, b) => a - b);
      const segments: Segment[] = [];
      for (const seq of seqs) {
        const segment = await Segment.replay(this.dir, peer, seq, ctx);
        if (segment !== null) segments.push(segment);
      }
      const log = new PeerLog(peer, this.context(), segments, seqs.at(-1)! + 1);
      this.peers.set(peer, log);
      for (const s of segments) {
        this.counters.hintCount += s.index.liveCount;
        this.counters.bytes += s.index.liveBytes;
        this.replayedHints += s.index.liveCount;
      }
      await log.tidyIfIdle();
    }
  }

  private reportCorruption(report: CorruptionReport): void {
    this.corruptBytes += report.bytes;
    if (report.setAsidePath === null) this.corruptRecords++;
    else this.corruptFiles++;
    const where = report.setAsidePath === null ? 'skipped it' : `moved ${report.bytes} bytes to ${report.setAsidePath}`;
    this.options.onWarning(
      `dynoring: damaged hint data in ${report.path} at byte ${report.offset} (${report.reason}); kept the records before it, ${where}`,
    );
  }
}
