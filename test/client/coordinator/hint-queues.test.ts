/**
 * Unit tests of the per-peer ordered queues over a real `HintStore`: hints
 * enter the store in send order, replay in order and only when the peer is
 * up, a failed replay keeps them in front, and writes during a replay wait
 * for it. The transport is a small in-test peer whose replies the test controls.
 */
import { describe, expect, it } from 'vitest';
import { HintQueues, type HintQueueEvents, type Slot } from '../../../src/client/coordinator/hint-queues.js';
import { HintStoreError } from '../../../src/errors.js';
import { HintStore } from '../../../src/index.js';

const bytes = (s: string) => () => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A peer that records what is replayed to it; while `hold` is set, replays wait for `release`. */
class Peer {
  up = true;
  fail = false;
  received: string[] = [];
  /** Every payload handed to the connection, answered or not. */
  sent: string[] = [];
  /** A payload whose next send fails. */
  failOnce: string | undefined;
  private held: (() => void)[] = [];
  hold = false;
  isUp = () => this.up;
  sendStored = async (_peer: number, payload: Uint8Array) => {
    this.sent.push(text(payload));
    if (this.failOnce === text(payload)) {
      this.failOnce = undefined;
      throw new Error('connection closed');
    }
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.fail) throw new Error('connection closed');
    this.received.push(text(payload));
    return 'OK';
  };
  release() {
    this.hold = false;
    for (const r of this.held.splice(0)) r();
  }
}

/** `hint`, as a promise of its store outcome. */
const hint = (queues: HintQueues, peer: number, payload: () => Uint8Array) =>
  new Promise<void>((stored, refused) => queues.hint(peer, payload, { stored, refused }));

/** `failed`, as a promise of its store outcome. */
const failed = (queues: HintQueues, peer: number, slot: Slot) =>
  new Promise<void>((stored, refused) => queues.failed(peer, slot, { stored, refused }));

/** A HintStore whose enqueue settles later, as a durable store's does (after its fsync). */
class SlowStore extends HintStore {
  override enqueue(peer: number, payload: Uint8Array, ttlMs: number): Promise<void> {
    super.enqueue(peer, payload, ttlMs);
    return new Promise((resolve) => setImmediate(resolve));
  }
}

function setup(store: HintStore = new HintStore({ maxBytes: 0 }), window = 4) {
  const peer = new Peer();
  const events: [keyof HintQueueEvents, unknown][] = [];
  const errors: Error[] = [];
  const queues = new HintQueues({
    store,
    transport: peer,
    ttlMs: 60_000,
    window,
    emit: (event, payload) => events.push([event, payload]),
    onError: (e) => errors.push(e),
  });
  return { store, peer, queues, events, errors };
}

describe('HintQueues', () => {
  it('stores a late failure ahead of a newer hint, and replays in send order once the peer is up', async () => {
    const { store, peer, queues } = setup();
    peer.up = false;
    const older = queues.send(7, bytes('w1')); // on the wire, no answer yet
    const newer = hint(queues, 7, bytes('w2'));
    await tick();
    expect(store.lenFor(7)).toBe(0); // w2 waits for w1 to settle
    await failed(queues, 7, older);
    await newer;
    expect(store.lenFor(7)).toBe(2);
    expect(peer.received).toEqual([]); // down: nothing replayed
    peer.up = true;
    queues.kick(7);
    await queues.settled();
    expect(peer.received).toEqual(['w1', 'w2']);
    expect(queues.queueing(7)).toBe(false);
    expect(queues.stats().get(7)).toEqual({ queued: 0, stored: 2, bytes: 4, replayed: 2, expired: 0, refused: 0 });
  });

  it('tells a hint stored at once when the store is in memory and nothing older is out', async () => {
    const { store, peer, queues, events } = setup();
    peer.up = false;
    const heard: string[] = [];
    queues.hint(8, bytes('now'), { stored: () => heard.push('stored'), refused: () => heard.push('refused') });
    expect(heard).toEqual(['stored']); // no promise, no tick: this is the per-hinted-write path
    expect(store.lenFor(8)).toBe(1);
    expect(events).toEqual([]); // the event goes out after the call, never inside it
    await Promise.resolve();
    expect(events).toEqual([['hint:stored', { peer: 8, bytes: 3 }]]);
  });

  it('keeps the send order with a store whose enqueue settles later', async () => {
    const { store, peer, queues } = setup(new SlowStore({ maxBytes: 0 }));
    peer.up = false;
    const first = queues.send(9, bytes('1'));
    const later = ['2', '3'].map((s) => hint(queues, 9, bytes(s)));
    await failed(queues, 9, first);
    await Promise.all(later);
    expect(store.lenFor(9)).toBe(3);
    peer.up = true;
    queues.kick(9);
    await queues.settled();
    expect(peer.received).toEqual(['1', '2', '3']);
    expect(queues.queueing(9)).toBe(false);
  });

  it('hints again a write acknowledged after an older one failed, so the replay cannot overwrite it', async () => {
    const { store, peer, queues } = setup();
    peer.up = false;
    const a = queues.send(1, bytes('a'));
    const b = queues.send(1, bytes('b'));
    queues.acked(1, b); // b answered first; a then times out
    await failed(queues, 1, a);
    await tick();
    expect(store.lenFor(1)).toBe(2);
    peer.up = true;
    queues.kick(1);
    await queues.settled();
    expect(peer.received).toEqual(['a', 'b']);
  });

  it('keeps hints in front after a failed replay, and delivers them on the next kick', async () => {
    const { store, peer, queues } = setup();
    peer.up = false;
    await Promise.all(['x', 'y', 'z'].map((s) => hint(queues, 2, bytes(s))));
    peer.up = true;
    peer.fail = true;
    queues.kick(2);
    await queues.settled();
    expect(store.lenFor(2)).toBe(3);
    expect(queues.queueing(2)).toBe(true);
    peer.fail = false;
    queues.kickAll();
    await queues.settled();
    expect(peer.received).toEqual(['x', 'y', 'z']);
    expect(store.lenFor(2)).toBe(0);
  });

  it('replays up to `window` hints at once over the connection, in order, then the rest as replies come', async () => {
    const { store, peer, queues } = setup(new HintStore({ maxBytes: 0 }), 3);
    peer.up = false;
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((s) => hint(queues, 4, bytes(s))));
    peer.up = true;
    peer.hold = true;
    queues.kick(4);
    await tick();
    expect(peer.sent).toEqual(['a', 'b', 'c']); // three out, none answered
    expect(store.lenFor(4)).toBe(5);
    peer.release();
    await queues.settled();
    expect(peer.received).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(queues.queueing(4)).toBe(false);
  });

  it('counts a hint replayed twice (it followed a failed one in the window) once in stats().replayed', async () => {
    const { store, peer, queues } = setup(new HintStore({ maxBytes: 0 }), 4);
    peer.up = false;
    await Promise.all(['a', 'b', 'c', 'd'].map((s) => hint(queues, 6, bytes(s))));
    peer.up = true;
    peer.failOnce = 'b';
    queues.kick(6);
    await queues.settled();
    expect(peer.received).toEqual(['a', 'c', 'd']); // c and d were applied, but stay stored behind b
    expect(store.lenFor(6)).toBe(3);
    queues.kick(6);
    await queues.settled();
    expect(peer.received).toEqual(['a', 'c', 'd', 'b', 'c', 'd']);
    expect(queues.stats().get(6)).toMatchObject({ queued: 0, stored: 4, replayed: 4 });
  });

  it('holds writes back during a replay and releases them in order when it ends', async () => {
    const { peer, queues } = setup();
    peer.up = false;
    await hint(queues, 3, bytes('h'));
    expect(queues.replayed(3)).toBeUndefined(); // no replay running
    peer.up = true;
    peer.hold = true;
    queues.kick(3);
    const order: number[] = [];
    const waits = [1, 2, 3].map((i) => queues.replayed(3)!.then(() => order.push(i) && queues.queueing(3)));
    await tick();
    expect(order).toEqual([]);
    peer.release();
    expect(await Promise.all(waits)).toEqual([false, false, false]); // caught up: they may go live
    expect(order).toEqual([1, 2, 3]);
  });

  it('counts a store refusal as refused, rejecting with the typed error', async () => {
    const { queues } = setup(new HintStore({ maxBytes: 3 }));
    await hint(queues, 4, bytes('ok'));
    const err = await hint(queues, 4, bytes('too long')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HintStoreError);
    expect((err as HintStoreError).kind).toBe('OverCapacity');
    expect(queues.stats().get(4)).toMatchObject({ stored: 1, refused: 1 });
  });

  it('counts expired hints per peer and emits hint:expired', async () => {
    let now = 0;
    const store = new HintStore({ maxBytes: 0, now: () => now });
    const { peer, queues, events } = setup(store);
    peer.up = false;
    await hint(queues, 5, bytes('old'));
    now = 120_000;
    await queues.expire();
    expect(queues.stats().get(5)).toMatchObject({ queued: 0, expired: 1 });
    expect(events).toContainEqual(['hint:expired', { peer: 5, count: 1 }]);
  });

  it('queues from the start for peers that have hints in the store already (an earlier run)', async () => {
    const store = new HintStore({ maxBytes: 0 });
    store.enqueue(6, bytes('from before')(), 60_000);
    const { peer, queues } = setup(store);
    expect(queues.queueing(6)).toBe(true);
    queues.kick(6);
    await queues.settled();
    expect(peer.received).toEqual(['from before']);
  });
});

describe('HintQueues and a throwing hint:stored listener', () => {
  it('a throwing hint:stored listener does not leave later hints unstored', async () => {
    const store = new HintStore({ maxBytes: 0 });
    const peer = new Peer();
    let throws = true;
    const reported: Error[] = [];
    const stored: unknown[] = [];
    const queues = new HintQueues({
      store,
      transport: peer,
      ttlMs: 60_000,
      window: 4,
      emit: (event, payload) => {
        if (event !== 'hint:stored') return;
        if (throws) {
          throws = false;
          throw new Error('listener bug');
        }
        stored.push(payload);
      },
      onError: (e) => reported.push(e),
    });
    peer.up = false;
    const older = queues.send(7, bytes('w1'));
    const heard: string[] = [];
    queues.hint(7, bytes('w2'), { stored: () => heard.push('w2 stored'), refused: () => heard.push('w2 refused') });
    let thrown: unknown;
    try {
      queues.failed(7, older, { stored: () => heard.push('w1 stored'), refused: () => heard.push('w1 refused') });
    } catch (err) {
      thrown = err; // in the client this is inside a promise callback: an unhandled rejection
    }
    expect(heard).toEqual(['w1 stored', 'w2 stored']); // with the event inside the flush: ['w1 stored'], and w2 waited for the next write
    expect(store.lenFor(7)).toBe(2);
    expect(thrown).toBeUndefined();
    await expect(
      Promise.race([queues.settled().then(() => 'settled'), new Promise((r) => setTimeout(() => r('hangs'), 200))]),
    ).resolves.toBe('settled');
    expect(reported.map((e) => e.message)).toEqual(['listener bug']); // reported as the client reports errors
    expect(stored).toEqual([{ peer: 7, bytes: 2 }]); // and the other event still went out
  });
});
