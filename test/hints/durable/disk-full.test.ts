import { open as openFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { DurableHintStore } from '../../../src/durable.js';
import { text, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
afterEach(() => {
  vi.restoreAllMocks();
});

/** Node's FileHandle class, whose `write` every write of the store goes through. */
async function fileHandlePrototype(dir: string) {
  const handle = await openFile(join(dir, 'probe'), 'w');
  await handle.close();
  return Object.getPrototypeOf(handle) as { write: (...args: unknown[]) => Promise<{ bytesWritten: number }> };
}

/** Lets `free` more bytes be written (a short write at the limit), then fails every write with ENOSPC, as a full disk does. */
function fillDiskAfter(proto: Awaited<ReturnType<typeof fileHandlePrototype>>, free: number) {
  const real = proto.write;
  return vi.spyOn(proto, 'write').mockImplementation(function (
    this: unknown,
    buf: unknown,
    offset: unknown,
    length: unknown,
    position: unknown,
  ) {
    if (free <= 0)
      return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 }));
    const n = Math.min(Number(length), free);
    free -= n;
    return real.call(this, buf, offset, n, position);
  });
}

/** Names and sizes of the segment files on disk. */
async function disk(dir: string) {
  const out: Record<string, number> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = (await stat(join(dir, name))).size;
  return out;
}

it('a failed enqueue on a full disk leaves the directory as it was, and stats match the disk', async () => {
  const root = await tempDir();
  const proto = await fileHandlePrototype(root);
  const dir = join(root, 'hints');
  const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always', segmentBytes: 256, onWarning: () => undefined });
  const payload = (i: number) => new TextEncoder().encode(`hint-${i}-${'x'.repeat(40)}`);
  let i = 0;
  for (; i < 12; i++) await store.enqueue(i % 3, payload(i), 60_000);
  const before = await disk(dir);
  const statsBefore = store.stats();

  for (const free of [0, 7, 16, 30, 0, 62]) {
    const full = fillDiskAfter(proto, free);
    // Enough hints to fill each peer's active segment and rotate to new ones.
    for (let k = 0; k < 12; k++) await expect(store.enqueue(k % 3, payload(1000 + k), 60_000)).rejects.toMatchObject({ code: 'ENOSPC' });
    full.mockRestore();
    expect(await disk(dir), `after ${free} free bytes`).toEqual(before);
    expect(store.stats()).toEqual(statsBefore);
  }
  const logs = Object.entries(before).filter(([name]) => name.endsWith('.log'));
  expect(statsBefore).toMatchObject({ segmentFiles: logs.length, diskBytes: logs.reduce((n, [, size]) => n + size, 0), hintCount: 12 });

  // Space is back: the store goes on, and only acknowledged hints exist.
  await store.enqueue(0, payload(i), 60_000);
  await store.close();
  const again = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always', onWarning: () => undefined });
  expect(again.stats()).toMatchObject({ replayedHints: 13, corruptFiles: 0 });
  expect((await again.takeFor(0)).map((h) => text(h.payload).split('-')[1])).toEqual(['0', '3', '6', '9', '12']);
  await again.close();
});
