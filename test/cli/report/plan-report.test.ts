/**
 * `dynoring report OLD... -- NEW...` in Chromium: the plan view shows each
 * rack before and after, the moving ranges Node computes, and the balance.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffPeers, planDouble, planNew, type PoolPlan } from '../../../src/index.js';
import { launchChromium, type Chromium } from '../../helpers/chromium.js';
import { builtFile, SCREENSHOTS } from '../../helpers/dist.js';
import { serve, type StaticServer } from '../../helpers/http-server.js';

const run = promisify(execFile);
let dir: string;
let chromium: Chromium | undefined;
let server: StaticServer | undefined;
let before: PoolPlan;
let after: PoolPlan;

const write = (plan: PoolPlan, sub: string) => {
  mkdirSync(join(dir, sub));
  return plan.nodes.map((n) => {
    writeFileSync(join(dir, sub, n.file), n.text);
    return join(dir, sub, n.file);
  });
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dynoring-plan-report-'));
  before = planNew({
    racks: [
      { dc: 'dc1', rack: 'r1' },
      { dc: 'dc1', rack: 'r2' },
    ],
    nodesPerRack: 3,
    hosts: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'],
  });
  after = planDouble(
    before.nodes.map((n) => ({ text: n.text, file: n.file })),
    ['10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.4', '10.0.1.5', '10.0.1.6'],
  );
  const [old, now] = [write(before, 'old'), write(after, 'new')];
  const out = join(dir, 'plan.html');
  const { stdout } = await run(process.execPath, [builtFile('cli.js'), 'report', '-o', out, ...old, '--', ...now]);
  expect(stdout).toMatch(/: 12 peers in 2 racks, no problems\n$/);
  server = await serve({ '/plan.html': { type: 'text/html', body: readFileSync(out, 'utf8') } });
  chromium = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('dynoring report: the plan view', () => {
  it('draws each rack before and after with the moving ranges and the balance', async () => {
    const page = await chromium!.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    try {
      await page.goto(`${server!.url}/plan.html`);
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
      await page.screenshot({ path: join(SCREENSHOTS, 'report-plan.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
