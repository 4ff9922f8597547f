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
  /** Coordinator mode: sends a planned command itself (replicated); undefined leaves it to the pipeline. */
  coordinate?(plan: Plan, args: Arg[], buffer: boolean): Promise<unknown> | undefined;
}

/** One part on its way: it is also the command `sendPipeline` writes (name, args, buffer), so grouping copies nothing. */
interface Pending {
  readonly name: string;
  readonly args: readonly Arg[];
  readonly buffer: boolean;
  readonly attempts: Attempts;
  result: { error: Error | null; reply: unknown } | undefined;
}

/**
 * Sends parts in rounds: each unfinished part goes to its next usable
 * candidate, parts bound for one node share one pipeline.
 */
export async function runParts(ctx: FailoverContext, parts: readonly { part: Part; buffer: boolean }[]): Promise<Pending[]> {
  const all: Pending[] = new Array<Pending>(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const { part, buffer } = parts[i]!;
    all[i] = {
      name: part.name,
      args: part.args,
      buffer,
      attempts: new Attempts(ctx, part.name, part.retrySafe, part.candidates),
      result: undefined,
    };
  }
  let open = all;
  while (open.length > 0) {
    // Most pipelines go to one node: its group is kept outside the map.
    let firstNode = -1;
    const firstGroup: Pending[] = [];
    let others: Map<number, Pending[]> | undefined;
    for (const p of open) {
      const index = p.attempts.next();
      if (index === undefined) p.result = { error: p.attempts.exhausted(), reply: undefined };
      else if (firstNode < 0 || index === firstNode) {
        firstNode = index;
        firstGroup.push(p);
      } else {
        others ??= new Map();
        const group = others.get(index);
        if (group) group.push(p);
        else others.set(index, [p]);
      }
    }
    const sends: Promise<void>[] = [];
    if (firstNode >= 0) sends.push(sendGroup(ctx, firstNode, firstGroup));
    if (others) for (const [index, group] of others) sends.push(sendGroup(ctx, index, group));
    await Promise.all(sends);
    let failed = 0;
    for (const p of open) if (p.result === undefined) failed++;
    open = failed === 0 ? [] : open.filter((p) => p.result === undefined);
  }
  return all;
}

async function sendGroup(ctx: FailoverContext, index: number, group: Pending[]): Promise<void> {
  const replies = await ctx.pool.sendPipeline(index, group);
  for (let i = 0; i < group.length; i++) {
    const p = group[i]!;
    const reply = replies[i];
    if (reply instanceof ServerReplyError) p.result = { error: reply, reply: undefined };
    else if (!(reply instanceof AttemptFailure)) p.result = { error: null, reply };
    else {
      const final = p.attempts.fail(index, reply);
      if (final) p.result = { error: final, reply: undefined };
    }
  }
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
    return this.queue(name, args, false);
  }

  /** Queues any command by name; its reply keeps Buffers. */
  callBuffer(name: string, ...args: Arg[]): this {
    return this.queue(name, args, true);
  }

  /** @internal Queues a command whose arguments are already flat (the generated methods). */
  queue(name: string, args: Arg[], buffer: boolean): this {
    this.queued.push({ name, args, buffer });
    return this;
  }

  /**
   * Sends the queued commands and resolves with `[error, reply]` per command,
   * in the order queued.
   *
   * @throws {CommandRefusedError} before anything is sent, for the first command Dynomite cannot take.
   */
  async exec(): Promise<[error: Error | null, result: unknown][]> {
    const queued = this.queued;
    const plans: Plan[] = new Array<Plan>(queued.length);
    // Every command is planned (and refused) before the first is sent.
    for (let i = 0; i < queued.length; i++) plans[i] = this.host.plan(queued[i]!.name, queued[i]!.args);
    // In coordinator mode a command may be the coordinator's to send; the rest go out as parts.
    const coordinate = this.host.coordinate;
    const own: (Promise<[Error | null, unknown]> | undefined)[] = new Array(plans.length);
    const parts: { part: Part; buffer: boolean }[] = [];
    for (let i = 0; i < plans.length; i++) {
      const q = queued[i]!;
      const theirs = coordinate?.(plans[i]!, q.args, q.buffer);
      if (theirs !== undefined) {
        own[i] = theirs.then(
          (reply): [null, unknown] => [null, reply],
          (error: Error): [Error, undefined] => [error, undefined],
        );
      } else for (const part of plans[i]!.parts) parts.push({ part, buffer: q.buffer });
    }
    const done = await runParts(this.host.failover, parts);
    const out: [Error | null, unknown][] = new Array<[Error | null, unknown]>(plans.length);
    let at = 0;
    for (let i = 0; i < plans.length; i++) {
      const plan = plans[i]!;
      const coordinated = own[i];
      if (coordinated !== undefined) {
        out[i] = await coordinated;
        continue;
      }
      if (plan.parts.length === 1) {
        const r = done[at++]!.result!;
        // A plan of one part (a whole command, or a split one whose keys share owners) has that part's reply.
        out[i] = r.error ? [r.error, undefined] : [null, r.reply];
        continue;
      }
      const mine = done.slice(at, (at += plan.parts.length));
      const error = mine.find((p) => p.result!.error !== null)?.result!.error;
      out[i] = error ? [error, undefined] : [null, plan.merge(mine.map((p) => p.result!.reply))];
    }
    return out;
  }
}
