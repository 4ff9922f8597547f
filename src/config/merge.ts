/**
 * Merging several nodes' configurations into one peer list. The same
 * host:port is the same peer; where files disagree about it (tokens, rack or
 * datacenter) or about pool settings, the disagreement is reported, because
 * that is how configs drift in practice.
 */
import type { ConfigLocation } from '../errors.js';
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

/** The merged view of one or more configuration files. */
export interface MergedConfig {
  /** Peers in order of first appearance; the first file's own node is peer 0 and local. */
  peers: Peer[];
  /** Where each peer (by index) is declared. */
  origins: ConfigLocation[][];
  disagreements: Disagreement[];
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

/** Merges node configurations; the first one's node is the local node. */
export function mergeNodeConfigs(nodes: readonly NodeConfig[]): MergedConfig {
  const first = nodes[0];
  const local = first?.peers.find((p) => p.own);
  const localDc = local?.dc ?? first?.peers[0]?.dc ?? '';
  const byEndpoint = new Map<string, { decl: PeerDeclaration; index: number }>();
  const decls: PeerDeclaration[] = [];
  const origins: ConfigLocation[][] = [];
  const conflicts = new Map<string, StatedValue[]>();

  for (const node of nodes) {
    for (const decl of node.peers) {
      const key = endpointKey(decl.endpoint);
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
        const values = conflicts.get(id) ?? [{ value: a, where: seen.decl.where }];
        values.push({ value: b, where: decl.where });
        conflicts.set(id, values);
      }
    }
  }

  const disagreements: Disagreement[] = [...conflicts].map(([id, values]) => {
    const [endpoint, field] = id.split('\u0000') as [string, 'tokens' | 'rack' | 'dc'];
    return { kind: 'PeerMismatch', endpoint, field, values };
  });
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
    // Each node file's hash was checked when it was parsed.
    ...(settings.hash === undefined ? {} : { hash: settings.hash as HashName }),
    ...(settings.hash_tag === undefined ? {} : { hashTag: settings.hash_tag }),
  };
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

/** A one-line, human-readable rendering of a disagreement. */
export function describeDisagreement(d: Disagreement): string {
  const list = d.values.map((v) => `'${v.value}' in ${whereText(v.where)}`).join(' vs ');
  return d.kind === 'PeerMismatch'
    ? `files disagree about peer ${d.endpoint}: ${d.field} ${list}`
    : `files disagree about ${d.setting}: ${list}`;
}

/** `file:line`, `file`, `line N`, or `input`. */
export function whereText(where: ConfigLocation): string {
  if (where.file !== undefined) return where.line === undefined ? where.file : `${where.file}:${where.line}`;
  return where.line === undefined ? 'input' : `line ${where.line}`;
}
