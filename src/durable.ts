/**
 * `dynoring/durable`: the disk-backed hint store. Node-only (it uses
 * `node:fs`), hence a separate entry point from `dynoring`.
 */
export { DurableHintStore, type DurableHintStoreStats, type SetAsideFile } from './hints/durable/durable-hint-store.js';
export { DURABLE_DEFAULTS, type DurableHintStoreOptions, type SyncMode } from './hints/durable/options.js';
export type { DeliverHint, DrainOptions, DrainResult, DrainableHintStore, Hint, HintStoreStats } from './hints/hint.js';
export {
  DynoringError,
  DurableStoreError,
  HintDeliveryError,
  HintStoreError,
  type DurableStoreErrorKind,
  type DynoringErrorKind,
  type HintStoreErrorKind,
} from './errors.js';
