import { appendFile, chmod, chown, lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DurableHintStore, DurableStoreError } from '../../../src/durable.js';
import { bytes, text, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

async function open(dir: string, warnings: string[] = [], extra: object = {}) {
  return DurableHintStore.open(dir, { maxBytes: 0, sync: 'always', onWarning: (m) => warnings.push(m), ...extra });
}

/** Every entry of `dir` with what it is and holds, to compare before and after. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    const path = join(dir, name);
    const info = await lstat(path);
    if (info.isSymbolicLink()) out[name] = `symlink -> ${await readlink(path)}`;
    else if (info.isDirectory()) out[name] = `dir ${(info.mode & 0o777).toString(8)}`;
    else out[name] = `file ${(info.mode & 0o777).toString(8)} ${(await readFile(path)).toString('hex')}`;
  }
  return out;
}

describe('the directory is the store’s alone', () => {
  it.skipIf(!isRoot)('refuses a directory owned by another user, naming it and the fix', async () => {
    const dir = join(await tempDir(), 'hints');
    await mkdir(dir, { mode: 0o700 });
    await chown(dir, NOBODY, NOBODY);
    const err = await open(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DurableStoreError);
    expect(err).toMatchObject({ kind: 'UnsafeDirectory', path: dir });
    expect((err as Error).message).toMatch(new RegExp(`${dir} is owned by uid ${NOBODY}.*chown`));
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses a directory writable by group or others, and accepts one only readable by them', async () => {
    const dir = join(await tempDir(), 'hints');
    await mkdir(dir);
    for (const mode of [0o777, 0o770, 0o702]) {
      await chmod(dir, mode);
      const err = await open(dir).catch((e: unknown) => e);
      expect(err, mode.toString(8)).toMatchObject({ kind: 'UnsafeDirectory', path: dir });
      expect((err as Error).message).toContain(`chmod 700 ${dir}`);
      expect(await readdir(dir)).toEqual([]);
    }
    await chmod(dir, 0o755);
    const store = await open(dir);
    await store.close();
  });

  it('never writes through a symlink planted where compaction writes, even to a file of the user', async () => {
    const dir = join(await tempDir(), 'hints');
    const store = await open(dir, [], { segmentBytes: 100_000 });
    for (let i = 0; i < 10; i++) await store.enqueue(3, bytes(`hint ${i}`), 60_000);
    const victim = join(await tempDir(), 'shadow');
    await writeFile(victim, 'root:x:0:0', { mode: 0o600 });
    await symlink(victim, join(dir, 'hints-3-0000000000.log.compact'));
    let n = 0;
    await store
      .drain(3, async () => {
        if (++n > 4) throw new Error('stop'); // a partial drain compacts the segment
      })
      .catch(() => undefined);
    expect(await readFile(victim, 'utf8')).toBe('root:x:0:0');
    expect((await stat(victim)).mode & 0o777).toBe(0o600);
    expect(store.lenFor(3)).toBe(6);
    expect(store.stats().diskBytes).toBe((await stat(join(dir, 'hints-3-0000000000.log'))).size);
    await store.close();
    const again = await open(dir);
    expect((await again.takeFor(3)).map((h) => text(h.payload))).toEqual(Array.from({ length: 6 }, (_, i) => `hint ${i + 4}`));
    await again.close();
  });

  it('sets damaged bytes aside beside a symlink planted at the .corrupt name, never through it', async () => {
    const dir = join(await tempDir(), 'hints');
    const store = await open(dir);
    await store.enqueue(3, bytes('kept'), 60_000);
    await store.close();
    await appendFile(join(dir, 'hints-3-0000000000.log'), new Uint8Array(20).fill(7));
    const victim = join(await tempDir(), 'victim');
    await writeFile(victim, 'precious');
    await symlink(victim, join(dir, 'hints-3-0000000000.log.36.corrupt'));
    const warnings: string[] = [];
    const again = await open(dir, warnings);
    expect(await readFile(victim, 'utf8')).toBe('precious');
    expect(await readFile(join(dir, 'hints-3-0000000000.log.36.1.corrupt'))).toEqual(Buffer.alloc(20, 7));
    expect(again.setAsideFiles()).toEqual([{ path: join(dir, 'hints-3-0000000000.log.36.1.corrupt'), bytes: 20 }]);
    expect(warnings[0]).toContain(`${join(dir, 'hints-3-0000000000.log.36.corrupt')} is a symlink`);
    expect(again.lenFor(3)).toBe(1);
    await again.close();
  });
});

describe('files the store did not write', () => {
  it('are named in one warning each and left exactly as they were, while the real segment is replayed once', async () => {
    const dir = join(await tempDir(), 'hints');
    let store = await open(dir);
    for (const h of ['a', 'b', 'c']) await store.enqueue(3, bytes(h), 60_000);
    await store.close();
    const segment = await readFile(join(dir, 'hints-3-0000000000.log'));
    const outside = await tempDir();
    const strangers = {
      'hints-3-7.log': segment, // a copy under a name the store never writes
      'hints-03-0000000000.log': segment,
      'hints-3-0000000001.log.bak': segment,
      'hints-3-000000001.log': segment,
      'notes.compact': bytes('my notes'),
      'hints-9-0000000000.log.compact.txt': bytes('x'),
      README: bytes('hello'),
      'hints-3-0000000000.log.x.corrupt': bytes('y'),
    };
    for (const [name, content] of Object.entries(strangers)) await writeFile(join(dir, name), content);
    await mkdir(join(dir, 'hints-4-0000000000.log'));
    await symlink(join(outside, 'nowhere'), join(dir, 'hints-5-0000000000.log'));
    await writeFile(join(outside, 'target'), 'target bytes');
    await symlink(join(outside, 'target'), join(dir, 'hints-6-0000000000.log'));
    await symlink(join(outside, 'target'), join(dir, 'hints-6-0000000000.log.compact'));
    const before = await snapshot(dir);

    const warnings: string[] = [];
    store = await open(dir, warnings);
    const names = [
      ...Object.keys(strangers),
      'hints-4-0000000000.log',
      'hints-5-0000000000.log',
      'hints-6-0000000000.log',
      'hints-6-0000000000.log.compact',
    ];
    expect(warnings).toHaveLength(names.length);
    for (const name of names) expect(warnings.filter((w) => w.includes(join(dir, name) + ' '))).toHaveLength(1);
    expect(warnings.every((w) => w.includes('left it alone'))).toBe(true);
    expect(store.stats()).toMatchObject({ replayedHints: 3, segmentFiles: 1 });
    expect(store.peersWithHints()).toEqual([3]);
    const seen: string[] = [];
    await store.drain(3, async (h) => void seen.push(text(h.payload)));
    expect(seen).toEqual(['a', 'b', 'c']);
    // Peers whose segment name is taken by something else still get segments of their own.
    for (const peer of [4, 5, 6]) await store.enqueue(peer, bytes(`to ${peer}`), 60_000);
    await store.close();

    const after = await snapshot(dir);
    delete before['hints-3-0000000000.log'];
    for (const peer of [4, 5, 6]) {
      expect(after[`hints-${peer}-0000000001.log`]).toMatch(/^file 600 /);
      delete after[`hints-${peer}-0000000001.log`];
    }
    expect(after).toEqual(before);
    expect(await readFile(join(outside, 'target'), 'utf8')).toBe('target bytes');

    store = await open(dir, []);
    expect(store.peersWithHints()).toEqual([4, 5, 6]);
    await store.close();
  });
});
