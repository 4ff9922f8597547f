import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HASH_NAMES, Topology, hash, hasEmptyHashTag, type HashName } from '../../src/index.js';
import { fromHex, vectors } from '../helpers/vectors.js';
import { makePeerForTest } from './peers.js';
import { xorshift } from '../helpers/random.js';

describe('hash tags match the C server', () => {
  it(`on all ${vectors.hash_tags.length} hash_tags vectors (murmur and md5)`, () => {
    for (const v of vectors.hash_tags) {
      const key = fromHex(v.key_hex);
      expect(hash('murmur', key, { hashTag: v.hash_tag })).toBe(v.murmur);
      expect(hash('md5', key, { hashTag: v.hash_tag })).toBe(v.md5);
    }
  });

  it('hash an empty tag as zero bytes and an unclosed tag as the whole key', () => {
    expect(hash('murmur', 'a{}b', { hashTag: '{}' })).toBe(hash('murmur', ''));
    expect(hash('murmur', 'a{b', { hashTag: '{}' })).toBe(hash('murmur', 'a{b'));
    expect(hash('murmur', 'a}b{c}', { hashTag: '{}' })).toBe(hash('murmur', 'c'));
  });

  it('hash strings as their UTF-8 bytes, short and long, one after another', () => {
    expect(hash('fnv1a_32', 'é')).toBe(hash('fnv1a_32', Uint8Array.of(0xc3, 0xa9)));
    for (const text of ['a', '€'.repeat(5000), 'b', 'ü𝄞'.repeat(300), '']) {
      const bytes = new TextEncoder().encode(text);
      for (const name of HASH_NAMES) expect(hash(name, text), `${name} of ${text.length} units`).toBe(hash(name, bytes));
    }
  });
});

describe('hasEmptyHashTag', () => {
  const text = fc.string({ unit: fc.constantFrom('{', '}', 'a', 'é', '𝄞', ':'), maxLength: 16 });

  it('finds the empty tag as the kernels do: such a key hashes as zero bytes, in its string and its UTF-8 form alike', () => {
    fc.assert(
      fc.property(text, (key) => {
        const empty = hasEmptyHashTag(key, '{}');
        expect(hasEmptyHashTag(new TextEncoder().encode(key), '{}'), key).toBe(empty);
        if (empty) for (const name of HASH_NAMES) expect(hash(name, key, { hashTag: '{}' }), `${name} ${key}`).toBe(hash(name, ''));
        expect(hasEmptyHashTag(key, undefined)).toBe(false);
      }),
    );
  });

  it('is true exactly when the first opening character is followed by the closing one', () => {
    fc.assert(
      fc.property(
        text.filter((a) => !a.includes('{')),
        text,
        (before, after) => {
          expect(hasEmptyHashTag(`${before}{}${after}`, '{}')).toBe(true);
          expect(hasEmptyHashTag(`${before}{a}${after}{}`, '{}')).toBe(false);
          expect(hasEmptyHashTag(before, '{}')).toBe(false);
        },
      ),
    );
    expect(['x{}1', '{}', 'x||1'].map((k) => hasEmptyHashTag(k, k.includes('|') ? '||' : '{}'))).toEqual([true, true, true]);
    expect(['user:{42}', 'a{', 'a}{b}'].map((k) => hasEmptyHashTag(k, '{}'))).toEqual([false, false, false]);
  });
});

/** Three racks of four peers with random tokens. */
function topology(seed: number, options: { hash: HashName; hashTag?: string; engine: 'wasm' | 'js' }) {
  const next = xorshift(seed);
  const peers = Array.from({ length: 12 }, (_, i) => makePeerForTest(i, 'dc1', `r${i % 3}`, [next(), next()]));
  return Topology.fromPeers(peers, options);
}

/** Keys and their boundaries, laid back to back as a RESP parser would hold them. */
function pack(keys: Uint8Array[]): [Uint8Array, Uint32Array] {
  const offsets = new Uint32Array(keys.length + 1);
  keys.forEach((k, i) => (offsets[i + 1] = offsets[i]! + k.length));
  const bytes = new Uint8Array(offsets[keys.length]!);
  keys.forEach((k, i) => bytes.set(k, offsets[i]!));
  return [bytes, offsets];
}

const tagChar = fc.constantFrom(0x7b, 0x7d, 0x3a, 0x5b, 0x5d, 0x61);
const keyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 4096, size: 'max' }),
  fc.array(tagChar, { maxLength: 24 }).map((a) => Uint8Array.from(a)),
);

/**
 * The bytes as a view that records every position read: element reads, and
 * the positions an `indexOf` scan examines (from its start to the match, or
 * to the end of the buffer when there is none).
 */
function recordingReads(bytes: Uint8Array): { view: Uint8Array; reads: Set<number> } {
  const reads = new Set<number>();
  const scan = (value: number, from = 0) => {
    const found = bytes.indexOf(value, from);
    for (let i = from; i <= (found < 0 ? bytes.length - 1 : found); i++) reads.add(i);
    return found;
  };
  const view = new Proxy(bytes, {
    get(target, prop) {
      if (typeof prop === 'string' && /^[0-9]+$/.test(prop)) reads.add(Number(prop));
      if (prop === 'indexOf') return scan;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { view, reads };
}

describe('hash tags cost what the key costs', () => {
  it('the TypeScript engine reads each key of a batch only within its own bounds', () => {
    // Before, looking for the tag scanned from the key to the end of the whole
    // batch (or of a 64 KiB scratch buffer): quadratic in the batch.
    const t = topology(3, { hash: 'murmur', hashTag: '{}', engine: 'js' });
    const keys = ['no-tag-here', 'open{only', 'a{b}c', 'closes}first{', ''].map((k) => new TextEncoder().encode(k));
    const [bytes, offsets] = pack([...keys, new Uint8Array(4096).fill(0x7b)]);
    const { view, reads } = recordingReads(bytes);
    // Route all but the last key (a block of 4096 '{'); no read may reach it.
    const owners = t.routeKeyBytes(view, offsets.subarray(0, keys.length + 1));
    expect(Math.max(...reads)).toBeLessThan(offsets[keys.length]!);
    expect(Array.from(owners)).toEqual(keys.flatMap((k) => t.route(k).map((p) => p.index)));
  });
});

describe('routeKeys parity: WebAssembly and TypeScript agree key by key', () => {
  it('for every hash function and random hash tags', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...HASH_NAMES),
        fc.option(fc.constantFrom('{}', '[]', '::', '{{', 'a}'), { nil: undefined }),
        fc.array(keyBytes, { maxLength: 40 }),
        fc.integer(),
        (name, hashTag, keys, seed) => {
          const options = { hash: name, ...(hashTag === undefined ? {} : { hashTag }) };
          const wasm = topology(seed, { ...options, engine: 'wasm' });
          const js = topology(seed, { ...options, engine: 'js' });
          const [bytes, offsets] = pack(keys);
          const a = wasm.routeKeyBytes(bytes, offsets);
          const b = js.routeKeyBytes(bytes, offsets);
          expect(Array.from(a)).toEqual(Array.from(b));
          // And each matches routing the key alone.
          keys.forEach((k, i) => {
            expect(js.route(k).map((p) => p.index)).toEqual(Array.from(a.subarray(i * 3, i * 3 + 3)));
          });
        },
      ),
      { numRuns: 400 },
    );
  });

  it('routes string keys like their UTF-8 bytes, across chunk boundaries', () => {
    const t = topology(7, { hash: 'murmur', engine: 'wasm' });
    const keys = Array.from({ length: 40_000 }, (_, i) => `user:${i}:${'é'.repeat(i % 5)}`);
    const [bytes, offsets] = pack(keys.map((k) => new TextEncoder().encode(k)));
    const out = new Uint32Array(keys.length * 3);
    expect(t.routeKeys(keys, { out })).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(topology(7, { hash: 'murmur', engine: 'js' }).routeKeyBytes(bytes, offsets)));
  });

  it('routes a key longer than a whole chunk', () => {
    const big = new Uint8Array(3 << 20).map((_, i) => (i * 31) & 255);
    const [bytes, offsets] = pack([Uint8Array.of(1), big, Uint8Array.of(2)]);
    const wasm = topology(9, { hash: 'md5', engine: 'wasm' }).routeKeyBytes(bytes, offsets);
    expect(Array.from(wasm)).toEqual(Array.from(topology(9, { hash: 'md5', engine: 'js' }).routeKeyBytes(bytes, offsets)));
  });
});
