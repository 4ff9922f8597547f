/** describe(), the library's one rendering of an unexpected value in an error message. */
import { describe as group, expect, it } from 'vitest';
import { describe } from '../../src/ring/token.js';
import { HintStore, parseToken } from '../../src/index.js';

group('describe', () => {
  it('shows a value, or what kind of thing it is', () => {
    const cases: [unknown, string][] = [
      [null, 'null'],
      [undefined, 'undefined'],
      ['abc', "'abc'"],
      [42, '42'],
      [true, 'true'],
      [7n, '7'],
      [[1], 'an array'],
      [{}, 'an object'],
      [Object.create(null), 'an object'],
      [new Uint8Array(1), 'a Uint8Array'],
      [new ArrayBuffer(1), 'an ArrayBuffer'],
      [new Map(), 'a Map'],
      [() => 1, 'a function'],
      [Symbol('s'), 'a symbol'],
    ];
    for (const [value, text] of cases) expect(describe(value), text).toBe(text);
  });

  it('is what the ring and the hint stores both say', () => {
    expect(() => parseToken(new Uint8Array(1) as never)).toThrow(/a Uint8Array/);
    expect(() => new HintStore().enqueue(0, 'GET k' as never, 10)).toThrow(/got 'GET k'$/);
  });
});
