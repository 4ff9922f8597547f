export { HintStore } from './memory/hint-store.js';
export { HINT_STORE_DEFAULTS, type HintStoreMemoryStats, type HintStoreOptions } from './memory/hint-store.js';
export { HintDrainer } from './drainer.js';
export { HINT_DRAINER_DEFAULTS } from './drainer.js';
export type { HintDrainerEvents, HintDrainerListener, HintDrainerOptions, HintDrainerStats, HintDrainSummary } from './drainer.js';
export type { DeliverHint, DrainOptions, DrainResult, DrainableHintStore, Hint, HintStoreStats } from './hint.js';
export { MAX_DRAIN_WINDOW } from './hint.js';
