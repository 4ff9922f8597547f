/** Promises still running, so that closing can wait for them. */
export class InFlight {
  private readonly running = new Set<Promise<void>>();

  /** Tracks `p` until it settles; returns it unchanged. */
  track<T>(p: Promise<T>): Promise<T> {
    const settled: Promise<void> = p.then(
      () => void this.running.delete(settled),
      () => void this.running.delete(settled),
    );
    this.running.add(settled);
    return p;
  }

  /** Resolves once every tracked promise has settled, including those tracked meanwhile. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
