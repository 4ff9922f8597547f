export { HintStore } from './memory/hint-store.js';
export type { Hint, HintStoreOptions, HintStoreStats } from './memory/hint-store.js';
export { HintDrainer } from './drainer.js';
export type { HintDrainerEvents, HintDrainerListener, HintDrainerOptions, HintDrainerStats, HintDrainSummary } from './drainer.js';
export type { DeliverableHint, DrainResult, DrainableHintStore } from './hint.js';
