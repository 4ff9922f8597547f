import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernelFor } from '../../src/engine/engines.js';
import { HASH_FUNCTIONS, HASH_NAMES } from '../../src/hash/functions.js';

const NO_TAG = { tagOpen: -1, tagClose: -1 };

// Lengths spread over 0..4096; `size: 'max'` stops fast-check capping them at about 10 bytes.
const key = fc.oneof(fc.uint8Array({ maxLength: 64, size: 'max' }), fc.uint8Array({ maxLength: 4096, size: 'max' }));

/** Keys laid end to end in one buffer, as the batch kernels take them. */
function pack(keys: Uint8Array[]): { bytes: Uint8Array; offsets: Uint32Array } {
  const offsets = new Uint32Array(keys.length + 1);
  keys.forEach((k, i) => (offsets[i + 1] = offsets[i]! + k.length));
  const bytes = new Uint8Array(offsets[keys.length]!);
  keys.forEach((k, i) => bytes.set(k, offsets[i]!));
  return { bytes, offsets };
}

describe('TypeScript hash functions and the WebAssembly kernel agree', () => {
  const wasm = kernelFor('wasm');

  HASH_NAMES.forEach((name, id) => {
    it(name, () => {
      fc.assert(
        fc.property(fc.array(key, { minLength: 1, maxLength: 8 }), (keys) => {
          const { bytes, offsets } = pack(keys);
          const got = new Uint32Array(keys.length);
          wasm.hashKeys({ hashId: id, ...NO_TAG }, bytes, offsets, got);
          const want = keys.map((_, k) => HASH_FUNCTIONS[id]!(bytes, offsets[k]!, offsets[k + 1]!));
          expect(Array.from(got)).toEqual(want);
        }),
        { numRuns: 200 },
      );
    });
  });

  it('on keys of every length from 0 to 300, at every alignment', () => {
    const keys = Array.from({ length: 301 }, (_, n) => Uint8Array.from({ length: n }, (_, i) => (i * 167 + n * 31) & 0xff));
    const { bytes, offsets } = pack(keys);
    HASH_NAMES.forEach((name, id) => {
      const got = new Uint32Array(keys.length);
      wasm.hashKeys({ hashId: id, ...NO_TAG }, bytes, offsets, got);
      keys.forEach((_, k) => {
        expect({ name, length: k, token: got[k] }).toEqual({
          name,
          length: k,
          token: HASH_FUNCTIONS[id]!(bytes, offsets[k]!, offsets[k + 1]!),
        });
      });
    });
  });
});
