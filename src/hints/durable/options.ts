/** The options of a durable hint store, checked and completed with defaults. */

/**
 * When `enqueue` resolves:
 * - `always`: after the record is written and fdatasynced, one fsync per record.
 * - `batch`: after a group commit: records of concurrent callers (within
 *   `batchMs`, see there) are written together and share one fsync.
 * - `never`: after the record is written; the OS flushes it when it likes
 *   (it survives a crash of the process, not of the machine).
 */
export type SyncMode = 'always' | 'batch' | 'never';

/** Options of {@link DurableHintStore.open}. */
export interface DurableHintStoreOptions {
  /**
   * Cap on the sum of stored payload lengths, as with the in-memory
   * `HintStore`; 0 means no cap. Disk use is this plus 16 bytes per hint, 16
   * per segment file, and the bytes of removed hints not yet compacted away
   * (bounded by the live bytes plus one segment per peer).
   */
  maxBytes: number;
  /** Durability of an acknowledged `enqueue`; see {@link SyncMode}. */
  sync: SyncMode;
  /**
   * For `sync: 'batch'`: how long the first record of a group waits for
   * companions before the group is written and fsynced. Default 0: a group
   * is what arrives in one event-loop turn plus what arrives while the
   * previous group's fsync runs, which already batches heavily under load;
   * a few ms more trades latency for fewer fsyncs under light load.
   */
  batchMs?: number;
  /**
   * Largest payload accepted, and the largest length field replay believes
   * (a larger one is corruption and is never allocated). Default 16 MiB.
   */
  maxRecordBytes?: number;
  /**
   * A peer's segment file is closed and a new one started once it holds this
   * many bytes. Smaller segments mean less to rewrite when a drain stops half
   * way, and fewer hints delivered twice after a crash. Default 8 MiB.
   */
  segmentBytes?: number;
  /** Wall clock in milliseconds since the epoch (deadlines survive restarts). Default `Date.now`. */
  now?: () => number;
  /**
   * Receives warnings: a stale lock taken over, damaged bytes set aside, a
   * failed compaction. Default `process.emitWarning`.
   */
  onWarning?: (message: string) => void;
}

/** {@link DurableHintStoreOptions} with every default filled in. */
export interface ResolvedOptions {
  maxBytes: number;
  sync: SyncMode;
  batchMs: number;
  maxRecordBytes: number;
  segmentBytes: number;
  now: () => number;
  onWarning: (message: string) => void;
}

const MiB = 1024 * 1024;
/** Largest `maxRecordBytes` / `segmentBytes`: file offsets must stay well within a double's integers and a Uint32 length. */
const MAX_SIZE_OPTION = 1024 * MiB;
const SYNC_MODES: readonly SyncMode[] = ['always', 'batch', 'never'];

/**
 * Checks `options` and fills in defaults.
 *
 * @throws TypeError for a value of the wrong type, RangeError for one out of range.
 */
export function resolveOptions(options: DurableHintStoreOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object with at least maxBytes and sync');
  const { maxBytes, sync } = options;
  integerOption('maxBytes', maxBytes, 0, Number.MAX_SAFE_INTEGER);
  if (!SYNC_MODES.includes(sync))
    throw new TypeError(`options.sync must be one of ${SYNC_MODES.map((m) => `'${m}'`).join(', ')}, got ${String(sync)}`);
  const batchMs = options.batchMs ?? 0;
  if (typeof batchMs !== 'number') throw new TypeError(`options.batchMs must be a number, got ${typeof batchMs}`);
  if (!Number.isFinite(batchMs) || batchMs < 0) throw new RangeError(`options.batchMs must be a finite number >= 0, got ${batchMs}`);
  const maxRecordBytes = integerOption('maxRecordBytes', options.maxRecordBytes ?? 16 * MiB, 1, MAX_SIZE_OPTION);
  const segmentBytes = integerOption('segmentBytes', options.segmentBytes ?? 8 * MiB, 64, MAX_SIZE_OPTION);
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') throw new TypeError('options.now must be a function returning wall-clock milliseconds');
  const onWarning =
    options.onWarning ?? ((message: string) => process.emitWarning(message, { type: 'DynoringWarning', code: 'DYNORING_DURABLE_HINTS' }));
  if (typeof onWarning !== 'function') throw new TypeError('options.onWarning must be a function taking a message');
  return { maxBytes, sync, batchMs, maxRecordBytes, segmentBytes, now, onWarning };
}

function integerOption(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`options.${name} must be a number, got ${typeof value}`);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`options.${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
