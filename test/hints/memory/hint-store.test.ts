import { describe, expect, it } from 'vitest';
import { HintDeliveryError, HintStoreError } from '../../../src/errors.js';
import { HINT_STORE_DEFAULTS, HintStore } from '../../../src/hints/index.js';

/** A store on a clock the test moves by hand. */
function storeAt(maxBytes: number, start = 1_000) {
  const clock = { t: start };
  return { store: new HintStore({ maxBytes: maxBytes, now: () => clock.t }), clock };
}

const bytes = (...values: number[]) => Uint8Array.from(values);

function refusal(fn: () => unknown): HintStoreError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HintStoreError);
    return error as HintStoreError;
  }
  throw new Error('expected a HintStoreError');
}

describe('HintStore seed behaviours', () => {
  it('round-trips a peer’s hints in order, with deadlines now + ttl', () => {
    const { store } = storeAt(0);
    store.enqueue(2, bytes(1), 100);
    store.enqueue(2, bytes(2, 2), 50);
    store.enqueue(2, bytes(3, 3, 3), 200);
    expect(store.totalLen()).toBe(3);
    expect(store.lenFor(2)).toBe(3);
    expect(store.stats().bytes).toBe(6);
    const hints = store.takeFor(2);
    expect(hints).toEqual([
      { peer: 2, payload: bytes(1), deadline: 1_100 },
      { peer: 2, payload: bytes(2, 2), deadline: 1_050 },
      { peer: 2, payload: bytes(3, 3, 3), deadline: 1_200 },
    ]);
    expect(store.takeFor(2)).toEqual([]);
    expect(store.stats()).toEqual({ hintCount: 0, bytes: 0, maxBytes: 0, expiredTotal: 0, rejectedOverCapacityTotal: 0, heldBytes: 0 });
  });

  it('refuses a hint over capacity without touching bytes, and a drain reclaims the room', () => {
    const { store } = storeAt(10);
    store.enqueue(1, new Uint8Array(6), 100);
    store.enqueue(2, new Uint8Array(4), 100);
    const error = refusal(() => store.enqueue(3, new Uint8Array(1), 100));
    expect(error.kind).toBe('OverCapacity');
    expect(error.maxBytes).toBe(10);
    expect(error.message).toMatch(/10 of 10 bytes used/);
    expect(store.stats()).toEqual({
      hintCount: 2,
      bytes: 10,
      maxBytes: 10,
      expiredTotal: 0,
      rejectedOverCapacityTotal: 1,
      heldBytes: 16384,
    });
    expect(store.lenFor(3)).toBe(0);
    expect(store.takeFor(1)).toHaveLength(1);
    expect(store.stats().bytes).toBe(4);
    store.enqueue(3, new Uint8Array(6), 100);
    expect(store.stats()).toMatchObject({ hintCount: 2, bytes: 10, rejectedOverCapacityTotal: 1 });
  });

  it('refuses a zero TTL before an empty payload, and an empty payload before capacity', () => {
    const { store } = storeAt(1);
    store.enqueue(0, bytes(9), 10);
    expect(refusal(() => store.enqueue(0, new Uint8Array(0), 0)).kind).toBe('ZeroTtl');
    expect(refusal(() => store.enqueue(0, new Uint8Array(0), 10)).kind).toBe('EmptyPayload');
    expect(refusal(() => store.enqueue(0, bytes(1), 10)).kind).toBe('OverCapacity');
    expect(store.stats()).toEqual({ hintCount: 1, bytes: 1, maxBytes: 1, expiredTotal: 0, rejectedOverCapacityTotal: 1, heldBytes: 16384 });
  });

  it('expires by the clock: deadline <= now is due, in takeFor and in expireNow', () => {
    const { store, clock } = storeAt(0);
    store.enqueue(1, bytes(1), 10); // deadline 1010
    store.enqueue(1, bytes(2), 30); // deadline 1030
    store.enqueue(2, bytes(3), 20); // deadline 1020
    clock.t = 1_009;
    expect(store.expireNow()).toBe(0);
    clock.t = 1_010;
    expect(store.expireNow()).toBe(1);
    expect(store.lenFor(1)).toBe(1);
    expect(store.expireNow(1_025)).toBe(1); // an explicit `now` overrides the clock
    expect(store.peersWithHints()).toEqual([1]);
    clock.t = 1_030;
    expect(store.takeFor(1)).toEqual([]);
    expect(store.stats()).toEqual({ hintCount: 0, bytes: 0, maxBytes: 0, expiredTotal: 3, rejectedOverCapacityTotal: 0, heldBytes: 0 });
  });

  it('keeps independent queues per peer', () => {
    const { store } = storeAt(0);
    store.enqueue(7, bytes(70), 100);
    store.enqueue(3, bytes(30), 100);
    store.enqueue(7, bytes(71), 100);
    store.enqueue(0xffff_ffff, bytes(99), 100);
    expect(store.peersWithHints()).toEqual([3, 7, 0xffff_ffff]);
    expect(store.takeFor(7).map((h) => h.payload[0])).toEqual([70, 71]);
    expect(store.lenFor(3)).toBe(1);
    expect(store.peersWithHints()).toEqual([3, 0xffff_ffff]);
    expect(store.takeFor(3).map((h) => h.peer)).toEqual([3]);
  });

  it('is unbounded when maxBytes is 0', () => {
    const { store } = storeAt(0);
    for (let i = 0; i < 1_000; i++) store.enqueue(i % 5, new Uint8Array(10_000), 1_000);
    expect(store.stats()).toMatchObject({ hintCount: 1_000, bytes: 10_000_000, maxBytes: 0, rejectedOverCapacityTotal: 0 });
  });
});

describe('HintStore arguments and copies', () => {
  it('throws TypeError/RangeError for bad arguments before anything changes', () => {
    const { store } = storeAt(100);
    const bad: [unknown, unknown, unknown, ErrorConstructor][] = [
      [-1, bytes(1), 10, RangeError],
      [1.5, bytes(1), 10, RangeError],
      [2 ** 32, bytes(1), 10, RangeError],
      ['1', bytes(1), 10, TypeError],
      [1, [1], 10, TypeError],
      [1, 'x', 10, TypeError],
      [1, bytes(1), -1, RangeError],
      [1, bytes(1), Number.NaN, RangeError],
      [1, bytes(1), Infinity, RangeError],
      [1, bytes(1), '10', TypeError],
      // Type checks win over the HintStoreError checks.
      [1, new Uint8Array(0), -1, RangeError],
      [1, new Uint8Array(10_000), Number.NaN, RangeError],
    ];
    for (const [peer, payload, ttl, type] of bad) {
      expect(() => store.enqueue(peer as number, payload as Uint8Array, ttl as number)).toThrow(type);
    }
    expect(store.stats()).toEqual({ hintCount: 0, bytes: 0, maxBytes: 100, expiredTotal: 0, rejectedOverCapacityTotal: 0, heldBytes: 0 });
    expect(() => store.takeFor(-1)).toThrow(RangeError);
    expect(() => store.lenFor(Number.NaN)).toThrow(RangeError);
    expect(() => store.expireNow(Number.NaN)).toThrow(RangeError);
  });

  it('rejects a maxBytes that is not a non-negative safe integer', () => {
    expect(() => new HintStore({ maxBytes: -1 })).toThrow(RangeError);
    expect(() => new HintStore({ maxBytes: 1.5 })).toThrow(RangeError);
    expect(() => new HintStore({ maxBytes: 2 ** 53 })).toThrow(RangeError);
    expect(() => new HintStore({ maxBytes: '10' as unknown as number })).toThrow(TypeError);
    expect(() => new HintStore({ now: 5 as unknown as () => number })).toThrow(TypeError);
  });

  it('takes an options object whose every field has a default', () => {
    expect(new HintStore().maxBytes).toBe(64 * 1024 * 1024);
    expect(new HintStore({}).maxBytes).toBe(HINT_STORE_DEFAULTS.maxBytes);
    expect(new HintStore({ maxBytes: undefined }).maxBytes).toBe(HINT_STORE_DEFAULTS.maxBytes);
    expect(new HintStore({ maxBytes: 0 }).maxBytes).toBe(0);
    // The old positional form is refused with what to write instead.
    expect(() => new HintStore(1024 as unknown as object)).toThrow(/options must be an object such as \{ maxBytes: 67108864 \}, got 1024$/);
    expect(() => new HintStore(null as unknown as object)).toThrow(TypeError);
  });

  it('copies the payload, so a reused caller buffer cannot corrupt a stored hint', () => {
    const { store } = storeAt(0);
    const socketBuffer = Buffer.alloc(4, 1);
    store.enqueue(1, socketBuffer.subarray(1, 3), 100);
    const large = new Uint8Array(5_000).fill(5);
    store.enqueue(1, large, 100);
    socketBuffer.fill(9);
    large.fill(9);
    const [small, big] = store.takeFor(1);
    expect(small!.payload).toEqual(bytes(1, 1));
    expect(small!.payload).not.toBeInstanceOf(Buffer);
    expect(big!.payload.every((b) => b === 5)).toBe(true);
  });

  it('round-trips payloads of every size class, across slab boundaries', () => {
    const { store } = storeAt(0);
    const sizes = [1_500, 1, 100, 1_000, 1_023, 1_024, 1_025, 2_000, 2_048, 2_049, 5_000, 16_384, 20_000, 7, 900];
    const payloads = sizes.map((size, i) => new Uint8Array(size).map((_, j) => (i * 31 + j) & 0xff));
    for (const p of [...payloads, ...payloads]) store.enqueue(9, p, 100);
    expect(store.stats().bytes).toBe(2 * sizes.reduce((a, b) => a + b, 0));
    expect(store.takeFor(9).map((h) => h.payload)).toEqual([...payloads, ...payloads]);
  });

  it('uses performance.now by default', () => {
    const store = new HintStore({ maxBytes: 0 });
    const before = performance.now();
    store.enqueue(1, bytes(1), 60_000);
    const [hint] = store.takeFor(1);
    expect(hint!.deadline).toBeGreaterThanOrEqual(before + 60_000);
    expect(hint!.deadline).toBeLessThanOrEqual(performance.now() + 60_000);
  });

  it('expireNow with a million live hints, none due, drops nothing', () => {
    const { store } = storeAt(0);
    const payload = bytes(1);
    for (let i = 0; i < 1_000_000; i++) store.enqueue(i & 63, payload, 1_000 + (i % 997));
    expect(store.expireNow()).toBe(0);
    expect(store.totalLen()).toBe(1_000_000);
    // At t=2000 exactly the hints with ttl 1000 (i % 997 === 0) are due.
    const due = Math.ceil(1_000_000 / 997);
    expect(store.expireNow(2_000)).toBe(due);
    expect(store.stats()).toMatchObject({ hintCount: 1_000_000 - due, bytes: 1_000_000 - due, expiredTotal: due });
  });
});

describe('HintStore.requeueFront', () => {
  it('puts hints back ahead of newer ones, in order, with their original deadlines', () => {
    const { store, clock } = storeAt(0);
    store.enqueue(4, bytes(1), 100);
    store.enqueue(4, bytes(2), 50);
    const taken = store.takeFor(4);
    clock.t += 10;
    store.enqueue(4, bytes(3), 100);
    expect(store.requeueFront(4, taken)).toBe(2);
    expect(store.takeFor(4)).toEqual([
      { peer: 4, payload: bytes(1), deadline: 1_100 },
      { peer: 4, payload: bytes(2), deadline: 1_050 },
      { peer: 4, payload: bytes(3), deadline: 1_110 },
    ]);
  });

  it('drops hints already due and counts them expired', () => {
    const { store, clock } = storeAt(0);
    store.enqueue(4, bytes(1), 10);
    store.enqueue(4, bytes(2), 100);
    const taken = store.takeFor(4);
    clock.t += 10;
    expect(store.requeueFront(4, taken)).toBe(1);
    expect(store.stats()).toMatchObject({ hintCount: 1, bytes: 1, expiredTotal: 1 });
  });

  it('may exceed the cap rather than lose a hint, and enqueue then refuses until under it', () => {
    const { store } = storeAt(4);
    store.enqueue(1, bytes(1, 1, 1), 100);
    const taken = store.takeFor(1);
    store.enqueue(2, bytes(2, 2, 2), 100);
    expect(store.requeueFront(1, taken)).toBe(1);
    expect(store.stats()).toMatchObject({ hintCount: 2, bytes: 6, maxBytes: 4 });
    expect(refusal(() => store.enqueue(3, bytes(3), 100)).kind).toBe('OverCapacity');
  });

  it('copies requeued payloads and validates every hint before changing anything', () => {
    const { store } = storeAt(0);
    store.enqueue(1, bytes(1), 100);
    const taken = store.takeFor(1);
    expect(() => store.requeueFront(1, [...taken, { peer: 2, payload: bytes(2), deadline: 5_000 }])).toThrow(RangeError);
    expect(() => store.requeueFront(1, [{ peer: 1, payload: new Uint8Array(0), deadline: 5_000 }])).toThrow(TypeError);
    expect(store.totalLen()).toBe(0);
    store.requeueFront(1, taken);
    (taken[0]!.payload as Uint8Array)[0] = 42;
    expect(store.takeFor(1)[0]!.payload).toEqual(bytes(1));
  });
});

describe('HintStore.drain', () => {
  it('delivers oldest first and, when deliver rejects, keeps that hint and the rest at the front', async () => {
    const clock = { t: 0 };
    const store = new HintStore({ maxBytes: 0, now: () => clock.t });
    for (const b of [1, 2, 3, 4]) store.enqueue(7, Uint8Array.of(b), b === 2 ? 5 : 100);
    const seen: number[] = [];
    const failure = new Error('peer went away');
    const err = await store
      .drain(7, async (hint) => {
        if (hint.payload[0] === 3) {
          store.enqueue(7, Uint8Array.of(9), 100); // arrives during the drain
          clock.t = 10; // hint 2 (deadline 5) was already past; nothing else is due
          throw failure;
        }
        seen.push(hint.payload[0]!);
      })
      .catch((e: unknown) => e);
    expect(seen).toEqual([1, 2]);
    expect(err).toBeInstanceOf(HintDeliveryError);
    expect(err).toMatchObject({ cause: failure, result: { delivered: 2, expired: 0, left: 2 } });
    expect(store.takeFor(7).map((h) => h.payload[0])).toEqual([3, 4, 9]);
    expect(store.stats()).toMatchObject({ hintCount: 0, bytes: 0 });
  });

  it('drops hints that fall due before their turn, and counts them', async () => {
    const clock = { t: 0 };
    const store = new HintStore({ maxBytes: 0, now: () => clock.t });
    store.enqueue(1, Uint8Array.of(1), 100);
    store.enqueue(1, Uint8Array.of(2), 10);
    const result = await store.drain(1, async () => void (clock.t = 20));
    expect(result).toEqual({ delivered: 1, expired: 1, left: 0 });
    expect(store.stats().expiredTotal).toBe(1);
  });
});

describe('HintStore drain in place (issue 12 item 10)', () => {
  /** A deliver whose calls the test settles by hand. */
  function manualDeliver() {
    const calls: { payload: number; resolve: () => void }[] = [];
    const deliver = (hint: { payload: Uint8Array }) => new Promise<void>((resolve) => calls.push({ payload: hint.payload[0]!, resolve }));
    return { calls, deliver };
  }
  const flush = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };

  it('keeps a hint out for delivery counted in lenFor, totalLen, bytes, stats and against the cap until delivered', async () => {
    const { store } = storeAt(4);
    store.enqueue(1, bytes(1, 1), 100);
    store.enqueue(1, bytes(2), 100);
    const { calls, deliver } = manualDeliver();
    const drained = store.drain(1, deliver);
    await flush();
    expect(calls.map((c) => c.payload)).toEqual([1]);
    expect(store.lenFor(1)).toBe(2);
    expect(store.totalLen()).toBe(2);
    expect(store.stats()).toMatchObject({ hintCount: 2, bytes: 3 });
    expect(store.peersWithHints()).toEqual([1]);
    expect(refusal(() => store.enqueue(2, bytes(5, 5), 100)).kind).toBe('OverCapacity');
    calls[0]!.resolve();
    await flush();
    expect(store.stats()).toMatchObject({ hintCount: 1, bytes: 1 });
    calls[1]!.resolve();
    expect(await drained).toEqual({ delivered: 2, expired: 0, left: 0 });
    expect(store.peersWithHints()).toEqual([]);
  });

  it('delivers only the hints stored when it started; later ones wait behind them', async () => {
    const { store } = storeAt(0);
    store.enqueue(1, bytes(1), 100);
    const { calls, deliver } = manualDeliver();
    const drained = store.drain(1, deliver);
    store.enqueue(1, bytes(2), 100);
    await flush();
    calls[0]!.resolve();
    expect(await drained).toEqual({ delivered: 1, expired: 0, left: 0 });
    expect(calls).toHaveLength(1);
    expect(store.takeFor(1).map((h) => h.payload[0])).toEqual([2]);
  });

  it('runs drains of one peer one after the other, never delivering a hint twice', async () => {
    const { store } = storeAt(0);
    for (let b = 1; b <= 3; b++) store.enqueue(1, bytes(b), 100);
    const { calls, deliver } = manualDeliver();
    const first = store.drain(1, deliver);
    const second = store.drain(1, deliver);
    await flush();
    expect(calls.map((c) => c.payload)).toEqual([1]);
    for (let i = 0; i < 3; i++) {
      calls[i]!.resolve();
      await flush();
    }
    expect(await first).toEqual({ delivered: 3, expired: 0, left: 0 });
    expect(await second).toEqual({ delivered: 0, expired: 0, left: 0 });
    expect(calls.map((c) => c.payload)).toEqual([1, 2, 3]);
  });

  it('a hint that expires or is taken while out for delivery is not counted delivered', async () => {
    const { store, clock } = storeAt(0);
    store.enqueue(1, bytes(1), 10);
    store.enqueue(1, bytes(2), 100);
    const { calls, deliver } = manualDeliver();
    const drained = store.drain(1, deliver);
    await flush();
    clock.t += 10;
    expect(store.expireNow()).toBe(1);
    calls[0]!.resolve();
    await flush();
    expect(calls.map((c) => c.payload)).toEqual([1, 2]);
    expect(store.takeFor(1).map((h) => h.payload[0])).toEqual([2]);
    calls[1]!.resolve();
    expect(await drained).toEqual({ delivered: 0, expired: 0, left: 0 });
    expect(store.stats()).toMatchObject({ hintCount: 0, bytes: 0, expiredTotal: 1 });
  });
});
