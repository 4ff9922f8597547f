import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DurableHintStore, HintDeliveryError } from '../../../src/durable.js';
import { bytes, text, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

it('close() resolves while a deliver never settles; the hint out for delivery stays counted and stored', async () => {
  const dir = join(await tempDir(), 'hints');
  const store = await DurableHintStore.open(dir, { maxBytes: 11, sync: 'always', closeTimeoutMs: 50 });
  await store.enqueue(1, bytes('hanging'), 60_000);
  await store.enqueue(1, bytes('next'), 60_000);
  let started!: () => void;
  const delivering = new Promise<void>((resolve) => (started = resolve));
  const drained = store.drain(1, () => {
    started();
    return new Promise<void>(() => undefined); // a send that never settles
  });
  await delivering;
  // Out for delivery, still counted everywhere and against the cap.
  expect(store.stats()).toMatchObject({ hintCount: 2, bytes: 11 });
  expect(store.lenFor(1)).toBe(2);
  await expect(store.enqueue(2, bytes('x'), 60_000)).rejects.toMatchObject({ kind: 'OverCapacity' });
  await store.close();
  expect(await drained).toEqual({ delivered: 0, expired: 0, left: 2 });

  // Nothing was lost: both hints are still on disk, in order.
  const again = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always' });
  expect((await again.takeFor(1)).map((h) => text(h.payload))).toEqual(['hanging', 'next']);
  await again.close();
});

it('a deliver rejecting with a value that is not an Error yields a HintDeliveryError with that value as cause', async () => {
  const store = await DurableHintStore.open(join(await tempDir(), 'hints'), { maxBytes: 0, sync: 'never' });
  const odd = [
    undefined,
    null,
    42,
    'reset by peer',
    Object.create(null) as object,
    {
      toString: () => {
        throw new Error('no');
      },
    },
  ];
  for (const value of odd) {
    await store.enqueue(1, bytes('h'), 60_000);
    const err = await store.drain(1, () => Promise.reject(value)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HintDeliveryError);
    expect((err as HintDeliveryError).cause).toBe(value);
    expect(err).toMatchObject({ kind: 'DeliveryFailed', result: { delivered: 0, expired: 0, left: 1 } });
    await store.takeFor(1);
  }
  // A deliver that throws synchronously instead of returning a promise is a failed delivery too.
  await store.enqueue(1, bytes('h'), 60_000);
  const err = await store
    .drain(1, () => {
      throw 'sync';
    })
    .catch((e: unknown) => e);
  expect(err).toMatchObject({ kind: 'DeliveryFailed', cause: 'sync' });
  await store.close();
});
