/**
 * `dynoring report` end to end: the built CLI writes the page, Chromium opens
 * it, and the DOM shows the peers, shares and problems Node computes; pasting
 * a config updates the rings. Screenshots go to test-results/browser/.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { mergeNodeConfigs, parseConfigFile, Topology } from '../../../src/index.js';
import { bundleExpression, prepareBrowserBundle } from '../../../src/cli/report/render-html.js';
import { CHROMIUM_PROGRAM } from '../../helpers/chromium.js';
import { available } from '../../helpers/programs.js';
import { bigCluster, EMPTY_RACK_NODE, PASTED_OVERLAP } from '../../helpers/configs.js';
import { builtFile, SCREENSHOTS } from '../../helpers/dist.js';
import { useReportPages } from '../../helpers/report-pages.js';

const HAVE_CHROMIUM = available(import.meta.url, CHROMIUM_PROGRAM);
const run = promisify(execFile);
const THREE_RACKS = 'examples/report/three-racks.yml';
const WILDCARD_PAIR = ['test/fixtures/config/wildcard-east.yml', 'test/fixtures/config/wildcard-west.yml'];
const repo = new URL('../../../', import.meta.url);
const big = bigCluster();

const written: Record<string, { stdout: string; html: string }> = {};

/** Runs the built CLI from the repository root. */
async function cli(...args: string[]) {
  return run(process.execPath, [builtFile('cli.js'), ...args], { cwd: repo });
}

/** Each rack's shares as the page prints them, computed by Node. */
function nodeShares(files: string[]): Map<string, string[]> {
  const merged = mergeNodeConfigs(files.map((file) => parseConfigFile({ text: readFileSync(new URL(file, repo), 'utf8'), file })));
  const topology = Topology.fromPeers(merged.peers);
  return new Map(
    topology.racks().map(({ dc, rack }) => {
      const owned = topology.continuum(dc, rack).ownership();
      const members = merged.peers.filter((p) => p.dc === dc && p.rack === rack).sort((a, b) => a.index - b.index);
      return [`${dc}/${rack}`, members.map((p) => (owned.size ? `${((owned.get(p.index) ?? 0) * 100).toFixed(2)}%` : '—'))];
    }),
  );
}

/** Opens a generated report and waits until it has drawn (or says why it could not). */
async function open(name: string): Promise<{ page: Page; errors: string[] }> {
  const page = await pages.chromium!.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(`${pages.server!.url}/${name}`);
  await page.waitForSelector('html[data-ready]', { timeout: 20_000 });
  const ready = await page.getAttribute('html', 'data-ready');
  if (ready !== 'true') throw new Error(`the report did not start: ${await page.textContent('#status')} ${errors.join('; ')}`);
  return { page, errors };
}

/** Peer rows and drawn arcs of one rack card, with the shares its table shows. */
async function rackCard(page: Page, dc: string, rack: string) {
  const card = page.locator(`.rack-card[data-dc="${dc}"][data-rack="${rack}"]`);
  return {
    rows: await card.locator('.peer-row').count(),
    arcs: await card.locator('svg path.arc').count(),
    arcPeers: await card.locator('svg path.arc').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-peer')))),
    shares: await card.locator('.peer-row .share-value').allTextContents(),
    overlapTokens: await card.locator('.overlap-marker').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-token')))),
    empty: await card.locator('svg .empty-ring').count(),
  };
}

const pages = useReportPages('dynoring-report-', async (dir) => {
  builtFile('browser.js');
  writeFileSync(join(dir, 'seeds-64.txt'), big.seeds);
  writeFileSync(join(dir, 'new-node.yml'), EMPTY_RACK_NODE);
  const reports: [string, string[]][] = [
    ['three-racks.html', [THREE_RACKS]],
    ['big.html', [join(dir, 'seeds-64.txt'), join(dir, 'new-node.yml')]],
    ['wildcard.html', WILDCARD_PAIR],
  ];
  for (const [name, files] of reports) {
    const out = join(dir, name);
    const { stdout } = await cli('report', ...files, '-o', out);
    written[name] = { stdout, html: readFileSync(out, 'utf8') };
  }
  return Object.fromEntries(Object.entries(written).map(([name, w]) => [name, w.html]));
});

describe.skipIf(!HAVE_CHROMIUM)('dynoring report', () => {
  it('writes one self-contained page that embeds the library and the files', () => {
    const { stdout, html } = written['three-racks.html']!;
    expect(stdout).toMatch(/^wrote .*three-racks\.html: 9 peers in 3 racks, no problems\n$/);
    expect(written['big.html']!.stdout).toMatch(/: 65 peers in 2 racks, 2 problems\n$/);
    // Nothing to fetch: outside the scripts' text, every reference is a data: URL.
    const markup = html.replace(/(<script\b[^>]*>)[\s\S]*?<\/script>/g, '$1</script>');
    expect([...markup.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]!.slice(0, 5))).toEqual(['data:']);
    expect(markup).not.toMatch(/@import|url\(/i);
    expect(markup).toMatch(/Content-Security-Policy" content="default-src 'none'/);
    // Two script elements (files, page with the library in it), none cut short by a `</script>` inside.
    expect(html.match(/<script\b/g)).toHaveLength(2);
    expect(html.match(/<\/script>/gi)).toHaveLength(2);
    const payload = (id: string) =>
      JSON.parse(html.match(new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, 's'))![1]!);
    expect(payload('dynoring-files')).toEqual([{ file: THREE_RACKS, text: readFileSync(new URL(THREE_RACKS, repo), 'utf8') }]);
    expect(html).toContain(bundleExpression(prepareBrowserBundle(readFileSync(builtFile('browser.js'), 'utf8'))));
  });

  it('refuses to run without -o, and reports files it cannot read or write', async () => {
    await expect(cli('report', THREE_RACKS)).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/no output file/) });
    await expect(cli('report', THREE_RACKS, '-o', join(pages.dir, 'missing', 'x.html'))).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/x\.html: cannot write the report: its directory does not exist/),
    });
    await expect(cli('report', 'no/such.yml', '-o', join(pages.dir, 'x.html'))).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no\/such\.yml: cannot read the file/),
    });
  });

  it('draws 3 racks × 3 nodes with their shares, using WebAssembly and no network', async () => {
    const before = pages.server!.requests.length;
    const { page, errors } = await open('three-racks.html');
    try {
      await page.waitForSelector('html[data-engine]');
      expect(await page.getAttribute('html', 'data-engine')).toBe('wasm');
      expect(await page.textContent('#engine')).toBe('WebAssembly');
      expect(await page.textContent('#status')).toBe('Every rack has a usable ring');
      expect(await page.textContent('#summary')).toContain('9 peers in 3 racks of 1 datacenter');
      expect(await page.locator('.problem').count()).toBe(0);
      const shares = nodeShares([THREE_RACKS]);
      expect(await page.locator('.rack-card').count()).toBe(3);
      for (const [key, expected] of shares) {
        const [dc, rack] = key.split('/') as [string, string];
        const card = await rackCard(page, dc, rack);
        expect(card, key).toMatchObject({ rows: 3, arcs: 3, shares: expected, overlapTokens: [], empty: 0 });
      }
      expect(shares.get('us-east-1/us-east-1c')).toEqual(['33.33%', '23.28%', '43.38%']);
      await page.screenshot({ path: join(SCREENSHOTS, 'report-3x3.png'), fullPage: true });
      expect(pages.server!.requests.slice(before)).toEqual(['/three-racks.html']);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('draws 64 peers × 256 tokens with the planted overlap and the empty rack marked', async () => {
    const { page, errors } = await open('big.html');
    try {
      expect(await page.textContent('#status')).toBe('2 problems');
      const shares = nodeShares([join(pages.dir, 'seeds-64.txt'), join(pages.dir, 'new-node.yml')]);

      const a = await rackCard(page, 'dc1', 'rack-a');
      expect(a.rows).toBe(64);
      expect(a.arcPeers).toEqual(Array.from({ length: 64 }, (_, i) => i));
      expect(a.shares).toEqual(shares.get('dc1/rack-a'));
      expect(a.overlapTokens).toEqual([big.overlap.token]);
      const flagged = await page
        .locator('.rack-card[data-rack="rack-a"] .peer-row.has-overlap')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-peer'))));
      expect(flagged).toEqual(big.overlap.peers);

      const b = await rackCard(page, 'dc1', 'rack-b');
      expect(b).toMatchObject({ rows: 1, arcs: 0, empty: 1, shares: ['—'] });
      expect(await page.locator('.rack-card[data-rack="rack-b"] .callout').textContent()).toMatch(/fail with NoTargets/);

      const problems = page.locator('.problem');
      expect(
        await problems.evaluateAll((els) =>
          els.map((e) => [e.getAttribute('data-kind'), e.getAttribute('data-rack'), e.getAttribute('data-token')]),
        ),
      ).toEqual([
        ['Overlap', 'rack-a', String(big.overlap.token)],
        ['EmptyRack', 'rack-b', null],
      ]);
      expect(await problems.first().textContent()).toContain(
        `overlapping token: peers 7 (10.1.0.8:8101) and 41 (10.1.0.42:8101) both claim token ${big.overlap.token}`,
      );
      expect(await problems.nth(1).textContent()).toContain("empty rack: rack 'rack-b' in datacenter 'dc1' has no tokens");

      // Hovering a peer's row lights up where its 256 tokens are.
      const row = page.locator('.rack-card[data-rack="rack-a"] .peer-row[data-peer="41"]');
      await row.scrollIntoViewIfNeeded();
      await row.hover();
      const marks = page.locator('.rack-card[data-rack="rack-a"] path.marks[data-peer="41"]');
      expect(await marks.evaluate((e) => getComputedStyle(e).display)).not.toBe('none');
      expect((await marks.getAttribute('d'))!.match(/M/g)!.length).toBeGreaterThan(200);
      await page.mouse.move(0, 0);
      await page.locator('.rack-card[data-rack="rack-a"] .table-box').evaluate((e) => e.scrollTo(0, 0));

      await page.screenshot({ path: join(SCREENSHOTS, 'report-64x256.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('updates the rings and problems from a pasted config, and shows a parse error with its line', async () => {
    const { page, errors } = await open('three-racks.html');
    try {
      await page.fill('#config', PASTED_OVERLAP);
      await page.waitForSelector('.problem[data-kind="Overlap"]');
      expect(await page.locator('.rack-card').count()).toBe(1);
      const card = await rackCard(page, 'dc9', 'r1');
      expect(card).toMatchObject({ rows: 3, arcs: 2, overlapTokens: [2147483648], shares: ['50.00%', '50.00%', '0.00%'] });
      expect(await page.textContent('#status')).toBe('1 problem');
      await page.screenshot({ path: join(SCREENSHOTS, 'report-pasted.png'), fullPage: true });

      await page.fill('#config', `${PASTED_OVERLAP}10.9.0.4:8101:r1:dc9:12x d\n`);
      await page.waitForSelector('#parse-error:not([hidden])');
      expect(await page.textContent('#parse-error')).toMatch(/^examples\/report\/three-racks\.yml:5: .*12x/);
      expect(await page.textContent('#gutter .err')).toBe('5');
      expect(await page.getAttribute('#view', 'class')).toContain('stale');
      expect(await page.isVisible('#stale-note')).toBe(true);
      await page.screenshot({ path: join(SCREENSHOTS, 'report-parse-error.png'), fullPage: true });

      await page.click('#reset');
      await page.waitForSelector('#parse-error[hidden]', { state: 'attached' });
      expect(await page.locator('.rack-card').count()).toBe(3);
      expect(await page.textContent('#status')).toBe('Every rack has a usable ring');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('has drawn by the load event, so a plain screenshot never catches "Loading…"', async () => {
    const page = await pages.chromium!.context.newPage();
    try {
      await page.goto(`${pages.server!.url}/three-racks.html`, { waitUntil: 'load' });
      // No waiting: whatever the page shows at its load event.
      const shown = await page.evaluate(() => ({
        ready: document.documentElement.dataset.ready,
        status: document.getElementById('status')!.textContent,
        cards: document.querySelectorAll('.rack-card svg.ring').length,
      }));
      expect(shown).toEqual({ ready: 'true', status: 'Every rack has a usable ring', cards: 3 });
    } finally {
      await page.close();
    }
  });

  it('shows a wildcard pair with its notes, each token labelled, whole seed lines and cards sized to their content', async () => {
    const { page, errors } = await open('wildcard.html');
    try {
      expect(await page.locator('#notes .note').allTextContents()).toEqual([
        expect.stringMatching(/^note.*wildcard-east\.yml:7: dyn_listen 0\.0\.0\.0:8101 is a wildcard address; taking 192\.168\.7\.10:8101/),
        expect.stringMatching(/^note.*wildcard-west\.yml:6: dyn_listen 0\.0\.0\.0:8101 is a wildcard address; taking 192\.168\.7\.20:8101/),
      ]);
      expect(await page.locator('.peer-row .endpoint').allTextContents()).toEqual(['192.168.7.10:8101', '192.168.7.20:8101']);
      for (const rack of ['e1', 'w1']) {
        const card = page.locator(`.rack-card[data-rack="${rack}"]`);
        expect(await card.locator('.token-label').allTextContents()).toEqual(['2147483648']);
        expect(await card.locator('.scale-label').count()).toBe(0);
        // A one-peer card is as tall as its ring, not a big ring's height.
        const heights = await card.evaluate((e) => ({
          card: e.getBoundingClientRect().height,
          body: e.querySelector('.rack-body')!.getBoundingClientRect().height,
          ring: e.querySelector('svg.ring')!.getBoundingClientRect().height,
        }));
        expect(heights.body).toBe(heights.ring);
        expect(heights.ring).toBeLessThan(250);
      }
      // The editor wraps long lines instead of cutting them, and the gutter keeps each number on its line.
      await page.setViewportSize({ width: 1100, height: 900 });
      for (const tab of [0, 1]) {
        await page.click(`#tabs [data-tab="${tab}"]`);
        const shown = await page.evaluate(() => {
          const editor = document.getElementById('config') as HTMLTextAreaElement;
          const gutter = document.getElementById('gutter')!;
          // The content's own height: shrink the box so scrollHeight is not the box's.
          const box = editor.style.cssText;
          editor.style.width = `${editor.getBoundingClientRect().width}px`;
          editor.style.flex = 'none';
          editor.style.height = '0px';
          const rows = Math.round((editor.scrollHeight - 16) / 18);
          editor.style.cssText = box;
          return {
            cut: editor.scrollWidth > editor.clientWidth,
            rows,
            gutterRows: gutter.textContent!.split('\n').length - 1,
            numbers: gutter.textContent!.split('\n').filter((l) => l !== '').length,
            lines: editor.value.split('\n').length,
          };
        });
        expect(shown.cut).toBe(false);
        expect(shown.numbers).toBe(shown.lines);
        expect(shown.gutterRows).toBe(shown.rows);
        expect(shown.rows).toBeGreaterThan(shown.lines);
      }
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.screenshot({ path: join(SCREENSHOTS, 'report-wildcard-pair.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
