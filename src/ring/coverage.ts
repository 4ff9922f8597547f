/**
 * Token-coverage validation: does every (dc, rack) yield a usable ring?
 * Only two things can go wrong, since dispatch has no gaps (docs/design.md §4):
 * a rack with no tokens, and one token claimed by two peers of one rack.
 */
import { checkEngine, kernelFor, type Engine } from '../engine/engines.js';
import { ConfigError, TokenCoverageError } from '../errors.js';
import { checkPeerFields, type Peer } from './peer.js';
import { MAX_TOKEN, describe } from './token.js';

/** A coverage problem. */
export type CoverageIssue =
  { kind: 'EmptyRack'; dc: string; rack: string } | { kind: 'Overlap'; dc: string; rack: string; token: number; peers: [number, number] };

/** Options for coverage checks. */
export interface CoverageOptions {
  /** Racks that must exist; one with no peers is an `EmptyRack`. */
  racks?: readonly { dc: string; rack: string }[];
  /** Engine for the duplicate-token scan; default `auto`. */
  engine?: Engine;
}

/** A one-line description of a coverage problem. */
export function describeCoverageIssue(issue: CoverageIssue): string {
  return issue.kind === 'EmptyRack'
    ? `empty rack: rack '${issue.rack}' in datacenter '${issue.dc}' has no tokens, so requests routed there fail with NoTargets`
    : `overlapping token: peers ${issue.peers[0]} and ${issue.peers[1]} both claim token ${issue.token} in rack '${issue.rack}' of datacenter '${issue.dc}'; ` +
        'which one owns it would depend on iteration order';
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
  const engine = checkEngine(options.engine ?? 'auto');
  const groups = new Map<string, { dc: string; rack: string; tokens: number }>();
  const key = (dc: string, rack: string) => `${dc}\u0000${rack}`;
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
  for (const r of options.racks ?? []) {
    if (typeof r?.dc !== 'string' || typeof r.rack !== 'string')
      throw new TypeError(`options.racks entries must be { dc: string, rack: string }, got ${describe(r)}`);
  }
  for (const p of peers) {
    const g = groups.get(key(p.dc, p.rack)) ?? { dc: p.dc, rack: p.rack, tokens: 0 };
    g.tokens += p.tokens.length;
    total += p.tokens.length;
    groups.set(key(p.dc, p.rack), g);
  }
  for (const r of options.racks ?? []) {
    if (!groups.has(key(r.dc, r.rack))) groups.set(key(r.dc, r.rack), { dc: r.dc, rack: r.rack, tokens: 0 });
  }
  const ordered = [...groups.values()].sort((a, b) => compare(a.dc, b.dc) || compare(a.rack, b.rack));
  const groupOf = new Map(ordered.map((g, i) => [key(g.dc, g.rack), i]));

  const input = { groups: new Uint32Array(total), tokens: new Uint32Array(total), peers: new Uint32Array(total) };
  let at = 0;
  for (const p of peers) {
    const g = groupOf.get(key(p.dc, p.rack))!;
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
