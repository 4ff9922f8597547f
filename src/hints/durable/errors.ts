/** The typed error of the durable hint store. */
import { DynoringError } from '../../errors.js';

/**
 * Why a {@link DurableStoreError} was thrown:
 * - `Locked`: another live process (or another store in this process) owns the directory.
 * - `Closed`: the store was closed.
 * - `RecordTooLarge`: a payload is larger than `maxRecordBytes`, so replay would refuse it.
 * - `NotADirectory`: the path exists and is not a directory.
 */
export type DurableStoreErrorKind = 'Locked' | 'Closed' | 'RecordTooLarge' | 'NotADirectory';

/**
 * A durable hint store refused an operation for a reason of its own (the
 * shared refusals `ZeroTtl`, `EmptyPayload` and `OverCapacity` are
 * `HintStoreError`s, as with the in-memory store). I/O failures are passed
 * through as Node's own errors (`ENOSPC`, `EACCES`, ...).
 */
export class DurableStoreError extends DynoringError {
  override name = 'DurableStoreError';

  constructor(
    /** What went wrong; a program can switch on it. */
    readonly kind: DurableStoreErrorKind,
    message: string,
    /** The file or directory concerned, when there is one. */
    readonly path?: string,
  ) {
    super(message);
  }
}
