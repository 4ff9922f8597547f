/**
 * What `dynoring validate` finds in a set of config files, as plain data:
 * the shape `--json` prints, and what the text report is rendered from.
 * The shape is versioned; fields are only ever added.
 */
import {
  checkTokenCoverage,
  describeConfigNote,
  describeCoverageIssue,
  describeDisagreement,
  endpointKey,
  type ConfigError,
  type ConfigLocation,
  type Disagreement,
  type ConfigNote,
  type Peer,
} from '../index.js';
import { InputError } from '../errors.js';
import type { LoadedConfig } from './load.js';

/** Bumped only if a field changes meaning or goes away. */
export const FINDINGS_VERSION = 1;

/** A file and, when known, a line. */
export interface Location {
  file: string;
  line?: number;
}

/** A peer as findings name it: where it sits and every place it is declared. */
export interface PeerRef {
  index: number;
  /** `host:port` (`[v6]:port` for IPv6). */
  endpoint: string;
  name?: string;
  dc: string;
  rack: string;
  declaredAt: Location[];
}

/** Something that makes the configuration unsafe to ship; `validate` exits 1. */
export type Problem =
  | { kind: 'EmptyRack'; dc: string; rack: string; peers: PeerRef[]; message: string }
  | { kind: 'Overlap'; dc: string; rack: string; token: number; peers: [PeerRef, PeerRef]; message: string }
  | { kind: 'PeerMismatch'; endpoint: string; field: 'tokens' | 'rack' | 'dc'; values: StatedValue[]; peer: PeerRef; message: string }
  | { kind: 'SettingMismatch'; setting: 'hash' | 'hash_tag'; values: StatedValue[]; message: string };

/** One file's value in a disagreement. */
export interface StatedValue {
  value: string;
  at: Location | null;
}

/** A loader note as findings carry it: located by `at` (a {@link Location}), with its message. */
type AsFinding<N> = N extends unknown ? Omit<N, 'level' | 'where'> & { at: Location | null; message: string } : never;

/** Worth knowing but not a failure; `validate` still exits 0. */
export type Warning =
  { kind: 'MultipleTokens'; peer: PeerRef; tokens: number[]; message: string } | AsFinding<Extract<ConfigNote, { level: 'warning' }>>;

/** How a file was read, for the record: a wildcard `dyn_listen` matched to another file's seed. */
export type Note = Omit<AsFinding<Extract<ConfigNote, { level: 'note' }>>, 'matchedAt'> & { matchedAt: Location | null };

/** Everything `validate` reports. */
export interface Findings {
  version: typeof FINDINGS_VERSION;
  files: string[];
  /** True when there are no problems (warnings allowed). */
  ok: boolean;
  summary: { datacenters: number; racks: number; peers: number; tokens: number; problems: number; warnings: number };
  problems: Problem[];
  warnings: Warning[];
  notes: Note[];
}

/** Checks coverage, cross-file agreement and multi-token peers, and carries the loader's notes. */
export function collectFindings({ files, config, topology }: LoadedConfig): Findings {
  const { peers, origins } = config;
  const ref = (p: Peer): PeerRef => ({
    index: p.index,
    endpoint: endpointKey(p.endpoint),
    ...(p.name === undefined ? {} : { name: p.name }),
    dc: p.dc,
    rack: p.rack,
    declaredAt: (origins[p.index] ?? []).flatMap(location),
  });

  const problems: Problem[] = checkTokenCoverage(peers).map((issue): Problem => {
    const message = describeCoverageIssue(issue, peers);
    if (issue.kind === 'EmptyRack') {
      return { ...issue, peers: peers.filter((p) => p.dc === issue.dc && p.rack === issue.rack).map(ref), message };
    }
    return { ...issue, peers: issue.peers.map((i) => ref(peers[i]!)) as [PeerRef, PeerRef], message };
  });
  const byEndpoint = new Map(peers.map((p) => [endpointKey(p.endpoint), p]));
  problems.push(...config.disagreements.map((d) => disagreement(d, (endpoint) => ref(byEndpoint.get(endpoint)!))));

  const warnings: Warning[] = peers
    .filter((p) => p.tokens.length > 1)
    .map((p) => ({
      kind: 'MultipleTokens',
      peer: ref(p),
      tokens: [...p.tokens],
      message:
        `peer ${p.index} (${endpointKey(p.endpoint)}) has ${p.tokens.length} tokens: dynoring routes with all of them, ` +
        'but the Dynomite server mishandles a peer with more than one token and its gossip advertises only the first',
    }));
  const notes: Note[] = [];
  for (const n of config.notes) {
    const { level: _, where, ...rest } = n;
    const at = location(where)[0] ?? null;
    const message = describeConfigNote(n);
    if (n.level === 'warning') warnings.push({ ...rest, at, message } as Warning);
    else notes.push({ ...rest, at, matchedAt: 'matchedAt' in rest ? (location(rest.matchedAt)[0] ?? null) : null, message } as Note);
  }

  return {
    version: FINDINGS_VERSION,
    files,
    ok: problems.length === 0,
    summary: {
      datacenters: topology.datacenters().length,
      racks: topology.racks().length,
      peers: peers.length,
      tokens: peers.reduce((n, p) => n + p.tokens.length, 0),
      problems: problems.length,
      warnings: warnings.length,
    },
    problems,
    warnings,
    notes,
  };
}

function location(where: ConfigLocation): Location[] {
  return where.file === undefined ? [] : [{ file: where.file, ...(where.line === undefined ? {} : { line: where.line }) }];
}

function disagreement(d: Disagreement, peerAt: (endpoint: string) => PeerRef): Problem {
  const values = d.values.map((v) => ({ value: v.value, at: location(v.where)[0] ?? null }));
  const message = describeDisagreement(d);
  return d.kind === 'SettingMismatch' ? { ...d, values, message } : { ...d, values, peer: peerAt(d.endpoint), message };
}

/** What `validate --json` prints when a file cannot be read or parsed (exit 2). */
export interface LoadFailure {
  version: typeof FINDINGS_VERSION;
  ok: false;
  error: { message: string; file?: string; line?: number };
}

/** The JSON form of a file that cannot be read ({@link InputError}) or parsed ({@link ConfigError}). */
export function loadFailure(err: ConfigError | InputError): LoadFailure {
  const { file, line } = err instanceof InputError ? { file: err.file, line: undefined } : err.location;
  return {
    version: FINDINGS_VERSION,
    ok: false,
    error: { message: err.message, ...(file === undefined ? {} : { file }), ...(line === undefined ? {} : { line }) },
  };
}

/** `file:line`, or `file` when the line is unknown. */
export function locationText(at: Location): string {
  return at.line === undefined ? at.file : `${at.file}:${at.line}`;
}
