/**
 * Work still running, so that closing can wait for it: promises
 * ({@link track}), or callbacks counted by {@link begin} / {@link end}
 * (the write path, where a promise per replica write would cost).
 */
export class InFlight {
  private readonly running = new Set<Promise<void>>();
  private counted = 0;
  private idle: (() => void)[] = [];

  /** Tracks `p` until it settles; returns it unchanged. */
  track<T>(p: Promise<T>): Promise<T> {
    const settled: Promise<void> = p.then(
      () => void this.running.delete(settled),
      () => void this.running.delete(settled),
    );
    this.running.add(settled);
    return p;
  }

  /** One more piece of work running until {@link end}. */
  begin(): void {
    this.counted++;
  }

  /** A piece of work counted by {@link begin} has finished. */
  end(): void {
    if (--this.counted === 0) for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Resolves once all tracked and counted work has settled, including work started meanwhile. */
  async settled(): Promise<void> {
    while (this.running.size > 0 || this.counted > 0) {
      if (this.counted > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
      await Promise.allSettled([...this.running]);
    }
  }
}
