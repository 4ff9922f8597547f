/**
 * The failover rules: which node an attempt goes to, which failures are
 * retried elsewhere, and the typed error when none succeeds.
 */
import { CommandFailedError, type ClientNodeRef, type FailedAttempt } from '../errors.js';
import { AttemptFailure, nodeRef, type NodePool } from './node-pool.js';

/** What failover needs from the client: the pool, the attempt budget, and where to report a failover. */
export interface FailoverContext {
  pool: NodePool;
  maxAttempts: number;
  onFailover(from: ClientNodeRef, to: ClientNodeRef, reason: string, command: string): void;
}

/** Candidates of one command: the node of each position, in order, until undefined. */
export type Candidates = (position: number) => number | undefined;

/**
 * The attempts of one command (or one part of a split command): which
 * candidate comes next, what failed so far, and whether it may go on.
 */
export class Attempts {
  private position = 0;
  private tried = 0;
  private previous: { index: number; reason: string } | undefined;
  /** Every failed attempt, in order (made on the first failure: most commands have none). */
  private failures: FailedAttempt[] | undefined;

  constructor(
    private readonly ctx: FailoverContext,
    readonly command: string,
    private readonly retrySafe: boolean,
    private readonly candidates: Candidates,
  ) {}

  /** The next usable candidate within `maxAttempts` (reporting the failover to it), or undefined when none is left. */
  next(): number | undefined {
    const { ctx } = this;
    if (this.tried >= ctx.maxAttempts) return undefined;
    for (;;) {
      const index = this.candidates(this.position++);
      if (index === undefined) return undefined;
      if (!ctx.pool.usable(index)) continue;
      if (this.previous !== undefined) {
        // The failed node may have left the pool meanwhile (a refresh removed it while its command was in flight).
        const from = ctx.pool.get(this.previous.index);
        ctx.pool.countFailover(this.previous.index);
        ctx.onFailover(
          from ? nodeRef(from) : unknownNode(this.previous.index),
          nodeRef(ctx.pool.get(index)!),
          this.previous.reason,
          this.command,
        );
      }
      this.tried++;
      return index;
    }
  }

  /** Records a failed attempt; returns the final error when the command must not be retried. */
  fail(index: number, failure: AttemptFailure): CommandFailedError | undefined {
    const node = this.ctx.pool.get(index);
    const failures = (this.failures ??= []);
    failures.push({ node: node ? nodeRef(node) : unknownNode(index), reason: failure.reason, message: failure.message });
    if (!this.retrySafe && !failure.neverApplied) return failedError(this.command, failures, true);
    this.previous = { index, reason: failure.reason };
    return undefined;
  }

  /** The error once no candidate is left. */
  exhausted(): CommandFailedError {
    return failedError(this.command, this.failures ?? [], false);
  }
}

/**
 * Runs `attempt` on the first usable candidate, and on the next one after
 * each retryable failure, within `maxAttempts`. A command that is not
 * `retrySafe` moves on only after a failure that proves it was not applied.
 *
 * @throws {ServerReplyError} at once, for an error reply retrying cannot fix.
 * @throws {CommandFailedError} when no attempt succeeded.
 */
export async function withFailover<T>(
  ctx: FailoverContext,
  command: string,
  retrySafe: boolean,
  candidates: Candidates,
  attempt: (node: number) => Promise<T>,
): Promise<T> {
  const attempts = new Attempts(ctx, command, retrySafe, candidates);
  for (let index = attempts.next(); index !== undefined; index = attempts.next()) {
    try {
      return await attempt(index);
    } catch (err) {
      if (!(err instanceof AttemptFailure)) throw err;
      const final = attempts.fail(index, err);
      if (final) throw final;
    }
  }
  throw attempts.exhausted();
}

const unknownNode = (index: number): ClientNodeRef => ({ index, dc: '', rack: '', host: '', port: 0 });

/** The error for a command that did not succeed, from its failed attempts. */
export function failedError(command: string, failures: readonly FailedAttempt[], maybeApplied: boolean): CommandFailedError {
  const upper = command.toUpperCase();
  const tried = failures.map((f) => `node ${f.node.index} (${f.node.host}:${f.node.port}) ${f.reason}: ${f.message}`).join('; ');
  if (maybeApplied) {
    return new CommandFailedError(
      'MaybeApplied',
      command,
      failures,
      `${upper} may have been applied: ${tried}. It is not idempotent, so it was not retried; check the data before sending it again`,
    );
  }
  const last = failures[failures.length - 1];
  if (last === undefined) {
    return new CommandFailedError(
      'NoNodeAvailable',
      command,
      failures,
      `${upper} was not sent: every node it may go to is down or taken out`,
    );
  }
  if (last.reason === 'timeout') {
    return new CommandFailedError('CommandTimeout', command, failures, `${upper} timed out: ${tried}`);
  }
  return new CommandFailedError('NoNodeAvailable', command, failures, `${upper} failed on every node it may go to: ${tried}`);
}
