/** Small file-system steps the durable store composes, each with its crash-safety reason. */
import { open } from 'node:fs/promises';

/** Mode of every file the store creates: private to the user. */
export const FILE_MODE = 0o600;
/** Mode of the directory when the store creates it. */
export const DIR_MODE = 0o700;

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

/** Whether `err` is a Node system error with errno code `code`. */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
