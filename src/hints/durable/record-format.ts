/**
 * The on-disk format of a hint segment (all integers little-endian).
 *
 * File header, 16 bytes: the ASCII magic `DYNOHINT`, a u16 format version, a
 * u16 that must be 0, and the u32 peer the file belongs to. Every header byte
 * has exactly one valid value, so any damage to it is detected without a
 * checksum.
 *
 * Record, 16 bytes + payload: u32 payload length, u32 CRC-32C, f64 deadline
 * (wall-clock milliseconds since the epoch), payload. The checksum covers the
 * length, the deadline and the payload, so a damaged length that still looks
 * plausible is caught too.
 */
import { crc32cView } from './crc32c.js';

/** Bytes of the file header. */
export const FILE_HEADER_BYTES = 16;
/** Bytes of a record's fixed part (length, checksum, deadline). */
export const RECORD_HEADER_BYTES = 16;
/**
 * Largest payload the format frames: no store accepts a larger one (it is
 * the upper bound of `maxRecordBytes`), so replay believes any length field
 * up to it and treats a larger one as damage.
 */
export const MAX_RECORD_BYTES = 1024 * 1024 * 1024;
/** The format version this code writes and reads. */
export const FORMAT_VERSION = 1;

const MAGIC = [0x44, 0x59, 0x4e, 0x4f, 0x48, 0x49, 0x4e, 0x54]; // "DYNOHINT"

/** The 16-byte header that starts the segment file of `peer`. */
export function encodeFileHeader(peer: number): Uint8Array {
  const out = new Uint8Array(FILE_HEADER_BYTES);
  out.set(MAGIC);
  const view = new DataView(out.buffer);
  view.setUint16(8, FORMAT_VERSION, true);
  view.setUint32(12, peer, true);
  return out;
}

/**
 * Checks a file header read from disk.
 *
 * @returns `null` if it is the header of `peer`'s segment, else why not.
 */
export function fileHeaderProblem(header: Uint8Array, peer: number): string | null {
  if (header.length < FILE_HEADER_BYTES) return `file header is torn (${header.length} of ${FILE_HEADER_BYTES} bytes)`;
  for (let i = 0; i < MAGIC.length; i++) if (header[i] !== MAGIC[i]) return 'bad magic: not a dynoring hint segment';
  const view = new DataView(header.buffer, header.byteOffset, FILE_HEADER_BYTES);
  const version = view.getUint16(8, true);
  if (version !== FORMAT_VERSION) return `unsupported format version ${version} (this code reads ${FORMAT_VERSION})`;
  if (view.getUint16(10, true) !== 0) return 'reserved header bytes are not zero';
  const owner = view.getUint32(12, true);
  if (owner !== peer) return `header names peer ${owner}, file name names peer ${peer}`;
  return null;
}

/** One framed record holding its own copy of `payload`. */
export function encodeRecord(payload: Uint8Array, deadline: number): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.length, true);
  view.setFloat64(8, deadline, true);
  out.set(payload, RECORD_HEADER_BYTES);
  view.setUint32(4, recordChecksum(out, view, 0, payload.length), true);
  return out;
}

/** The payload length field of the record at `offset` (not yet trusted). */
export function recordLength(view: DataView, offset: number): number {
  return view.getUint32(offset, true);
}

/** The deadline of the record at `offset`. */
export function recordDeadline(view: DataView, offset: number): number {
  return view.getFloat64(offset + 8, true);
}

/**
 * Why a record's length field cannot be right, or `null` if it can.
 * Checked before anything is read or allocated for the payload.
 *
 * @param length - the length field.
 * @param available - bytes of the file from the record's payload start to the end of the file.
 */
export function lengthProblem(length: number, available: number): string | null {
  if (length === 0) return 'record length is 0 (no hint is empty)';
  if (length > MAX_RECORD_BYTES) return `record length ${length} exceeds the format's largest record (${MAX_RECORD_BYTES} bytes)`;
  if (length > available) return `record length ${length} runs past the end of the file (${available} bytes left): torn write`;
  return null;
}

/**
 * Whether the record at `bytes[offset..]` (whose full `length` bytes of
 * payload must be in `bytes`; `view` spans exactly `bytes`) has an intact checksum.
 */
export function recordIntact(bytes: Uint8Array, view: DataView, offset: number, length: number): boolean {
  return view.getUint32(offset + 4, true) === recordChecksum(bytes, view, offset, length);
}

function recordChecksum(bytes: Uint8Array, view: DataView, offset: number, length: number): number {
  const head = crc32cView(view, bytes, offset, offset + 4);
  return crc32cView(view, bytes, offset + 8, offset + RECORD_HEADER_BYTES + length, head);
}
