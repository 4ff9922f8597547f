/** Review (review3): windowed drains under close, segment rotation, expiry and requeueFront. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DurableHintStore } from '../../src/durable.js';
import { HintStore, type Hint } from '../../src/index.js';
import { useTempDirs } from './durable/helpers.js';

const tempDir = useTempDirs();
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (h: Hint) => new TextDecoder().decode(h.payload);
const tick = () => new Promise((resolve) => setImmediate(resolve));

class Peer {
  sent: string[] = [];
  waiting: { resolve(): void; reject(e: Error): void }[] = [];
  deliver = (hint: Hint) =>
    new Promise<void>((resolve, reject) => {
      this.sent.push(text(hint));
      this.waiting.push({ resolve, reject });
    });
}

async function until(cond: () => boolean) {
  for (let i = 0; i < 1000 && !cond(); i++) await tick();
  expect(cond()).toBe(true);
}

describe('DurableHintStore windowed drain (review3)', () => {
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

describe('HintStore windowed drain (review3)', () => {
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
