import { afterEach, describe, expect, it, vi } from 'vitest';
import { HintDeliveryError, HintSendTimeoutError } from '../../src/errors.js';
import { HINT_DRAINER_DEFAULTS, HintDrainer, HintStore, type HintDrainerEvents } from '../../src/hints/index.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

/** A send whose calls the test settles by hand. */
function manualSend() {
  const calls: { peer: number; payload: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  const send = (peer: number, payload: Uint8Array) =>
    new Promise<void>((resolve, reject) => calls.push({ peer, payload: payload[0]!, resolve, reject }));
  return { calls, send };
}

/** Lets pending promise callbacks run. */
const flush = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function setup(opts: { up?: (peer: number) => boolean; concurrency?: number } = {}) {
  const clock = { t: 0 };
  const store = new HintStore({ maxBytes: 0, now: () => clock.t });
  const sent: [number, number][] = [];
  const failOn = new Set<number>();
  const drainer = new HintDrainer({
    store,
    isNormal: opts.up ?? (() => true),
    send: async (peer, payload) => {
      if (failOn.has(payload[0]!)) throw new Error(`peer ${peer} refused`);
      sent.push([peer, payload[0]!]);
    },
    intervalMs: 100,
    concurrency: opts.concurrency,
  });
  return { clock, store, sent, failOn, drainer };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('HintDrainer', () => {
  it('delivers each normal peer’s hints in order and leaves peers that are down', async () => {
    const { store, sent, drainer } = setup({ up: (peer) => peer !== 2 });
    for (const [peer, b] of [
      [1, 10],
      [2, 20],
      [1, 11],
      [3, 30],
      [1, 12],
    ] as const)
      store.enqueue(peer, bytes(b), 1_000);
    const summary = await drainer.runOnce();
    expect(summary).toEqual({ delivered: 4, requeued: 0, expired: 0, failedSends: 0 });
    expect(sent.filter(([p]) => p === 1).map(([, b]) => b)).toEqual([10, 11, 12]);
    expect(sent.filter(([p]) => p === 3)).toEqual([[3, 30]]);
    expect(store.peersWithHints()).toEqual([2]);
  });

  it('on a failed send requeues that hint and the rest, in order, ahead of newer hints, with original deadlines', async () => {
    const { clock, store, drainer } = setup();
    const { calls, send } = manualSend();
    const d = new HintDrainer({ store, isNormal: () => true, send, intervalMs: 100 });
    store.enqueue(1, bytes(1), 500); // deadline 500
    store.enqueue(1, bytes(2), 300); // deadline 300
    store.enqueue(1, bytes(3), 700); // deadline 700
    const round = d.runOnce();
    await flush();
    calls[0]!.resolve();
    await flush();
    clock.t = 50;
    store.enqueue(1, bytes(4), 100); // arrives while hint 2 is in flight
    calls[1]!.reject(new Error('connection reset'));
    expect(await round).toEqual({ delivered: 1, requeued: 2, expired: 0, failedSends: 1 });
    expect(store.takeFor(1)).toEqual([
      { peer: 1, payload: bytes(2), deadline: 300 },
      { peer: 1, payload: bytes(3), deadline: 700 },
      { peer: 1, payload: bytes(4), deadline: 150 },
    ]);
    expect(drainer.stats()).toMatchObject({ delivered: 0 }); // the other drainer did nothing
  });

  it('a failure on one peer does not stop the others, and the next round retries', async () => {
    const { store, sent, failOn, drainer } = setup();
    store.enqueue(1, bytes(1), 1_000);
    store.enqueue(2, bytes(2), 1_000);
    failOn.add(1);
    expect(await drainer.runOnce()).toMatchObject({ delivered: 1, requeued: 1, failedSends: 1 });
    failOn.clear();
    expect(await drainer.runOnce()).toMatchObject({ delivered: 1, requeued: 0, failedSends: 0 });
    expect(sent).toEqual([
      [2, 2],
      [1, 1],
    ]);
  });

  it('expires hints whose deadline passes while queued, counts them, and never sends them', async () => {
    const { clock, store, sent, drainer } = setup({ up: () => false });
    store.enqueue(1, bytes(1), 10);
    store.enqueue(2, bytes(2), 100);
    clock.t = 10;
    expect(await drainer.runOnce()).toEqual({ delivered: 0, requeued: 0, expired: 1, failedSends: 0 });
    expect(store.stats().expiredTotal).toBe(1);
    expect(sent).toEqual([]);
  });

  it('drops a hint that falls due while earlier ones of its batch are being sent', async () => {
    const clock = { t: 0 };
    const store = new HintStore({ maxBytes: 0, now: () => clock.t });
    const sent: number[] = [];
    const drainer = new HintDrainer({
      store,
      isNormal: () => true,
      send: async (_peer, payload) => {
        sent.push(payload[0]!);
        clock.t += 20; // a slow peer
      },
      intervalMs: 100,
    });
    store.enqueue(1, bytes(1), 100);
    store.enqueue(1, bytes(2), 10);
    store.enqueue(1, bytes(3), 100);
    expect(await drainer.runOnce()).toEqual({ delivered: 2, requeued: 0, expired: 1, failedSends: 0 });
    expect(sent).toEqual([1, 3]);
  });

  it('a hint that falls due during its failed send stays stored until expiry drops it, never sent again', async () => {
    const clock = { t: 0 };
    const store = new HintStore({ maxBytes: 0, now: () => clock.t });
    const drainer = new HintDrainer({
      store,
      isNormal: () => true,
      send: async () => {
        clock.t = 50;
        throw new Error('timeout');
      },
      intervalMs: 100,
    });
    store.enqueue(1, bytes(1), 40);
    store.enqueue(1, bytes(2), 100);
    // Both stay stored (counted, in order); the next expiry drops the due one.
    expect(await drainer.runOnce()).toEqual({ delivered: 0, requeued: 2, expired: 0, failedSends: 1 });
    expect(store.lenFor(1)).toBe(2);
    expect(await drainer.runOnce()).toEqual({ delivered: 0, requeued: 1, expired: 1, failedSends: 1 });
    expect(store.takeFor(1).map((h) => h.payload[0])).toEqual([2]);
  });

  it('stop() awaits the send in flight, starts no more, and puts the rest back', async () => {
    const store = new HintStore({ maxBytes: 0, now: () => 0 });
    const { calls, send } = manualSend();
    const drainer = new HintDrainer({ store, isNormal: () => true, send, intervalMs: 100 });
    for (let b = 1; b <= 3; b++) store.enqueue(1, bytes(b), 100);
    const round = drainer.runOnce();
    await flush();
    let stopped = false;
    const stopping = drainer.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(false); // hint 1 is still in flight
    calls[0]!.resolve();
    await stopping;
    expect(await round).toEqual({ delivered: 1, requeued: 2, expired: 0, failedSends: 0 });
    expect(calls).toHaveLength(1);
    expect(store.takeFor(1).map((h) => h.payload[0])).toEqual([2, 3]);
    await drainer.stop(); // idempotent
  });

  it('drains at most `concurrency` peers at once, each peer one hint at a time', async () => {
    const store = new HintStore({ maxBytes: 0, now: () => 0 });
    let inFlight = 0;
    let maxInFlight = 0;
    const perPeer = new Map<number, number>();
    const drainer = new HintDrainer({
      store,
      isNormal: () => true,
      send: async (peer) => {
        inFlight++;
        perPeer.set(peer, (perPeer.get(peer) ?? 0) + 1);
        maxInFlight = Math.max(maxInFlight, inFlight);
        expect(perPeer.get(peer)).toBe(1);
        await flush();
        perPeer.set(peer, perPeer.get(peer)! - 1);
        inFlight--;
      },
      intervalMs: 100,
      concurrency: 3,
    });
    for (let peer = 0; peer < 10; peer++) for (let b = 0; b < 3; b++) store.enqueue(peer, bytes(b), 100);
    expect(await drainer.runOnce()).toMatchObject({ delivered: 30 });
    expect(maxInFlight).toBe(3);
  });

  it('with a window, keeps that many sends in flight per peer, and after a failure sends the rest again in order', async () => {
    const store = new HintStore({ maxBytes: 0, now: () => 0 });
    const { calls, send } = manualSend();
    const drainer = new HintDrainer({ store, send, window: 4 });
    for (let b = 0; b < 10; b++) store.enqueue(7, bytes(b), 100);
    const round = drainer.runOnce();
    await flush();
    expect(calls.map((c) => c.payload)).toEqual([0, 1, 2, 3]); // no more before a reply
    calls[0]!.resolve();
    await flush();
    expect(calls.map((c) => c.payload)).toEqual([0, 1, 2, 3, 4]);
    calls[1]!.reject(new Error('connection closed'));
    for (const c of calls.slice(2)) c.resolve(); // applied, but behind the failed one
    expect(await round).toEqual({ delivered: 4, requeued: 9, expired: 0, failedSends: 1 });
    calls.length = 0;
    const again = drainer.runOnce();
    for (let i = 0; i < 9; i++) {
      await flush();
      calls[i]!.resolve();
    }
    expect(await again).toMatchObject({ delivered: 9, requeued: 0 });
    expect(calls.map((c) => c.payload)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => new HintDrainer({ store, send, window: 0 })).toThrow(/window must be an integer from 1 to 65536, got 0/);
    expect(HINT_DRAINER_DEFAULTS.window).toBe(1);
  });

  it('never overlaps rounds: a timer tick during a round is skipped', async () => {
    vi.useFakeTimers();
    const store = new HintStore({ maxBytes: 0, now: () => 0 });
    const { calls, send } = manualSend();
    const drainer = new HintDrainer({ store, isNormal: () => true, send, intervalMs: 100 });
    const rounds: unknown[] = [];
    drainer.on('round', (summary) => rounds.push(summary));
    store.enqueue(1, bytes(1), 1_000);
    drainer.start();
    drainer.start(); // no second timer
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(1);
    store.enqueue(1, bytes(2), 1_000);
    await vi.advanceTimersByTimeAsync(500); // five ticks while the send hangs
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    await vi.advanceTimersByTimeAsync(100); // round 1 ends; the next tick starts round 2
    expect(rounds).toHaveLength(1);
    expect(calls.map((c) => c.payload)).toEqual([1, 2]);
    calls[1]!.resolve();
    await drainer.stop();
    expect(rounds).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(2);
  });

  it('runOnce during a round waits for it, then runs its own', async () => {
    const store = new HintStore({ maxBytes: 0, now: () => 0 });
    const { calls, send } = manualSend();
    const drainer = new HintDrainer({ store, isNormal: () => true, send, intervalMs: 100 });
    store.enqueue(1, bytes(1), 1_000);
    const first = drainer.runOnce();
    await flush();
    store.enqueue(1, bytes(2), 1_000);
    const second = drainer.runOnce();
    await flush();
    expect(calls).toHaveLength(1);
    calls[0]!.resolve();
    await first;
    await flush();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve();
    expect(await second).toMatchObject({ delivered: 1 });
  });

  it('keeps counters and emits events for delivered, sendFailed, requeued, expired and round', async () => {
    const { clock, store, failOn, drainer } = setup();
    const events: [keyof HintDrainerEvents, unknown][] = [];
    for (const name of ['delivered', 'sendFailed', 'requeued', 'expired', 'round'] as const) {
      drainer.on(name, (event) => events.push([name, event]));
    }
    const off = drainer.on('delivered', () => {
      throw new Error('this listener must not be called');
    });
    off();
    store.enqueue(1, bytes(1), 5);
    store.enqueue(2, bytes(2), 100);
    store.enqueue(2, bytes(3), 100);
    failOn.add(3);
    clock.t = 5;
    await drainer.runOnce();
    expect(drainer.stats()).toEqual({ delivered: 1, requeued: 1, expired: 1, failedSends: 1, rounds: 1 });
    expect(events.map(([name]) => name)).toEqual(['expired', 'delivered', 'sendFailed', 'requeued', 'round']);
    expect(events[0]![1]).toEqual({ peer: undefined, count: 1 });
    expect(events[1]![1]).toEqual({ peer: 2, hint: { peer: 2, payload: bytes(2), deadline: 100 } });
    expect((events[2]![1] as HintDrainerEvents['sendFailed']).error).toBeInstanceOf(Error);
    expect(events[3]![1]).toEqual({ peer: 2, count: 1 });
    expect(events[4]![1]).toEqual({ delivered: 1, requeued: 1, expired: 1, failedSends: 1 });
  });

  it('a round whose isNormal throws rejects runOnce and takes nothing; from the timer it emits error', async () => {
    vi.useFakeTimers();
    const store = new HintStore({ maxBytes: 0, now: () => 0 });
    const drainer = new HintDrainer({
      store,
      isNormal: () => {
        throw new Error('membership unavailable');
      },
      send: async () => undefined,
      intervalMs: 100,
    });
    store.enqueue(1, bytes(1), 1_000);
    await expect(drainer.runOnce()).rejects.toThrow('membership unavailable');
    const errors: unknown[] = [];
    drainer.on('error', ({ error }) => errors.push(error));
    drainer.start();
    await vi.advanceTimersByTimeAsync(100);
    await drainer.stop();
    expect(errors).toHaveLength(1);
    expect(store.lenFor(1)).toBe(1);
  });

  it('rejects bad options with an actionable message', () => {
    const store = new HintStore({ maxBytes: 0 });
    const base = { store, isNormal: () => true, send: async () => undefined, intervalMs: 100 };
    expect(() => new HintDrainer({ ...base, intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => new HintDrainer({ ...base, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => new HintDrainer({ ...base, send: undefined as never })).toThrow(TypeError);
    expect(() => new HintDrainer({ ...base, sendTimeoutMs: 0 })).toThrow(/sendTimeoutMs/);
    expect(() => new HintDrainer({ ...base, sendTimeoutMs: Infinity })).toThrow(RangeError);
    expect(() => new HintDrainer({ ...base, sendTimeoutMs: 2 ** 31 })).toThrow(/at most 2147483647/);
    expect(() => new HintDrainer({ ...base, sendTimeoutMs: '5' as never })).toThrow(TypeError);
    expect(() => new HintDrainer({ ...base, isNormal: 1 as never })).toThrow(TypeError);
  });

  it('needs only store and send for runOnce: isNormal, intervalMs, concurrency and sendTimeoutMs have defaults', async () => {
    expect(HINT_DRAINER_DEFAULTS).toMatchObject({ intervalMs: 1_000, concurrency: 4, sendTimeoutMs: 5_000 });
    expect(HINT_DRAINER_DEFAULTS.isNormal(7)).toBe(true);
    const store = new HintStore();
    const sent: number[] = [];
    const drainer = new HintDrainer({ store, send: async (peer) => void sent.push(peer) });
    store.enqueue(3, bytes(1), 60_000);
    store.enqueue(5, bytes(2), 60_000);
    expect(await drainer.runOnce()).toEqual({ delivered: 2, requeued: 0, expired: 0, failedSends: 0 });
    expect(sent.sort()).toEqual([3, 5]);
  });

  it('a send that never settles times out as a failed send: its hints stay, in order, with their deadlines, and stop() resolves', async () => {
    vi.useFakeTimers();
    const clock = { t: 0 };
    const store = new HintStore({ maxBytes: 10, now: () => clock.t });
    const hung: number[] = [];
    const failures: HintDrainerEvents['sendFailed'][] = [];
    const drainer = new HintDrainer({
      store,
      send: (_peer, payload) => new Promise(() => void hung.push(payload[0]!)),
      sendTimeoutMs: 250,
    });
    drainer.on('sendFailed', (event) => failures.push(event));
    for (let b = 1; b <= 3; b++) store.enqueue(1, bytes(b), 1_000 + b);
    const round = drainer.runOnce();
    await flush();
    expect(hung).toEqual([1]);
    // Out for delivery, the hints stay counted everywhere and against the cap.
    expect(store.lenFor(1)).toBe(3);
    expect(store.totalLen()).toBe(3);
    expect(store.stats()).toMatchObject({ hintCount: 3, bytes: 3 });
    store.enqueue(2, new Uint8Array(7), 1_000);
    expect(() => store.enqueue(2, bytes(9), 1_000)).toThrow(/10 of 10 bytes used/);
    let stopped = false;
    const stopping = drainer.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(249);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(await round).toEqual({ delivered: 0, requeued: 3, expired: 0, failedSends: 1 });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error).toBeInstanceOf(HintSendTimeoutError);
    expect((failures[0]!.error as HintSendTimeoutError).kind).toBe('SendTimeout');
    expect(hung).toEqual([1]);
    expect(store.takeFor(1)).toEqual([1, 2, 3].map((b) => ({ peer: 1, payload: bytes(b), deadline: 1_000 + b })));
  });

  it('a send that throws synchronously, or rejects with a non-Error, is a failed send', async () => {
    const store = new HintStore();
    let calls = 0;
    const errors: unknown[] = [];
    const drainer = new HintDrainer({
      store,
      send: () => {
        if (calls++ === 0) throw new Error('no socket');
        return Promise.reject('busy');
      },
    });
    drainer.on('sendFailed', ({ error }) => errors.push(error));
    store.enqueue(1, bytes(1), 60_000);
    expect(await drainer.runOnce()).toEqual({ delivered: 0, requeued: 1, expired: 0, failedSends: 1 });
    expect(await drainer.runOnce()).toEqual({ delivered: 0, requeued: 1, expired: 0, failedSends: 1 });
    expect(errors).toEqual([new Error('no socket'), 'busy']);
    const failed = await store.drain(1, () => Promise.reject('busy')).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(HintDeliveryError);
    expect((failed as HintDeliveryError).cause).toBe('busy');
    expect(store.lenFor(1)).toBe(1);
  });
});
