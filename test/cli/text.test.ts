/** The small renderings the CLI, the report and the page share (src/cli/text.ts). */
import { describe, expect, it } from 'vitest';
import { esc, percent, plural, ratio, SHARE_DIGITS } from '../../src/cli/text.js';

describe('text helpers', () => {
  it('percent: two decimals by default, as the report page shows shares; SHARE_DIGITS (4) wherever the CLI prints a share', () => {
    expect(percent(1 / 3)).toBe('33.33%');
    expect(percent(1 / 3, 4)).toBe('33.3333%');
    expect(percent(715827883 / 2 ** 32, 4)).toBe('16.6667%');
    expect(percent(1, 0)).toBe('100%');
    expect(SHARE_DIGITS).toBe(4);
  });

  it('ratio: six decimals, or what to show for a rack without tokens', () => {
    expect([ratio(1), ratio(2 / 3), ratio(undefined), ratio(undefined, 'no tokens')]).toEqual(['1.000000', '0.666667', '—', 'no tokens']);
  });

  it('plural and esc', () => {
    expect([plural(1, 'range'), plural(0, 'rack'), plural(3, 'node')]).toEqual(['1 range', '0 racks', '3 nodes']);
    expect(esc(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
