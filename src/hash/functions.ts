import { ConfigError } from '../errors.js';
import { describe } from '../ring/token.js';
import { hashCrc16 } from './crc16.js';
import { hashCrc32, hashCrc32a } from './crc32.js';
import { hashFnv1_32, hashFnv1_64, hashFnv1a_32, hashFnv1a_64 } from './fnv.js';
import { hashHsieh } from './hsieh.js';
import { hashJenkins } from './jenkins.js';
import { hashMd5 } from './md5.js';
import { hashMurmur } from './murmur.js';
import { hashOneAtATime } from './one-at-a-time.js';
import type { HashFunction } from './types.js';

/**
 * The hash names Dynomite's `hash:` setting accepts and that compute a token,
 * in engine id order: a name's index is its numeric id in the WebAssembly
 * kernels, so this order must not change.
 */
export const HASH_NAMES = [
  'one_at_a_time',
  'md5',
  'crc16',
  'crc32',
  'crc32a',
  'fnv1_64',
  'fnv1a_64',
  'fnv1_32',
  'fnv1a_32',
  'hsieh',
  'murmur',
  'jenkins',
] as const;

/** A hash function name, as written in `dynomite.yml`. */
export type HashName = (typeof HASH_NAMES)[number];

/** The TypeScript hash functions, indexed by id (see {@link HASH_NAMES}). */
export const HASH_FUNCTIONS: readonly HashFunction[] = [
  hashOneAtATime,
  hashMd5,
  hashCrc16,
  hashCrc32,
  hashCrc32a,
  hashFnv1_64,
  hashFnv1a_64,
  hashFnv1_32,
  hashFnv1a_32,
  hashHsieh,
  hashMurmur,
  hashJenkins,
];

/**
 * Checks a hash name given at run time (a JavaScript caller, a config file)
 * and returns it typed.
 *
 * @throws ConfigError for `murmur3`, a name Dynomite does not accept, or a value that is not a string.
 */
export function checkHashName(name: unknown): HashName {
  hashId(name);
  return name as HashName;
}

/**
 * The numeric id of a hash name.
 *
 * @throws ConfigError for `murmur3` (the C server never computes it) and for
 *   any name Dynomite does not accept.
 */
export function hashId(name: unknown): number {
  if (typeof name !== 'string') throw new ConfigError(`invalid hash ${describe(name)}: expected one of ${HASH_NAMES.join(', ')}`);
  const id = (HASH_NAMES as readonly string[]).indexOf(name);
  if (id >= 0) return id;
  if (name === 'murmur3') {
    throw new ConfigError(
      "hash 'murmur3' is not supported: the Dynomite server accepts the name but never computes it " +
        '(its hash body is commented out), so a cluster configured with it has no defined key placement; ' +
        "use 'murmur' (the default) or another hash",
    );
  }
  throw new ConfigError(`unknown hash '${name}': expected one of ${HASH_NAMES.join(', ')}`);
}
