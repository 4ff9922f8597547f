import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DURABLE_DEFAULTS,
  DurableHintStore,
  DurableStoreError,
  HintDeliveryError,
  HintStoreError,
  type DurableHintStoreOptions,
  type Hint,
} from '../../../src/durable.js';
import { bytes, text, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

/** A store on a fresh directory with a hand-moved clock. */
async function openStore(options: Partial<DurableHintStoreOptions> = {}, dir?: string) {
  const clock = { now: 1_000_000 };
  const warnings: string[] = [];
  const path = dir ?? join(await tempDir(), 'hints');
  const store = await DurableHintStore.open(path, {
    maxBytes: 0,
    sync: 'always',
    now: () => clock.now,
    onWarning: (m) => warnings.push(m),
    ...options,
  });
  return { store, clock, warnings, dir: path };
}

const segmentsIn = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
const payloads = (hints: Hint[]) => hints.map((h) => text(h.payload));

describe('DurableHintStore operations', () => {
  it('returns a peer’s hints in order, with wall-clock deadlines, and keeps its own copy of the bytes', async () => {
    const { store } = await openStore();
    const buf = bytes('first');
    await store.enqueue(2, buf, 500);
    buf.set(bytes('XXXXX')); // the caller reuses its buffer, as sockets do
    await store.enqueue(2, bytes('second'), 700);
    await store.enqueue(5, bytes('other peer'), 700);
    expect(store.lenFor(2)).toBe(2);
    expect(store.totalLen()).toBe(3);
    expect(store.peersWithHints()).toEqual([2, 5]);
    const hints = await store.takeFor(2);
    expect(hints).toEqual([
      { peer: 2, payload: bytes('first'), deadline: 1_000_500 },
      { peer: 2, payload: bytes('second'), deadline: 1_000_700 },
    ]);
    expect(store.lenFor(2)).toBe(0);
    expect(store.peersWithHints()).toEqual([5]);
    expect(store.stats()).toMatchObject({ hintCount: 1, bytes: 10 });
    await store.close();
  });

  it('drops due hints in takeFor and expireNow, counting them as expired', async () => {
    const { store, clock } = await openStore();
    await store.enqueue(1, bytes('short'), 100);
    await store.enqueue(1, bytes('long'), 10_000);
    await store.enqueue(2, bytes('mid'), 1_000);
    clock.now += 100; // deadline <= now is due
    expect(payloads(await store.takeFor(1))).toEqual(['long']);
    expect(store.stats().expiredTotal).toBe(1);
    expect(await store.expireNow(clock.now + 899)).toBe(0); // 'mid' is due at start + 1000
    expect(await store.expireNow(clock.now + 900)).toBe(1);
    expect(store.stats()).toMatchObject({ hintCount: 0, bytes: 0, expiredTotal: 2 });
    await store.close();
  });

  it('keeps bytes equal to the sum of stored payloads through every operation', async () => {
    const { store, clock } = await openStore({ sync: 'batch' });
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.enqueue(i % 3, new Uint8Array(i + 1).fill(1), i % 2 ? 50 : 5_000)));
    expect(store.stats().bytes).toBe((30 * 31) / 2);
    clock.now += 50;
    await store.expireNow();
    const left = await store.takeFor(0);
    const rest = [...(await store.takeFor(1)), ...(await store.takeFor(2))];
    expect(left.length + rest.length + store.stats().expiredTotal).toBe(30);
    expect(store.stats()).toMatchObject({ hintCount: 0, bytes: 0 });
    await store.close();
  });
});

describe('enqueue validation', () => {
  it('checks argument types first, in argument order, before any store refusal', async () => {
    const { store } = await openStore({ maxBytes: 1 });
    const fail = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: Error) => `${e.constructor.name}`,
      );
    expect(await fail(store.enqueue('1' as never, bytes('x'), 1))).toBe('TypeError');
    expect(await fail(store.enqueue(-1, bytes('x'), 1))).toBe('RangeError');
    expect(await fail(store.enqueue(2 ** 32, bytes('x'), 1))).toBe('RangeError');
    expect(await fail(store.enqueue(1.5, bytes('x'), 1))).toBe('RangeError');
    expect(await fail(store.enqueue(1, 'x' as never, 0))).toBe('TypeError'); // the payload type before the TTL
    expect(await fail(store.enqueue(1, new Uint8Array(0), Number.NaN))).toBe('RangeError'); // the TTL before EmptyPayload
    expect(await fail(store.enqueue(1, bytes('x'), -1))).toBe('RangeError');
    expect(await fail(store.enqueue(1, bytes('x'), Infinity))).toBe('RangeError');
    expect(store.stats()).toMatchObject({ hintCount: 0, rejectedOverCapacityTotal: 0 });
    await store.close();
  });

  it('refuses with ZeroTtl, then EmptyPayload, then RecordTooLarge, then OverCapacity, changing nothing but the rejection count', async () => {
    const { store } = await openStore({ maxBytes: 10, maxRecordBytes: 8 });
    const kind = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: HintStoreError | DurableStoreError) => e.kind,
      );
    expect(await kind(store.enqueue(1, new Uint8Array(0), 0))).toBe('ZeroTtl');
    expect(await kind(store.enqueue(1, new Uint8Array(0), 5))).toBe('EmptyPayload');
    expect(await kind(store.enqueue(1, new Uint8Array(11), 5))).toBe('RecordTooLarge');
    await store.enqueue(1, new Uint8Array(6), 5);
    const err = await store.enqueue(1, new Uint8Array(5), 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HintStoreError);
    expect(err).toMatchObject({ kind: 'OverCapacity', maxBytes: 10 });
    expect(store.stats()).toMatchObject({ hintCount: 1, bytes: 6, rejectedOverCapacityTotal: 1 });
    await store.enqueue(1, new Uint8Array(4), 5); // exactly at the cap is fine
    expect(store.stats()).toMatchObject({ hintCount: 2, bytes: 10, rejectedOverCapacityTotal: 1 });
    await store.close();
  });

  it('reserves capacity at call time, so concurrent enqueues cannot overshoot maxBytes', async () => {
    const { store } = await openStore({ maxBytes: 100, sync: 'batch' });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.enqueue(3, new Uint8Array(10), 1000)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    expect(store.stats()).toMatchObject({ bytes: 100, rejectedOverCapacityTotal: 10 });
    expect(await store.takeFor(3)).toHaveLength(10);
    await store.enqueue(3, new Uint8Array(100), 1000); // space is reclaimed by taking
    await store.close();
  });

  it('refuses every operation after close with DurableStoreError Closed', async () => {
    const { store } = await openStore();
    await store.close();
    await store.close();
    await expect(store.enqueue(1, bytes('x'), 5)).rejects.toMatchObject({ kind: 'Closed' });
    await expect(store.takeFor(1)).rejects.toBeInstanceOf(DurableStoreError);
    await expect(store.drain(1, async () => undefined)).rejects.toMatchObject({ kind: 'Closed' });
    await expect(store.expireNow()).rejects.toMatchObject({ kind: 'Closed' });
  });

  it('refuses a TTL under 1 ms as ZeroTtl, as the in-memory store does', async () => {
    const { store } = await openStore();
    for (const ttl of [1e-12, 0.5, 0.999]) await expect(store.enqueue(1, bytes('x'), ttl)).rejects.toMatchObject({ kind: 'ZeroTtl' });
    await store.enqueue(1, bytes('x'), 1);
    expect(store.totalLen()).toBe(1);
    await store.close();
  });

  it('expireNow(Infinity) drops every hint and expireNow(-Infinity) none, as on the in-memory store; NaN is refused', async () => {
    const { store } = await openStore();
    for (let i = 0; i < 5; i++) await store.enqueue(i % 2, bytes(`h${i}`), 3_600_000 * (i + 1));
    await expect(store.expireNow(Number.NaN)).rejects.toBeInstanceOf(RangeError);
    expect(await store.expireNow(-Infinity)).toBe(0);
    expect(await store.expireNow(Infinity)).toBe(5);
    expect(store.stats()).toMatchObject({ hintCount: 0, bytes: 0, expiredTotal: 5, segmentFiles: 0, diskBytes: 0 });
    await store.close();
  });

  it('opens with no options at all, every field taking its documented default', async () => {
    const dir = join(await tempDir(), 'hints');
    const store = await DurableHintStore.open(dir);
    expect(store.maxBytes).toBe(DURABLE_DEFAULTS.maxBytes);
    expect(DURABLE_DEFAULTS).toMatchObject({ maxBytes: 256 * 1024 * 1024, sync: 'batch', closeTimeoutMs: 10_000, keepCorruptFiles: 16 });
    await store.enqueue(1, bytes('x'), 1000);
    expect(store.stats()).toMatchObject({ maxBytes: 256 * 1024 * 1024, hintCount: 1, fsyncs: 1 });
    await store.close();
    // undefined fields take the default too
    const again = await DurableHintStore.open(dir, { maxBytes: undefined, sync: undefined });
    expect(again.lenFor(1)).toBe(1);
    await again.close();
  });

  it('validates open options with TypeError/RangeError', async () => {
    const dir = await tempDir();
    await expect(DurableHintStore.open(dir, { maxBytes: -1, sync: 'always' })).rejects.toBeInstanceOf(RangeError);
    await expect(DurableHintStore.open(dir, { maxBytes: 0, sync: 'sometimes' as never })).rejects.toBeInstanceOf(TypeError);
    await expect(DurableHintStore.open(dir, { maxBytes: 0, sync: 'batch', batchMs: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(DurableHintStore.open(dir, { maxBytes: 0, sync: 'batch', maxRecordBytes: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(DurableHintStore.open(dir, { closeTimeoutMs: -1 })).rejects.toBeInstanceOf(RangeError);
    await expect(DurableHintStore.open(dir, { keepCorruptFiles: 0 })).rejects.toBeInstanceOf(RangeError);
    await expect(DurableHintStore.open(dir, null as never)).rejects.toBeInstanceOf(TypeError);
    await expect(DurableHintStore.open('', { maxBytes: 0, sync: 'batch' })).rejects.toBeInstanceOf(TypeError);
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    await expect(DurableHintStore.open(file, { maxBytes: 0, sync: 'batch' })).rejects.toMatchObject({ kind: 'NotADirectory' });
  });
});

describe('drain', () => {
  it('delivers in order, removes only what deliver accepted, and keeps the rest in order when it rejects', async () => {
    const { store, clock } = await openStore();
    for (let i = 0; i < 6; i++) await store.enqueue(4, bytes(`h${i}`), i === 1 ? 10 : 10_000);
    clock.now += 10; // h1 is now due
    const seen: string[] = [];
    const failure = new Error('peer went away again');
    const err = await store
      .drain(4, async (hint) => {
        if (text(hint.payload) === 'h3') throw failure;
        seen.push(text(hint.payload));
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HintDeliveryError);
    expect(err).toMatchObject({ kind: 'DeliveryFailed', cause: failure, result: { delivered: 2, expired: 1, left: 3 } });
    expect(seen).toEqual(['h0', 'h2']);
    expect(store.lenFor(4)).toBe(3);
    expect(store.stats().expiredTotal).toBe(1);
    await store.enqueue(4, bytes('h6'), 10_000);
    const all: string[] = [];
    expect(await store.drain(4, async (h) => void all.push(text(h.payload)))).toEqual({ delivered: 4, expired: 0, left: 0 });
    expect(all).toEqual(['h3', 'h4', 'h5', 'h6']);
    await store.close();
  });

  it('does not lose or repeat a hint across a clean close and reopen after a partial drain', async () => {
    const { store, dir } = await openStore({ segmentBytes: 256 });
    for (let i = 0; i < 40; i++) await store.enqueue(1, bytes(`hint-${i}`), 10_000);
    let n = 0;
    await store
      .drain(1, async () => {
        if (++n > 25) throw new Error('stop');
      })
      .catch(() => undefined);
    await store.close();
    const again = await openStore({}, dir);
    expect(payloads(await again.store.takeFor(1))).toEqual(Array.from({ length: 15 }, (_, i) => `hint-${25 + i}`));
    await again.store.close();
  });

  it('delivers hints enqueued before it started, not those arriving during it, and lets appends continue', async () => {
    const { store } = await openStore({ sync: 'batch' });
    for (let i = 0; i < 3; i++) await store.enqueue(0, bytes(`old${i}`), 10_000);
    const seen: string[] = [];
    await store.drain(0, async (h) => {
      seen.push(text(h.payload));
      await store.enqueue(0, bytes(`new-${text(h.payload)}`), 10_000); // resolves while the drain is running
    });
    expect(seen).toEqual(['old0', 'old1', 'old2']);
    expect(payloads(await store.takeFor(0))).toEqual(['new-old0', 'new-old1', 'new-old2']);
    await store.close();
  });
});

describe('disk space', () => {
  it('deletes fully delivered segments and compacts a partly delivered one', async () => {
    const { store, dir } = await openStore({ segmentBytes: 200 });
    for (let i = 0; i < 30; i++) await store.enqueue(9, new Uint8Array(40).fill(i), 10_000);
    const before = await segmentsIn(dir);
    expect(before.length).toBeGreaterThan(5);
    const lastSize = (await stat(join(dir, before.at(-1)!))).size;
    expect(lastSize).toBe(16 + 3 * (16 + 40)); // three records per segment
    let n = 0;
    await store
      .drain(9, async () => {
        if (++n > 28) throw new Error('stop');
      })
      .catch(() => undefined);
    const after = await segmentsIn(dir);
    expect(after).toEqual([before.at(-1)]); // only the last segment still holds hints
    const afterSize = (await stat(join(dir, after[0]!))).size;
    expect(afterSize).toBe(16 + 2 * (16 + 40)); // compacted: header + the two remaining records
    expect(store.stats()).toMatchObject({ hintCount: 2, segmentFiles: 1, diskBytes: afterSize });
    await store.drain(9, async () => undefined);
    expect(await segmentsIn(dir)).toEqual([]);
    expect(store.stats()).toMatchObject({ segmentFiles: 0, diskBytes: 0 });
    await store.close();
  });

  it('reclaims space of expired hints once they outweigh the live ones', async () => {
    const { store, clock } = await openStore({ segmentBytes: 100_000 });
    for (let i = 0; i < 10; i++) await store.enqueue(1, new Uint8Array(100), i < 6 ? 10 : 10_000);
    const full = store.stats().diskBytes;
    clock.now += 10;
    expect(await store.expireNow()).toBe(6);
    expect(store.stats().diskBytes).toBe(16 + 4 * 116);
    expect(full).toBe(16 + 10 * 116);
    await store.close();
  });

  it('creates the directory private to the user, and its files too', async () => {
    const { store, dir } = await openStore();
    await store.enqueue(1, bytes('secret'), 1000);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const name of await readdir(dir)) expect(((await stat(join(dir, name))).mode & 0o777).toString(8)).toBe('600');
    await store.close();
  });
});

describe('group commit', () => {
  it("makes concurrent 'batch' enqueues share fsyncs, while 'always' syncs each one", async () => {
    const batch = await openStore({ sync: 'batch' });
    await Promise.all(Array.from({ length: 64 }, (_, i) => batch.store.enqueue(1, bytes(`b${i}`), 10_000)));
    const batchSyncs = batch.store.stats().fsyncs;
    expect(batchSyncs).toBeGreaterThanOrEqual(1);
    expect(batchSyncs).toBeLessThan(64 / 4);
    await batch.store.close();

    const always = await openStore({ sync: 'always' });
    await Promise.all(Array.from({ length: 64 }, (_, i) => always.store.enqueue(1, bytes(`a${i}`), 10_000)));
    expect(always.store.stats().fsyncs).toBe(64);
    await always.store.close();

    const never = await openStore({ sync: 'never' });
    await Promise.all(Array.from({ length: 64 }, (_, i) => never.store.enqueue(1, bytes(`n${i}`), 10_000)));
    expect(never.store.stats().fsyncs).toBe(0);
    await never.store.close();
  });

  it('keeps per-peer call order within a group, whatever the mode', async () => {
    for (const sync of ['always', 'batch', 'never'] as const) {
      const { store } = await openStore({ sync, batchMs: sync === 'batch' ? 1 : 0 });
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.enqueue(i % 2, bytes(String(i)), 10_000)));
      expect(payloads(await store.takeFor(1))).toEqual(Array.from({ length: 25 }, (_, i) => String(2 * i + 1)));
      await store.close();
    }
  });
});
