import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DurableHintStore } from '../../../src/durable.js';
import { HintDrainer } from '../../../src/hints/index.js';
import { bytes, text, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

it('a HintDrainer drains a DurableHintStore: delivered hints leave the disk, failed ones stay', async () => {
  const dir = join(await tempDir(), 'hints');
  let store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always' });
  for (const h of ['a', 'b', 'c']) await store.enqueue(1, bytes(h), 60_000);
  await store.enqueue(2, bytes('x'), 60_000);
  const sent: string[] = [];
  const drainer = new HintDrainer({
    store,
    isNormal: () => true,
    send: async (peer, payload) => {
      if (text(payload) === 'b') throw new Error('connection reset');
      sent.push(`${peer}:${text(payload)}`);
    },
    intervalMs: 1_000,
  });
  expect(await drainer.runOnce()).toEqual({ delivered: 2, requeued: 2, expired: 0, failedSends: 1 });
  expect(sent.sort()).toEqual(['1:a', '2:x']);
  expect(store.lenFor(1)).toBe(2);
  expect(store.lenFor(2)).toBe(0);
  await store.close();

  // What was not delivered is still on disk, in order, after a restart.
  store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always' });
  expect((await store.takeFor(1)).map((h) => text(h.payload))).toEqual(['b', 'c']);
  await store.close();
});

it('refuses a store it cannot drain', () => {
  const options = { isNormal: () => true, send: async () => undefined, intervalMs: 10 };
  expect(() => new HintDrainer({ ...options, store: {} as never })).toThrow(/HintStore or a DurableHintStore/);
});

it('a send that never settles wedges neither the drainer nor the store: stop() and close() resolve, the hints stay', async () => {
  const dir = join(await tempDir(), 'hints');
  const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always' });
  for (const h of ['a', 'b']) await store.enqueue(1, bytes(h), 60_000);
  const drainer = new HintDrainer({
    store,
    isNormal: () => true,
    send: () => new Promise<void>(() => undefined),
    intervalMs: 1_000,
    sendTimeoutMs: 20,
  });
  const round = await drainer.runOnce();
  expect(round).toMatchObject({ delivered: 0, failedSends: 1 });
  expect(store.stats()).toMatchObject({ hintCount: 2, bytes: 2 });
  await drainer.stop();
  await store.close();
  const again = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always' });
  expect((await again.takeFor(1)).map((h) => text(h.payload))).toEqual(['a', 'b']);
  await again.close();
});
