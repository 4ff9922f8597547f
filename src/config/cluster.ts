/**
 * The one entry that reads a cluster the way the CLI does: any mix of
 * `dynomite.yml` files and seed lists, merged, with what the files leave
 * open (notes, warnings) and where they drift apart returned as data rather
 * than thrown. Texts in, so it runs in browsers too; the CLI reads the files.
 */
import { Topology, type TopologyOptions } from '../ring/topology.js';
import { describe } from '../ring/token.js';
import { parseConfigFile, type ConfigSource, type NodeConfig } from './dynomite-yaml.js';
import { mergeNodeConfigs, withFileHashing, type ConfigNote, type Disagreement, type MergedConfig } from './merge.js';

/** A cluster read from its config files. */
export interface Cluster {
  /** Each source, parsed, in the order given. */
  nodes: NodeConfig[];
  /** The merged view: peers, where each is declared, `disagreements` and `notes`. */
  config: MergedConfig;
  /** The peers' topology, with the files' `hash` and `hash_tag` unless the options set them. */
  topology: Topology;
  /** Where the files state different things about a peer or a setting (`config.disagreements`). */
  drift: Disagreement[];
  /** Notes and warnings about what the files leave open (`config.notes`). */
  notes: ConfigNote[];
}

/**
 * Reads one or more config texts, each a node's `dynomite.yml` or a list of
 * seed strings (told apart by shape, see {@link parseConfigFile}), and merges
 * them into one pool: the same host:port is the same peer, the first source's
 * own node is the local node, and a node whose `dyn_listen` is a wildcard
 * (`0.0.0.0:8101`) takes the address the other files' seeds give it. Unlike
 * {@link Topology.fromDynomiteYaml}, files that disagree are not an error:
 * the first file to declare a peer wins and `drift` says where they differ.
 *
 * @param sources the texts, each with its file name for messages.
 * @param options topology options; `hash` and `hashTag` override the files'.
 * @throws {ConfigError} with file and line for the first source that does not parse.
 * @throws {TypeError} when `sources` is not a non-empty array of texts.
 * @example
 * const { topology, drift, notes } = loadCluster([
 *   { file: 'node1.yml', text: node1 },
 *   { file: 'node2.yml', text: node2 },
 * ]);
 */
export function loadCluster(sources: readonly (string | ConfigSource)[], options: TopologyOptions = {}): Cluster {
  if (!Array.isArray(sources) || sources.length === 0)
    throw new TypeError(`loadCluster takes a non-empty array of config texts (strings or { text, file }), got ${describe(sources)}`);
  const nodes = sources.map((s) => parseConfigFile(s));
  const config = mergeNodeConfigs(nodes);
  const topology = Topology.fromPeers(config.peers, withFileHashing(options, config));
  return { nodes, config, topology, drift: config.disagreements, notes: config.notes };
}
