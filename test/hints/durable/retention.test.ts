import { appendFile, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DurableHintStore } from '../../../src/durable.js';
import { bytes, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const SEGMENT = 'hints-1-0000000000.log';

/** Opens `dir`, stores a hint, closes, and appends `garbage` to the segment, so the next open sets it aside. */
async function damageOnce(dir: string, garbage: Uint8Array, options: object) {
  const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'never', onWarning: () => undefined, ...options });
  await store.enqueue(1, bytes('kept'), 3_600_000);
  await store.close();
  await appendFile(join(dir, SEGMENT), garbage);
}

const corruptOnDisk = async (dir: string) => (await readdir(dir)).filter((n) => n.endsWith('.corrupt')).sort();

it('keeps only the newest .corrupt files within the file limit, deleting older ones with a warning, and lists them', async () => {
  const dir = join(await tempDir(), 'hints');
  const options = { keepCorruptFiles: 3 };
  for (let round = 0; round < 8; round++) await damageOnce(dir, new Uint8Array(20 + round).fill(round + 1), options);
  const warnings: string[] = [];
  const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'never', onWarning: (m) => warnings.push(m), ...options });
  const onDisk = await corruptOnDisk(dir);
  expect(onDisk).toHaveLength(3);
  const listed = store.setAsideFiles();
  expect(listed.map((f) => f.path).sort()).toEqual(onDisk.map((n) => join(dir, n)));
  for (const f of listed) expect(f.bytes).toBe((await stat(f.path)).size);
  // The newest three hold the last three rounds' garbage, newest first.
  expect(await Promise.all(listed.map(async (f) => (await readFile(f.path))[0]))).toEqual([8, 7, 6]);
  expect(store.totalLen()).toBe(8);
  expect(warnings.filter((w) => w.includes('deleted set-aside file'))).toHaveLength(1);
  await store.close();
});

it('keeps the set-aside bytes within the byte limit, but always the newest file', async () => {
  const dir = join(await tempDir(), 'hints');
  const options = { keepCorruptBytes: 100 };
  for (let round = 0; round < 5; round++) await damageOnce(dir, new Uint8Array(40).fill(round + 1), options);
  let store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'never', onWarning: () => undefined, ...options });
  expect(store.setAsideFiles().map((f) => f.bytes)).toEqual([40, 40]);
  expect(await corruptOnDisk(dir)).toHaveLength(2);
  await store.close();
  await damageOnce(dir, new Uint8Array(500).fill(9), options);
  store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'never', onWarning: () => undefined, ...options });
  expect(store.setAsideFiles().map((f) => f.bytes)).toEqual([500]);
  expect(await corruptOnDisk(dir)).toHaveLength(1);
  await store.close();
});

it('lists no set-aside file for a clean directory, and the file it just wrote after damage', async () => {
  const dir = join(await tempDir(), 'hints');
  let store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'never' });
  expect(store.setAsideFiles()).toEqual([]);
  await store.close();
  await damageOnce(dir, new Uint8Array(5).fill(1), {});
  store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'never', onWarning: () => undefined });
  expect(store.setAsideFiles()).toEqual([{ path: join(dir, `${SEGMENT}.36.corrupt`), bytes: 5 }]);
  await store.close();
});
