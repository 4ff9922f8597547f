/**
 * The report page's pure parts, run in Node: the ring model (arcs, shares,
 * problems) and the SVG, called directly and through their source text, the
 * way the page inlines them.
 */
import { describe, expect, it } from 'vitest';
import * as lib from '../../../src/index.js';
import { peerColours } from '../../../src/cli/report/palette.js';
import { buildRingModel, type RingModel } from '../../../src/cli/report/ring-model.js';
import { ringSvg } from '../../../src/cli/report/ring-svg.js';
import { planView } from '../../../src/cli/report/plan-view.js';
import { TEXT, type TextHelpers } from '../../../src/cli/text.js';
import { bigCluster, EMPTY_RACK_NODE } from '../../helpers/configs.js';
import { hosts, TWO_RACKS } from '../../helpers/plans.js';

const SPACE = 2 ** 32;

function model(...texts: string[]): RingModel {
  const result = buildRingModel(
    lib,
    texts.map((text, i) => ({ file: `f${i}.txt`, text })),
  );
  if ('error' in result) throw new Error(result.error.message);
  return result.model;
}

/** Re-creates a function from its source text alone, as the page does. */
function fromSource<F>(fn: F): F {
  return new Function(`return (${String(fn)})`)() as F;
}

describe('ring model', () => {
  it('merges a peer’s adjacent arcs, across the wrap-around too', () => {
    const m = model('10.0.0.1:8101:r:dc:0,200 a\n10.0.0.2:8101:r:dc:100 b\n');
    expect(m.racks[0]!.arcs).toEqual([
      { peer: 0, start: 100, span: SPACE - 100 },
      { peer: 1, start: 0, span: 100 },
    ]);
    expect(m.racks[0]!.peers.map((p) => p.share)).toEqual([(SPACE - 100) / SPACE, 100 / SPACE]);
  });

  it('gives a lone peer the whole ring, even with several tokens', () => {
    expect(model('10.0.0.1:8101:r:dc:5,9,4000000000\n').racks[0]!.arcs).toEqual([{ peer: 0, start: 4000000000, span: SPACE }]);
  });

  it('covers the ring exactly once and matches the shares, 64 peers × 256 tokens with an overlap', () => {
    const big = bigCluster();
    const m = model(big.seeds, EMPTY_RACK_NODE);
    const [a, b] = m.racks;
    expect(a!.arcs.reduce((n, arc) => n + arc.span, 0)).toBe(SPACE);
    for (const p of a!.peers) {
      const owned = a!.arcs.filter((arc) => arc.peer === p.index).reduce((n, arc) => n + arc.span, 0);
      expect(owned / SPACE).toBeCloseTo(p.share, 12);
    }
    // Consecutive arcs never belong to one peer: they would have been merged.
    expect(a!.arcs.every((arc, i) => arc.peer !== a!.arcs[(i + 1) % a!.arcs.length]!.peer)).toBe(true);
    expect(a!.overlaps).toEqual([{ ...big.overlap, message: expect.stringContaining(`both claim token ${big.overlap.token}`) }]);
    expect(a!.peers.filter((p) => p.overlaps).map((p) => p.index)).toEqual(big.overlap.peers);
    expect(b).toMatchObject({ rack: 'rack-b', empty: true, arcs: [], tokenCount: 0 });
    expect(m.problems.map((p) => [p.kind, p.rack, p.token])).toEqual([
      ['Overlap', 'rack-a', big.overlap.token],
      ['EmptyRack', 'rack-b', undefined],
    ]);
  });

  it('reports the first parse error with its file and line', () => {
    const result = buildRingModel(lib, [
      { file: 'ok.txt', text: '10.0.0.1:8101:r:dc:0\n' },
      { file: 'bad.txt', text: '# seeds\n10.0.0.2:8101:r:dc:-1\n' },
    ]);
    expect(result).toEqual({ error: { file: 'bad.txt', line: 2, message: expect.stringMatching(/^bad\.txt:2: invalid seed/) } });
  });

  it('lists files that disagree about a peer', () => {
    const m = model('10.0.0.1:8101:r:dc:0\n', '10.0.0.1:8101:r:dc:7\n');
    expect(m.problems).toEqual([{ kind: 'Disagreement', message: expect.stringContaining('10.0.0.1:8101') }]);
  });
});

describe('page functions run from their source text alone', () => {
  it('builds the same model and draws the same SVG', () => {
    const files = [{ file: 'big.txt', text: bigCluster().seeds }];
    const direct = buildRingModel(lib, files);
    expect(fromSource(buildRingModel)(lib, files)).toEqual(direct);
    const rack = (direct as { model: RingModel }).model.racks[0]!;
    const colours = fromSource(peerColours)(rack.peers.length);
    expect(colours).toEqual(peerColours(64));
    expect(new Set(colours).size).toBe(64);
    const text = Object.fromEntries(Object.entries(TEXT).map(([name, fn]) => [name, fromSource(fn)])) as typeof TEXT;
    const svg = fromSource(ringSvg)(rack, colours, text);
    expect(svg).toBe(ringSvg(rack, colours, TEXT));
    // One path per peer however many arcs it has, plus the overlap marker.
    expect(svg.match(/<path class="arc" /g)).toHaveLength(64);
    expect(svg.match(/class="overlap-marker"/g)).toHaveLength(1);
  });
});

describe('one wording of each problem', () => {
  it('is the library’s, for coverage problems, disagreements and notes', () => {
    const seeds = '10.0.0.1:8101:r:dc:0 a\n10.0.0.2:8101:r:dc:0 b\n';
    const overlap = model(seeds);
    const { peers } = lib.loadCluster([seeds]).config;
    const [issue] = lib.checkTokenCoverage(peers);
    expect(overlap.problems[0]!.message).toBe(lib.describeCoverageIssue(issue!, peers));
    expect(overlap.problems[0]!.message).toContain('peers 0 (10.0.0.1:8101) and 1 (10.0.0.2:8101)');
    expect(overlap.racks[0]!.problems).toEqual(overlap.problems);
    const wildcard = model('p:\n  dyn_listen: 0.0.0.0:8101\n  tokens: "0"\n');
    expect(wildcard.notes).toEqual([
      {
        level: 'warning',
        message: expect.stringMatching(/^f0\.txt:2: dyn_listen 0\.0\.0\.0:8101 is a wildcard address and cannot be matched/),
      },
    ]);
  });
});

describe('the ring drawing', () => {
  const labels = (svg: string, kind: 'token' | 'scale') =>
    [...svg.matchAll(new RegExp(`class="${kind}-label" data-token="(\\d+)"`, 'g'))].map((m) => Number(m[1]));

  it('labels the token of a one-token rack, and no quarter marks that look like tokens', () => {
    const rack = model('10.0.0.1:8101:r:dc:1383429731\n').racks[0]!;
    const svg = ringSvg(rack, peerColours(1), TEXT);
    expect(labels(svg, 'token')).toEqual([1383429731]);
    expect(labels(svg, 'scale')).toEqual([]);
  });

  it('labels every token of a small ring, however the peers share them', () => {
    const rack = model('10.0.0.1:8101:r:dc:0,200 a\n10.0.0.2:8101:r:dc:100 b\n').racks[0]!;
    expect(labels(ringSvg(rack, peerColours(2), TEXT), 'token')).toEqual([0, 100, 200]);
  });

  it('shows a busy ring the quarters as a scale, apart from tokens', () => {
    const rack = model(bigCluster().seeds).racks[0]!;
    const svg = ringSvg(rack, peerColours(64), TEXT);
    expect(labels(svg, 'token')).toEqual([]);
    expect(labels(svg, 'scale')).toEqual([0, SPACE / 4, SPACE / 2, (3 * SPACE) / 4]);
  });

  it('draws a rack of one or two peers smaller than a bigger one', () => {
    const height = (svg: string) => Number(/viewBox="0 0 \d+ (\d+)"/.exec(svg)![1]);
    const one = model('10.0.0.1:8101:r:dc:0\n').racks[0]!;
    const three = model('10.0.0.1:8101:r:dc:0\n10.0.0.2:8101:r:dc:9\n10.0.0.3:8101:r:dc:99\n').racks[0]!;
    expect(height(ringSvg(one, peerColours(1), TEXT))).toBeLessThan(height(ringSvg(three, peerColours(3), TEXT)));
  });
});

describe('the plan view', () => {
  const files = (plan: lib.PoolPlan) => plan.nodes.map((n) => ({ file: n.file, text: n.text }));
  const before = lib.planNew({ racks: TWO_RACKS, nodesPerRack: 3, hosts: hosts(6, '10.0.0.') });
  const after = lib.planDouble(files(before), hosts(6, '10.0.1.'));
  const view = (text: TextHelpers) =>
    fromSource(planView)(lib, files(before), files(after), {
      buildRingModel: fromSource(buildRingModel),
      ringSvg: fromSource(ringSvg),
      peerColours: fromSource(peerColours),
      text,
    });

  it('renders shares with four decimals and ratios with six, through the page’s own text helpers', () => {
    const html = view(TEXT);
    expect(html).toContain('<b class="plan-fraction">50.0000%</b>');
    expect(html).toContain('<td class="num">16.6667%</td>');
    expect(html).toContain('<td class="num">1.000000</td>');
    // Helpers that render differently change every number the view shows: it has no renderings of its own.
    const marked = view({
      ...TEXT,
      percent: (share, digits) => `P${TEXT.percent(share, digits)}`,
      ratio: (r, none) => `R${TEXT.ratio(r, none)}`,
    });
    expect(marked).toContain('<b class="plan-fraction">P50.0000%</b>');
    expect(marked).toContain('<td class="num">P16.6667%</td>');
    expect(marked).toContain('<td class="num">R1.000000</td>');
    expect(marked).not.toMatch(/[^P\d.]\d+\.\d{4}%/);
  });
});
