export { HintStore } from './hint-store.js';
export type { Hint, HintStoreOptions, HintStoreStats } from './hint-store.js';
export { HintDrainer } from './drainer.js';
export type {
  HintDrainerEvents,
  HintDrainerListener,
  HintDrainerOptions,
  HintDrainerStats,
  HintDrainSummary,
} from './drainer.js';
export { HintDeliveryError } from './drain.js';
export type { DeliverableHint, DrainResult, DrainableHintStore } from './drain.js';
