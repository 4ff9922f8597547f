import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DurableHintStore, DurableStoreError } from '../../../src/durable.js';
import { BUNDLE, bytes, deadPid, requireBundle, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const children: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

const options = (warnings: string[] = []) => ({ maxBytes: 0, sync: 'always' as const, onWarning: (m: string) => warnings.push(m) });

/** Starts a Node process that idles until killed; resolves with its pid. */
async function liveProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid!;
}

describe('directory lock', () => {
  it('refuses a directory another live process owns, naming the process and the lock file', async () => {
    const dir = await tempDir();
    const pid = await liveProcess();
    await writeFile(join(dir, 'LOCK'), `${pid}\nsome-token\n`);
    const err = await DurableHintStore.open(dir, options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DurableStoreError);
    expect(err).toMatchObject({ kind: 'Locked', path: join(dir, 'LOCK') });
    expect((err as Error).message).toContain(`process ${pid}`);
    expect(await readFile(join(dir, 'LOCK'), 'utf8')).toBe(`${pid}\nsome-token\n`); // left alone
  });

  it('refuses a second store on the same directory in this process until the first is closed', async () => {
    const dir = await tempDir();
    const first = await DurableHintStore.open(dir, options());
    await expect(DurableHintStore.open(dir, options())).rejects.toMatchObject({ kind: 'Locked' });
    await first.enqueue(1, bytes('kept'), 60_000);
    await first.close();
    const second = await DurableHintStore.open(dir, options());
    expect(second.lenFor(1)).toBe(1);
    await second.close();
  });

  it('takes over a stale lock of a dead process, with a warning, and keeps the hints', async () => {
    const dir = await tempDir();
    const store = await DurableHintStore.open(dir, options());
    await store.enqueue(2, bytes('survivor'), 60_000);
    await store.close();
    const pid = await deadPid();
    await writeFile(join(dir, 'LOCK'), `${pid}\nold-token\n`);
    const warnings: string[] = [];
    const reopened = await DurableHintStore.open(dir, options(warnings));
    expect(warnings).toEqual([expect.stringContaining(`stale lock ${join(dir, 'LOCK')} of process ${pid}`)]);
    expect((await readFile(join(dir, 'LOCK'), 'utf8')).split('\n')[0]).toBe(String(process.pid));
    expect(reopened.lenFor(2)).toBe(1);
    await reopened.close();
  });

  it('takes over a lock with this process’s pid but a token no store of this process holds (a restart as PID 1)', async () => {
    const dir = await tempDir();
    const store = await DurableHintStore.open(dir, options());
    await store.enqueue(2, bytes('survivor'), 60_000);
    await store.close();
    await writeFile(join(dir, 'LOCK'), `${process.pid}\n${randomUUID()}\n`);
    const warnings: string[] = [];
    const reopened = await DurableHintStore.open(dir, options(warnings));
    expect(warnings).toEqual([expect.stringContaining(`stale lock ${join(dir, 'LOCK')} of process ${process.pid}`)]);
    expect(reopened.lenFor(2)).toBe(1);
    // The lock it now holds is live: a second store of this process is refused.
    await expect(DurableHintStore.open(dir, options())).rejects.toMatchObject({ kind: 'Locked' });
    await reopened.close();
  });

  it('takes over a stale lock whose previous taker died holding the claim, and removes the leftovers', async () => {
    const dir = await tempDir();
    const pid = await deadPid();
    const stale = `${pid}\n${randomUUID()}\n`;
    const claimant = `${await deadPid()}\n${randomUUID()}\n`;
    const claim = `LOCK.claim.${createHash('sha256').update(stale).digest('hex').slice(0, 32)}`;
    await writeFile(join(dir, 'LOCK'), stale);
    await writeFile(join(dir, claim), claimant);
    const store = await DurableHintStore.open(dir, options());
    expect(await readdir(dir)).toEqual(['LOCK']);
    await store.close();
  });

  it('refuses a LOCK that is a symlink, leaving its target alone', async () => {
    const dir = await tempDir();
    const target = join(await tempDir(), 'precious');
    await writeFile(target, 'root-owned data');
    await symlink(target, join(dir, 'LOCK'));
    await expect(DurableHintStore.open(dir, options())).rejects.toMatchObject({ kind: 'UnsafeDirectory', path: join(dir, 'LOCK') });
    expect(await readFile(target, 'utf8')).toBe('root-owned data');
  });

  it('warns through process.emitWarning by default', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'LOCK'), 'garbage');
    // Captured here, so the test run does not print it.
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'never' });
      expect(emit).toHaveBeenCalledWith(expect.stringContaining('unreadable hint directory lock'), {
        type: 'DynoringWarning',
        code: 'DYNORING_DURABLE_HINTS',
      });
      await store.close();
    } finally {
      emit.mockRestore();
    }
  });
});

describe('one process, two module systems', () => {
  beforeAll(requireBundle);

  it('a store opened through the CommonJS bundle is live to the ESM bundle, and the other way round', async () => {
    const esm = (await import(pathToFileURL(BUNDLE).href)) as typeof import('../../../src/durable.js');
    const cjs = createRequire(import.meta.url)(BUNDLE.replace(/\.js$/, '.cjs')) as typeof import('../../../src/durable.js');
    const dir = await tempDir();
    for (const [first, second] of [
      [esm, cjs],
      [cjs, esm],
    ] as const) {
      const store = await first.DurableHintStore.open(dir, options());
      await expect(second.DurableHintStore.open(dir, options())).rejects.toMatchObject({ kind: 'Locked' });
      await store.close();
    }
  });
});
