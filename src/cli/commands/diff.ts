/** `dynoring diff`: which token ranges change owner between two configurations. */
import { readFile } from 'node:fs/promises';
import { countMovedKeys, diffPeers } from '../../index.js';
import { InputError, UsageError } from '../../errors.js';
import type { Command } from '../command.js';
import { fileFailure } from '../file-failure.js';
import { EXIT } from '../io.js';
import { liveHashingHelp, LIVE_HASHING_OPTIONS, liveHashing, loadConfigs, loadLive } from '../load.js';
import { renderMoves } from './moves-text.js';

const help = `usage: dynoring diff [--keys FILE] [--json] OLD... -- NEW...
       dynoring diff [--keys FILE [--hash NAME] [--hash-tag XY]] [--json] --live URL NEW...

Compares two configurations of a pool (each one or more nodes' dynomite.yml
files or seed lists, merged): for every rack, the token ranges that change
owner, from which node to which (a node is its host:port), and the fraction
of the key space that moves, computed exactly from range lengths; then each
rack's balance (max/mean) before and after. With --live URL, the old side
is the running cluster as a node's admin port reports it (GET
/cluster_describe; first tokens only). The admin port does not say the
pool's hash: --keys hashes the live side with --hash and --hash-tag
(default murmur and no hash_tag, with a note on stderr saying so).

Options:
  --keys FILE  also route the keys in FILE (one per line, as UTF-8 bytes)
               with each side's hash and hash_tag and count those that move
  --live URL   compare a running node's view (the old side) with NEW...
${liveHashingHelp(15)}
  --json       print the result as JSON
  -h, --help   show this help

Exit status: 0 compared (whatever moves), 2 bad arguments, or a file that
cannot be read or parsed.
`;

/** The `diff` command. */
export const diffCommand: Command = {
  name: 'diff',
  summary: 'show the token ranges that change owner between two configurations',
  help,
  options: { keys: { type: 'string' }, json: { type: 'boolean' }, live: { type: 'string' }, ...LIVE_HASHING_OPTIONS },
  async run(args, io) {
    const live = args.values.live as string | undefined;
    if (!args.afterTerminator && live === undefined)
      throw new UsageError("separate the old files from the new with '--': diff OLD... -- NEW...", 'diff');
    if (live !== undefined && args.afterTerminator && args.positionals.length > 0)
      throw new UsageError('with --live, the running cluster is the old side: name only the new files', 'diff');
    const { hashing, note } = liveHashing('diff', args.values, live);
    const before = live === undefined ? await loadConfigs('diff', args.positionals) : await loadLive(live, hashing);
    const after = await loadConfigs(
      'diff',
      live === undefined ? args.afterTerminator! : [...args.positionals, ...(args.afterTerminator ?? [])],
    );
    const diff = diffPeers(before.config.peers, after.config.peers);
    const keysFile = args.values.keys as string | undefined;
    if (keysFile !== undefined) io.err(note);
    const keys = keysFile === undefined ? undefined : countMovedKeys(before.topology, after.topology, await readKeys(keysFile));
    io.out(args.values.json ? `${JSON.stringify({ ...diff, ...(keys ? { keys } : {}) }, null, 2)}\n` : renderMoves(diff, keys));
    return EXIT.ok;
  },
};

/** The keys of a file, one per line (a CR before the newline and a final newline dropped), back to back with their offsets. */
async function readKeys(file: string): Promise<{ bytes: Uint8Array; offsets: Uint32Array }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new InputError(
      `${file}: cannot read the keys: ${fileFailure(err as NodeJS.ErrnoException, 'no such file', 'it is a directory')}`,
      file,
    );
  }
  const packed = new Uint8Array(bytes.length);
  const offsets = [0];
  for (let start = 0; start < bytes.length;) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    packed.set(bytes.subarray(start, stop), offsets[offsets.length - 1]!);
    offsets.push(offsets[offsets.length - 1]! + stop - start);
    start = end + 1;
  }
  return { bytes: packed.subarray(0, offsets[offsets.length - 1]!), offsets: Uint32Array.from(offsets) };
}
