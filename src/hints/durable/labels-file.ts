/**
 * The store's labels file: what each peer number stood for (a coordinator
 * records each peer's `host:port`), so that a process that numbers the
 * peers differently is caught before it replays hints to the wrong server.
 * It is replaced atomically (temporary file, fsync, rename, fsync the
 * directory): a crash leaves the old labels or the new ones.
 */
import { rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { checkLabels } from '../hint.js';
import { createTemp, readStoreFile, syncDir } from './fs-util.js';

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
  const peers = (parsed as { format?: unknown; peers?: unknown } | null)?.peers;
  if ((parsed as { format?: unknown }).format !== FORMAT || typeof peers !== 'object' || peers === null) {
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

/** Replaces the labels file of `dir` with `labels`, durably. */
export async function writeLabels(dir: string, labels: ReadonlyMap<number, string>): Promise<void> {
  const temp = join(dir, LABELS_TEMP);
  const peers = Object.fromEntries([...labels].sort(([a], [b]) => a - b));
  const out = await createTemp(temp);
  try {
    await out.writeFile(`${JSON.stringify({ format: FORMAT, peers }, null, 2)}\n`);
    await out.sync();
    await out.close();
    await rename(temp, join(dir, LABELS_NAME));
  } catch (err) {
    await out.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}
