import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { HASH_FUNCTIONS, HASH_NAMES, hashId, type HashName } from '../../src/hash/functions.js';
import { hash } from '../../src/index.js';

describe('hashId', () => {
  it('keeps the engine id order', () => {
    expect(HASH_NAMES).toEqual([
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
    ]);
    HASH_NAMES.forEach((name, id) => expect(hashId(name)).toBe(id));
    expect(HASH_FUNCTIONS).toHaveLength(HASH_NAMES.length);
  });

  it('refuses murmur3, explaining that the server never computes it', () => {
    expect(() => hashId('murmur3')).toThrow(ConfigError);
    expect(() => hashId('murmur3')).toThrow(/murmur3.*never computes it.*no defined/);
  });

  it('refuses an unknown name, listing the accepted ones', () => {
    for (const bad of ['sha1', 'MURMUR', '', ' murmur']) {
      let err: unknown;
      try {
        hashId(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toContain(`'${bad}'`);
      for (const name of HASH_NAMES) expect(message).toContain(name);
    }
  });
});

describe('hash() from JavaScript', () => {
  it('checks the name at run time, though its type is HashName', () => {
    expect(() => hash('murmr' as HashName, 'k')).toThrow("unknown hash 'murmr'");
    expect(() => hash(42 as unknown as HashName, 'k')).toThrow(/invalid hash 42: expected one of one_at_a_time, md5/);
    expect(() => hash(undefined as unknown as HashName, 'k')).toThrow(ConfigError);
  });
});
