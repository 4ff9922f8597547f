/**
 * `dynoring report OLD... -- NEW...` in Chromium: the plan view shows each
 * rack before and after, the moving ranges Node computes, and the balance.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { diffPeers, planDouble, planNew, type PoolPlan } from '../../../src/index.js';
import { CHROMIUM_PROGRAM } from '../../helpers/chromium.js';
import { builtFile, SCREENSHOTS } from '../../helpers/dist.js';
import { hosts, TWO_RACKS } from '../../helpers/plans.js';
import { available } from '../../helpers/programs.js';
import { useReportPages } from '../../helpers/report-pages.js';

const HAVE_CHROMIUM = available(import.meta.url, CHROMIUM_PROGRAM);
const run = promisify(execFile);
let before: PoolPlan;
let after: PoolPlan;

const pages = useReportPages('dynoring-plan-report-', async (dir) => {
  const write = (plan: PoolPlan, sub: string) => {
    mkdirSync(join(dir, sub));
    return plan.nodes.map((n) => {
      writeFileSync(join(dir, sub, n.file), n.text);
      return join(dir, sub, n.file);
    });
  };
  before = planNew({ racks: TWO_RACKS, nodesPerRack: 3, hosts: hosts(6, '10.0.0.') });
  after = planDouble(
    before.nodes.map((n) => ({ text: n.text, file: n.file })),
    hosts(6, '10.0.1.'),
  );
  const [old, now] = [write(before, 'old'), write(after, 'new')];
  const out = join(dir, 'plan.html');
  const { stdout } = await run(process.execPath, [builtFile('cli.js'), 'report', '-o', out, ...old, '--', ...now]);
  expect(stdout).toMatch(/: 12 peers in 2 racks, no problems\n$/);
  return { 'plan.html': readFileSync(out, 'utf8') };
});

describe.skipIf(!HAVE_CHROMIUM)('dynoring report: the plan view', () => {
  it('draws each rack before and after with the moving ranges and the balance', async () => {
    const page = await pages.chromium!.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    try {
      await page.goto(`${pages.server!.url}/plan.html`);
      await page.waitForSelector('html[data-ready]', { timeout: 20_000 });
      expect(await page.getAttribute('html', 'data-ready')).toBe('true');
      expect(await page.textContent('.plan-fraction')).toBe('50.0000%');
      const diff = diffPeers(
        before.nodes.map((n) => n.peer),
        after.nodes.map((n) => n.peer),
      );
      expect(await page.locator('.plan-rack').count()).toBe(2);
      for (const rack of diff.racks) {
        const card = page.locator(`.plan-rack[data-rack="${rack.rack}"]`);
        expect(await card.locator('.chip.moved').textContent()).toBe('50.0000% moves');
        // The same moves on both rings, as Node computes them.
        for (const side of ['before', 'after']) {
          const marked = await card
            .locator(`.plan-ring[data-side="${side}"] .move-arc`)
            .evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-start')), Number(e.getAttribute('data-end'))]));
          expect(marked).toEqual(rack.moves.map((m) => [m.start, m.end]));
        }
        expect(await card.locator('.plan-ring[data-side="before"] path.arc').count()).toBe(3);
        expect(await card.locator('.plan-ring[data-side="after"] path.arc').count()).toBe(6);
        const rows = await card
          .locator('.balance-row')
          .evaluateAll((els) => els.map((e) => Array.from(e.querySelectorAll('td'), (td) => td.textContent)));
        expect(rows).toHaveLength(6);
        expect(rows.filter((r) => r[1] === '—')).toHaveLength(3);
        expect(rows.every((r) => r[2] === '16.6667%')).toBe(true);
        expect(await card.locator('tfoot td').allTextContents()).toEqual(['1.000000', '1.000000']);
      }
      // Before and after files share base names: the tabs come under a label per side, and say it in their titles.
      expect(await page.locator('#tabs .tab-side').allTextContents()).toEqual(['before', 'after']);
      const tabs = await page
        .locator('#tabs')
        .evaluate((el) =>
          Array.from(el.querySelectorAll('button'), (b) => [
            b.previousElementSibling?.matches('.tab-side') ?? false,
            b.dataset.side,
            b.title,
          ]),
        );
      const sides = [...before.nodes.map(() => 'before'), ...after.nodes.map(() => 'after')];
      expect(tabs.map(([, side]) => side)).toEqual(sides);
      expect(tabs.map(([labelled]) => labelled)).toEqual(sides.map((side, i) => side !== sides[i - 1]));
      expect(tabs.map(([, side, title]) => String(title).startsWith(`${side}: `))).toEqual(sides.map(() => true));
      // The first 'after' tab has the same base name as the first 'before' one, and opens the new file.
      expect(after.nodes[0]!.file).toBe(before.nodes[0]!.file);
      await page.locator('#tabs button[data-side="after"]').first().click();
      expect(await page.inputValue('#config')).toBe(after.nodes[0]!.text);
      await page.locator('#tabs button[data-side="before"]').first().click();
      expect(await page.inputValue('#config')).toBe(before.nodes[0]!.text);
      await page.screenshot({ path: join(SCREENSHOTS, 'report-plan.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
