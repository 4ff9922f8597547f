import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { ringTour } from '../examples/ring-tour.js';
import { routeKeysDemo } from '../examples/route-keys.js';
import { hash } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README examples', () => {
  // A block preceded by `<!-- example: FILE -->` must be FILE as users write it (importing 'dynoring').
  const marked = [...readme.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```/g)];

  it('show each example file exactly', () => {
    expect(marked.length).toBeGreaterThanOrEqual(3);
    for (const [, file, shown] of marked) {
      const source = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
      expect(shown, file).toBe(source.replace(/from '\.\.\/src\/(hints\/)?index\.js'/g, "from 'dynoring'"));
    }
  });

  it('ring tour: racks, owners, dispatch and shares of the example cluster', () => {
    const r = ringTour();
    expect(r.racks).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c'].map((rack) => ({ dc: 'us-east-1', rack })));
    expect(r.owners).toHaveLength(3);
    expect(r.owner).toBe(2); // first token >= 1431655766 is 2863311530, the third node's
    expect(Array.from(r.batch)).toEqual([0, 1, 0]);
    expect([...r.shares.values()].reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(r.smallOwner).toBe(0); // past the last token wraps to the first
  });

  it('routing: tokens, tags and batch routing agree', () => {
    const yaml = readFileSync(new URL('../examples/cluster/dynomite.yml', import.meta.url), 'utf8');
    const r = routeKeysDemo(yaml);
    expect(r.token).toBe(hash('murmur', new TextEncoder().encode('user:42')));
    expect(r.tagged).toBe(true);
    expect(r.owners).toHaveLength(3);
    expect(r.byRack).toHaveLength(6);
    expect(Array.from(r.byRack)).toEqual(Array.from(r.same));
    vi.restoreAllMocks();
  });
});
