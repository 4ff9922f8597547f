/**
 * dynoring: Dynomite token rings, bit-exact key hashing, coverage validation
 * and hinted handoff, over a WebAssembly core with a TypeScript twin.
 */
export { parseToken, MAX_TOKEN, TOKEN_SPACE } from './ring/token.js';
export { parseSeed, formatSeed, endpointKey, type Peer, type Endpoint, type SeedFlags } from './ring/peer.js';
export { Continuum } from './ring/continuum.js';
export {
  Topology,
  TOPOLOGY_DEFAULTS,
  type TopologyOptions,
  type RouteKeysOptions,
  type RackId,
  type RackOwner,
  type KeyReplicas,
} from './ring/topology.js';
export { hash, hasEmptyHashTag, HASH_DEFAULTS, type HashOptions } from './ring/key-hashing.js';
export { HASH_NAMES, type HashName } from './hash/functions.js';
export { ready, engineInfo, type Engine } from './engine/engines.js';
export {
  parseDynomiteYaml,
  parseSeedList,
  parseConfigFile,
  type ConfigSource,
  type NodeConfig,
  type PeerDeclaration,
  type SecureServerOption,
} from './config/dynomite-yaml.js';
export { parseClusterDescribe, type ClusterDescribeOptions } from './config/cluster-describe.js';
export { parseDynomiteManager, type DynomiteManagerOptions, type DynomiteManagerTopology } from './config/dynomite-manager.js';
export { parseFloridaSeeds, formatFloridaSeeds, type FloridaSeedsOptions } from './config/florida.js';
export {
  mergeNodeConfigs,
  describeDisagreement,
  describeConfigNote,
  type ConfigNote,
  type Disagreement,
  type ExternalSeedProvider,
  type MergedConfig,
  type StatedValue,
} from './config/merge.js';
export { loadCluster, type Cluster } from './config/cluster.js';
export {
  DynoringError,
  ConfigError,
  NoTargetsError,
  UnknownLocationError,
  EngineError,
  TokenCoverageError,
  HintStoreError,
  HintDeliveryError,
  HintSendTimeoutError,
  DurableStoreError,
  TopologySourceError,
  type TopologySourceErrorKind,
  PlanError,
  type ConfigErrorKind,
  type ConfigLocation,
  type DurableStoreErrorKind,
  type DynoringErrorKind,
  type HintStoreErrorKind,
  type PlanErrorKind,
} from './errors.js';
export {
  checkTokenCoverage,
  validateTokenCoverage,
  describeCoverageIssue,
  COVERAGE_DEFAULTS,
  type CoverageIssue,
  type CoverageOptions,
} from './ring/coverage.js';
export * from './hints/index.js';
export { rackBalance, type NodeShare, type RackBalance } from './plan/balance.js';
export { equidistantTokens, midpointTokens, placeTokens, MAX_NODES_PER_RACK, type Placement } from './plan/tokens.js';
export { diffPeers, countMovedKeys, type KeyBatch, type PoolDiff, type RackDiff, type RangeMove, type RackKeyMoves } from './plan/diff.js';
export {
  planNew,
  planDouble,
  planAdd,
  planRemove,
  planReplace,
  NEW_PLAN_DEFAULTS,
  type NewPlanOptions,
  type PlannedNode,
  type PoolPlan,
} from './plan/plan.js';
export { CONSISTENCIES, DATA_STORES, SEED_PROVIDERS, type Consistency, type DataStore, type SeedProvider } from './plan/write-config.js';
