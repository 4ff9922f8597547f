/**
 * Scanning a whole rack: a Dynomite node's SCAN covers only its own data, so
 * the stream scans every node of the local rack in turn, failing over to the
 * node of another local rack with the same tokens (which holds the same keys).
 */
import { CommandFailedError, type FailedAttempt } from '../errors.js';
import type { Peer } from '../ring/peer.js';
import { AttemptFailure, nodeRef, type NodePool } from './node-pool.js';
import type { Router } from './routing.js';

/** Options of `scanStream`. */
export interface ScanStreamOptions {
  /** SCAN's MATCH pattern. */
  match?: string;
  /** SCAN's COUNT hint per call. @default 100 */
  count?: number;
  /** SCAN's TYPE filter (Redis 6+ behind the node). */
  type?: string;
  /** Where an earlier stream stopped (its `position()`): finished nodes are skipped, the current one continues. */
  resume?: ScanPosition;
}

/** Where a scan is: how many local-rack nodes are finished, and the cursor on the current one and which node it belongs to. */
export interface ScanPosition {
  readonly done: number;
  readonly cursor: string;
  readonly node: number;
}

const sameTokens = (a: Peer, b: Peer) => a.tokens.length === b.tokens.length && a.tokens.every((t, i) => t === b.tokens[i]);

/**
 * The keys of the local rack, one batch per SCAN reply, each key once
 * (within a node's range, keys already yielded are remembered until the
 * node is finished, so a failover that restarts the range repeats nothing).
 */
export class ScanStream implements AsyncIterable<string[]> {
  private at: { done: number; cursor: string; node: number };

  /** @internal Use `client.scanStream()`. */
  constructor(
    private readonly pool: NodePool,
    private readonly router: Router,
    private readonly options: ScanStreamOptions,
  ) {
    const r = options.resume;
    this.at = r ? { done: r.done, cursor: r.cursor, node: r.node } : { done: 0, cursor: '0', node: -1 };
  }

  /** Where the stream is now; pass it as `resume` to go on from here later. */
  position(): ScanPosition {
    return { ...this.at };
  }

  /** The nodes that can scan the range of local-rack node `owner`: itself, then its same-token twins in the other local racks. */
  private scanners(owner: number): number[] {
    const topology = this.router.topology;
    const peer = topology.peer(owner);
    const twins: number[] = [];
    this.router.racks.forEach((r, i) => {
      if (i > 0 && r.dc === peer.dc) twins.push(...this.router.rackPeers[i]!.filter((p) => sameTokens(topology.peer(p), peer)));
    });
    return [owner, ...twins];
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string[]> {
    const local = this.router.rackPeers[0]!;
    const extra: string[] = [];
    if (this.options.match !== undefined) extra.push('MATCH', this.options.match);
    extra.push('COUNT', String(this.options.count ?? 100));
    if (this.options.type !== undefined) extra.push('TYPE', this.options.type);
    while (this.at.done < local.length) {
      const candidates = this.scanners(local[this.at.done]!);
      const seen = new Set<string>();
      const failures: FailedAttempt[] = [];
      // A resumed cursor is only valid on the node it came from.
      let position = candidates.indexOf(this.at.node);
      if (position < 0 || !this.pool.usable(this.at.node)) {
        position = 0;
        this.at.cursor = '0';
      }
      for (;;) {
        while (position < candidates.length && !this.pool.usable(candidates[position]!)) position++;
        const node = candidates[position];
        if (node === undefined) {
          throw new CommandFailedError(
            'NoNodeAvailable',
            'scan',
            failures,
            `SCAN cannot finish: no node holding the keys of local node ${local[this.at.done]} answered`,
          );
        }
        this.at.node = node;
        let reply: [string, string[]];
        try {
          reply = (await this.pool.send(node, 'scan', [this.at.cursor, ...extra], false)) as [string, string[]];
        } catch (err) {
          if (!(err instanceof AttemptFailure)) throw err;
          failures.push({ node: nodeRef(this.pool.get(node)!), reason: err.reason, message: err.message });
          position++;
          this.at.cursor = '0'; // another node's cursors mean nothing here: start its range over
          continue;
        }
        const fresh = reply[1].filter((k) => !seen.has(k));
        for (const k of fresh) seen.add(k);
        // The position must already say where the next batch starts while the
        // caller holds this one: a stream left at this yield resumes from it.
        // Cursor 0 means the node is finished, so the next start is the next
        // node; as a cursor on this node it would mean start its range over.
        const finished = reply[0] === '0';
        this.at = finished ? { done: this.at.done + 1, cursor: '0', node: -1 } : { ...this.at, cursor: reply[0] };
        if (fresh.length > 0) yield fresh;
        if (finished) break;
      }
    }
  }
}
