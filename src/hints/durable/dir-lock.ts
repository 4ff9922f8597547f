/**
 * One process owns a hint directory at a time: a `LOCK` file holding the
 * owner's pid and a random token (docs/durable.md, "The lock").
 *
 * - Taking a free lock: the identity is written to a private file and
 *   `link`ed to `LOCK`, which fails if `LOCK` exists, so a reader never sees
 *   a half-written lock.
 * - Taking over a stale lock with content K: first take the claim
 *   `LOCK.claim.<hash of K>` (by the same rules, recursively, so a claimant
 *   that died is itself taken over), then, holding it, check that `LOCK`
 *   still holds K and `rename` a second name of the identity file over it.
 *   Replacing a file whose content is K requires holding K's claim, so of
 *   any number of racers exactly one replaces it; `LOCK` is never absent
 *   during a takeover, so no `link` slips in.
 * - Staleness: a lock is live if its pid runs and, when that pid is this
 *   process's own (PID 1 in a container restarts as PID 1), its token is one
 *   a store of this process holds.
 */
import { createHash, randomUUID } from 'node:crypto';
import { link, readdir, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DurableStoreError } from '../../errors.js';
import { FILE_MODE, isErrno, readStoreFile } from './fs-util.js';

/** Name of the lock file inside the store's directory. */
export const LOCK_FILE = 'LOCK';

/** Every name the lock protocol writes: `LOCK`, identity files and their second names, claims (`.stale`: older versions). */
export const LOCK_NAME = /^LOCK(?:\.(\d+)\.([0-9a-f-]{36})\.(?:tmp|link|stale)|\.claim\.[0-9a-f]{32})?$/;

const IDENTITY = /^(\d+)\n([^\n]+)\n$/;
/** Claims of claims: only as many as takers died mid-takeover in a row. */
const MAX_DEPTH = 32;

/**
 * Tokens of the locks held (or being taken) by this process, shared by every
 * copy of this module (the ESM and CommonJS bundles each load one).
 */
const HELD: Set<string> = ((globalThis as Record<symbol, unknown>)[Symbol.for('dynoring.durable.heldLockTokens')] ??=
  new Set<string>()) as Set<string>;

interface Owner {
  pid: number;
  token: string;
}

/** Who blocks a lock: a live owner, or a live process taking it over. */
interface Blocker {
  owner: Owner;
  takingOver: boolean;
}

interface Taker {
  dir: string;
  /** Our identity file. */
  identity: string;
  /** A second name of the identity file, renamed over a stale file. */
  second: string;
}

/** A held directory lock; {@link DirLock.release} gives it up. */
export class DirLock {
  private constructor(
    /** Path of the lock file. */
    readonly path: string,
    private readonly content: string,
    private readonly token: string,
  ) {}

  /**
   * Takes the lock of `dir`. A lock left by a process that is no longer
   * running is taken over, and `onWarning` is told so.
   *
   * @throws DurableStoreError `Locked` if a live process (this one included,
   *   through another open store) holds it or is taking it over;
   *   `UnsafeDirectory` if `LOCK` is not a regular file.
   */
  static async acquire(dir: string, onWarning: (message: string) => void): Promise<DirLock> {
    const lockPath = join(dir, LOCK_FILE);
    const token = randomUUID();
    const content = `${process.pid}\n${token}\n`;
    const taker: Taker = {
      dir,
      identity: join(dir, `LOCK.${process.pid}.${token}.tmp`),
      second: join(dir, `LOCK.${process.pid}.${token}.link`),
    };
    HELD.add(token);
    let held = false;
    try {
      await writeFile(taker.identity, content, { mode: FILE_MODE, flag: 'wx' });
      const blocker = await take(taker, LOCK_FILE, 0, onWarning);
      if (blocker !== null) {
        const { pid } = blocker.owner;
        const self = pid === process.pid ? ' (this process: close the other store first)' : '';
        throw new DurableStoreError(
          'Locked',
          blocker.takingOver
            ? `hint directory ${dir} is being taken over by process ${pid}${self}; try again once it has opened and closed the store`
            : `hint directory ${dir} is in use by process ${pid}${self}; if no such process uses it, delete ${lockPath}`,
          lockPath,
        );
      }
      held = true;
      await removeLeftovers(dir);
      return new DirLock(lockPath, content, token);
    } finally {
      await unlink(taker.identity).catch(() => undefined);
      await unlink(taker.second).catch(() => undefined); // left only if a rename failed
      if (!held) HELD.delete(token);
    }
  }

  /** Gives the lock up, unless another process has taken it over meanwhile. */
  async release(): Promise<void> {
    try {
      if ((await readStoreFile(this.path).catch(() => null)) === this.content) await unlink(this.path);
    } finally {
      HELD.delete(this.token);
    }
  }
}

/**
 * Makes `name` (in the taker's directory) a name of the taker's identity
 * file, taking a stale one over.
 *
 * @returns `null` once it holds `name`, else who blocks it.
 */
async function take(taker: Taker, name: string, depth: number, onWarning: (message: string) => void): Promise<Blocker | null> {
  const path = join(taker.dir, name);
  for (;;) {
    try {
      await link(taker.identity, path);
      return null;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    const stale = await readLockFile(path);
    if (stale === null) continue; // released meanwhile
    const owner = parseOwner(stale);
    if (owner !== null && isLive(owner)) return { owner, takingOver: name !== LOCK_FILE };
    if (depth >= MAX_DEPTH) {
      throw new DurableStoreError(
        'Locked',
        `hint directory ${taker.dir}: ${MAX_DEPTH} takeovers of ${path} died in a row; delete the LOCK* files`,
        path,
      );
    }
    const claim = `LOCK.claim.${createHash('sha256').update(stale).digest('hex').slice(0, 32)}`;
    const blocker = await take(taker, claim, depth + 1, onWarning);
    if (blocker !== null) return { owner: blocker.owner, takingOver: true };
    let replaced = false;
    try {
      // Holding the claim, nobody else may replace a file holding `stale`.
      if ((await readLockFile(path)) === stale) {
        await link(taker.identity, taker.second);
        await rename(taker.second, path);
        replaced = true;
      }
    } finally {
      await unlink(join(taker.dir, claim)).catch(() => undefined);
    }
    if (!replaced) continue;
    if (name === LOCK_FILE) {
      onWarning(
        owner === null
          ? `dynoring: took over unreadable hint directory lock ${path}`
          : `dynoring: took over stale lock ${path} of process ${owner.pid}, which is no longer running`,
      );
    }
    return null;
  }
}

/** The content of a lock or claim file; `null` if it vanished. */
async function readLockFile(path: string): Promise<string | null> {
  try {
    return await readStoreFile(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    if (isErrno(err, 'ELOOP') || isErrno(err, 'EISDIR') || isErrno(err, 'ENOTREG')) {
      throw new DurableStoreError(
        'UnsafeDirectory',
        `${path} is not a regular file (a symlink or a directory): the store did not write it; remove it`,
        path,
      );
    }
    throw err;
  }
}

function parseOwner(raw: string): Owner | null {
  const m = IDENTITY.exec(raw);
  if (!m) return null;
  const pid = Number(m[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, token: m[2]! } : null;
}

/** Removes identity files and claims left by processes killed while taking the lock. */
async function removeLeftovers(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name === LOCK_FILE) continue;
    const m = LOCK_NAME.exec(name);
    if (m === null) continue;
    const path = join(dir, name);
    // An identity file names its owner; a claim holds its claimant's identity.
    const owner = m[1] !== undefined ? { pid: Number(m[1]), token: m[2]! } : parseOwner((await readLockFile(path).catch(() => null)) ?? '');
    if (owner === null || !isLive(owner)) await unlink(path).catch(() => undefined);
  }
}

/** Whether the lock of `owner` is held: its process runs (one we may not signal counts as running) and, if it is us, a store of ours holds it. */
function isLive(owner: Owner): boolean {
  if (owner.pid === process.pid) return HELD.has(owner.token);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return !isErrno(err, 'ESRCH');
  }
}
