/**
 * The browser suites' shared setup: report pages written into a temporary
 * directory, served on loopback, and Chromium to open them; everything is
 * stopped and removed after the suite, also when a test fails.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, type Chromium } from './chromium.js';
import { SCREENSHOTS } from './dist.js';
import { serve, type StaticServer } from './http-server.js';

/** What a suite opens its pages with; set once `beforeAll` has run. */
export interface ReportPages {
  /** The temporary directory the pages were written into. */
  dir: string;
  server?: StaticServer;
  chromium?: Chromium;
}

/**
 * Registers the suite's hooks: `write(dir)` writes the reports and returns
 * each page's HTML by name, which is then served at `/<name>`.
 */
export function useReportPages(prefix: string, write: (dir: string) => Promise<Record<string, string>>): ReportPages {
  const pages: ReportPages = { dir: '' };
  beforeAll(async () => {
    pages.dir = await mkdtemp(join(tmpdir(), prefix));
    const html = await write(pages.dir);
    pages.server = await serve(Object.fromEntries(Object.entries(html).map(([name, body]) => [`/${name}`, { type: 'text/html', body }])));
    pages.chromium = await launchChromium();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await pages.chromium?.close();
    await pages.server?.close();
    if (pages.dir) await rm(pages.dir, { recursive: true, force: true });
  });
  return pages;
}
