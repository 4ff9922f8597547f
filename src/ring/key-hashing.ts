import { ConfigError } from '../errors.js';
import { checkHashName, hashId, type HashName } from '../hash/functions.js';
import { tokenOf } from '../engine/js-kernel.js';
import type { KeyHashing } from '../engine/kernel.js';
import { describe } from './token.js';

/** How keys become tokens: a pool's `hash:` and `hash_tag:` settings. */
export interface HashOptions {
  /**
   * Hash function name, as `hash:` in `dynomite.yml`. Checked at run time too,
   * for JavaScript callers.
   *
   * @default 'murmur', as in Dynomite
   */
  hash?: HashName;
  /**
   * Two ASCII characters, e.g. `'{}'`. When a key holds the first and the
   * second after it, only the bytes strictly between them are hashed, so
   * `user:{42}:name` and `user:{42}:mail` land together. An empty tag
   * (`a{}b`) hashes zero bytes, as the server's multi-key path and the Dyno
   * client do; note that the server's single-key path instead sends such a key
   * to the local node, so servers can place it differently.
   */
  hashTag?: string;
}

/** Defaults of {@link HashOptions}. */
export const HASH_DEFAULTS = Object.freeze({ hash: 'murmur' }) satisfies Readonly<HashOptions>;

/** Default hash function of a Dynomite pool. */
export const DEFAULT_HASH: HashName = HASH_DEFAULTS.hash;

/** Resolves hash options into the form the kernels take. */
export function keyHashing(options: HashOptions = {}): KeyHashing & { hash: HashName; hashTag?: string } {
  const hash = options.hash ?? DEFAULT_HASH;
  const id = hashId(hash);
  const tag = options.hashTag;
  if (tag === undefined) return { hash, hashId: id, tagOpen: -1, tagClose: -1 };
  if (typeof tag !== 'string' || tag.length !== 2 || tag.charCodeAt(0) > 0x7f || tag.charCodeAt(1) > 0x7f) {
    throw new ConfigError(`invalid hash_tag ${describe(tag)}: expected exactly two ASCII characters, such as '{}'`);
  }
  return { hash, hashTag: tag, hashId: id, tagOpen: tag.charCodeAt(0), tagClose: tag.charCodeAt(1) };
}

/**
 * Whether `key`'s hash tag is present and empty (`x{}1`, or `{}` itself, with
 * tag `{}`), found as the kernels find it: the first opening character, then
 * the first closing one after it. Such a key hashes zero bytes, and a
 * Dynomite node coordinating it crashes (SIGSEGV) once the cluster has two
 * racks or datacenters; on one rack it is stored only on the coordinator's
 * data store. `false` without a tag.
 */
export function hasEmptyHashTag(key: string | Uint8Array, hashTag: string | undefined): boolean {
  if (hashTag === undefined) return false;
  const close = hashTag.charCodeAt(1);
  // The tag characters are ASCII, so they are adjacent in the string exactly when they are in its UTF-8 bytes.
  const at = typeof key === 'string' ? key.indexOf(hashTag[0]!) : key.indexOf(hashTag.charCodeAt(0));
  return at >= 0 && (typeof key === 'string' ? key.charCodeAt(at + 1) : key[at + 1]) === close;
}

const encoder = new TextEncoder();

// Strings are encoded into one reused buffer: a fresh Uint8Array per key costs
// more than hashing it. Rare huge keys get a buffer of their own, so one does
// not keep a huge scratch buffer alive.
const scratch = new Uint8Array(64 * 1024);

/** The token of one key (a string hashes as its UTF-8 bytes) under resolved hashing. */
export function keyToken(h: KeyHashing, key: string | Uint8Array): number {
  if (typeof key === 'string') {
    // UTF-8 takes at most three bytes per UTF-16 unit.
    const into = key.length * 3 > scratch.length ? new Uint8Array(key.length * 3) : scratch;
    return tokenOf(h, into, 0, encoder.encodeInto(key, into).written);
  }
  if (key instanceof Uint8Array) return tokenOf(h, key, 0, key.length);
  throw new TypeError(`a key must be a string or a Uint8Array, got ${describe(key)}`);
}

/**
 * Hashes a key to its token with one of Dynomite's hash functions, bit for bit
 * as the C server does (on x86; see the README for `one_at_a_time` on ARM).
 *
 * @example
 * hash('murmur', 'user:42');          // a u32 token
 * hash('md5', 'a{b}c', { hashTag: '{}' }) === hash('md5', 'b'); // true
 * @throws {ConfigError} for `murmur3`, an unknown name (JavaScript callers can pass any value), or a bad hash tag.
 */
export function hash(name: HashName, key: string | Uint8Array, options: Omit<HashOptions, 'hash'> = {}): number {
  // Checked here too: keyHashing would read a missing name as the default.
  return keyToken(keyHashing({ ...options, hash: checkHashName(name) }), key);
}
