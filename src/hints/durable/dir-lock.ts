/**
 * One process owns a hint directory at a time: a `LOCK` file holding the
 * owner's pid and a random token. The file is written under a private name
 * and `link`ed into place, which fails if `LOCK` exists, so a reader never
 * sees a half-written lock.
 */
import { randomUUID } from 'node:crypto';
import { link, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DurableStoreError } from '../../errors.js';
import { FILE_MODE, isErrno } from './fs-util.js';

/** Name of the lock file inside the store's directory. */
export const LOCK_FILE = 'LOCK';

const ATTEMPTS = 3;
const TEMP_NAME = /^LOCK\.(\d+)\.[0-9a-f-]+\.(?:tmp|stale)$/;

interface Owner {
  pid: number;
  raw: string;
}

/** A held directory lock; {@link DirLock.release} gives it up. */
export class DirLock {
  private constructor(
    /** Path of the lock file. */
    readonly path: string,
    private readonly content: string,
  ) {}

  /**
   * Takes the lock of `dir`. A lock left by a process that is no longer
   * running is taken over, and `onWarning` is told so.
   *
   * @throws DurableStoreError `Locked` if a live process (this one included,
   *   through another open store) holds it.
   */
  static async acquire(dir: string, onWarning: (message: string) => void): Promise<DirLock> {
    const lockPath = join(dir, LOCK_FILE);
    const token = randomUUID();
    const content = `${process.pid}\n${token}\n`;
    const temp = join(dir, `LOCK.${process.pid}.${token}.tmp`);
    await writeFile(temp, content, { mode: FILE_MODE, flag: 'wx' });
    try {
      for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
        try {
          await link(temp, lockPath);
          await removeLeftovers(dir);
          return new DirLock(lockPath, content);
        } catch (err) {
          if (!isErrno(err, 'EEXIST')) throw err;
        }
        const owner = await readOwner(lockPath);
        if (owner === 'gone') continue;
        if (owner !== null && isAlive(owner.pid)) {
          throw new DurableStoreError(
            'Locked',
            `hint directory ${dir} is in use by process ${owner.pid}${owner.pid === process.pid ? ' (this process: close the other store first)' : ''}; ` +
              `if no such process uses it, delete ${lockPath}`,
            lockPath,
          );
        }
        if (await removeStale(lockPath, owner, `LOCK.${process.pid}.${token}.stale`)) {
          onWarning(
            owner === null
              ? `dynoring: took over unreadable hint directory lock ${lockPath}`
              : `dynoring: took over stale lock ${lockPath} of process ${owner.pid}, which is no longer running`,
          );
        }
      }
      throw new DurableStoreError(
        'Locked',
        `hint directory ${dir}: lost the race for ${lockPath} ${ATTEMPTS} times; another process is taking it`,
        lockPath,
      );
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  /** Gives the lock up, unless another process has taken it over meanwhile. */
  async release(): Promise<void> {
    const current = await readFile(this.path, 'utf8').catch(() => null);
    if (current === this.content) await unlink(this.path);
  }
}

/** The owner named in the lock file; `null` if unreadable, `'gone'` if the file vanished. */
async function readOwner(lockPath: string): Promise<Owner | null | 'gone'> {
  let raw: string;
  try {
    raw = await readFile(lockPath, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return 'gone';
    throw err;
  }
  const pid = Number(raw.split('\n', 1)[0]);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, raw } : null;
}

/**
 * Moves the stale lock aside, then checks that what was moved is the lock
 * judged stale: if a racing process replaced it meanwhile, it is put back.
 *
 * @returns whether the stale lock was removed.
 */
async function removeStale(lockPath: string, owner: Owner | null, asideName: string): Promise<boolean> {
  const aside = join(lockPath, '..', asideName);
  try {
    await rename(lockPath, aside);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
  const moved = await readFile(aside, 'utf8');
  const expected = owner?.raw;
  if (expected !== undefined && moved !== expected) await link(aside, lockPath).catch(() => undefined);
  await unlink(aside);
  return expected === undefined || moved === expected;
}

/** Removes temporary lock files left by processes killed while taking the lock. */
async function removeLeftovers(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const pid = TEMP_NAME.exec(name)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) await unlink(join(dir, name)).catch(() => undefined);
  }
}

/** Whether a process with this pid is running (one we may not signal counts as running). */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return !isErrno(err, 'ESRCH');
  }
}
