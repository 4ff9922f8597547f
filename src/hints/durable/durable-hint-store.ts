/**
 * The durable hint store (docs/design.md §5; docs/durable.md):
 * the operations of the in-memory `HintStore`, backed by per-peer
 * append-only segment files that are replayed at open and survive a crash
 * at any byte.
 */
import { lstat, mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DurableStoreError, storeClosed } from '../../errors.js';
import {
  checkDeliver,
  checkDrainOptions,
  checkExpireTime,
  checkHintArguments,
  checkLabels,
  checkPeer,
  overCapacity,
  refuseHint,
  type DeliverHint,
  type DrainOptions,
  type DrainResult,
  type Hint,
  type HintStoreStats,
} from '../hint.js';
import { DirLock, LOCK_NAME } from './dir-lock.js';
import { DIR_MODE, isErrno } from './fs-util.js';
import { readLabels, writeLabels } from './labels-file.js';
import { resolveOptions, type DurableHintStoreOptions, type ResolvedOptions } from './options.js';
import { PeerLog, type Counters } from './peer-log.js';
import { encodeRecord } from './record-format.js';
import { parseSegmentName, Segment, storeFileKind, type CorruptionReport } from './segment.js';

/** A snapshot of a {@link DurableHintStore}'s counters: those of every hint store, and the disk's. */
export interface DurableHintStoreStats extends HintStoreStats {
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

/** A `.corrupt` file in the store's directory: damaged data set aside for inspection. */
export interface SetAsideFile {
  /** Path of the file. */
  readonly path: string;
  /** Its size. */
  readonly bytes: number;
}

/**
 * Hints for peers that are down, kept on disk so a restart loses none that
 * were acknowledged.
 *
 * Layout (docs/durable.md): in `dir`, one sequence of segment files per
 * peer (`hints-<peer>-<seq>.log`), a `LOCK` file, the peers' labels
 * (`peers.json`, see {@link setLabels}), and `.corrupt` files
 * holding whatever replay found damaged (the newest kept, see
 * `keepCorruptFiles`). Records are framed with their length, a CRC-32C and a
 * wall-clock deadline. The directory must be the store's alone: owned by
 * this user, not writable by group or others; files it did not write are
 * left alone.
 *
 * Memory: payloads stay on disk; the index costs about 24 bytes per hint,
 * plus one open file per peer with an active segment.
 *
 * Concurrency: calls may overlap freely. Per peer, records reach the file in
 * `enqueue` call order; `drain` and `takeFor` of one peer run one at a time,
 * while appends continue during a drain. One process owns `dir` at a time.
 *
 * @example
 * ```ts
 * const store = await DurableHintStore.open('/var/lib/myapp/hints', { maxBytes: 1 << 30 });
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
  /** Per peer, the first segment number no entry of the directory uses (for peers without a log yet). */
  private readonly freeSeq = new Map<number, number>();
  /** `.corrupt` files in the directory, oldest first. */
  private setAside: SetAsideFile[] = [];
  /** Fired `closeTimeoutMs` after `close()`: drains stop waiting for their `deliver`. */
  private readonly abandon = new AbortController();
  private rejectedOverCapacityTotal = 0;
  private replayedHints = 0;
  private corruptFiles = 0;
  private corruptBytes = 0;
  private corruptRecords = 0;
  private closed = false;
  private closing: Promise<void> | null = null;
  /** What each peer number stands for, as on disk (see {@link setLabels}). */
  private labels = new Map<number, string>();

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
   * because of them. Entries of `dir` the store did not write are named in
   * a warning each and left alone.
   *
   * @param options - see {@link DurableHintStoreOptions}; every field has a default ({@link DURABLE_DEFAULTS}).
   * @throws TypeError/RangeError for bad arguments; DurableStoreError
   *   `Locked` if a live process owns `dir`, `NotADirectory` if `dir` is a
   *   file, `UnsafeDirectory` if `dir` is not this user's alone (or its
   *   `LOCK` or `peers.json` is not a regular file); Node's
   *   errors for I/O failures.
   */
  static async open(dir: string, options?: DurableHintStoreOptions): Promise<DurableHintStore> {
    if (typeof dir !== 'string' || dir === '') throw new TypeError('dir must be a non-empty path string');
    const resolved = resolveOptions(options);
    await mkdir(dir, { recursive: true, mode: DIR_MODE }).catch((err: unknown) => {
      if (!isErrno(err, 'EEXIST')) throw err;
    });
    await checkDirectory(dir);
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
   * (DurableStoreError `Closed`); then HintStoreError `ZeroTtl` (a TTL under
   * 1 ms), `EmptyPayload`; DurableStoreError `RecordTooLarge` (over
   * `maxRecordBytes`); HintStoreError `OverCapacity` (counted in
   * `rejectedOverCapacityTotal`). A refusal changes nothing else.
   */
  async enqueue(peer: number, payload: Uint8Array, ttlMs: number): Promise<void> {
    checkHintArguments(peer, payload, ttlMs);
    this.checkOpen();
    refuseHint(peer, payload, ttlMs);
    const { maxRecordBytes } = this.options;
    if (payload.length > maxRecordBytes) {
      throw new DurableStoreError(
        'RecordTooLarge',
        `hint for peer ${peer} has ${payload.length} bytes, over maxRecordBytes ${maxRecordBytes}; raise maxRecordBytes when opening the store`,
      );
    }
    const full = overCapacity(peer, payload.length, this.counters.bytes, this.maxBytes);
    if (full !== undefined) {
      this.rejectedOverCapacityTotal++;
      throw full;
    }
    const deadline = this.options.now() + ttlMs;
    await this.logFor(peer).append(encodeRecord(payload, deadline), payload.length, deadline);
  }

  /**
   * Removes and returns all of `peer`'s hints, oldest first; those past
   * their deadline are dropped and counted as expired. They leave the disk
   * when this resolves: use {@link drain} to keep a hint until it is delivered.
   */
  async takeFor(peer: number): Promise<Hint[]> {
    checkPeer(peer);
    this.checkOpen();
    return (await this.peers.get(peer)?.takeAll()) ?? [];
  }

  /**
   * Delivers `peer`'s hints (those stored when called) oldest first,
   * `options.window` at a time (one by default; see {@link DrainOptions}). A
   * hint is removed only after `deliver` resolved for it and for every hint
   * before it, so a crash can deliver it again but never loses it (at-least-once). Hints past their deadline
   * are dropped, counted, and not delivered. If `deliver` rejects, that hint
   * and the later ones stay, in order, and the drain rejects with a
   * `HintDeliveryError` (`cause`: what `deliver` threw; `result`: the counts).
   * Delivered segments are deleted, a partly delivered one is compacted.
   * A hint out for delivery stays stored, counted in every figure and
   * against `maxBytes`, until `deliver` resolved. Closing the store stops a
   * drain between two hints (once those in flight have settled), or
   * abandons the deliveries still pending `closeTimeoutMs` after `close()`
   * (those hints stay stored).
   */
  async drain(peer: number, deliver: DeliverHint, options?: DrainOptions): Promise<DrainResult> {
    checkPeer(peer);
    checkDeliver(deliver);
    const window = checkDrainOptions(options);
    this.checkOpen();
    const log = this.peers.get(peer);
    if (log === undefined) return { delivered: 0, expired: 0, left: 0 };
    return log.drain(deliver, window, () => this.closed, this.abandon.signal);
  }

  /**
   * Drops every hint with `deadline <= now` (default: the store's clock;
   * `Infinity` drops all) and returns how many. Finding them costs O(log n)
   * per hint dropped plus one check per segment; the disk space is reclaimed
   * before this resolves (a rewrite only once removed bytes outweigh live
   * ones, so its cost is proportional to what was dropped), except for peers
   * being drained, whose drain reclaims it when it ends.
   */
  async expireNow(now: number = this.options.now()): Promise<number> {
    checkExpireTime(now);
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

  /**
   * Records what peer numbers stand for (see `checkLabels` in the hint
   * contract); peers not named keep theirs. A coordinator records each
   * peer's `host:port` at connect and when it takes a refreshed topology,
   * and refuses a topology that gives a peer with hints waiting another one.
   *
   * Synchronous, unlike the rest of the store: the caller changes its
   * numbering in the same turn of the event loop, so no hint is stored
   * between the two. The file (`peers.json`) is small and written only when
   * a label changes; once this returns it is in place, and {@link labelOf}
   * answers with the new labels.
   *
   * @throws TypeError or RangeError for labels `checkLabels` refuses;
   *   DurableStoreError `Closed`; Node's errors when the file could not be
   *   replaced. Nothing is recorded then.
   */
  setLabels(labels: ReadonlyMap<number, string>): void {
    const entries = checkLabels(labels);
    this.checkOpen();
    if (entries.every(([peer, label]) => this.labels.get(peer) === label)) return;
    const next = new Map(this.labels);
    for (const [peer, label] of entries) next.set(peer, label);
    writeLabels(this.dir, next, this.options.onWarning);
    this.labels = next;
  }

  /**
   * The label recorded for `peer` (by {@link setLabels}, in this process or
   * an earlier one), if any.
   *
   * @throws TypeError or RangeError if `peer` is not a u32 integer.
   */
  labelOf(peer: number): string | undefined {
    checkPeer(peer);
    return this.labels.get(peer);
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
   * The `.corrupt` files in the directory (damaged data set aside at this or
   * an earlier open), newest first. Only the newest are kept: at most
   * `keepCorruptFiles` files and `keepCorruptBytes` bytes (the newest one
   * always); older ones are deleted at open, with a warning.
   */
  setAsideFiles(): SetAsideFile[] {
    return this.setAside.slice().reverse();
  }

  /**
   * Commits pending hints, waits for running drains (which stop after the
   * hint in flight, waiting for its `deliver` at most `closeTimeoutMs`) and
   * takes, closes the files and releases the lock. Further calls fail with
   * DurableStoreError `Closed`; closing twice is fine.
   */
  close(): Promise<void> {
    if (this.closing === null) {
      this.closed = true;
      const timer = setTimeout(() => this.abandon.abort(), this.options.closeTimeoutMs);
      this.closing = (async () => {
        try {
          await this.closeLogs();
        } finally {
          clearTimeout(timer);
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

  /** Whether `close()` was called: every operation but the counters is then refused (`DurableStoreError` `Closed`). */
  get isClosed(): boolean {
    return this.closed;
  }

  private checkOpen(): void {
    if (this.closed) throw storeClosed(this.dir);
  }

  private logFor(peer: number): PeerLog {
    let log = this.peers.get(peer);
    if (log === undefined) {
      log = new PeerLog(peer, this.context(), [], this.freeSeq.get(peer) ?? 0);
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

  /**
   * Loads every segment in `dir`, oldest first per peer, then reclaims what
   * is already dead and applies the `.corrupt` retention. Only the exact
   * names the store writes, as regular files, are read or removed.
   */
  private async replay(): Promise<void> {
    const found = new Map<number, number[]>();
    const setAside: Array<SetAsideFile & { ctimeMs: number; name: string }> = [];
    for (const name of await readdir(this.dir)) {
      if (LOCK_NAME.test(name)) continue;
      const path = join(this.dir, name);
      const kind = storeFileKind(name);
      if (kind === null) {
        this.options.onWarning(`dynoring: ${path} is not a file the hint store writes; left it alone`);
        continue;
      }
      const segment = kind === 'segment' ? parseSegmentName(name) : null;
      // A name is taken even by an entry the store cannot use: new segments never collide with it.
      if (segment !== null) this.freeSeq.set(segment.peer, Math.max(this.freeSeq.get(segment.peer) ?? 0, segment.seq + 1));
      const info = await lstat(path).catch((err: unknown) => {
        if (isErrno(err, 'ENOENT')) return null;
        throw err;
      });
      if (info === null) continue;
      if (!info.isFile()) {
        const what = info.isSymbolicLink() ? 'a symlink' : info.isDirectory() ? 'a directory' : 'not a regular file';
        // The labels are rewritten in place: a planted entry there would fail every setLabels, or be read as ours.
        if (kind === 'labels') {
          throw new DurableStoreError(
            'UnsafeDirectory',
            `${path} is ${what}, where the store keeps its peer labels: the store did not write it; remove it`,
            path,
          );
        }
        this.options.onWarning(`dynoring: ${path} is ${what}, not a file the hint store wrote, though it has such a name; left it alone`);
        continue;
      }
      if (kind === 'compact' || kind === 'labelsTemp') {
        // A replacement cut short by a crash: the original it was replacing is intact.
        await unlink(path).catch((err: unknown) => {
          if (!isErrno(err, 'ENOENT')) throw err;
        });
      } else if (kind === 'labels') {
        const labels = await readLabels(this.dir);
        if (typeof labels === 'string') {
          this.options.onWarning(
            `dynoring: ${path} ${labels}; started without peer labels, so hints already stored are not checked against the topology`,
          );
        } else this.labels = labels;
      } else if (kind === 'setAside') {
        setAside.push({ path, bytes: info.size, ctimeMs: info.ctimeMs, name });
      } else if (segment !== null) {
        const seqs = found.get(segment.peer) ?? [];
        seqs.push(segment.seq);
        found.set(segment.peer, seqs);
      }
    }
    // Oldest first by when they were set aside (a rename or a copy sets ctime), then by name.
    setAside.sort((a, b) => a.ctimeMs - b.ctimeMs || (a.name < b.name ? -1 : 1));
    this.setAside = setAside.map(({ path, bytes }) => ({ path, bytes }));
    const now = this.options.now();
    const ctx = {
      now,
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
      const log = new PeerLog(peer, this.context(), segments, this.freeSeq.get(peer)!);
      this.peers.set(peer, log);
      for (const s of segments) {
        this.counters.hintCount += s.index.liveCount;
        this.counters.bytes += s.index.liveBytes;
        this.replayedHints += s.index.liveCount;
      }
      await log.tidyIfIdle();
    }
    await this.applyRetention();
  }

  /** Deletes the oldest `.corrupt` files beyond `keepCorruptFiles` and `keepCorruptBytes`, always keeping the newest. */
  private async applyRetention(): Promise<void> {
    const { keepCorruptFiles, keepCorruptBytes } = this.options;
    let keep = 0;
    let bytes = 0;
    for (let i = this.setAside.length - 1; i >= 0; i--) {
      const size = this.setAside[i]!.bytes;
      if (keep > 0 && (keep === keepCorruptFiles || bytes + size > keepCorruptBytes)) break;
      keep++;
      bytes += size;
    }
    const doomed = this.setAside.slice(0, this.setAside.length - keep);
    if (doomed.length === 0) return;
    const deleted: string[] = [];
    for (const file of doomed) {
      try {
        await unlink(file.path);
        deleted.push(file.path);
      } catch (err) {
        if (isErrno(err, 'ENOENT')) deleted.push(file.path);
        else this.options.onWarning(`dynoring: could not delete set-aside file ${file.path}: ${String(err)}`);
      }
    }
    this.setAside = this.setAside.filter((f) => !deleted.includes(f.path));
    this.options.onWarning(
      `dynoring: deleted set-aside file(s) beyond keepCorruptFiles ${keepCorruptFiles} / keepCorruptBytes ${keepCorruptBytes}, oldest first: ${deleted.join(', ')}`,
    );
  }

  private reportCorruption(report: CorruptionReport): void {
    this.corruptBytes += report.bytes;
    if (report.setAsidePath === null) this.corruptRecords++;
    else {
      this.corruptFiles++;
      this.setAside.push({ path: report.setAsidePath, bytes: report.bytes });
    }
    const where = report.setAsidePath === null ? 'skipped it' : `moved ${report.bytes} bytes to ${report.setAsidePath}`;
    this.options.onWarning(
      `dynoring: damaged hint data in ${report.path} at byte ${report.offset} (${report.reason}); kept the records before it, ${where}`,
    );
  }
}

/**
 * Refuses a directory that is not this user's alone: another user who can
 * write to it could plant a symlink or a file where the store writes.
 *
 * @throws DurableStoreError `NotADirectory` or `UnsafeDirectory`.
 */
async function checkDirectory(dir: string): Promise<void> {
  const info = await stat(dir);
  if (!info.isDirectory()) throw new DurableStoreError('NotADirectory', `${dir} exists and is not a directory; give a directory path`, dir);
  const uid = process.getuid?.();
  if (uid === undefined) return; // Windows: no POSIX owner or mode bits to check
  if (info.uid !== uid) {
    throw new DurableStoreError(
      'UnsafeDirectory',
      `hint directory ${dir} is owned by uid ${info.uid}, not by this process's user (uid ${uid}), who must own it alone; ` +
        `give the store a directory of its own, or chown ${uid} ${dir}`,
      dir,
    );
  }
  if ((info.mode & 0o022) !== 0) {
    throw new DurableStoreError(
      'UnsafeDirectory',
      `hint directory ${dir} is writable by ${info.mode & 0o020 ? 'its group' : 'others'} (mode ${(info.mode & 0o777).toString(8)}), ` +
        `so another user could plant files in it; chmod 700 ${dir}`,
      dir,
    );
  }
}
