import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HASH_FUNCTIONS, HASH_NAMES, type HashName } from '../../src/hash/functions.js';

interface HashVector {
  key_hex: string;
  tokens: Record<HashName, number>;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/dynomite-reference.json', import.meta.url), 'utf8')) as {
  hashes: HashVector[];
};

describe('hash functions match the C server on every reference vector', () => {
  it('has vectors for every function', () => {
    expect(fixture.hashes.length).toBeGreaterThan(0);
    for (const v of fixture.hashes) expect(Object.keys(v.tokens).sort()).toEqual([...HASH_NAMES].sort());
  });

  HASH_NAMES.forEach((name, id) => {
    it(name, () => {
      const fn = HASH_FUNCTIONS[id]!;
      for (const v of fixture.hashes) {
        const key = Buffer.from(v.key_hex, 'hex');
        expect({ key: v.key_hex, token: fn(key, 0, key.length) }).toEqual({ key: v.key_hex, token: v.tokens[name] });
      }
    });
  });

  it('hashes only bytes[start, end) of a larger buffer', () => {
    HASH_NAMES.forEach((name, id) => {
      const fn = HASH_FUNCTIONS[id]!;
      for (const v of fixture.hashes) {
        const key = Buffer.from(v.key_hex, 'hex');
        const padded = new Uint8Array(key.length + 14).fill(0xa5);
        padded.set(key, 7);
        expect({ name, key: v.key_hex, token: fn(padded, 7, 7 + key.length) }).toEqual({
          name,
          key: v.key_hex,
          token: v.tokens[name],
        });
      }
    });
  });
});
