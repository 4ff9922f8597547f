/**
 * Pipelined drains (`drain(peer, deliver, { window })`), the same cases on
 * both stores: up to `window` deliveries in flight, handed out oldest first,
 * removed in order only; after a rejection the failed hint and every later
 * one stay stored, in order, even those already delivered, and the next
 * drain delivers them again. Then each store's own cases: the durable
 * store's close, segments and late rejections; the memory store's expiry,
 * `takeFor` and `requeueFront` while deliveries are out.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DurableHintStore } from '../../src/durable.js';
import { HintDeliveryError, HintStore, MAX_DRAIN_WINDOW, type DrainableHintStore, type Hint } from '../../src/index.js';
import { useTempDirs } from './durable/helpers.js';

const tempDir = useTempDirs();
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (h: Hint) => new TextDecoder().decode(h.payload);
const tick = () => new Promise((resolve) => setImmediate(resolve));

interface Store extends DrainableHintStore {
  enqueue(peer: number, payload: Uint8Array, ttlMs: number): void | Promise<void>;
  lenFor(peer: number): number;
  close?(): Promise<void>;
}

const stores: [string, (clock: { now: number }) => Promise<Store>][] = [
  ['HintStore', async (clock) => new HintStore({ maxBytes: 0, now: () => clock.now })],
  [
    'DurableHintStore',
    async (clock) =>
      DurableHintStore.open(join(await tempDir(), 'hints'), { maxBytes: 0, sync: 'never', now: () => clock.now, onWarning: () => {} }),
  ],
];

/** A peer whose replies the test releases: records what was sent, and the most sends ever awaiting a reply. */
class Peer {
  sent: string[] = [];
  waiting: { resolve(): void; reject(e: Error): void }[] = [];
  most = 0;
  deliver = (hint: Hint) =>
    new Promise<void>((resolve, reject) => {
      this.sent.push(text(hint));
      this.waiting.push({ resolve, reject });
      this.most = Math.max(this.most, this.waiting.length);
    });
  /** Answers the oldest waiting send (its reply or an error). */
  answer(error?: Error) {
    const w = this.waiting.shift()!;
    if (error) w.reject(error);
    else w.resolve();
  }
}

/**
 * Waits until `cond` holds, a tick at a time, for at most 10 s: the durable
 * store reads its files between hand-outs, which on a loaded machine takes
 * more ticks than any fixed count.
 */
async function until(cond: () => boolean) {
  const end = Date.now() + 10_000;
  while (!cond() && Date.now() < end) await tick();
  expect(cond()).toBe(true);
}

describe.each(stores)('%s drain with a window', (_name, open) => {
  it('keeps up to `window` deliveries in flight and removes hints in order', async () => {
    const clock = { now: 1_000_000 };
    const store = await open(clock);
    for (let i = 0; i < 20; i++) await store.enqueue(3, bytes(`h${i}`), 60_000);
    const peer = new Peer();
    const done = store.drain(3, peer.deliver, { window: 8 });
    await until(() => peer.waiting.length === 8);
    await tick();
    expect(peer.sent).toEqual(['h0', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7']); // no more before a reply
    expect(store.lenFor(3)).toBe(20); // out for delivery: still stored
    while (peer.sent.length < 20 || peer.waiting.length > 0) {
      await until(() => peer.waiting.length > 0);
      peer.answer();
      await tick();
    }
    expect(await done).toEqual({ delivered: 20, expired: 0, left: 0 });
    expect(peer.sent).toEqual(Array.from({ length: 20 }, (_, i) => `h${i}`));
    expect(peer.most).toBe(8);
    expect(store.lenFor(3)).toBe(0);
    await store.close?.();
  });

  it('after a rejection keeps the failed hint and every later one, even those delivered, and delivers them again in order', async () => {
    const clock = { now: 1_000_000 };
    const store = await open(clock);
    for (let i = 0; i < 6; i++) await store.enqueue(5, bytes(`h${i}`), 60_000);
    const peer = new Peer();
    const done = store.drain(5, peer.deliver, { window: 4 }).catch((e: unknown) => e);
    await until(() => peer.waiting.length === 4);
    peer.answer(); // h0 acknowledged
    await until(() => peer.waiting.length === 4); // h4 handed out in its place
    const failure = new Error('connection closed');
    peer.answer(failure); // h1 fails
    peer.answer(); // h2, h3 and h4 were applied anyway
    peer.answer();
    peer.answer();
    const err = await done;
    expect(err).toBeInstanceOf(HintDeliveryError);
    expect(err).toMatchObject({ cause: failure, result: { delivered: 1, expired: 0, left: 5 } });
    expect(peer.sent).toEqual(['h0', 'h1', 'h2', 'h3', 'h4']); // h5 never handed out after the failure
    expect(store.lenFor(5)).toBe(5);
    const again: string[] = [];
    expect(await store.drain(5, async (h) => void again.push(text(h)), { window: 4 })).toEqual({ delivered: 5, expired: 0, left: 0 });
    expect(again).toEqual(['h1', 'h2', 'h3', 'h4', 'h5']);
    await store.close?.();
  });

  it('drops hints that fall due before their turn, and delivers the rest', async () => {
    const clock = { now: 1_000_000 };
    const store = await open(clock);
    for (let i = 0; i < 6; i++) await store.enqueue(6, bytes(`h${i}`), i % 2 === 0 ? 10 : 60_000);
    clock.now += 10; // the even ones are due
    const sent: string[] = [];
    expect(await store.drain(6, async (h) => void sent.push(text(h)), { window: 3 })).toEqual({ delivered: 3, expired: 3, left: 0 });
    expect(sent).toEqual(['h1', 'h3', 'h5']);
    await store.close?.();
  });

  it('refuses a window that is not an integer from 1 to MAX_DRAIN_WINDOW, before delivering anything', async () => {
    const store = await open({ now: 1_000_000 });
    await store.enqueue(1, bytes('kept'), 60_000);
    const deliver = async () => {
      throw new Error('must not be called');
    };
    for (const window of [0, -1, 1.5, MAX_DRAIN_WINDOW + 1, Number.NaN]) {
      await expect(Promise.resolve().then(() => store.drain(1, deliver, { window }))).rejects.toThrow(RangeError);
    }
    await expect(Promise.resolve().then(() => store.drain(1, deliver, { window: '4' as never }))).rejects.toThrow(TypeError);
    await expect(Promise.resolve().then(() => store.drain(1, deliver, 4 as never))).rejects.toThrow(TypeError);
    expect(store.lenFor(1)).toBe(1);
    await store.close?.();
  });
});

describe('DurableHintStore windowed drain: close, segments, late rejections', () => {
  it('close() abandoning deliveries in flight keeps every hint, in order, across segments', async () => {
    const dir = join(await tempDir(), 'hints');
    const options = { maxBytes: 0, sync: 'never', segmentBytes: 200, closeTimeoutMs: 30, onWarning: () => {} } as const;
    let store = await DurableHintStore.open(dir, options);
    for (let i = 0; i < 30; i++) await store.enqueue(1, bytes(`hint-${String(i).padStart(2, '0')}`), 60_000);
    expect(store.stats().segmentFiles).toBeGreaterThan(1);
    const peer = new Peer();
    const done = store.drain(1, peer.deliver, { window: 8 });
    await until(() => peer.waiting.length === 8);
    peer.waiting[1]!.resolve(); // a later one answered, the oldest not
    const closed = store.close();
    expect(await done).toMatchObject({ delivered: 0 });
    await closed;
    for (const w of peer.waiting) w.reject(new Error('late failure after close')); // must not be unhandled
    await tick();
    store = await DurableHintStore.open(dir, options);
    const again: string[] = [];
    await store.drain(1, async (h) => void again.push(text(h)), { window: 8 });
    expect(again).toEqual(Array.from({ length: 30 }, (_, i) => `hint-${String(i).padStart(2, '0')}`));
    await store.close();
  });

  it('delivers every segment in order with a window, removing delivered segments', async () => {
    const dir = join(await tempDir(), 'hints');
    const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'never', segmentBytes: 200, onWarning: () => {} });
    for (let i = 0; i < 50; i++) await store.enqueue(2, bytes(`h${i}`), 60_000);
    const got: string[] = [];
    let k = 0;
    const deliver = async (h: Hint) => {
      got.push(text(h));
      if (++k % 3 === 0) await tick();
    };
    const r = await store.drain(2, deliver, { window: 5 });
    expect(r).toEqual({ delivered: 50, expired: 0, left: 0 });
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => `h${i}`));
    expect(store.lenFor(2)).toBe(0);
    await store.close();
  });
});

describe('HintStore windowed drain: expiry, takeFor, requeueFront', () => {
  it('hints requeued at the front during a drain go before hints not yet handed out', async () => {
    const store = new HintStore({ maxBytes: 0 });
    store.enqueue(3, bytes('x'), 60_000);
    const taken = store.takeFor(3); // a caller's own send of x is under way
    for (const s of ['a', 'b', 'c', 'd', 'e', 'f']) store.enqueue(3, bytes(s), 60_000);
    const peer = new Peer();
    const done = store.drain(3, peer.deliver, { window: 2 });
    await until(() => peer.waiting.length === 2); // a, b out
    store.requeueFront(3, taken); // x's send failed: back in front, ahead of c..f
    while (peer.sent.length < 7 || peer.waiting.length > 0) {
      await until(() => peer.waiting.length > 0);
      peer.waiting.shift()!.resolve();
      await tick();
      if (peer.sent.length === 7 && peer.waiting.length === 0) break;
    }
    await done;
    // window 1 gives a, x, b, ...: x goes as soon as the hint in flight is answered
    expect(peer.sent.indexOf('x')).toBeLessThan(peer.sent.indexOf('d'));
  });

  it('expiry and takeFor while deliveries are in flight: counts stay right', async () => {
    let now = 1000;
    const store = new HintStore({ maxBytes: 0, now: () => now });
    for (let i = 0; i < 6; i++) store.enqueue(4, bytes(`h${i}`), i === 1 ? 10 : 60_000);
    const peer = new Peer();
    const done = store.drain(4, peer.deliver, { window: 4 });
    await until(() => peer.waiting.length === 4);
    now += 10;
    expect(store.expireNow()).toBe(1); // h1, out for delivery
    for (const w of peer.waiting.splice(0)) w.resolve();
    await until(() => peer.waiting.length === 2);
    const rest = store.takeFor(4); // h4, h5 out, taken
    expect(rest.map(text)).toEqual(['h4', 'h5']);
    for (const w of peer.waiting.splice(0)) w.resolve();
    expect(await done).toEqual({ delivered: 3, expired: 0, left: 0 });
    expect(store.stats()).toMatchObject({ hintCount: 0, bytes: 0, expiredTotal: 1 });
  });
});
