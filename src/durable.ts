/**
 * `dynoring/durable`: the disk-backed hint store. Node-only (it uses
 * `node:fs`), hence a separate entry point from `dynoring`.
 */
export { DurableHintStore, type DurableHintStoreStats } from './hints/durable/durable-hint-store.js';
export type { DurableHintStoreOptions, SyncMode } from './hints/durable/options.js';
export type { DurableHint } from './hints/durable/peer-log.js';
export type { DrainResult, DrainableHintStore } from './hints/hint.js';
export {
  DynoringError,
  DurableStoreError,
  HintDeliveryError,
  HintStoreError,
  type DurableStoreErrorKind,
  type DynoringErrorKind,
  type HintStoreErrorKind,
} from './errors.js';
