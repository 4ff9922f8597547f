/**
 * The hint drainer (docs/hints.md): a periodic round that expires due hints
 * and replays the rest to peers that are back, in order, without ever
 * losing or reordering a hint when a send fails or never settles.
 */
import { HintDeliveryError, HintSendTimeoutError } from '../errors.js';
import { checkWindow, DRAINABLE_METHODS, hasMethods, type DrainableHintStore, type DrainOptions, type Hint } from './hint.js';

/** Thrown into the store's drain to end it when the drainer stops. */
const STOPPED = new Error('the drainer stopped');

/** Longest timer `setTimeout` keeps: a longer delay fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options of a {@link HintDrainer}: `store` and `send` are required, the rest have defaults ({@link HINT_DRAINER_DEFAULTS}). */
export interface HintDrainerOptions {
  /** The store to drain: a `HintStore`, or a `DurableHintStore` from `dynoring/durable`. */
  store: DrainableHintStore;
  /**
   * Sends one hint's bytes to `peer` over the path a live write would use.
   * Resolves once delivered; rejects (or throws) if not.
   */
  send(peer: number, payload: Uint8Array): Promise<void>;
  /**
   * Whether `peer` is back to normal, so its hints may be sent. A caller
   * that runs {@link HintDrainer.runOnce} when it knows peers are back needs
   * none.
   *
   * @default () => true (every peer)
   */
  isNormal?: (peer: number) => boolean;
  /**
   * Time between rounds started by {@link HintDrainer.start}, in ms (> 0).
   *
   * @default 1000
   */
  intervalMs?: number;
  /**
   * How many peers are drained at once (each peer's hints go in order, `window` at a time).
   *
   * @default 4
   */
  concurrency?: number;
  /**
   * How long one `send` may take, in ms (> 0, at most 2^31 - 1). A send that
   * has not settled by then is a failed send ({@link HintSendTimeoutError}):
   * its hint and the later ones stay stored, in order, with their deadlines.
   * It bounds how long {@link HintDrainer.stop} waits for a send in flight.
   *
   * @default 5000
   */
  sendTimeoutMs?: number;
  /**
   * Sends in flight at once per peer (1 to `MAX_DRAIN_WINDOW`): the store's
   * `drain` window. Above 1, `send` must keep the order it is called in (one
   * connection per peer does), and after a failed send the hints behind it
   * that were sent as well are sent again (at-least-once, in order).
   *
   * @default 1
   */
  window?: number;
}

/**
 * The defaults of {@link HintDrainerOptions}. `sendTimeoutMs` is 5 s: a
 * hint is one request, which a healthy peer answers in milliseconds, so
 * a send still pending after 5 s means the peer is not back; and `stop()`
 * then takes at most that long.
 */
export const HINT_DRAINER_DEFAULTS: Readonly<
  Required<Pick<HintDrainerOptions, 'isNormal' | 'intervalMs' | 'concurrency' | 'sendTimeoutMs' | 'window'>>
> = Object.freeze({
  isNormal: () => true,
  intervalMs: 1_000,
  concurrency: 4,
  sendTimeoutMs: 5_000,
  window: 1,
});

/** What one round did; also the shape of the drainer's running totals. */
export interface HintDrainSummary {
  /** Hints sent successfully. */
  delivered: number;
  /** Hints left in the store, in order, after a failed send or a stop. */
  requeued: number;
  /** Hints dropped because their deadline passed before they could be sent (also in the store's `expiredTotal`). */
  expired: number;
  /** `send` calls that failed. */
  failedSends: number;
}

/** Running totals of a {@link HintDrainer}, since it was made. */
export interface HintDrainerStats extends HintDrainSummary {
  /** Rounds completed. */
  rounds: number;
}

/** Events a {@link HintDrainer} emits, by name, with their payloads. */
export interface HintDrainerEvents {
  /** A hint was sent successfully. */
  delivered: { peer: number; hint: Hint };
  /** A send failed or timed out (`error` a {@link HintSendTimeoutError}); the hint and those after it stay in the store. */
  sendFailed: { peer: number; hint: Hint; error: unknown };
  /** Hints stayed at the front of `peer`'s queue (after a failure or a stop). */
  requeued: { peer: number; count: number };
  /** Hints were dropped as expired (`peer` undefined: a store-wide expiry). */
  expired: { peer: number | undefined; count: number };
  /** A round finished. */
  round: HintDrainSummary;
  /** A round started by the timer failed (for example `isNormal` threw). */
  error: { error: unknown };
}

/** A listener for event `K` of {@link HintDrainerEvents}. */
export type HintDrainerListener<K extends keyof HintDrainerEvents> = (event: HintDrainerEvents[K]) => void;

/**
 * Replays stored hints to peers that are back.
 *
 * Each round: expire due hints; then, for each peer with hints that
 * `isNormal` says is back (up to `concurrency` peers at once), drain its
 * hints through `send`, in order, `window` at a time (the store's `drain`:
 * a hint leaves the store only once it and every hint before it were sent). If a send fails, or does not settle
 * within `sendTimeoutMs`, that hint and the ones after it stay at the front
 * of the peer's queue with their original deadlines, ahead of anything
 * stored meanwhile. A hint whose deadline has passed is dropped, counted,
 * and never sent. Rounds never overlap.
 *
 * Writes that go straight to a peer while its hints are being replayed can
 * overtake them; a service that needs per-key order keeps hinting a peer's
 * writes until its queue is empty (see examples/redis-fanout).
 *
 * Events are plain callbacks (no `node:events`), so this runs in browsers.
 * A listener that throws does not disturb delivery; its error is rethrown
 * from a microtask.
 */
export class HintDrainer {
  private readonly store: DrainableHintStore;
  private readonly isNormal: (peer: number) => boolean;
  private readonly send: (peer: number, payload: Uint8Array) => Promise<void>;
  private readonly intervalMs: number;
  private readonly concurrency: number;
  private readonly sendTimeoutMs: number;
  private readonly drainOptions: DrainOptions;
  private readonly listeners = new Map<keyof HintDrainerEvents, Set<(event: never) => void>>();
  private readonly totals: HintDrainerStats = { delivered: 0, requeued: 0, expired: 0, failedSends: 0, rounds: 0 };
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Settles when the last round asked for has finished; rounds chain on it. */
  private tail: Promise<unknown> = Promise.resolve();
  /** Rounds asked for and not finished; a timer tick skips while any is. */
  private pending = 0;
  /** Bumped by `stop()`, so rounds asked for before it stop sending. */
  private generation = 0;

  /** @throws TypeError or RangeError on a missing `store` or `send`, or an option of the wrong type or range. */
  constructor(options: HintDrainerOptions) {
    const { store, send } = options;
    const {
      isNormal = HINT_DRAINER_DEFAULTS.isNormal,
      intervalMs = HINT_DRAINER_DEFAULTS.intervalMs,
      concurrency = HINT_DRAINER_DEFAULTS.concurrency,
      sendTimeoutMs = HINT_DRAINER_DEFAULTS.sendTimeoutMs,
      window = HINT_DRAINER_DEFAULTS.window,
    } = options;
    if (!hasMethods(store, DRAINABLE_METHODS)) {
      throw new TypeError('store must be a HintStore or a DurableHintStore (with drain, peersWithHints and expireNow)');
    }
    if (typeof send !== 'function') throw new TypeError('send must be a function (peer, payload) => Promise<void>');
    if (typeof isNormal !== 'function') throw new TypeError('isNormal must be a function (peer) => boolean');
    this.intervalMs = checkMs('intervalMs', intervalMs, Infinity);
    this.sendTimeoutMs = checkMs('sendTimeoutMs', sendTimeoutMs, MAX_TIMER_MS);
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be an integer >= 1 (peers drained at once), got ${concurrency}`);
    }
    this.drainOptions = { window: checkWindow(window, 'window') };
    this.store = store;
    this.isNormal = isNormal;
    this.send = send;
    this.concurrency = concurrency;
  }

  /**
   * Runs a round every `intervalMs` until {@link stop}. A tick that comes
   * while a round is still running is skipped. Calling it again is a no-op.
   * In Node the timer does not keep the process alive.
   */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      if (this.pending > 0) return;
      this.runOnce().catch((error: unknown) => this.emit('error', { error }));
    }, this.intervalMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /**
   * Stops the timer and the round in progress: no new send starts, sends in
   * flight are awaited (each for at most `sendTimeoutMs`), and hints not yet
   * sent stay in the store. Resolves when that is done, so within
   * `sendTimeoutMs` plus the store's own work. Idempotent; {@link start} or
   * {@link runOnce} may follow.
   */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.generation++;
    await this.tail.catch(() => undefined);
  }

  /**
   * Runs one round now, after any round in progress, and resolves with what
   * it did.
   *
   * @throws whatever `isNormal` or the store throws; hints already taken are
   *   put back first, so nothing is lost.
   */
  runOnce(): Promise<HintDrainSummary> {
    const generation = this.generation;
    this.pending++;
    const round = this.tail
      .catch(() => undefined)
      .then(() => this.round(generation))
      .finally(() => this.pending--);
    this.tail = round;
    return round;
  }

  /** Running totals since the drainer was made. */
  stats(): HintDrainerStats {
    return { ...this.totals };
  }

  /**
   * Subscribes `listener` to `event`.
   *
   * @returns a function that unsubscribes it.
   */
  on<K extends keyof HintDrainerEvents>(event: K, listener: HintDrainerListener<K>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit<K extends keyof HintDrainerEvents>(event: K, payload: HintDrainerEvents[K]): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const listener of set) {
      try {
        (listener as HintDrainerListener<K>)(payload);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private async round(generation: number): Promise<HintDrainSummary> {
    const summary: HintDrainSummary = { delivered: 0, requeued: 0, expired: 0, failedSends: 0 };
    this.expired(summary, undefined, await this.store.expireNow());
    const peers = this.store.peersWithHints().filter((peer) => this.isNormal(peer));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < peers.length && generation === this.generation) {
        await this.drainPeer(peers[next++]!, generation, summary);
      }
    };
    // allSettled: the round is over only when every worker is, even if one threw.
    const results = await Promise.allSettled(Array.from({ length: Math.min(this.concurrency, peers.length) }, worker));
    for (const result of results) if (result.status === 'rejected') throw result.reason;
    this.totals.rounds++;
    this.emit('round', { ...summary });
    return summary;
  }

  private async drainPeer(peer: number, generation: number, summary: HintDrainSummary): Promise<void> {
    const deliver = async (hint: Hint): Promise<void> => {
      if (generation !== this.generation) throw STOPPED;
      try {
        await this.sendWithin(peer, hint.payload);
      } catch (error) {
        summary.failedSends++;
        this.totals.failedSends++;
        this.emit('sendFailed', { peer, hint, error });
        throw error;
      }
      summary.delivered++;
      this.totals.delivered++;
      this.emit('delivered', { peer, hint });
    };
    let result;
    try {
      result = await this.store.drain(peer, deliver, this.drainOptions);
    } catch (err) {
      // A failed send or a stop leaves the rest in the store; anything else is the store's own failure.
      if (!(err instanceof HintDeliveryError)) throw err;
      result = err.result;
    }
    this.expired(summary, peer, result.expired);
    summary.requeued += result.left;
    this.totals.requeued += result.left;
    if (result.left > 0) this.emit('requeued', { peer, count: result.left });
  }

  /** `send`, failed with a {@link HintSendTimeoutError} if it has not settled within `sendTimeoutMs`. */
  private sendWithin(peer: number, payload: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // Not unref'd: a send in flight is work the process is waiting for.
      const timer = setTimeout(() => reject(new HintSendTimeoutError(peer, this.sendTimeoutMs)), this.sendTimeoutMs);
      const done = () => clearTimeout(timer);
      try {
        Promise.resolve(this.send(peer, payload)).then(resolve, reject).finally(done);
      } catch (error) {
        done();
        reject(error);
      }
    });
  }

  private expired(summary: HintDrainSummary, peer: number | undefined, count: number): void {
    if (count === 0) return;
    summary.expired += count;
    this.totals.expired += count;
    this.emit('expired', { peer, count });
  }
}

/** @throws TypeError or RangeError unless `value` is a number of ms > 0 and at most `max`. */
function checkMs(name: string, value: unknown, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number of milliseconds, got ${typeof value}`);
  if (!(value > 0) || value > max || value === Infinity) {
    throw new RangeError(
      `${name} must be a finite number of milliseconds > 0${max === Infinity ? '' : ` and at most ${max}`}, got ${String(value)}`,
    );
  }
  return value;
}
