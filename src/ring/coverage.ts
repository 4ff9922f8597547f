/**
 * Token-coverage validation: does every (dc, rack) yield a usable ring?
 * Only two things can go wrong, since dispatch has no gaps (docs/design.md §4):
 * a rack with no tokens, and one token claimed by two peers of one rack.
 */
import { checkEngine, kernelFor, type Engine } from '../engine/engines.js';
import { ConfigError, TokenCoverageError } from '../errors.js';
import { checkPeerFields, endpointKey, rackKey, type Peer } from './peer.js';
import { MAX_TOKEN, describe } from './token.js';

/** A coverage problem. */
export type CoverageIssue =
  { kind: 'EmptyRack'; dc: string; rack: string } | { kind: 'Overlap'; dc: string; rack: string; token: number; peers: [number, number] };

/** Options for coverage checks. */
export interface CoverageOptions {
  /**
   * Racks that must exist; one with no peers is an `EmptyRack`.
   *
   * @default [] (only the peers' own racks)
   */
  racks?: readonly { dc: string; rack: string }[];
  /**
   * Engine for the duplicate-token scan.
   *
   * @default 'auto'
   */
  engine?: Engine;
}

/** Defaults of {@link CoverageOptions}. */
export const COVERAGE_DEFAULTS = Object.freeze({ racks: Object.freeze([]), engine: 'auto' }) satisfies Readonly<CoverageOptions>;

/**
 * A coverage problem in one line, with what to do: the one wording of it
 * that the CLI and the ring report use too. Given the peers it was found in,
 * an overlap names each peer with its host:port.
 */
export function describeCoverageIssue(issue: CoverageIssue, peers?: readonly Peer[]): string {
  if (issue.kind === 'EmptyRack') {
    return `empty rack: rack '${issue.rack}' in datacenter '${issue.dc}' has no tokens, so requests routed there fail with NoTargets; give its peers tokens`;
  }
  const [a, b] = issue.peers;
  const peer = (index: number) => {
    const p = peers?.find((q) => q.index === index);
    return p ? `${index} (${endpointKey(p.endpoint)})` : String(index);
  };
  return (
    `overlapping token: peers ${peer(a)} and ${peer(b)} both claim token ${issue.token} in rack '${issue.rack}' of datacenter '${issue.dc}'; ` +
    `which one owns it depends on iteration order (dynoring gives it to peer ${a}); give each peer of a rack its own tokens`
  );
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every coverage problem, sorted by datacenter, rack, then token (an empty
 * rack before any overlap in the same rack, which cannot have both).
 *
 * Three or more peers on one token in one rack give one `Overlap` per extra
 * peer, each paired with the lowest peer index claiming the token (the one
 * dispatch picks). A peer listing the same token twice is not an overlap: its
 * repeats are one claim, since they send that point to the same peer.
 *
 * @throws {ConfigError | TypeError | RangeError} for a malformed peer or token
 *   (not a u32), before any work is done.
 */
export function checkTokenCoverage(peers: readonly Peer[], options: CoverageOptions = {}): CoverageIssue[] {
  if (!Array.isArray(peers)) throw new TypeError(`expected an array of peers, got ${describe(peers)}`);
  const engine = checkEngine(options.engine ?? COVERAGE_DEFAULTS.engine);
  const groups = new Map<string, { dc: string; rack: string; tokens: number }>();
  let total = 0;
  peers.forEach((p, position) => {
    checkPeerFields(p, position);
    for (const t of p.tokens) {
      // Checked here, not by the typed array below, which would wrap 2^32 to 0 and report a false overlap.
      if (!Number.isInteger(t) || t < 0 || t > MAX_TOKEN) {
        throw new ConfigError(`peer ${p.index}: invalid token ${describe(t)}: a token is an integer from 0 to ${MAX_TOKEN}`);
      }
    }
  });
  for (const r of options.racks ?? COVERAGE_DEFAULTS.racks) {
    if (typeof r?.dc !== 'string' || typeof r.rack !== 'string')
      throw new TypeError(`options.racks entries must be { dc: string, rack: string }, got ${describe(r)}`);
  }
  for (const p of peers) {
    const g = groups.get(rackKey(p.dc, p.rack)) ?? { dc: p.dc, rack: p.rack, tokens: 0 };
    g.tokens += p.tokens.length;
    total += p.tokens.length;
    groups.set(rackKey(p.dc, p.rack), g);
  }
  for (const r of options.racks ?? COVERAGE_DEFAULTS.racks) {
    if (!groups.has(rackKey(r.dc, r.rack))) groups.set(rackKey(r.dc, r.rack), { dc: r.dc, rack: r.rack, tokens: 0 });
  }
  const ordered = [...groups.values()].sort((a, b) => compare(a.dc, b.dc) || compare(a.rack, b.rack));
  const groupOf = new Map(ordered.map((g, i) => [rackKey(g.dc, g.rack), i]));

  const input = { groups: new Uint32Array(total), tokens: new Uint32Array(total), peers: new Uint32Array(total) };
  let at = 0;
  for (const p of peers) {
    const g = groupOf.get(rackKey(p.dc, p.rack))!;
    for (const t of p.tokens) {
      input.groups[at] = g;
      input.tokens[at] = t;
      input.peers[at++] = p.index;
    }
  }
  const found = kernelFor(engine).findOverlaps(input);

  const issues: CoverageIssue[] = [];
  let next = 0;
  ordered.forEach((g, i) => {
    if (g.tokens === 0) issues.push({ kind: 'EmptyRack', dc: g.dc, rack: g.rack });
    for (; next < found.groups.length && found.groups[next] === i; next++) {
      issues.push({ kind: 'Overlap', dc: g.dc, rack: g.rack, token: found.tokens[next]!, peers: [found.peerA[next]!, found.peerB[next]!] });
    }
  });
  return issues;
}

/**
 * Checks that every (dc, rack) yields a usable ring; returns nothing when it does.
 *
 * @throws {TokenCoverageError} with the first problem, in the order of {@link checkTokenCoverage}.
 * @example
 * validateTokenCoverage(topology.peers, { racks: [{ dc: 'dc1', rack: 'rack3' }] });
 */
export function validateTokenCoverage(peers: readonly Peer[], options: CoverageOptions = {}): void {
  const first = checkTokenCoverage(peers, options)[0];
  if (first) throw new TokenCoverageError(first, describeCoverageIssue(first));
}
