import fc from 'fast-check';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DurableHintStore, DurableStoreError } from '../../../src/durable.js';
import { bytes, text, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const NOW = 5_000_000;
const PEER = 3;
const SEGMENT = 'hints-3-0000000000.log';
const COUNT = 12;

/** A pristine segment of COUNT records and each record's end offset. */
let original: Uint8Array;
let ends: number[];
const expected = Array.from({ length: COUNT }, (_, i) => `record-${i}-${'x'.repeat(i % 5)}`);

beforeAll(async () => {
  const dir = await tempDir();
  const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'never', now: () => NOW });
  for (const p of expected) await store.enqueue(PEER, bytes(p), 60_000);
  await store.close();
  original = new Uint8Array(await readFile(join(dir, SEGMENT)));
  ends = [];
  let end = 16;
  for (const p of expected) ends.push((end += 16 + p.length));
  expect(ends.at(-1)).toBe(original.length);
});

/** Writes `content` as the segment of a fresh directory, reopens it, and reports what came back. */
async function reopen(content: Uint8Array) {
  const dir = join(await tempDir(), 'hints');
  await mkdir(dir);
  await writeFile(join(dir, SEGMENT), content);
  const warnings: string[] = [];
  const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always', now: () => NOW, onWarning: (m) => warnings.push(m) });
  const stats = store.stats();
  const hints = (await store.takeFor(PEER)).map((h) => text(h.payload));
  await store.close();
  const corruptFiles = (await readdir(dir)).filter((n) => n.endsWith('.corrupt'));
  const setAside = await Promise.all(corruptFiles.map((n) => readFile(join(dir, n))));
  return { hints, stats, warnings, setAside };
}

/** Records wholly before byte `offset`. */
const intactBefore = (offset: number) => (offset < 16 ? 0 : ends.filter((e) => e <= offset).length);

describe('torn writes', () => {
  it('recovers every record before the cut, at every byte offset of the last records, and sets the torn bytes aside', async () => {
    for (let cut = ends[COUNT - 4]!; cut < original.length; cut++) {
      const { hints, stats, setAside, warnings } = await reopen(original.subarray(0, cut));
      const kept = intactBefore(cut);
      expect(hints, `cut at ${cut}`).toEqual(expected.slice(0, kept));
      const torn = cut - (kept === 0 ? 16 : ends[kept - 1]!);
      if (torn === 0) {
        expect(stats).toMatchObject({ corruptFiles: 0, corruptBytes: 0 });
        expect(setAside).toEqual([]);
      } else {
        expect(stats, `cut at ${cut}`).toMatchObject({ corruptFiles: 1, corruptBytes: torn, replayedHints: kept });
        expect(setAside).toEqual([Buffer.from(original.subarray(cut - torn, cut))]);
        expect(warnings.join('\n')).toMatch(/moved \d+ bytes to .*\.corrupt/);
      }
    }
  });

  it('sets a file aside whole when its header is torn, and forgets an empty one', async () => {
    for (let cut = 0; cut < 16; cut++) {
      const { hints, stats, setAside } = await reopen(original.subarray(0, cut));
      expect(hints).toEqual([]);
      expect(stats).toMatchObject({ corruptFiles: cut === 0 ? 0 : 1, corruptBytes: cut });
      expect(setAside.map((b) => b.length)).toEqual(cut === 0 ? [] : [cut]);
    }
  });

  it('treats a length field beyond the file as corruption without allocating it', async () => {
    const damaged = original.slice();
    new DataView(damaged.buffer).setUint32(ends[5]!, 0xffff_fff0, true); // record 6 claims ~4 GiB
    const { hints, stats } = await reopen(damaged);
    expect(hints).toEqual(expected.slice(0, 6));
    expect(stats).toMatchObject({ corruptFiles: 1, corruptBytes: original.length - ends[5]! });
  });
});

describe('lowering maxRecordBytes', () => {
  it('replays every stored record, however long, and only refuses new ones over the limit', async () => {
    const dir = join(await tempDir(), 'hints');
    let store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always', now: () => NOW });
    const long = ['a'.repeat(100), 'b'.repeat(5000), 'c'.repeat(20)];
    for (const p of long) await store.enqueue(PEER, bytes(p), 60_000);
    await store.close();
    const warnings: string[] = [];
    store = await DurableHintStore.open(dir, {
      maxBytes: 0,
      sync: 'always',
      now: () => NOW,
      maxRecordBytes: 50,
      onWarning: (m) => warnings.push(m),
    });
    expect(warnings).toEqual([]);
    expect(store.stats()).toMatchObject({ replayedHints: 3, corruptFiles: 0, corruptBytes: 0 });
    await expect(store.enqueue(PEER, bytes('d'.repeat(51)), 60_000)).rejects.toMatchObject({ kind: 'RecordTooLarge' });
    expect((await store.takeFor(PEER)).map((h) => text(h.payload))).toEqual(long);
    expect((await readdir(dir)).filter((n) => n.endsWith('.corrupt'))).toEqual([]);
    await store.close();
  });
});

describe('bit flips', () => {
  it('keeps every record before the first damaged byte and sets the rest aside, never throwing', async () => {
    await fc.assert(
      // Distinct bits of the file: two flips of one bit would undo each other.
      fc.asyncProperty(fc.uniqueArray(fc.nat({ max: original.length * 8 - 1 }), { minLength: 1, maxLength: 3 }), async (bits) => {
        const damaged = original.slice();
        for (const bit of bits) damaged[bit >> 3]! ^= 1 << (bit & 7);
        const first = Math.min(...bits.map((b) => b >> 3));
        const { hints, stats, setAside } = await reopen(damaged);
        const kept = intactBefore(first);
        expect(hints).toEqual(expected.slice(0, kept));
        const from = first < 16 ? 0 : kept === 0 ? 16 : ends[kept - 1]!;
        expect(stats).toMatchObject({ corruptFiles: 1, corruptBytes: original.length - from, replayedHints: kept });
        expect(setAside).toEqual([Buffer.from(damaged.subarray(from))]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('damage after open', () => {
  it('skips and counts a record whose checksum fails on read-back, delivering the others', async () => {
    const dir = join(await tempDir(), 'hints');
    await mkdir(dir);
    await writeFile(join(dir, SEGMENT), original);
    const warnings: string[] = [];
    const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always', now: () => NOW, onWarning: (m) => warnings.push(m) });
    const rotten = original.slice();
    rotten[ends[3]! + 20]! ^= 0x10; // a payload byte of record 4, after replay verified it
    await writeFile(join(dir, SEGMENT), rotten);
    const seen: string[] = [];
    await store.drain(PEER, async (h) => void seen.push(text(h.payload)));
    expect(seen).toEqual(expected.filter((_, i) => i !== 4));
    expect(store.stats()).toMatchObject({ corruptRecords: 1, corruptBytes: 16 + expected[4]!.length, hintCount: 0, bytes: 0 });
    expect(warnings).toEqual([expect.stringMatching(/checksum mismatch on read-back.*skipped it/)]);
    await store.close();
  });

  it('refuses a drain with a Damaged DurableStoreError naming the file when another program truncated it, and reopening recovers', async () => {
    const dir = join(await tempDir(), 'hints');
    await mkdir(dir);
    await writeFile(join(dir, SEGMENT), original);
    const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always', now: () => NOW, onWarning: () => undefined });
    await writeFile(join(dir, SEGMENT), original.subarray(0, ends[5]!));
    const failure = await store.drain(PEER, async () => undefined).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DurableStoreError);
    expect(failure).toMatchObject({
      kind: 'Damaged',
      path: join(dir, SEGMENT),
      message: expect.stringMatching(/file ends at \d+.*another program truncated it.*close and reopen the store/),
    });
    await store.close();
    expect((await reopen(original.subarray(0, ends[5]!))).hints).toEqual(expected.slice(0, 6));
  });
});
