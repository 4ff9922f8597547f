/**
 * Command timeouts of one connection with one timer, instead of the timer per
 * command ioredis's `commandTimeout` sets (creating and clearing a timer per
 * command was the largest single cost of an unpipelined command). Redis
 * answers a connection's commands in the order they were written, so their
 * deadlines are in order too: the timer only ever waits for the oldest one.
 */
import type { Command } from 'ioredis';

/** ioredis rejects a timed-out command with this message; `toFailure` reads it as a timeout. */
export const TIMED_OUT = 'Command timed out';

/** Commands written together (one, or a pipeline's), and when they time out. */
export class InFlight {
  /** Set once the caller has the replies: nothing is left to time out. */
  done = false;

  constructor(
    readonly deadline: number,
    private readonly commands: Command | readonly Command[],
  ) {}

  /** Fails every command of the entry that has no reply yet, as ioredis's own timeout does (a late reply is then dropped). */
  expire(): void {
    const all = Array.isArray(this.commands) ? this.commands : [this.commands as Command];
    for (const c of all) if (!c.isResolved) c.reject(new Error(TIMED_OUT));
  }
}

/** The in-flight entries of one connection, oldest first, and the one timer that expires them. */
export class Deadlines {
  private entries: InFlight[] = [];
  private head = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ms: number) {}

  /** Registers commands just written; mark the returned entry `done` once they are answered. */
  add(commands: Command | readonly Command[]): InFlight {
    this.prune();
    const entry = new InFlight(performance.now() + this.ms, commands);
    this.entries.push(entry);
    // While commands flow the timer stays armed (re-armed at most once per timeout), so no command pays for one.
    if (this.timer === undefined) this.arm(this.ms);
    return entry;
  }

  /** Stops the timer (the connection is closing; ioredis fails what is left). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.entries = [];
    this.head = 0;
  }

  private arm(delay: number): void {
    this.timer = setTimeout(this.expire, delay);
    this.timer.unref();
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const now = performance.now();
    this.prune();
    while (this.head < this.entries.length && this.entries[this.head]!.deadline <= now) {
      const entry = this.entries[this.head++]!;
      if (!entry.done) entry.expire();
    }
    this.prune();
    if (this.head < this.entries.length) this.arm(Math.max(1, this.entries[this.head]!.deadline - now));
  };

  /** Drops answered entries from the front; compacts the array once most of it is dropped. */
  private prune(): void {
    const entries = this.entries;
    while (this.head < entries.length && entries[this.head]!.done) this.head++;
    if (this.head === entries.length) {
      entries.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > entries.length) {
      this.entries = entries.slice(this.head);
      this.head = 0;
    }
  }
}
