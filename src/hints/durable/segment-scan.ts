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

/**
 * Calls `onRecord` for each intact record of the file, in order, from just
 * after the header to the first bad record. A length field is checked
 * against the file size and `maxRecordBytes` before any buffer is sized by it.
 */
export async function scanRecords(
  handle: FileHandle,
  fileSize: number,
  maxRecordBytes: number,
  onRecord: (offset: number, length: number, deadline: number) => void,
): Promise<ScanResult> {
  let buf = new Uint8Array(Math.min(CHUNK_BYTES, Math.max(fileSize, RECORD_HEADER_BYTES)));
  let view = new DataView(buf.buffer);
  let bufStart = FILE_HEADER_BYTES; // file offset of buf[0]
  let bufLen = 0;

  /** Makes buf hold the file bytes [pos, pos + need); false if the file ends first. */
  const fill = async (pos: number, need: number): Promise<boolean> => {
    if (pos + need <= bufStart + bufLen) return true;
    const kept = bufStart + bufLen - pos;
    if (need > buf.length) {
      const bigger = new Uint8Array(Math.max(need, CHUNK_BYTES));
      bigger.set(buf.subarray(pos - bufStart, bufLen));
      buf = bigger;
      view = new DataView(buf.buffer);
    } else {
      buf.copyWithin(0, pos - bufStart, bufLen);
    }
    bufStart = pos;
    bufLen = kept;
    while (bufLen < need) {
      const { bytesRead } = await handle.read(buf, bufLen, buf.length - bufLen, bufStart + bufLen);
      if (bytesRead === 0) return false;
      bufLen += bytesRead;
    }
    return true;
  };

  let pos = FILE_HEADER_BYTES;
  while (pos < fileSize) {
    const left = fileSize - pos;
    if (left < RECORD_HEADER_BYTES || !(await fill(pos, RECORD_HEADER_BYTES))) {
      return { end: pos, problem: `torn record header (${left} bytes left in the file)` };
    }
    const length = recordLength(view, pos - bufStart);
    const bad = lengthProblem(length, left - RECORD_HEADER_BYTES, maxRecordBytes);
    if (bad !== null) return { end: pos, problem: bad };
    if (!(await fill(pos, RECORD_HEADER_BYTES + length))) return { end: pos, problem: 'file shrank during replay' };
    const at = pos - bufStart;
    if (!recordIntact(buf, view, at, length)) return { end: pos, problem: 'checksum mismatch' };
    onRecord(pos, length, recordDeadline(view, at));
    pos += RECORD_HEADER_BYTES + length;
  }
  return { end: pos, problem: null };
}
