import { hashCrc16 } from './crc16';
import { hashCrc32, hashCrc32a } from './crc32';
import { hashFnv1_32, hashFnv1_64, hashFnv1a_32, hashFnv1a_64 } from './fnv';
import { hashHsieh } from './hsieh';
import { hashJenkins } from './jenkins';
import { hashMd5 } from './md5';
import { hashMurmur } from './murmur';
import { hashOneAtATime } from './one-at-a-time';
import {
  HASH_CRC16, HASH_CRC32, HASH_CRC32A, HASH_FNV1_32, HASH_FNV1_64, HASH_FNV1A_32, HASH_FNV1A_64,
  HASH_HSIEH, HASH_JENKINS, HASH_MD5, HASH_MURMUR, HASH_ONE_AT_A_TIME,
} from '../abi';

/**
 * Hashes `len` bytes at `ptr` with the hash function `id` and returns the u32
 * token. The ids are assembly/abi.ts's HASH_* constants, which the glue
 * checks against `HASH_NAMES` at instantiation. Allocates nothing.
 */
export function hashBytes(id: u32, ptr: usize, len: usize): u32 {
  switch (id) {
    case HASH_ONE_AT_A_TIME: return hashOneAtATime(ptr, len);
    case HASH_MD5: return hashMd5(ptr, len);
    case HASH_CRC16: return hashCrc16(ptr, len);
    case HASH_CRC32: return hashCrc32(ptr, len);
    case HASH_CRC32A: return hashCrc32a(ptr, len);
    case HASH_FNV1_64: return hashFnv1_64(ptr, len);
    case HASH_FNV1A_64: return hashFnv1a_64(ptr, len);
    case HASH_FNV1_32: return hashFnv1_32(ptr, len);
    case HASH_FNV1A_32: return hashFnv1a_32(ptr, len);
    case HASH_HSIEH: return hashHsieh(ptr, len);
    case HASH_MURMUR: return hashMurmur(ptr, len);
    case HASH_JENKINS: return hashJenkins(ptr, len);
  }
  // The TypeScript side validates ids (hashId), so another id is a bug: trap.
  unreachable();
  return 0;
}
