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
