/**
 * `dynoring/client` (Node only): {@link DynoClient}, the token-aware,
 * rack-affine, failing-over client for Dynomite clusters, over ioredis.
 */
export { DynoClient, type ClientEvents, type ClientStats, type NodeInfo } from './client/dyno-client.js';
export { DynoPipeline } from './client/pipeline.js';
export { ScanStream, type ScanPosition, type ScanStreamOptions } from './client/scan.js';
export {
  CLIENT_DEFAULTS,
  type ClientOptions,
  type ClientPortOption,
  type Consistency,
  type TopologySourceOptions,
} from './client/options.js';
export type { NodeState, NodeStats, FailureReason } from './client/node-pool.js';
export type { CoordinatorHintStore, HintQueueEvents, PeerHintStats } from './client/coordinator/hint-queues.js';
export {
  ClientConnectError,
  CommandFailedError,
  CommandRefusedError,
  ServerReplyError,
  QuorumError,
  type QuorumErrorKind,
  type RackOutcome,
  type ClientErrorKind,
  type ClientNodeRef,
  type FailedAttempt,
} from './errors.js';
