/**
 * `dynoring/durable`: the disk-backed hint store. Node-only (it uses
 * `node:fs`), hence a separate entry point from `dynoring`.
 */
export { DurableHintStore, type DurableHintStoreStats } from './hints/durable/durable-hint-store.js';
export type { DurableHintStoreOptions, SyncMode } from './hints/durable/options.js';
export type { DurableHint } from './hints/durable/peer-log.js';
export { HintDeliveryError, type DrainResult, type DrainableHintStore } from './hints/drain.js';
export { DurableStoreError, type DurableStoreErrorKind } from './hints/durable/errors.js';
export { HintStoreError, type HintStoreErrorKind } from './errors.js';
