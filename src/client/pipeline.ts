/**
 * Pipelines: commands are grouped by the node they go to, one ioredis
 * pipeline per node is sent concurrently, a failed command fails over on its
 * own (by the same rules as a single command), and results come back in the
 * caller's order as `[error, reply]` pairs.
 */
import { ServerReplyError } from '../errors.js';
import type { Arg } from './commands.js';
import { Attempts, type FailoverContext } from './failover.js';
import type { Part, Plan } from './dispatch.js';
import { AttemptFailure } from './node-pool.js';

/** What a pipeline needs of its client. */
export interface PipelineHost {
  failover: FailoverContext;
  /** Checks and plans a command; throws a refusal. */
  plan(name: string, args: Arg[]): Plan;
}

interface Pending {
  part: Part;
  buffer: boolean;
  attempts: Attempts;
  result?: { error: Error | null; reply: unknown };
}

/**
 * Sends parts in rounds: each unfinished part goes to its next usable
 * candidate, parts bound for one node share one pipeline.
 */
export async function runParts(ctx: FailoverContext, parts: readonly { part: Part; buffer: boolean }[]): Promise<Pending[]> {
  const all: Pending[] = parts.map(({ part, buffer }) => ({
    part,
    buffer,
    attempts: new Attempts(ctx, part.name, part.retrySafe, part.candidates),
  }));
  let open = all;
  while (open.length > 0) {
    const byNode = new Map<number, Pending[]>();
    for (const p of open) {
      const index = p.attempts.next();
      if (index === undefined) {
        p.result = { error: p.attempts.exhausted(), reply: undefined };
        continue;
      }
      const group = byNode.get(index);
      if (group) group.push(p);
      else byNode.set(index, [p]);
    }
    await Promise.all(
      [...byNode].map(async ([index, group]) => {
        const replies = await ctx.pool.sendPipeline(
          index,
          group.map((p) => ({ name: p.part.name, args: p.part.args, buffer: p.buffer })),
        );
        group.forEach((p, i) => {
          const reply = replies[i];
          if (reply instanceof ServerReplyError) p.result = { error: reply, reply: undefined };
          else if (!(reply instanceof AttemptFailure)) p.result = { error: null, reply };
          else {
            const final = p.attempts.fail(index, reply);
            if (final) p.result = { error: final, reply: undefined };
          }
        });
      }),
    );
    open = open.filter((p) => p.result === undefined);
  }
  return all;
}

/**
 * A batch of commands sent together: chain commands (every ioredis command
 * is a method, plus `call`), then `exec()`. A command Dynomite cannot take
 * makes `exec()` reject before anything is sent.
 */
export class DynoPipeline {
  private readonly queued: { name: string; args: Arg[]; buffer: boolean }[] = [];

  /** @internal Use `client.pipeline()`. */
  constructor(private readonly host: PipelineHost) {}

  /** Number of queued commands. */
  get length(): number {
    return this.queued.length;
  }

  /** Queues any command by name. */
  call(name: string, ...args: Arg[]): this {
    this.queued.push({ name, args, buffer: false });
    return this;
  }

  /** Queues any command by name; its reply keeps Buffers. */
  callBuffer(name: string, ...args: Arg[]): this {
    this.queued.push({ name, args, buffer: true });
    return this;
  }

  /**
   * Sends the queued commands and resolves with `[error, reply]` per command,
   * in the order queued.
   *
   * @throws {CommandRefusedError} before anything is sent, for the first command Dynomite cannot take.
   */
  async exec(): Promise<[error: Error | null, result: unknown][]> {
    const plans = this.queued.map((q) => ({ plan: this.host.plan(q.name, q.args), buffer: q.buffer }));
    const parts = plans.flatMap(({ plan, buffer }) => plan.parts.map((part) => ({ part, buffer })));
    const done = await runParts(this.host.failover, parts);
    let at = 0;
    return plans.map(({ plan }) => {
      const mine = done.slice(at, (at += plan.parts.length));
      const error = mine.find((p) => p.result!.error !== null)?.result!.error;
      if (error) return [error, undefined];
      return [null, plan.merge(mine.map((p) => p.result!.reply))];
    });
  }
}
