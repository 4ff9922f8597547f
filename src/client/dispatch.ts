/**
 * Turning one classified command into attempts: its candidates, the
 * refusals that happen before anything is sent (empty hash tags, keys on
 * different nodes), and the split and merge of MGET, MSET, DEL and EXISTS.
 */
import { CommandRefusedError } from '../errors.js';
import { hasEmptyHashTag } from '../ring/key-hashing.js';
import type { Arg, Classified } from './commands.js';
import type { Candidates } from './failover.js';
import type { Router } from './routing.js';

/** One request to one owner chain: a whole command, or the part of a split one that shares owners. */
export interface Part {
  name: string;
  args: Arg[];
  retrySafe: boolean;
  candidates: Candidates;
  /** For a split command: the positions in the caller's key list this part's keys came from. */
  positions?: number[];
}

/** A command ready to send: its parts, and how their replies become the caller's reply. */
export interface Plan {
  /** The command as classified. */
  command: Classified;
  parts: Part[];
  merge(replies: unknown[]): unknown;
}

const describeKey = (k: Arg) => (typeof k === 'string' ? `'${k}'` : Buffer.isBuffer(k) ? `'${k.toString('latin1')}'` : String(k));

function checkTags(c: Classified, keys: readonly Arg[], router: Router, allowEmptyHashTag: boolean): void {
  const tag = router.topology.hashTag;
  if (tag === undefined || allowEmptyHashTag) return;
  for (const k of keys) {
    if (hasEmptyHashTag(typeof k === 'number' ? String(k) : k, tag)) {
      throw new CommandRefusedError(
        'EmptyHashTag',
        c.name,
        `key ${describeKey(k)} has an empty hash tag '${tag}', which crashes the coordinating Dynomite node (SIGSEGV) on a cluster ` +
          'of two or more racks; nothing was sent. Put the part to hash between the tag characters, or pass allowEmptyHashTag: true',
      );
    }
  }
}

const keylessPart = (c: Classified, args: Arg[], router: Router): Part => {
  const chain = router.keylessChain();
  return { name: c.name, args, retrySafe: c.retrySafe, candidates: (p) => chain[p] };
};

/**
 * Plans a command: one part for a single owner chain, or one per owner
 * chain for MGET, MSET, DEL and EXISTS.
 *
 * @throws {CommandRefusedError} `EmptyHashTag` or `KeysOnDifferentNodes`.
 */
export function plan(c: Classified, args: Arg[], router: Router, allowEmptyHashTag: boolean): Plan {
  const r = c.routing;
  if (r.kind === 'keyless') return single(c, keylessPart(c, args, router));
  checkTags(c, r.keys, router, allowEmptyHashTag);
  if (r.kind === 'keyed') {
    const token = router.token(r.keys[0]!);
    if (r.keys.length > 1) {
      const first = router.chain(token).join(',');
      for (let i = 1; i < r.keys.length; i++) {
        if (router.chain(router.token(r.keys[i]!)).join(',') !== first) {
          throw new CommandRefusedError(
            'KeysOnDifferentNodes',
            c.name,
            `${c.name.toUpperCase()} keys ${describeKey(r.keys[0]!)} and ${describeKey(r.keys[i]!)} have different owners, and Dynomite ` +
              'answers such a command wrongly; nothing was sent. Give the keys a common hash tag (e.g. {user:42}) to keep them together',
          );
        }
      }
    }
    return single(c, { name: c.name, args, retrySafe: c.retrySafe, candidates: (p) => router.ownerAt(token, p) });
  }
  // Split by owner chain: each group keeps its keys (with their values, for MSET) in the caller's order.
  const groups = new Map<string, Part>();
  const step = r.step;
  for (let i = 0; i < r.keys.length; i++) {
    const chain = router.chain(router.token(r.keys[i]!));
    const key = chain.join(',');
    let part = groups.get(key);
    if (!part) {
      part = { name: c.name, args: [], retrySafe: c.retrySafe, candidates: (p) => chain[p], positions: [] };
      groups.set(key, part);
    }
    for (let s = 0; s < step; s++) part.args.push(args[i * step + s]!);
    part.positions!.push(i);
  }
  const parts = [...groups.values()];
  return { command: c, parts, merge: (replies) => mergeSplit(c.name, parts, replies, r.keys.length) };
}

const firstReply = (replies: unknown[]) => replies[0];
const single = (command: Classified, part: Part): Plan => ({ command, parts: [part], merge: firstReply });

/** Merges the replies of a split command's parts (each with the caller's key positions it took) in the caller's order. */
export function mergeSplit(name: string, parts: readonly Pick<Part, 'positions'>[], replies: unknown[], count: number): unknown {
  if (parts.length === 1) return replies[0];
  if (name === 'mget') {
    const out: unknown[] = new Array(count);
    parts.forEach((part, p) => part.positions!.forEach((at, i) => (out[at] = (replies[p] as unknown[])[i])));
    return out;
  }
  if (name === 'mset') return replies[0];
  return replies.reduce((sum: number, n) => sum + Number(n), 0);
}
