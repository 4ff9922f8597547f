import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { ringTour } from '../../examples/ring-tour.js';
import { routeKeysDemo } from '../../examples/route-keys.js';
import { checkCoverage } from '../../examples/check-coverage.js';
import { quickStart } from '../../examples/quick-start.js';
import * as dynoring from '../../src/index.js';
import * as durable from '../../src/durable.js';
import * as client from '../../src/client.js';
import { hash } from '../../src/index.js';
// @ts-expect-error: a plain .mjs script, without type declarations
import { MARKED_BLOCK, pages, synced } from '../../scripts/readme-examples.mjs';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('examples in the README and docs/', () => {
  it('quick start: a clean cluster, the token and owners of a key, every replica of a write', () => {
    expect(readme).toContain('<!-- example: examples/quick-start.ts -->');
    const r = quickStart();
    expect(r.problems).toEqual([]);
    expect(r.token).toBe(hash('murmur', 'user:42'));
    // As `dynoring route` shows for user:42: the third node of each rack.
    expect(r.owners).toEqual(['10.20.1.13:8101', '10.20.2.13:8101', '10.20.3.13:8101']);
    expect(r.local.map((o) => `${o.rack} ${o.peer.index}`)).toEqual(['us-east-1a 2', 'us-east-1b 5', 'us-east-1c 8']);
    expect(r.remote).toEqual([]); // one datacenter
  });

  it('show each example file exactly, in the README and in docs/ (node scripts/readme-examples.mjs syncs them)', () => {
    const texts = (pages() as string[]).map((page) => readFileSync(new URL(`../../${page}`, import.meta.url), 'utf8'));
    expect(texts.flatMap((text) => [...text.matchAll(MARKED_BLOCK)]).length).toBeGreaterThanOrEqual(4);
    for (const text of texts) expect(synced(text)).toBe(text);
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
    const yaml = readFileSync(new URL('../../examples/cluster/dynomite.yml', import.meta.url), 'utf8');
    const r = routeKeysDemo(yaml);
    expect(r.token).toBe(hash('murmur', new TextEncoder().encode('user:42')));
    expect(r.tagged).toBe(true);
    expect(r.owners).toHaveLength(3);
    expect(r.byRack).toHaveLength(6);
    expect(Array.from(r.byRack)).toEqual(Array.from(r.same));
    vi.restoreAllMocks();
  });

  it('coverage: a clean cluster, an overlap, and a required rack that is missing', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(checkCoverage('examples/cluster/dynomite.yml')).toEqual([]);
    expect(log).toHaveBeenLastCalledWith(expect.stringContaining("rack 'us-east-1d' in datacenter 'us-east-1' has no tokens"));
    expect(checkCoverage('examples/overlap/dynomite.yml')).toEqual([
      { kind: 'Overlap', dc: 'us-east-1', rack: 'us-east-1b', token: 1431655765, peers: [4, 5] },
    ]);
    log.mockRestore();
  });

  it('API overview: every name it lists is exported by the entry point it is listed under', () => {
    const block = readme.slice(readme.indexOf('## API overview')).match(/```ts\n([\s\S]*?)```/)![1]!;
    const modules: Record<string, object> = { dynoring, 'dynoring/durable': durable, 'dynoring/client': client };
    let module: object = dynoring;
    const missing: string[] = [];
    for (const line of block.split('\n')) {
      const entry = line.match(/^\/\/ (dynoring\S*)/);
      if (entry) module = modules[entry[1]!]!;
      if (/^\s|^\/\/|^\}|^$/.test(line)) continue;
      // A line names one export (`class X`, `f(...)`, `NAME:`), or several joined by ' / '.
      for (const part of line.replace(/^class /, '').split(' / ')) {
        const name = part.match(/^\w+/)![0];
        if (!(name in module)) missing.push(name);
      }
    }
    expect(missing).toEqual([]);
  });
});
