/**
 * The store's labels file: what each peer number stood for (a coordinator
 * records each peer's `host:port`), so that a process that numbers the
 * peers differently is caught before it replays hints to the wrong server.
 * It is replaced atomically (temporary file, fsync, rename, fsync the
 * directory): a crash leaves the old labels or the new ones.
 */
import { closeSync, fsyncSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkLabels } from '../hint.js';
import { createTempSync, readStoreFile, syncDirSync } from './fs-util.js';

/** The labels file's name in the store's directory. */
export const LABELS_NAME = 'peers.json';
/** Its temporary name while being replaced; one left by a crash is deleted at open. */
export const LABELS_TEMP = `${LABELS_NAME}.tmp`;
/** The file's format number: `{ "format": 1, "peers": { "<peer>": "<label>" } }`. */
const FORMAT = 1;

/**
 * Reads the labels file of `dir`.
 *
 * @returns the labels, or what is wrong with the file (the caller warns and
 *   starts without labels: they guard hints, they are not hints).
 */
export async function readLabels(dir: string): Promise<Map<number, string> | string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readStoreFile(join(dir, LABELS_NAME)));
  } catch (err) {
    return `cannot be read (${(err as Error).message})`;
  }
  const file = parsed as { format?: unknown; peers?: unknown } | null;
  const peers = file?.peers;
  if (file?.format !== FORMAT || typeof peers !== 'object' || peers === null || Array.isArray(peers)) {
    return `is not a labels file of format ${FORMAT}`;
  }
  const labels = new Map<number, unknown>();
  for (const [key, label] of Object.entries(peers)) {
    const peer = Number(key);
    if (String(peer) !== key) return `names a peer '${key}', which is not a peer index`;
    labels.set(peer, label);
  }
  try {
    checkLabels(labels);
  } catch (err) {
    return `is damaged: ${(err as Error).message}`;
  }
  return labels as Map<number, string>;
}

/**
 * Replaces the labels file of `dir` with `labels`, synchronously: the
 * caller changes its numbering in the same turn of the event loop, so no
 * hint can be stored between the two. It is a small file, written only
 * when the numbering changes.
 *
 * @returns once renamed into place; a directory fsync that then fails is
 *   passed to `onWarning` (the rename may not survive a power loss).
 * @throws Node's errors when the file could not be replaced: the old one is
 *   then in place, and no temporary file is left.
 */
export function writeLabels(dir: string, labels: ReadonlyMap<number, string>, onWarning: (message: string) => void): void {
  const temp = join(dir, LABELS_TEMP);
  const path = join(dir, LABELS_NAME);
  const peers = Object.fromEntries([...labels].sort(([a], [b]) => a - b));
  const fd = createTempSync(temp);
  let open = true;
  try {
    writeFileSync(fd, `${JSON.stringify({ format: FORMAT, peers }, null, 2)}\n`);
    fsyncSync(fd);
    closeSync(fd);
    open = false;
    renameSync(temp, path);
  } catch (err) {
    if (open) closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  try {
    syncDirSync(dir);
  } catch (err) {
    onWarning(`dynoring: could not fsync ${dir} after replacing ${path} (${String(err)}); the new labels may not survive a power loss`);
  }
}
