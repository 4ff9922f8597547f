/** The options of a durable hint store, their defaults, and their checks. */
import { checkMaxBytes } from '../hint.js';
import { MAX_RECORD_BYTES } from './record-format.js';

/**
 * When `enqueue` resolves:
 * - `always`: after the record is written and fdatasynced, one fsync per record.
 * - `batch`: after a group commit: records of concurrent callers (within
 *   `batchMs`, see there) are written together and share one fsync.
 * - `never`: after the record is written; the OS flushes it when it likes
 *   (it survives a crash of the process, not of the machine).
 */
export type SyncMode = 'always' | 'batch' | 'never';

const MiB = 1024 * 1024;

/** Options of {@link DurableHintStore.open}; every field is optional, see {@link DURABLE_DEFAULTS}. */
export interface DurableHintStoreOptions {
  /**
   * Cap on the sum of stored payload lengths, as with the in-memory
   * `HintStore`; 0 means no cap. Disk use is this plus 16 bytes per hint, 16
   * per segment file, and the bytes of removed hints not yet compacted away
   * (bounded by the live bytes plus one segment per peer). Memory is about
   * 24 bytes per hint, whatever the payload size.
   *
   * @default 256 MiB
   */
  maxBytes?: number;
  /**
   * Durability of an acknowledged `enqueue`; see {@link SyncMode}.
   *
   * @default `'batch'`
   */
  sync?: SyncMode;
  /**
   * For `sync: 'batch'`: how long the first record of a group waits for
   * companions before the group is written and fsynced. With 0, a group is
   * what arrives in one event-loop turn plus what arrives while the previous
   * group's fsync runs, which already batches heavily under load; a few ms
   * more trades latency for fewer fsyncs under light load.
   *
   * @default 0
   */
  batchMs?: number;
  /**
   * Largest payload `enqueue` accepts. It bounds new records only: replay
   * reads every record the format can frame (up to 1 GiB), so lowering it
   * never drops stored hints.
   *
   * @default 16 MiB
   */
  maxRecordBytes?: number;
  /**
   * A peer's segment file is closed and a new one started once it holds this
   * many bytes. Smaller segments mean less to rewrite when a drain stops half
   * way, and fewer hints delivered twice after a crash.
   *
   * @default 8 MiB
   */
  segmentBytes?: number;
  /**
   * How long `close()` waits for a `deliver` in flight in a drain. After it,
   * the drain is abandoned: the hint stays stored (it is delivered again
   * after the next open, at-least-once) and `close()` goes on. Give it the
   * longest a delivery may take (the drainer's send timeout).
   *
   * @default 10,000 ms
   */
  closeTimeoutMs?: number;
  /**
   * Most `.corrupt` files (damaged data set aside at open) kept in the
   * directory; the oldest beyond it are deleted at open, with a warning.
   *
   * @default 16
   */
  keepCorruptFiles?: number;
  /**
   * Most bytes of `.corrupt` files kept; the oldest beyond it are deleted at
   * open, with a warning. The newest file is always kept.
   *
   * @default 64 MiB
   */
  keepCorruptBytes?: number;
  /**
   * Wall clock in milliseconds since the epoch (deadlines survive restarts).
   *
   * @default `Date.now`
   */
  now?: () => number;
  /**
   * Receives warnings: a stale lock taken over, damaged bytes set aside, a
   * file the store did not write, a failed compaction.
   *
   * @default `process.emitWarning` (type `DynoringWarning`, code `DYNORING_DURABLE_HINTS`)
   */
  onWarning?: (message: string) => void;
}

/** {@link DurableHintStoreOptions} with every default filled in. */
export type ResolvedOptions = Required<DurableHintStoreOptions>;

/**
 * The default of every option of {@link DurableHintStore.open}.
 *
 * `maxBytes` is 256 MiB: a disk store should not fill the disk during a long
 * outage by default, and the index costs about 24 bytes of memory per hint,
 * so 256 MiB of 100-byte hints (2.7 M hints) hold about 64 MB of memory.
 * Pass 0 for no cap.
 */
export const DURABLE_DEFAULTS: Readonly<ResolvedOptions> = Object.freeze({
  /** @default 256 MiB */
  maxBytes: 256 * MiB,
  /** @default `'batch'` */
  sync: 'batch',
  /** @default 0 */
  batchMs: 0,
  /** @default 16 MiB */
  maxRecordBytes: 16 * MiB,
  /** @default 8 MiB */
  segmentBytes: 8 * MiB,
  /** @default 10,000 ms */
  closeTimeoutMs: 10_000,
  /** @default 16 */
  keepCorruptFiles: 16,
  /** @default 64 MiB */
  keepCorruptBytes: 64 * MiB,
  /** @default `Date.now` */
  now: Date.now,
  /** @default `process.emitWarning` */
  onWarning: (message: string) => process.emitWarning(message, { type: 'DynoringWarning', code: 'DYNORING_DURABLE_HINTS' }),
});

const SYNC_MODES: readonly SyncMode[] = ['always', 'batch', 'never'];

/**
 * Checks `options` and fills in defaults.
 *
 * @throws TypeError for a value of the wrong type, RangeError for one out of range.
 */
export function resolveOptions(options: DurableHintStoreOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object (or omitted for the defaults)');
  const o: ResolvedOptions = { ...DURABLE_DEFAULTS };
  for (const key of Object.keys(DURABLE_DEFAULTS) as Array<keyof ResolvedOptions>) {
    if (options[key] !== undefined) (o as Record<string, unknown>)[key] = options[key];
  }
  checkMaxBytes(o.maxBytes);
  if (!SYNC_MODES.includes(o.sync))
    throw new TypeError(`options.sync must be one of ${SYNC_MODES.map((m) => `'${m}'`).join(', ')}, got ${String(o.sync)}`);
  durationOption('batchMs', o.batchMs);
  durationOption('closeTimeoutMs', o.closeTimeoutMs);
  integerOption('maxRecordBytes', o.maxRecordBytes, 1, MAX_RECORD_BYTES);
  integerOption('segmentBytes', o.segmentBytes, 64, MAX_RECORD_BYTES);
  integerOption('keepCorruptFiles', o.keepCorruptFiles, 1, Number.MAX_SAFE_INTEGER);
  integerOption('keepCorruptBytes', o.keepCorruptBytes, 0, Number.MAX_SAFE_INTEGER);
  if (typeof o.now !== 'function') throw new TypeError('options.now must be a function returning wall-clock milliseconds');
  if (typeof o.onWarning !== 'function') throw new TypeError('options.onWarning must be a function taking a message');
  return o;
}

function durationOption(name: string, value: unknown): void {
  if (typeof value !== 'number') throw new TypeError(`options.${name} must be a number of milliseconds, got ${typeof value}`);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`options.${name} must be a finite number >= 0, got ${value}`);
}

function integerOption(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number') throw new TypeError(`options.${name} must be a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`options.${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
