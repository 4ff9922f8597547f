/**
 * Consistency accounting of coordinator mode: how many of the local
 * datacenter's racks must answer a write or a read, and when that is known
 * to have happened or to be impossible. Remote datacenters never count.
 */
import { isDeepStrictEqual } from 'node:util';
import { QuorumError, type RackOutcome } from '../../errors.js';
import type { Consistency } from '../options.js';

/** Racks that make a quorum of `racks`: floor(racks / 2) + 1, as the server counts. */
export function quorum(racks: number): number {
  return Math.floor(racks / 2) + 1;
}

/** Where a tally stands: still waiting, level met, or level missed for good. */
export type TallyState = 'pending' | 'met' | 'missed';

/**
 * The local racks' outcomes of one write, against its level.
 *
 * - `DC_ONE`: met when the local rack's owner acknowledges; if that one
 *   fails, the first other local rack to acknowledge meets it (failing over
 *   as reads do), so only a write no local rack took is missed.
 * - `DC_QUORUM`, `DC_SAFE_QUORUM`: met at {@link quorum} acknowledgements;
 *   missed as soon as the racks still out cannot make it up. On a
 *   single-rack datacenter the quorum is that one rack.
 */
export class WriteTally {
  /** Acknowledgements the level needs. */
  readonly needed: number;
  // Per rack, filled as outcomes come: kept as plain arrays (this runs per write), made into RackOutcomes only for an error.
  private readonly outcomes: (RackOutcome['outcome'] | undefined)[];
  private readonly messages: (string | undefined)[];
  private acks = 0;
  private fails = 0;
  state: TallyState = 'pending';

  constructor(
    readonly level: Consistency,
    /** The local datacenter's racks, sorted. */
    readonly racks: readonly string[],
    /** The key's owner in each of them. */
    readonly peers: readonly { index: number }[],
    /** Position of the client's own rack in `racks`. */
    readonly localAt: number,
  ) {
    this.needed = level === 'DC_ONE' ? 1 : quorum(racks.length);
    this.outcomes = new Array<RackOutcome['outcome'] | undefined>(racks.length);
    this.messages = new Array<string | undefined>(racks.length);
  }

  /**
   * Records rack `at`'s outcome (only the first one per rack counts).
   *
   * @returns the state after it.
   */
  record(at: number, outcome: RackOutcome['outcome'], message?: string): TallyState {
    if (this.outcomes[at] !== undefined) return this.state;
    this.outcomes[at] = outcome;
    this.messages[at] = message;
    if (outcome === 'acked') this.acks++;
    else this.fails++;
    if (this.state !== 'pending') return this.state;
    if (this.level === 'DC_ONE') {
      const local = this.outcomes[this.localAt];
      if (local === 'acked' || (local !== undefined && this.acks > 0)) this.state = 'met';
      else if (this.fails === this.racks.length) this.state = 'missed';
    } else if (this.acks >= this.needed) this.state = 'met';
    else if (this.racks.length - this.fails < this.needed) this.state = 'missed';
    return this.state;
  }

  /** The error for a missed level: which racks answered and which did not (or have not yet). */
  error(command: string): QuorumError {
    const answered: RackOutcome[] = [];
    const missing: RackOutcome[] = [];
    this.racks.forEach((rack, i) => {
      const peer = this.peers[i]!.index;
      const outcome = this.outcomes[i];
      const message = outcome === undefined ? 'no answer yet' : this.messages[i];
      const o: RackOutcome =
        message === undefined ? { rack, peer, outcome: outcome! } : { rack, peer, outcome: outcome ?? 'unreachable', message };
      (o.outcome === 'acked' ? answered : missing).push(o);
    });
    const list = (os: RackOutcome[]) =>
      os.map((o) => (o.outcome === 'acked' ? o.rack : `${o.rack} (${o.outcome}${o.message ? `: ${o.message}` : ''})`)).join(', ') || 'none';
    return new QuorumError(
      'QuorumNotReached',
      `${command.toUpperCase()} at ${this.level} needed ${this.needed} of ${this.racks.length} local rack(s); answered: ${list(answered)}; ` +
        `not: ${list(missing)}. It stays applied where it was answered, and the others get it from their hints once back; ` +
        'retry the write, or lower writeConsistency',
      command,
      this.level,
      this.needed,
      answered,
      missing,
    );
  }
}

/**
 * The local racks' replies to one quorum read. `DC_QUORUM` is met by any
 * {@link quorum} replies; `DC_SAFE_QUORUM` by a quorum of replies that are
 * equal (as the server picks two matching of three), and missed with
 * `QuorumMismatch` once no group of equal replies can reach it.
 */
export class ReadTally {
  readonly needed: number;
  private readonly replies: { at: number; value: unknown }[] = [];
  private readonly failures: RackOutcome[] = [];
  /** Groups of equal replies: representative value and the positions that sent it. */
  private readonly groups: { value: unknown; at: number[] }[] = [];
  state: TallyState = 'pending';
  /** The reply to return once met. */
  value: unknown;

  constructor(
    readonly level: Exclude<Consistency, 'DC_ONE'>,
    readonly racks: readonly { rack: string; peer: number }[],
    /** Positions whose reply is preferred, best first (fresh replicas of the local rack first). */
    private readonly preference: readonly number[],
  ) {
    this.needed = quorum(racks.length);
  }

  /** Records a reply from rack `at`. */
  reply(at: number, value: unknown): TallyState {
    this.replies.push({ at, value });
    let group = this.level === 'DC_SAFE_QUORUM' ? this.groups.find((g) => isDeepStrictEqual(g.value, value)) : this.groups[0];
    if (group === undefined) this.groups.push((group = { value, at: [] }));
    group.at.push(at);
    return this.settle();
  }

  /** Records that rack `at` gave no usable reply. */
  fail(at: number, outcome: RackOutcome['outcome'], message: string): TallyState {
    const { rack, peer } = this.racks[at]!;
    this.failures.push({ rack, peer, outcome, message });
    return this.settle();
  }

  private settle(): TallyState {
    if (this.state !== 'pending') return this.state;
    const out = this.racks.length - this.replies.length - this.failures.length;
    const best = this.groups.find((g) => g.at.length >= this.needed);
    if (best !== undefined) {
      this.state = 'met';
      // In DC_QUORUM the replies may differ: prefer a fresh local reply.
      const at = this.preference.find((p) => best.at.includes(p)) ?? best.at[0]!;
      this.value = this.replies.find((r) => r.at === at)!.value;
    } else if (Math.max(0, ...this.groups.map((g) => g.at.length)) + out < this.needed) this.state = 'missed';
    return this.state;
  }

  /** The error for a missed read. */
  error(command: string): QuorumError {
    const answered = this.replies.map(({ at }) => ({ ...this.racks[at]!, outcome: 'acked' as const }));
    const mismatch = this.replies.length >= this.needed;
    const names = (os: readonly RackOutcome[]) => os.map((o) => o.rack).join(', ') || 'none';
    const message = mismatch
      ? `${command.toUpperCase()} at ${this.level}: the replies of racks ${names(answered)} differ, so no ${this.needed} of them agree; ` +
        'a replica is behind (its hints may still be draining): read again later, or at DC_QUORUM'
      : `${command.toUpperCase()} at ${this.level} needed replies from ${this.needed} of ${this.racks.length} local rack(s); ` +
        `answered: ${names(answered)}; not: ${this.failures.map((f) => `${f.rack} (${f.outcome}: ${f.message})`).join(', ')}`;
    return new QuorumError(
      mismatch ? 'QuorumMismatch' : 'QuorumNotReached',
      message,
      command,
      this.level,
      this.needed,
      answered,
      this.failures,
    );
  }
}
