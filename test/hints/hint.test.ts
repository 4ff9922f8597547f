import { describe, expect, it } from 'vitest';
import { HintDeliveryError, HintStoreError } from '../../src/errors.js';
import { checkExpireTime, checkHintArguments, checkMaxBytes, checkPeer, overCapacity, refuseHint } from '../../src/hints/hint.js';
import { HintStore } from '../../src/hints/index.js';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('the hint contract', () => {
  it('checks types before any refusal: TypeError/RangeError, never a HintStoreError', () => {
    expect(thrown(() => checkPeer('1'))).toBeInstanceOf(TypeError);
    expect(thrown(() => checkPeer(-1))).toBeInstanceOf(RangeError);
    expect(thrown(() => checkPeer(2 ** 32))).toBeInstanceOf(RangeError);
    expect(thrown(() => checkPeer(1.5))).toBeInstanceOf(RangeError);
    expect(thrown(() => checkHintArguments(0, [1], 0))).toBeInstanceOf(TypeError);
    expect((thrown(() => checkHintArguments(0, null, 10)) as Error).message).toMatch(/got null/);
    expect((thrown(() => checkHintArguments(0, new ArrayBuffer(1), 10)) as Error).message).toMatch(/got an ArrayBuffer$/);
    expect((thrown(() => checkHintArguments(0, 'GET k', 10)) as Error).message).toMatch(/got 'GET k'$/);
    expect(thrown(() => checkHintArguments(0, new Uint8Array(0), '1'))).toBeInstanceOf(TypeError);
    for (const ttl of [-1, Number.NaN, Infinity])
      expect(thrown(() => checkHintArguments(0, new Uint8Array(0), ttl))).toBeInstanceOf(RangeError);
    expect(() => checkHintArguments(0, new Uint8Array(0), 0)).not.toThrow();
  });

  it('refuses in the order ZeroTtl, EmptyPayload, and a TTL under 1 ms counts as zero', () => {
    for (const ttl of [0, 1e-12, 0.999]) {
      const error = thrown(() => refuseHint(4, new Uint8Array(0), ttl)) as HintStoreError;
      expect(error).toBeInstanceOf(HintStoreError);
      expect(error.kind).toBe('ZeroTtl');
      expect(error.message).toBe(`hint for peer 4 has a TTL of ${ttl} ms, under 1 ms, so it would be due at once; pass ttlMs >= 1`);
    }
    expect((thrown(() => refuseHint(4, new Uint8Array(0), 1)) as HintStoreError).kind).toBe('EmptyPayload');
    expect(() => refuseHint(4, new Uint8Array(1), 1)).not.toThrow();
  });

  it('builds the OverCapacity refusal only when the hint does not fit', () => {
    expect(overCapacity(1, 5, 5, 10)).toBeUndefined();
    expect(overCapacity(1, 5_000, 1e9, 0)).toBeUndefined(); // 0: no cap
    const error = overCapacity(1, 6, 5, 10)!;
    expect(error).toBeInstanceOf(HintStoreError);
    expect(error.kind).toBe('OverCapacity');
    expect(error.maxBytes).toBe(10);
    expect(error.message).toBe(
      'hint store is full: 5 of 10 bytes used, a 6-byte hint for peer 1 does not fit; drain or expire hints, or raise maxBytes',
    );
  });

  it('takes maxBytes as a non-negative safe integer and any expiry time but NaN', () => {
    expect(checkMaxBytes(0)).toBe(0);
    expect(thrown(() => checkMaxBytes('1'))).toBeInstanceOf(TypeError);
    for (const bad of [-1, 1.5, 2 ** 53]) expect(thrown(() => checkMaxBytes(bad))).toBeInstanceOf(RangeError);
    expect(() => checkExpireTime(Infinity)).not.toThrow();
    expect(thrown(() => checkExpireTime(Number.NaN))).toBeInstanceOf(RangeError);
    expect(thrown(() => checkExpireTime('1'))).toBeInstanceOf(TypeError);
  });

  it('HintStore refuses a 1e-12 ms TTL as ZeroTtl and stores nothing', () => {
    const store = new HintStore({ maxBytes: 0 });
    const error = thrown(() => store.enqueue(0, Uint8Array.of(1), 1e-12)) as HintStoreError;
    expect(error).toBeInstanceOf(HintStoreError);
    expect(error.kind).toBe('ZeroTtl');
    expect(store.totalLen()).toBe(0);
  });

  it('HintStore expires everything at Infinity', () => {
    const store = new HintStore({ maxBytes: 0 });
    store.enqueue(0, Uint8Array.of(1), 1e9);
    expect(store.expireNow(Infinity)).toBe(1);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a string', 'refused'],
    ['a number', 42],
    ['a symbol', Symbol('s')],
    ['a null-prototype object', Object.create(null) as object],
    [
      'an object whose message getter throws',
      Object.defineProperty({}, 'message', {
        get: () => {
          throw new Error('no');
        },
      }),
    ],
  ])('a deliver rejecting with %s yields a HintDeliveryError with it as cause', async (_, value) => {
    const store = new HintStore({ maxBytes: 0 });
    store.enqueue(0, Uint8Array.of(1), 1_000);
    const error = await store.drain(0, () => Promise.reject(value)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HintDeliveryError);
    expect((error as HintDeliveryError).cause).toBe(value);
    expect((error as HintDeliveryError).result).toEqual({ delivered: 0, expired: 0, left: 1 });
    expect(store.lenFor(0)).toBe(1);
  });
});
