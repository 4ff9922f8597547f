/**
 * Per-peer ordered write queues over a hint store: while a peer has hints
 * (stored, being replayed, or still being stored), its new writes are stored
 * behind them instead of sent, and its hints are replayed in order over the
 * peer's live connection; so a newer write never lands before an older one.
 */
import { errorMessage, HintDeliveryError, HintStoreError } from '../../errors.js';
import { DRAINABLE_METHODS, hasMethods, type DrainableHintStore, type DrainResult } from '../../hints/hint.js';
import { InFlight } from './in-flight.js';

/** What a coordinator needs of a hint store: `HintStore` and `DurableHintStore` both are. */
export interface CoordinatorHintStore extends DrainableHintStore {
  enqueue(peer: number, payload: Uint8Array, ttlMs: number): void | Promise<void>;
  lenFor(peer: number): number;
  /** Records what peer numbers stand for: the coordinator's `host:port` per peer. */
  setLabels(labels: ReadonlyMap<number, string>): void;
  /** The label recorded for `peer`, if any. */
  labelOf(peer: number): string | undefined;
  /** A `DurableHintStore`'s: whether it was closed. */
  readonly isClosed?: boolean;
  /** A `DurableHintStore`'s directory. */
  readonly dir?: string;
}

const STORE_METHODS = [...DRAINABLE_METHODS, 'enqueue', 'lenFor', 'setLabels', 'labelOf'];

/** Whether `value` has the methods of a {@link CoordinatorHintStore}. */
export function isCoordinatorHintStore(value: unknown): value is CoordinatorHintStore {
  return hasMethods(value, STORE_METHODS);
}

/** Per-peer hint counters, as `stats()` reports them. */
export interface PeerHintStats {
  /** Hints waiting for this peer now. */
  queued: number;
  /** Hints stored for it, since the client started. */
  stored: number;
  /** Payload bytes of those hints. */
  bytes: number;
  /** Hints replayed to it, acknowledged, and so removed from the store (a hint replayed twice counts once). */
  replayed: number;
  /** Hints dropped because their TTL ran out before it was back. */
  expired: number;
  /** Hints the store refused (`OverCapacity`, or another store error): that write is lost for this peer. */
  refused: number;
}

/** Events of the queues, by name. */
export interface HintQueueEvents {
  'hint:stored': { peer: number; bytes: number };
  /**
   * A replayed hint was answered (`error`: the server's error reply; it has the write all the same). After a
   * failed replay, hints behind the failed one are replayed again by the next one, and each answer is an event.
   */
  'hint:replayed': { peer: number; bytes: number; error?: Error };
  'hint:expired': { peer: number; count: number };
}

/** How the queues reach a peer. */
export interface ReplayTransport {
  /** May hints be replayed to `peer` now (its health probe answered)? */
  isUp(peer: number): boolean;
  /**
   * Sends stored request bytes over the peer's live connection. Resolves
   * with the reply (an error reply resolves too, as an `Error`: the server
   * has the write); rejects when it was not delivered.
   */
  sendStored(peer: number, payload: Uint8Array): Promise<unknown>;
}

/** Options of {@link HintQueues}. */
export interface HintQueueOptions {
  store: CoordinatorHintStore;
  transport: ReplayTransport;
  /** TTL of a hint, in ms. */
  ttlMs: number;
  /** Hints replayed at once to a peer (the drain's window). */
  window: number;
  emit<E extends keyof HintQueueEvents>(event: E, payload: HintQueueEvents[E]): void;
  /** Reports a store failure that is not a refusal (an I/O error of a durable store), or a `hint:stored` listener's throw. */
  onError(error: Error): void;
}

/** Told once a hint has been stored, or why it was not (the store's refusal or failure). */
export interface HintWait {
  /** The hint goes to the store now (once every older write to the peer has settled). */
  storing?(): void;
  stored(): void;
  refused(error: unknown): void;
}

/**
 * One write to a peer, in send order: out on the wire, acknowledged, or to
 * be hinted. Hints enter the store only in this order, so a write that times
 * out late still lands before a newer one that was hinted at once.
 */
export interface Slot {
  state: 'sent' | 'acked' | 'hint';
  payload: () => Uint8Array;
  wait?: HintWait;
}

interface PeerQueue {
  queueing: boolean;
  draining: boolean;
  /** Enqueues called and not yet settled (a durable store's fsync). */
  storing: number;
  /** Writes in send order, from the oldest one not yet settled. */
  slots: Slot[];
  /** Writes held back while a replay runs, released in order when it ends. */
  waiting: (() => void)[];
  head: number;
  stats: PeerHintStats;
}

/**
 * The ordered queues of every peer: {@link send} before writing to a peer
 * live, then {@link acked} or {@link failed}; {@link hint} when the peer is
 * {@link queueing}. Peers are replayed by {@link kick}.
 */
export class HintQueues {
  private readonly peers = new Map<number, PeerQueue>();
  private readonly inFlight = new InFlight();

  constructor(private readonly options: HintQueueOptions) {
    // Hints kept on disk by an earlier run: those peers queue until replayed.
    for (const peer of options.store.peersWithHints()) this.queue(peer).queueing = true;
  }

  private queue(peer: number): PeerQueue {
    let q = this.peers.get(peer);
    if (q === undefined) {
      const stats = { queued: 0, stored: 0, bytes: 0, replayed: 0, expired: 0, refused: 0 };
      this.peers.set(peer, (q = { queueing: false, draining: false, storing: 0, slots: [], waiting: [], head: 0, stats }));
    }
    return q;
  }

  /** Peers whose writes queue behind hints (stored, being stored or replayed), or still have writes on the wire. */
  holding(): number[] {
    return [...this.peers]
      .filter(([peer, q]) => q.queueing || q.head < q.slots.length || this.options.store.lenFor(peer) > 0)
      .map(([peer]) => peer);
  }

  /** Must a write for `peer` be hinted behind earlier ones instead of sent? */
  queueing(peer: number): boolean {
    return this.peers.get(peer)?.queueing === true;
  }

  /**
   * While `peer`'s hints are being replayed: resolves when that replay ends
   * (then ask {@link queueing} again). Holding new writes back, rather than
   * hinting them, lets a serial replay catch up with a steady load, after
   * which they go live in order; undefined when no replay runs.
   */
  replayed(peer: number): Promise<void> | undefined {
    const q = this.peers.get(peer);
    if (q?.draining !== true) return undefined;
    return new Promise((resolve) => q.waiting.push(resolve));
  }

  /** Takes the next place in `peer`'s order for a write sent live now. */
  send(peer: number, payload: () => Uint8Array): Slot {
    const slot: Slot = { state: 'sent', payload };
    this.queue(peer).slots.push(slot);
    return slot;
  }

  /**
   * The live write answered. If the peer has started queueing since, an
   * older write waits as a hint that would land after this one on replay, so
   * this one is stored behind it too.
   */
  acked(peer: number, slot: Slot): void {
    slot.state = 'acked';
    this.flush(peer, this.queue(peer));
  }

  /** The live write was not delivered: it becomes a hint, in its place; `wait` hears once it is stored. */
  failed(peer: number, slot: Slot, wait: HintWait): void {
    const q = this.queue(peer);
    q.queueing = true;
    this.settleAsHint(peer, q, slot, wait);
  }

  /**
   * Stores `payload` as `peer`'s newest hint (after every write sent before
   * it has settled); from now on the peer queues. `wait` hears once it is
   * stored, or of the store's refusal (`OverCapacity`, counted as refused)
   * or failure; at once when the store and every earlier write allow it
   * (a memory store): callbacks, not promises, since this runs per hinted write.
   */
  hint(peer: number, payload: () => Uint8Array, wait: HintWait): void {
    const q = this.queue(peer);
    q.queueing = true;
    const slot: Slot = { state: 'sent', payload };
    q.slots.push(slot);
    this.settleAsHint(peer, q, slot, wait);
  }

  private settleAsHint(peer: number, q: PeerQueue, slot: Slot, wait: HintWait): void {
    slot.state = 'hint';
    slot.wait = wait;
    this.flush(peer, q);
  }

  /** Settles the oldest writes of `peer` that can be: acknowledged ones leave, hints go to the store in order. */
  private flush(peer: number, q: PeerQueue): void {
    const { slots } = q;
    while (q.head < slots.length && slots[q.head]!.state !== 'sent') {
      const slot = slots[q.head]!;
      slots[q.head++] = undefined as never;
      if (slot.state === 'hint') this.store(peer, q, slot.payload(), slot.wait);
      else if (q.queueing) this.store(peer, q, slot.payload(), undefined);
    }
    if (q.head === slots.length) {
      slots.length = 0;
      q.head = 0;
    } else if (q.head > 1024 && q.head * 2 > slots.length) {
      slots.splice(0, q.head);
      q.head = 0;
    }
  }

  private store(peer: number, q: PeerQueue, payload: Uint8Array, wait: HintWait | undefined): void {
    q.storing++;
    this.inFlight.begin();
    wait?.storing?.();
    let stored: void | Promise<void>;
    try {
      // Called in write order: both stores fix a hint's place at the call.
      stored = this.options.store.enqueue(peer, payload, this.options.ttlMs);
    } catch (err) {
      return this.refused(peer, q, wait, err);
    }
    if (stored === undefined) this.stored(peer, q, wait, payload.length);
    else
      stored.then(
        () => this.stored(peer, q, wait, payload.length),
        (err: unknown) => this.refused(peer, q, wait, err),
      );
  }

  private stored(peer: number, q: PeerQueue, wait: HintWait | undefined, bytes: number): void {
    q.storing--;
    q.stats.stored++;
    q.stats.bytes += bytes;
    this.inFlight.end();
    wait?.stored();
    this.kick(peer);
    if (this.events.push({ peer, bytes }) === 1) queueMicrotask(this.emitStored);
  }

  /**
   * `hint:stored` events go out after the call that stored them: a listener
   * then never runs in the middle of a write's fan-out (where a write it
   * made could overtake the one being sent) or of a flush (where a throw
   * would leave later hints unstored).
   */
  private events: HintQueueEvents['hint:stored'][] = [];
  private readonly emitStored = (): void => {
    const events = this.events;
    this.events = [];
    for (const e of events) {
      try {
        this.options.emit('hint:stored', e);
      } catch (error) {
        // A listener's bug is reported where the client reports errors, and the other events still go out.
        this.options.onError(error as Error);
      }
    }
  };

  private refused(peer: number, q: PeerQueue, wait: HintWait | undefined, err: unknown): void {
    q.storing--;
    q.stats.refused++;
    this.inFlight.end();
    wait?.refused(err);
    this.kick(peer);
    if (!(err instanceof HintStoreError)) this.options.onError(err as Error);
  }

  /** Starts replaying `peer`'s hints if it is up and not being replayed already. */
  kick(peer: number): void {
    const q = this.peers.get(peer);
    if (q === undefined || !q.queueing || q.draining || !this.options.transport.isUp(peer)) return;
    q.draining = true;
    void this.inFlight.track(this.drain(peer, q));
  }

  /** Kicks every queueing peer (a periodic round, and after a peer came back). */
  kickAll(): void {
    for (const [peer, q] of this.peers) if (q.queueing) this.kick(peer);
  }

  private async drain(peer: number, q: PeerQueue): Promise<void> {
    const { store, transport, emit, window } = this.options;
    try {
      for (;;) {
        let result: DrainResult;
        try {
          result = await store.drain(
            peer,
            async (hint) => {
              const reply = await transport.sendStored(peer, hint.payload);
              const bytes = hint.payload.length;
              // A listener's throw must not fail the delivery: the server has the hint.
              try {
                emit('hint:replayed', reply instanceof Error ? { peer, bytes, error: reply } : { peer, bytes });
              } catch (error) {
                this.options.onError(error as Error);
              }
            },
            { window },
          );
        } catch (err) {
          // A failed delivery leaves the rest stored, in order: the next kick retries.
          if (!(err instanceof HintDeliveryError)) throw err;
          q.stats.replayed += err.result.delivered;
          this.expired(peer, q, err.result.expired);
          return;
        }
        q.stats.replayed += result.delivered;
        this.expired(peer, q, result.expired);
        this.failing.delete(`replay ${peer}`);
        // Empty, and nothing on its way into the store: the next write may go live.
        if (store.lenFor(peer) === 0 && q.storing === 0 && q.head === q.slots.length) {
          q.queueing = false;
          return;
        }
        if (result.delivered + result.expired === 0) return;
      }
    } catch (err) {
      this.roundFailed(`replay ${peer}`, err as Error);
    } finally {
      q.draining = false;
      // In arrival order: each goes live, or (the replay stopped short) is hinted behind the rest.
      for (const release of q.waiting.splice(0)) release();
    }
  }

  private expired(peer: number, q: PeerQueue, count: number): void {
    if (count === 0) return;
    q.stats.expired += count;
    this.options.emit('hint:expired', { peer, count });
  }

  /**
   * Drops every hint that is due, counting them per peer. Both stores drop
   * them before `expireNow` first yields, so the counts read right after the
   * call are exact. Never rejects: a failure goes to `onError` (once per run
   * of the same failure).
   */
  async expire(): Promise<void> {
    const { store } = this.options;
    const before = [...this.peers].map(([peer, q]) => [peer, q, store.lenFor(peer)] as const);
    try {
      const done = store.expireNow();
      for (const [peer, q, len] of before) {
        const dropped = len - store.lenFor(peer);
        if (dropped > 0) this.expired(peer, q, dropped);
      }
      await done;
      this.failing.delete('expire');
    } catch (err) {
      this.roundFailed('expire', err as Error);
    }
  }

  /**
   * Failures of the periodic rounds (expiry, and each peer's replay), by
   * round: the same failure every round (a store closed under the client, a
   * full disk) is reported once, until that round succeeds again. Other
   * errors (a store refusing one hint, a listener's throw) are each reported.
   */
  private readonly failing = new Map<string, string>();

  private roundFailed(round: string, error: Error): void {
    const message = errorMessage(error);
    if (this.failing.get(round) === message) return;
    this.failing.set(round, message);
    this.options.onError(error);
  }

  /** Counters of every peer that ever had a hint. */
  stats(): Map<number, PeerHintStats> {
    const out = new Map<number, PeerHintStats>();
    for (const [peer, q] of this.peers) out.set(peer, { ...q.stats, queued: this.options.store.lenFor(peer) });
    return out;
  }

  /** Resolves once every hint being stored or replayed now has settled. */
  async settled(): Promise<void> {
    await this.inFlight.settled();
  }
}
