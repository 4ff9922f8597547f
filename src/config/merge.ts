/**
 * Merging several nodes' configurations into one peer list. The same
 * host:port is the same peer; where files disagree about it (tokens, rack or
 * datacenter) or about pool settings, the disagreement is reported, because
 * that is how configs drift in practice.
 */
import type { ConfigLocation } from '../errors.js';
import type { HashOptions } from '../ring/key-hashing.js';
import type { HashName } from '../hash/functions.js';
import { endpointKey, makePeer, type Peer } from '../ring/peer.js';
import type { NodeConfig, PeerDeclaration, SecureServerOption } from './dynomite-yaml.js';

/** One value as one file states it. */
export interface StatedValue {
  value: string;
  where: ConfigLocation;
}

/** Two or more files state different things about one peer or setting. */
export type Disagreement =
  | { kind: 'PeerMismatch'; endpoint: string; field: 'tokens' | 'rack' | 'dc'; values: StatedValue[] }
  | { kind: 'SettingMismatch'; setting: 'hash' | 'hash_tag'; values: StatedValue[] };

/**
 * Something the files leave open that a reader of the result must know:
 * - `WildcardMatched` (a note): a file's own `dyn_listen` is a wildcard
 *   address (`0.0.0.0`, `::`), and exactly one seed entry of the other files
 *   has the same datacenter, rack, port and tokens, so that is the node's
 *   address.
 * - `WildcardUnmatched` (a warning): no such entry, or several (`candidates`);
 *   the peer keeps the wildcard address, which no other node can reach.
 * - `ExternalSeeds`: the node takes its peers from `dns_provider` or
 *   `florida_provider`. Given alone, its file covers only the peers it lists
 *   (a warning); given with other files (as `dynoring plan` writes a
 *   cluster's files), the result covers the files given (a note).
 */
export type ConfigNote =
  | { kind: 'WildcardMatched'; level: 'note'; listen: string; endpoint: string; where: ConfigLocation; matchedAt: ConfigLocation }
  | {
      kind: 'WildcardUnmatched';
      level: 'warning';
      listen: string;
      dc: string;
      rack: string;
      port: number;
      tokens: number[];
      /** Distinct seed endpoints that matched; two or more make the match ambiguous. */
      candidates: string[];
      where: ConfigLocation;
    }
  | { kind: 'ExternalSeeds'; level: 'warning'; provider: ExternalSeedProvider; peers: number; where: ConfigLocation }
  | { kind: 'ExternalSeeds'; level: 'note'; provider: ExternalSeedProvider; files: number; where: ConfigLocation };

/** Seed providers that take a node's peers from outside its file. */
export type ExternalSeedProvider = 'dns_provider' | 'florida_provider';
const EXTERNAL_PROVIDERS: readonly string[] = ['dns_provider', 'florida_provider'] satisfies ExternalSeedProvider[];

/**
 * Is this the address a node listens on when it binds every interface
 * (`0.0.0.0`, or the IPv6 unspecified address in any spelling: `::`, `[::]`,
 * `::0`, `0:0:0:0:0:0:0:0`)? Peers cannot dial it. The one test for this in
 * the library, so `dyn_listen`, `listen` and a live node's reply agree.
 */
export function isWildcardHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  // An IPv6 literal made only of zero groups is the unspecified address.
  return bare === '0.0.0.0' || (bare.includes(':') && /^[0:]+$/.test(bare));
}

/** The merged view of one or more configuration files. */
export interface MergedConfig {
  /** Peers in order of first appearance; the first file's own node is peer 0 and local. */
  peers: Peer[];
  /** Where each peer (by index) is declared. */
  origins: ConfigLocation[][];
  disagreements: Disagreement[];
  /** Notes and warnings about what the files leave open, in file order. */
  notes: ConfigNote[];
  hash?: HashName;
  hashTag?: string;
}

function isSecure(option: SecureServerOption, local: PeerDeclaration | undefined, p: PeerDeclaration): boolean {
  if (!local || p === local) return false;
  switch (option) {
    case 'all':
      return true;
    case 'datacenter':
      return p.dc !== local.dc;
    case 'rack':
      return p.dc !== local.dc || p.rack !== local.rack;
    default:
      return false;
  }
}

/**
 * Merges node configurations; the first one's node is the local node. A
 * node whose own `dyn_listen` is a wildcard takes the address the other
 * files' seeds give it (see {@link ConfigNote}).
 */
export function mergeNodeConfigs(input: readonly NodeConfig[]): MergedConfig {
  const notes: ConfigNote[] = [];
  const nodes = input.map((node, i) => resolveWildcard(node, i, input, notes));
  for (const node of nodes) {
    const provider = node.seedProvider;
    if (provider && EXTERNAL_PROVIDERS.includes(provider.name)) {
      const name = provider.name as ExternalSeedProvider;
      notes.push(
        nodes.length === 1
          ? { kind: 'ExternalSeeds', level: 'warning', provider: name, peers: node.peers.length, where: provider.where }
          : { kind: 'ExternalSeeds', level: 'note', provider: name, files: nodes.length, where: provider.where },
      );
    }
  }
  const first = nodes[0];
  const local = first?.peers.find((p) => p.own);
  const localDc = local?.dc ?? first?.peers[0]?.dc ?? '';
  const byEndpoint = new Map<string, { decl: PeerDeclaration; index: number }>();
  const decls: PeerDeclaration[] = [];
  const origins: ConfigLocation[][] = [];
  const conflicts = new Map<string, { endpoint: string; field: 'tokens' | 'rack' | 'dc'; values: StatedValue[] }>();

  nodes.forEach((node, file) => {
    for (const decl of node.peers) {
      const endpoint = endpointKey(decl.endpoint);
      // A wildcard address left unresolved names no one node: two files on 0.0.0.0:8101 are two nodes, not one.
      const key = isWildcardHost(decl.endpoint.host) ? `${endpoint}\u0000${file}` : endpoint;
      const seen = byEndpoint.get(key);
      if (!seen) {
        byEndpoint.set(key, { decl, index: decls.length });
        decls.push(decl);
        origins.push([decl.where]);
        continue;
      }
      origins[seen.index]!.push(decl.where);
      for (const field of ['tokens', 'rack', 'dc'] as const) {
        const a = field === 'tokens' ? seen.decl.tokens.join(',') : seen.decl[field];
        const b = field === 'tokens' ? decl.tokens.join(',') : decl[field];
        if (a === b) continue;
        const id = `${key}\u0000${field}`;
        const conflict = conflicts.get(id) ?? { endpoint, field, values: [{ value: a, where: seen.decl.where }] };
        conflict.values.push({ value: b, where: decl.where });
        conflicts.set(id, conflict);
      }
    }
  });

  const disagreements: Disagreement[] = [...conflicts.values()].map((c) => ({ kind: 'PeerMismatch', ...c }));
  const settings = {
    hash: settingOf(nodes, 'hash', 'hash', disagreements),
    hash_tag: settingOf(nodes, 'hashTag', 'hash_tag', disagreements),
  };

  const option = first?.secureServerOption ?? 'none';
  const peers = decls.map((d, index) =>
    makePeer({
      index,
      endpoint: d.endpoint,
      rack: d.rack,
      dc: d.dc,
      tokens: d.tokens,
      isLocal: d === local,
      isSameDc: d.dc === localDc,
      isSecure: isSecure(option, local, d),
      ...(d.name === undefined ? {} : { name: d.name }),
    }),
  );
  return {
    peers,
    origins,
    disagreements,
    notes,
    // Each node file's hash was checked when it was parsed.
    ...(settings.hash === undefined ? {} : { hash: settings.hash as HashName }),
    ...(settings.hash_tag === undefined ? {} : { hashTag: settings.hash_tag }),
  };
}

/** The node with its own wildcard address replaced by the one other files' seeds give it, when exactly one does. */
function resolveWildcard(node: NodeConfig, at: number, nodes: readonly NodeConfig[], notes: ConfigNote[]): NodeConfig {
  const own = node.peers.find((p) => p.own);
  if (!own || !isWildcardHost(own.endpoint.host)) return node;
  const tokens = own.tokens.join(',');
  const matches = nodes
    .filter((_, i) => i !== at)
    .flatMap((n) => n.peers)
    .filter(
      (p) =>
        !p.own &&
        !isWildcardHost(p.endpoint.host) &&
        p.endpoint.port === own.endpoint.port &&
        p.dc === own.dc &&
        p.rack === own.rack &&
        p.tokens.join(',') === tokens,
    );
  const candidates = [...new Set(matches.map((p) => endpointKey(p.endpoint)))];
  const listen = endpointKey(own.endpoint);
  const where = own.listenAt ?? own.where;
  if (candidates.length !== 1) {
    notes.push({
      kind: 'WildcardUnmatched',
      level: 'warning',
      listen,
      dc: own.dc,
      rack: own.rack,
      port: own.endpoint.port,
      tokens: [...own.tokens],
      candidates,
      where,
    });
    return node;
  }
  const match = matches[0]!;
  notes.push({ kind: 'WildcardMatched', level: 'note', listen, endpoint: candidates[0]!, where, matchedAt: match.where });
  return { ...node, peers: node.peers.map((p) => (p === own ? { ...own, endpoint: match.endpoint } : p)) };
}

/** The value the files agree on (the first file's when they do not; the disagreement is recorded). */
function settingOf(
  nodes: readonly NodeConfig[],
  key: 'hash' | 'hashTag',
  setting: 'hash' | 'hash_tag',
  out: Disagreement[],
): string | undefined {
  // Seed lists carry no pool settings; only node files state them.
  const stated = nodes.filter((n) => n.peers.some((p) => p.own));
  const values = stated.map((n) => ({ value: n[key] ?? '(default)', where: n.file === undefined ? {} : { file: n.file } }));
  if (new Set(values.map((v) => v.value)).size > 1) out.push({ kind: 'SettingMismatch', setting, values });
  return nodes.find((n) => n[key] !== undefined)?.[key];
}

/**
 * `options` with the files' `hash` and `hash_tag` where it leaves them out;
 * field by field, so an option given as undefined keeps the file's setting.
 */
export function withFileHashing<T extends HashOptions>(options: T, config: MergedConfig): T {
  const hash = options.hash ?? config.hash;
  const hashTag = options.hashTag ?? config.hashTag;
  return { ...options, ...(hash === undefined ? {} : { hash }), ...(hashTag === undefined ? {} : { hashTag }) };
}

/** A disagreement in one line, with what to do: the one wording of it that the CLI and the report use too. */
export function describeDisagreement(d: Disagreement): string {
  const list = d.values.map((v) => `'${v.value}' in ${whereText(v.where)}`).join(' vs ');
  return d.kind === 'PeerMismatch'
    ? `files disagree about peer ${d.endpoint}: ${d.field} ${list}; make every node's file say the same`
    : `files disagree about ${d.setting}: ${list}; every node of a pool must use the same ${d.setting}`;
}

/** A one-line, human-readable rendering of a note or warning, with what to do. */
export function describeConfigNote(n: ConfigNote): string {
  switch (n.kind) {
    case 'WildcardMatched':
      return `${whereText(n.where)}: dyn_listen ${n.listen} is a wildcard address; taking ${n.endpoint}, the seed at ${whereText(n.matchedAt)} with the same datacenter, rack, port and tokens`;
    case 'WildcardUnmatched': {
      const why = n.candidates.length
        ? `the other files list several seeds that match it (${n.candidates.join(', ')})`
        : `no other file given lists a seed in rack '${n.rack}' of datacenter '${n.dc}' on port ${n.port} with tokens ${n.tokens.join(',') || '(none)'}`;
      return `${whereText(n.where)}: dyn_listen ${n.listen} is a wildcard address and cannot be matched to a peer: ${why}, so it is shown as ${n.listen}; put the node's real address in dyn_listen, or also give the file of a node that lists it in dyn_seeds`;
    }
    case 'ExternalSeeds': {
      const from = `${whereText(n.where)}: dyn_seed_provider ${n.provider}: the node takes its peers from ${n.provider === 'dns_provider' ? 'DNS' : 'Florida (an HTTP seed service)'}`;
      return n.level === 'note'
        ? `${from}; this covers the ${n.files} files given, so give every node's file for the whole cluster`
        : `${from}, so this covers only the ${n.peers === 1 ? 'node itself' : `${n.peers} peers the file lists`}; give the files of the other nodes (or a seed list) for the whole cluster`;
    }
  }
}

/** `file:line`, `file`, `line N`, or `input`. */
export function whereText(where: ConfigLocation): string {
  if (where.file !== undefined) return where.line === undefined ? where.file : `${where.file}:${where.line}`;
  return where.line === undefined ? 'input' : `line ${where.line}`;
}
