import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableHintStore, DurableStoreError } from '../../../src/durable.js';
import { bytes, useTempDirs } from './helpers.js';

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

/** The pid of a Node process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
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

  it('warns through process.emitWarning by default', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'LOCK'), 'garbage');
    const seen = new Promise<Error>((resolve) => process.once('warning', resolve));
    const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'never' });
    expect((await seen).message).toContain('unreadable hint directory lock');
    await store.close();
  });
});
