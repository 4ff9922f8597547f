import { hashCrc16 } from './crc16';
import { hashCrc32, hashCrc32a } from './crc32';
import { hashFnv1_32, hashFnv1_64, hashFnv1a_32, hashFnv1a_64 } from './fnv';
import { hashHsieh } from './hsieh';
import { hashJenkins } from './jenkins';
import { hashMd5 } from './md5';
import { hashMurmur } from './murmur';
import { hashOneAtATime } from './one-at-a-time';

/**
 * Hashes `len` bytes at `ptr` with the hash function `id` and returns the u32
 * token. Ids follow `HASH_NAMES` in src/hash/functions.ts: 0 one_at_a_time,
 * 1 md5, 2 crc16, 3 crc32, 4 crc32a, 5 fnv1_64, 6 fnv1a_64, 7 fnv1_32,
 * 8 fnv1a_32, 9 hsieh, 10 murmur, 11 jenkins. Allocates nothing.
 */
export function hashBytes(id: u32, ptr: usize, len: usize): u32 {
  switch (id) {
    case 0: return hashOneAtATime(ptr, len);
    case 1: return hashMd5(ptr, len);
    case 2: return hashCrc16(ptr, len);
    case 3: return hashCrc32(ptr, len);
    case 4: return hashCrc32a(ptr, len);
    case 5: return hashFnv1_64(ptr, len);
    case 6: return hashFnv1a_64(ptr, len);
    case 7: return hashFnv1_32(ptr, len);
    case 8: return hashFnv1a_32(ptr, len);
    case 9: return hashHsieh(ptr, len);
    case 10: return hashMurmur(ptr, len);
    case 11: return hashJenkins(ptr, len);
  }
  // The TypeScript side validates ids (hashId), so another id is a bug: trap.
  unreachable();
  return 0;
}
