/**
 * dynoring: Dynomite token rings, bit-exact key hashing, coverage validation
 * and hinted handoff, over a WebAssembly core with a TypeScript twin.
 */
export { parseToken, MAX_TOKEN } from './ring/token.js';
export { parseSeed, type Peer, type Endpoint, type SeedFlags } from './ring/peer.js';
export { Continuum } from './ring/continuum.js';
export { Topology, type TopologyOptions, type RackId, type RackOwner, type KeyReplicas } from './ring/topology.js';
export { hash, type HashOptions } from './ring/key-hashing.js';
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
export { mergeNodeConfigs, describeDisagreement, type Disagreement, type MergedConfig, type StatedValue } from './config/merge.js';
export {
  DynoringError,
  ConfigError,
  NoTargetsError,
  UnknownLocationError,
  EngineError,
  TokenCoverageError,
  HintStoreError,
  HintDeliveryError,
  DurableStoreError,
  TopologySourceError,
  type TopologySourceErrorKind,
  type ConfigErrorKind,
  type ConfigLocation,
  type DurableStoreErrorKind,
  type DynoringErrorKind,
  type HintStoreErrorKind,
} from './errors.js';
export {
  checkTokenCoverage,
  validateTokenCoverage,
  describeCoverageIssue,
  type CoverageIssue,
  type CoverageOptions,
} from './ring/coverage.js';
export * from './hints/index.js';
