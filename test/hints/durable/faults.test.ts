import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { DurableHintStore, HintDeliveryError } from '../../../src/durable.js';
import { PeerLog } from '../../../src/hints/durable/peer-log.js';
import { Segment } from '../../../src/hints/durable/segment.js';
import { bytes, text, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

afterEach(() => {
  vi.restoreAllMocks();
});

async function open(dir: string, clock = { now: 1_000_000 }) {
  return DurableHintStore.open(dir, { maxBytes: 0, sync: 'always', now: () => clock.now, onWarning: () => undefined });
}

it('a hint whose fsync failed is refused and does not come back after a restart', async () => {
  const dir = join(await tempDir(), 'hints');
  let store = await open(dir);
  await store.enqueue(1, bytes('kept'), 60_000);
  const sync = vi.spyOn(Segment.prototype, 'sync').mockRejectedValueOnce(new Error('EIO: fsync failed'));
  await expect(store.enqueue(1, bytes('refused'), 60_000)).rejects.toThrow('EIO');
  sync.mockRestore();
  await store.enqueue(1, bytes('after'), 60_000);
  expect(store.lenFor(1)).toBe(2);
  await store.close();

  store = await open(dir);
  expect((await store.takeFor(1)).map((h) => text(h.payload))).toEqual(['kept', 'after']);
  await store.close();
});

it('counts what a drain left exactly when expireNow runs while deliver is pending', async () => {
  const clock = { now: 1_000_000 };
  const store = await open(join(await tempDir(), 'hints'), clock);
  for (let i = 0; i < 5; i++) await store.enqueue(1, bytes(`h${i}`), i === 0 || i === 4 ? 60_000 : 10);
  const err = await store
    .drain(1, async (hint) => {
      if (text(hint.payload) === 'h0') {
        clock.now += 100; // h1..h3 fall due
        expect(await store.expireNow()).toBe(3);
        return;
      }
      throw new Error('peer went away');
    })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(HintDeliveryError);
  expect((err as HintDeliveryError).result).toEqual({ delivered: 1, expired: 0, left: 1 });
  expect(store.lenFor(1)).toBe(1);
  expect(store.stats().expiredTotal).toBe(3);
  await store.close();
});

it('a hint that expires while deliver runs is counted once, as expired', async () => {
  const clock = { now: 1_000_000 };
  const store = await open(join(await tempDir(), 'hints'), clock);
  await store.enqueue(1, bytes('slow'), 10);
  const result = await store.drain(1, async () => {
    clock.now += 100;
    await store.expireNow();
  });
  expect(result).toEqual({ delivered: 0, expired: 0, left: 0 });
  expect(store.stats()).toMatchObject({ expiredTotal: 1, hintCount: 0, bytes: 0 });
  await store.close();
});

it('a close that fails still releases the directory lock', async () => {
  const dir = join(await tempDir(), 'hints');
  const store = await open(dir);
  await store.enqueue(1, bytes('x'), 60_000);
  vi.spyOn(PeerLog.prototype, 'close').mockRejectedValueOnce(new Error('EIO: close failed'));
  await expect(store.close()).rejects.toThrow('EIO');
  vi.restoreAllMocks();
  const again = await open(dir);
  expect(again.lenFor(1)).toBe(1);
  await again.close();
});
