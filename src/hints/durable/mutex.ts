/** A FIFO async mutex: the store's way of serialising work on one peer. */
export class Mutex {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  /** Whether some task holds the mutex now. */
  get locked(): boolean {
    return this.held;
  }

  /**
   * Runs `task` once every task queued before it has finished, and settles
   * like it. Taking a free mutex happens synchronously, so `if (!m.locked)
   * m.run(...)` cannot be overtaken.
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.held) await new Promise<void>((resolve) => this.waiters.push(resolve));
    else this.held = true;
    try {
      return await task();
    } finally {
      const next = this.waiters.shift();
      // Hand the mutex straight to the next waiter so no newcomer slips in between.
      if (next) next();
      else this.held = false;
    }
  }
}
