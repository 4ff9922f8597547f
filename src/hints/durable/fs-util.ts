/** Small file-system steps the durable store composes, each with its crash-safety reason. */
import { closeSync, constants, fsyncSync, openSync, unlinkSync } from 'node:fs';
import { lstat, open, unlink, type FileHandle } from 'node:fs/promises';

/** Mode of every file the store creates: private to the user. */
export const FILE_MODE = 0o600;
/** Mode of the directory when the store creates it. */
export const DIR_MODE = 0o700;

// Never through a symlink (docs/durable.md, "The directory"): a planted one must not redirect a write.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
/** Flags to read a store file. */
export const READ = constants.O_RDONLY | NOFOLLOW;
/** Flags to read and change a store file. */
export const UPDATE = constants.O_RDWR | NOFOLLOW;
/** Flags to create a store file: exclusive, so neither an existing file nor a symlink is ever written through. */
export const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;

/**
 * Creates the temporary file `path` of an atomic replacement. One already
 * there is not ours (ours are removed at open and after each use): its name
 * is removed, it is never written through.
 */
export async function createTemp(path: string): Promise<FileHandle> {
  return open(path, CREATE, FILE_MODE).catch(async (err: unknown) => {
    if (!isErrno(err, 'EEXIST')) throw err;
    await unlink(path);
    return open(path, CREATE, FILE_MODE);
  });
}

/** {@link createTemp}, synchronously: a file descriptor. */
export function createTempSync(path: string): number {
  try {
    return openSync(path, CREATE, FILE_MODE);
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err;
    unlinkSync(path);
    return openSync(path, CREATE, FILE_MODE);
  }
}

/**
 * Opens a file the store wrote, refusing anything but a regular file (a
 * symlink fails with `ELOOP`, anything else with `ENOTREG`), without
 * blocking on a FIFO.
 */
export async function openStoreFile(path: string, flags: number): Promise<FileHandle> {
  if (!(await lstat(path)).isFile()) throw notRegular(path);
  const handle = await open(path, flags);
  if (!(await handle.stat()).isFile()) {
    await handle.close();
    throw notRegular(path);
  }
  return handle;
}

/** The content of a small store file (a lock), read as {@link openStoreFile} does. */
export async function readStoreFile(path: string): Promise<string> {
  const handle = await openStoreFile(path, READ);
  try {
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * fsyncs a directory, so that entries created, renamed or removed in it
 * survive a power loss (on Linux a file's own fsync does not cover its name).
 */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** {@link syncDir}, synchronously. */
export function syncDirSync(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Whether `err` is a Node system error with errno code `code`. */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

function notRegular(path: string): Error {
  return Object.assign(new Error(`ENOTREG: not a regular file: ${path}`), { code: 'ENOTREG', path });
}
