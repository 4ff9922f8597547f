/** describe(), the library's one rendering of an unexpected value in an error message. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { describe as group, expect, it } from 'vitest';
import { describe, TOKEN_SPACE as ringTokenSpace } from '../../src/ring/token.js';
import { HintStore, MAX_TOKEN, parseToken, TOKEN_SPACE } from '../../src/index.js';

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

group('TOKEN_SPACE', () => {
  /** Report modules whose source text is inlined into the page, so they cannot import it. */
  const SELF_CONTAINED = ['src/cli/report/ring-svg.ts', 'src/cli/report/ring-model.ts', 'src/cli/report/plan-view.ts'];

  it('is 2^32, one past MAX_TOKEN, exported by the package from beside MAX_TOKEN', () => {
    expect(TOKEN_SPACE).toBe(2 ** 32);
    expect(TOKEN_SPACE).toBe(MAX_TOKEN + 1);
    expect(TOKEN_SPACE).toBe(ringTokenSpace);
  });

  it('is the only definition of the token space in src/, outside the self-contained report modules', () => {
    const files = readdirSync('src', { recursive: true, encoding: 'utf8' })
      .map((f) => join('src', f).split(sep).join('/'))
      .filter((f) => f.endsWith('.ts') && !SELF_CONTAINED.includes(f));
    const definitions = files.filter((f) => /\bconst \w+ = 2 \*\* 32\b/.test(readFileSync(f, 'utf8')));
    expect(definitions).toEqual([]);
  });
});
