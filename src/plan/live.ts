/**
 * How a running cluster differs from its files: nodes one side has and the
 * other lacks, and nodes whose token, rack or datacenter differ. A live
 * view (`/cluster_describe`) carries each node's first token only, so that
 * is what is compared.
 */
import { endpointKey, type Peer } from '../ring/peer.js';

/** One difference between the files and the running cluster. */
export interface LiveDifference {
  /**
   * `missing`: in the files, not running; `extra`: running, not in the
   * files; `token`, `rack`, `dc`: the node runs with another value.
   */
  kind: 'missing' | 'extra' | 'token' | 'rack' | 'dc';
  /** `host:port` of the node. */
  endpoint: string;
  /** What the files say (`null` for `extra`). */
  files: string | null;
  /** What the cluster says (`null` for `missing`). */
  live: string | null;
  message: string;
}

const describeNode = (p: Peer) => `${p.dc}/${p.rack} token ${p.tokens[0] ?? '(none)'}`;

/**
 * Every difference between the peers of the files and of a live view, in
 * the files' order, then the extra nodes in the live view's order.
 */
export function compareLive(files: readonly Peer[], live: readonly Peer[]): LiveDifference[] {
  const running = new Map(live.map((p) => [endpointKey(p.endpoint), p]));
  const declared = new Set(files.map((p) => endpointKey(p.endpoint)));
  const out: LiveDifference[] = [];
  for (const p of files) {
    const endpoint = endpointKey(p.endpoint);
    const q = running.get(endpoint);
    if (!q) {
      out.push({
        kind: 'missing',
        endpoint,
        files: describeNode(p),
        live: null,
        message: `${endpoint} (${describeNode(p)}) is in the files but not in the running cluster`,
      });
      continue;
    }
    const fields = [
      ['dc', p.dc, q.dc],
      ['rack', p.rack, q.rack],
      ['token', String(p.tokens[0] ?? '(none)'), String(q.tokens[0] ?? '(none)')],
    ] as const;
    for (const [kind, want, have] of fields) {
      if (want !== have)
        out.push({ kind, endpoint, files: want, live: have, message: `${endpoint} runs with ${kind} ${have}; the files say ${want}` });
    }
  }
  for (const q of live) {
    const endpoint = endpointKey(q.endpoint);
    if (!declared.has(endpoint)) {
      out.push({
        kind: 'extra',
        endpoint,
        files: null,
        live: describeNode(q),
        message: `${endpoint} (${describeNode(q)}) is running but not in the files`,
      });
    }
  }
  return out;
}
