/**
 * One segment file: an append-only run of records for one peer. A peer's
 * hints live in a sequence of segments; only the newest is appended to. This
 * module creates, replays (cutting off a damaged tail), appends to, reads,
 * compacts and deletes one segment, and names the files it writes.
 *
 * Every file is opened without following a symlink, created exclusively,
 * and found by its exact name (docs/durable.md, "The directory").
 */
import { link, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { DurableStoreError } from '../../errors.js';
import { CREATE, createTemp, FILE_MODE, isErrno, openStoreFile, READ, syncDir, UPDATE } from './fs-util.js';
import { LABELS_NAME, LABELS_TEMP } from './labels-file.js';
import {
  encodeFileHeader,
  FILE_HEADER_BYTES,
  fileHeaderProblem,
  RECORD_HEADER_BYTES,
  recordIntact,
  recordLength,
} from './record-format.js';
import { RecordIndex } from './record-index.js';
import { scanRecords } from './segment-scan.js';

const SEGMENT_NAME = /^hints-(0|[1-9]\d*)-(\d{10,})\.log$/;
const SET_ASIDE_NAME = /^(hints-\d+-\d+\.log)(?:\.[1-9]\d*){0,2}\.corrupt$/;
/** Suffix of a compaction's temporary file; one left by a crash is deleted at open. */
export const COMPACT_SUFFIX = '.compact';
/** Bytes read per step when reading records back. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** File name of `peer`'s segment number `seq`. */
export function segmentName(peer: number, seq: number): string {
  return `hints-${peer}-${String(seq).padStart(10, '0')}.log`;
}

/** The peer and sequence number of a segment file name exactly as {@link segmentName} writes it, or `null`. */
export function parseSegmentName(name: string): { peer: number; seq: number } | null {
  const m = SEGMENT_NAME.exec(name);
  if (!m) return null;
  const peer = Number(m[1]);
  const seq = Number(m[2]);
  if (peer > 0xffff_ffff || !Number.isSafeInteger(seq) || segmentName(peer, seq) !== name) return null;
  return { peer, seq };
}

/** What a name in the store's directory is, if the store writes such names. */
export type StoreFileKind = 'segment' | 'compact' | 'setAside' | 'labels' | 'labelsTemp';

/** Which of the store's own names `name` is, or `null` if the store never writes it (locks aside). */
export function storeFileKind(name: string): StoreFileKind | null {
  if (parseSegmentName(name) !== null) return 'segment';
  if (name === LABELS_NAME) return 'labels';
  if (name === LABELS_TEMP) return 'labelsTemp';
  if (name.endsWith(COMPACT_SUFFIX) && parseSegmentName(name.slice(0, -COMPACT_SUFFIX.length)) !== null) return 'compact';
  const aside = SET_ASIDE_NAME.exec(name);
  return aside !== null && parseSegmentName(aside[1]!) !== null ? 'setAside' : null;
}

/** What a replay or a read-back set aside as damaged. */
export interface CorruptionReport {
  /** The segment file. */
  path: string;
  /** Where the damaged bytes now are; `null` when a single record was skipped in place. */
  setAsidePath: string | null;
  /** File offset where the damage starts. */
  offset: number;
  /** Damaged bytes. */
  bytes: number;
  /** What was wrong. */
  reason: string;
}

/** What replaying a segment needs from the store. */
export interface ReplayContext {
  /** Wall-clock now; records due by then are not indexed. */
  now: number;
  /** Told of each record dropped as expired during replay, with its payload length. */
  onExpired(length: number): void;
  onCorrupt(report: CorruptionReport): void;
}

/** A live record read back from disk. */
export interface StoredRecord {
  /** Entry number in the segment's index. */
  index: number;
  deadline: number;
  /** The whole framed record (header and payload), a view of the read buffer. */
  framed: Uint8Array;
}

/** One segment file and its index. */
export class Segment {
  /** Intact bytes of the file: where the next record goes. */
  size = FILE_HEADER_BYTES;
  /** Where each live record is. */
  index = new RecordIndex();
  /** Records were delivered from it since it was last rewritten: compact it when the drain ends. */
  delivered = false;
  private handle: FileHandle | null = null;

  private constructor(
    readonly dir: string,
    readonly peer: number,
    readonly seq: number,
  ) {}

  /** Path of the file. */
  get path(): string {
    return join(this.dir, segmentName(this.peer, this.seq));
  }

  /** Whether it is open for appending. */
  get active(): boolean {
    return this.handle !== null;
  }

  /** Bytes on disk holding no live record (removed ones); compaction reclaims them. */
  get deadBytes(): number {
    return this.size - FILE_HEADER_BYTES - this.index.liveBytes - RECORD_HEADER_BYTES * this.index.liveCount;
  }

  /**
   * Creates a new, empty segment open for appending. With `durable`, the
   * header and the directory entry are fsynced before it is used, so a record
   * acknowledged in it cannot vanish with its file.
   */
  static async create(dir: string, peer: number, seq: number, durable: boolean): Promise<Segment> {
    const segment = new Segment(dir, peer, seq);
    const handle = await open(segment.path, CREATE, FILE_MODE);
    try {
      await writeAll(handle, encodeFileHeader(peer), 0);
      if (durable) {
        await handle.sync();
        await syncDir(dir);
      }
    } catch (err) {
      // A disk full now must not leave a file behind: the directory stays as it was.
      await handle.close().catch(() => undefined);
      await unlink(segment.path).catch(() => undefined);
      throw err;
    }
    segment.handle = handle;
    return segment;
  }

  /**
   * Replays an existing segment file into a sealed segment. A damaged header
   * moves the whole file aside; a torn or damaged record moves it and
   * everything after it aside to a `.corrupt` file and truncates the segment
   * to its intact prefix.
   *
   * @returns the segment, or `null` if nothing of the file was usable.
   */
  static async replay(dir: string, peer: number, seq: number, ctx: ReplayContext): Promise<Segment | null> {
    const segment = new Segment(dir, peer, seq);
    const path = segment.path;
    const handle = await openStoreFile(path, UPDATE);
    let end: number;
    try {
      const { size } = await handle.stat();
      if (size === 0) {
        // Killed between creating the file and writing its header: nothing was ever in it.
        await handle.close();
        await unlink(path);
        return null;
      }
      const header = new Uint8Array(Math.min(size, FILE_HEADER_BYTES));
      await handle.read(header, 0, header.length, 0);
      const headerProblem = fileHeaderProblem(header, peer);
      if (headerProblem !== null) {
        await handle.close();
        const setAsidePath = await moveAside(path);
        ctx.onCorrupt({ path, setAsidePath, offset: 0, bytes: size, reason: headerProblem });
        return null;
      }
      const scan = await scanRecords(handle, size, (offset, length, deadline) => {
        if (deadline <= ctx.now) ctx.onExpired(length);
        else segment.index.push(offset, length, deadline);
      });
      end = scan.end;
      if (scan.problem !== null) {
        const setAsidePath = await copyTailAside(handle, path, end, size);
        await handle.truncate(end);
        await handle.sync();
        ctx.onCorrupt({ path, setAsidePath, offset: end, bytes: size - end, reason: scan.problem });
      }
    } finally {
      await handle.close().catch(() => undefined);
    }
    segment.size = end;
    return segment;
  }

  /**
   * Appends framed records at the end. If the write fails, the file is cut
   * back to its previous size and the segment sealed, so a partial write can
   * never sit in front of later records.
   *
   * @returns the file offset of the first appended byte.
   */
  async append(bytes: Uint8Array): Promise<number> {
    const handle = this.requireHandle();
    const at = this.size;
    try {
      await writeAll(handle, bytes, at);
    } catch (err) {
      await handle.truncate(at).catch(() => undefined);
      await this.seal();
      throw err;
    }
    this.size = at + bytes.length;
    return at;
  }

  /**
   * Cuts the file back to `at`, dropping records appended after it (whose
   * sync failed), and stops appending to it.
   */
  async revert(at: number): Promise<void> {
    const handle = this.requireHandle();
    try {
      await handle.truncate(at);
      await handle.datasync();
      this.size = at;
    } finally {
      await this.seal();
    }
  }

  /** fdatasyncs the appended records. */
  async sync(): Promise<void> {
    await this.requireHandle().datasync();
  }

  /** Stops appending to it (closes the append handle). */
  async seal(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }

  /**
   * Reads live records from entry `from` on (never past entry `limit`), about
   * `READ_CHUNK_BYTES` at a time. A record whose checksum no longer matches
   * (damaged after replay) is removed from the index and reported, not returned.
   *
   * @returns the records and the entry to continue from.
   */
  async readLive(
    from: number,
    limit: number,
    onCorrupt: (report: CorruptionReport, length: number) => void,
  ): Promise<{ records: StoredRecord[]; next: number }> {
    const index = this.index;
    let first = Math.max(from, index.head);
    while (first < limit && !index.isLive(first)) first++;
    if (first >= limit) return { records: [], next: limit };
    const base = index.offset(first);
    let last = first; // last live entry in the span
    let next = first + 1;
    for (; next < limit; next++) {
      if (!index.isLive(next)) continue;
      if (index.offset(next) + RECORD_HEADER_BYTES + index.length(next) - base > READ_CHUNK_BYTES) break;
      last = next;
    }
    const spanEnd = index.offset(last) + RECORD_HEADER_BYTES + index.length(last);
    const buf = new Uint8Array(spanEnd - base);
    await this.readAt(buf, base);
    const view = new DataView(buf.buffer);
    const records: StoredRecord[] = [];
    for (let i = first; i <= last; i++) {
      const length = index.length(i);
      if (length === 0) continue;
      const at = index.offset(i) - base;
      if (recordLength(view, at) !== length || !recordIntact(buf, view, at, length)) {
        onCorrupt(
          {
            path: this.path,
            setAsidePath: null,
            offset: index.offset(i),
            bytes: RECORD_HEADER_BYTES + length,
            reason: 'checksum mismatch on read-back',
          },
          index.remove(i),
        );
        continue;
      }
      records.push({ index: i, deadline: index.deadline(i), framed: buf.subarray(at, at + RECORD_HEADER_BYTES + length) });
    }
    return { records, next };
  }

  /**
   * The live records below entry `limit`, oldest first, one chunk (about
   * `READ_CHUNK_BYTES`, see {@link readLive}) at a time: the one read loop of
   * drains, takes and compaction.
   */
  async *liveChunks(limit: number, onCorrupt: (report: CorruptionReport, length: number) => void): AsyncGenerator<StoredRecord[]> {
    for (let i = this.index.head; i < limit;) {
      const { records, next } = await this.readLive(i, limit, onCorrupt);
      yield records;
      i = next;
    }
  }

  /**
   * Rewrites the live records into a fresh file that atomically replaces this
   * one (write to a temporary file, fsync, rename, fsync the directory), so a
   * crash at any point leaves either the old file or the new one. The segment
   * must be sealed.
   */
  async compact(onCorrupt: (report: CorruptionReport, length: number) => void): Promise<void> {
    const temp = this.path + COMPACT_SUFFIX;
    const out = await createTemp(temp);
    const fresh = new RecordIndex();
    const sources: number[] = [];
    try {
      await writeAll(out, encodeFileHeader(this.peer), 0);
      let size = FILE_HEADER_BYTES;
      for await (const records of this.liveChunks(this.index.count, onCorrupt)) {
        const run = new Uint8Array(records.reduce((n, r) => n + r.framed.length, 0));
        let at = 0;
        for (const r of records) {
          run.set(r.framed, at);
          fresh.push(size + at, r.framed.length - RECORD_HEADER_BYTES, r.deadline);
          sources.push(r.index);
          at += r.framed.length;
        }
        await writeAll(out, run, size);
        size += run.length;
      }
      await out.sync();
      await out.close();
      await rename(temp, this.path);
      await syncDir(this.dir);
      // Entries removed while the copy ran (expiry) stay removed in the new index.
      for (let k = 0; k < sources.length; k++) if (!this.index.isLive(sources[k]!)) fresh.remove(k);
      this.index = fresh;
      this.size = size;
      this.delivered = false;
    } catch (err) {
      await out.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  /** Deletes the file (sealing it first). The caller fsyncs the directory. */
  async remove(): Promise<void> {
    await this.seal();
    await unlink(this.path).catch((err: unknown) => {
      if (!isErrno(err, 'ENOENT')) throw err;
    });
  }

  private async readAt(buf: Uint8Array, position: number): Promise<void> {
    // A handle of its own: readers run outside the io lock, and the append handle may be closed meanwhile.
    const handle = await openStoreFile(this.path, READ);
    try {
      let done = 0;
      while (done < buf.length) {
        const { bytesRead } = await handle.read(buf, done, buf.length - done, position + done);
        if (bytesRead === 0)
          throw new DurableStoreError(
            'Damaged',
            `${this.path}: file ends at ${position + done}, expected ${position + buf.length} bytes: another program truncated it while the store was open; ` +
              'stop that program, then close and reopen the store, which keeps every intact record and sets the rest aside',
            this.path,
          );
        done += bytesRead;
      }
    } finally {
      await handle.close();
    }
  }

  private requireHandle(): FileHandle {
    if (this.handle === null) throw new Error(`internal: segment ${this.path} is sealed`);
    return this.handle;
  }
}

/** Renames a whole unreadable file to a free `.corrupt` name (`link` fails on a taken one, where `rename` would replace it). */
async function moveAside(path: string): Promise<string> {
  for (let n = 0; ; n++) {
    const target = `${path}${n === 0 ? '' : `.${n}`}.corrupt`;
    try {
      await link(path, target);
    } catch (err) {
      if (isErrno(err, 'EEXIST')) continue;
      throw err;
    }
    await unlink(path);
    await syncDir(join(path, '..'));
    return target;
  }
}

/** Copies `[from, size)` of the file to a new `.corrupt` file and fsyncs it. */
async function copyTailAside(handle: FileHandle, path: string, from: number, size: number): Promise<string> {
  for (let n = 0; ; n++) {
    const target = `${path}.${from}${n === 0 ? '' : `.${n}`}.corrupt`;
    let out: FileHandle;
    try {
      out = await open(target, CREATE, FILE_MODE);
    } catch (err) {
      if (isErrno(err, 'EEXIST')) continue;
      throw err;
    }
    try {
      const buf = new Uint8Array(Math.min(size - from, READ_CHUNK_BYTES));
      for (let pos = from; pos < size;) {
        const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - pos), pos);
        if (bytesRead === 0) break;
        await writeAll(out, buf.subarray(0, bytesRead), pos - from);
        pos += bytesRead;
      }
      await out.sync();
    } finally {
      await out.close();
    }
    await syncDir(join(path, '..'));
    return target;
  }
}

/** Writes all of `bytes` at `position` (a write may be short, e.g. when the disk fills). */
async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten === 0) throw Object.assign(new Error(`ENOSPC: nothing written at ${position + done}`), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}
