/**
 * Replay of one segment file: reads it front to back in large chunks,
 * verifying every record, and stops at the first one that is torn or damaged.
 */
import type { FileHandle } from 'node:fs/promises';
import { FILE_HEADER_BYTES, lengthProblem, RECORD_HEADER_BYTES, recordDeadline, recordIntact, recordLength } from './record-format.js';

/** Bytes read from disk per step of a replay. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/** Where a replay stopped. */
export interface ScanResult {
  /** File offset just past the last intact record. */
  end: number;
  /** Why the bytes from `end` on were rejected; `null` if the whole file was intact. */
  problem: string | null;
}

/** Called for each intact record: its file offset, payload length and deadline. */
export type OnRecord = (offset: number, length: number, deadline: number) => void;

/** A read buffer holding the file bytes `[start, start + length)`. */
interface Window {
  buf: Uint8Array;
  view: DataView;
  start: number;
  length: number;
}

/**
 * Calls `onRecord` for each intact record of the file, in order, from just
 * after the header to the first bad record. A length field is checked
 * against the file size and the format's largest record before any buffer
 * is sized by it.
 */
export async function scanRecords(handle: FileHandle, fileSize: number, onRecord: OnRecord): Promise<ScanResult> {
  const chunks = new ChunkReader(handle, FILE_HEADER_BYTES, fileSize);
  const buf = new Uint8Array(Math.min(2 * CHUNK_BYTES, Math.max(fileSize, RECORD_HEADER_BYTES)));
  const win: Window = { buf, view: new DataView(buf.buffer), start: FILE_HEADER_BYTES, length: 0 };
  let pos = FILE_HEADER_BYTES;
  for (;;) {
    const step = scanWindow(win, pos, fileSize, onRecord);
    pos = step.pos;
    if (step.problem !== null || pos === fileSize) return { end: pos, problem: step.problem };
    if (!(await refill(chunks, win, pos, step.need))) return { end: pos, problem: 'file shrank during replay' };
  }
}

/**
 * Reads a file range in chunks, always one chunk ahead, so the disk works
 * while the previous chunk is being verified. A returned chunk stays valid
 * until the next-but-one call.
 */
class ChunkReader {
  private readonly buffers: [Uint8Array, Uint8Array];
  private turn = 0;
  private ahead: Promise<Uint8Array> | null;

  constructor(
    private readonly handle: FileHandle,
    private position: number,
    private readonly end: number,
  ) {
    const size = Math.min(CHUNK_BYTES, Math.max(end - position, 1));
    this.buffers = [new Uint8Array(size), new Uint8Array(size)];
    this.ahead = this.read();
  }

  /** The next chunk; empty at the end of the range. */
  async next(): Promise<Uint8Array> {
    const chunk = await this.ahead!;
    this.ahead = chunk.length === 0 ? Promise.resolve(chunk) : this.read();
    return chunk;
  }

  private async read(): Promise<Uint8Array> {
    const buf = this.buffers[this.turn]!;
    this.turn ^= 1;
    const want = Math.min(buf.length, this.end - this.position);
    if (want <= 0) return buf.subarray(0, 0);
    const { bytesRead } = await this.handle.read(buf, 0, want, this.position);
    this.position += bytesRead;
    return buf.subarray(0, bytesRead);
  }
}

/**
 * Verifies the records wholly inside the window, synchronously (an await per
 * record would cost more than its checksum).
 *
 * @returns where it stopped, and either why or how many bytes from there the
 *   window must hold to go on.
 */
function scanWindow(
  win: Window,
  from: number,
  fileSize: number,
  onRecord: OnRecord,
): { pos: number; need: number; problem: string | null } {
  const { buf, view, start } = win;
  const windowEnd = start + win.length;
  let pos = from;
  while (pos < fileSize) {
    const left = fileSize - pos;
    if (left < RECORD_HEADER_BYTES) return { pos, need: 0, problem: `torn record header (${left} bytes left in the file)` };
    if (pos + RECORD_HEADER_BYTES > windowEnd) return { pos, need: RECORD_HEADER_BYTES, problem: null };
    const at = pos - start;
    const length = recordLength(view, at);
    const bad = lengthProblem(length, left - RECORD_HEADER_BYTES);
    if (bad !== null) return { pos, need: 0, problem: bad };
    const span = RECORD_HEADER_BYTES + length;
    if (pos + span > windowEnd) return { pos, need: span, problem: null };
    if (!recordIntact(buf, view, at, length)) return { pos, need: 0, problem: 'checksum mismatch' };
    onRecord(pos, length, recordDeadline(view, at));
    pos += span;
  }
  return { pos, need: 0, problem: null };
}

/** Moves the window to start at `pos` and adds chunks until it holds at least `need` bytes; false if the file ends first. */
async function refill(chunks: ChunkReader, win: Window, pos: number, need: number): Promise<boolean> {
  win.buf.copyWithin(0, pos - win.start, win.length);
  win.length -= pos - win.start;
  win.start = pos;
  do {
    const chunk = await chunks.next();
    if (chunk.length === 0) return false;
    if (win.length + chunk.length > win.buf.length) {
      // Only a record longer than a chunk gets here; its length was checked
      // against the file size, so this allocation is bounded by the file.
      const bigger = new Uint8Array(Math.max(win.length + chunk.length, need));
      bigger.set(win.buf.subarray(0, win.length));
      win.buf = bigger;
      win.view = new DataView(bigger.buffer);
    }
    win.buf.set(chunk, win.length);
    win.length += chunk.length;
  } while (win.length < need);
  return true;
}
