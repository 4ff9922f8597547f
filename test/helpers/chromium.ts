/**
 * Debian's Chromium, driven by playwright-core (never a downloaded browser),
 * with the flags that keep it from reaching for the network on a closed one.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import type { Program } from './programs.js';

/** `$CHROMIUM`, or where `.ci/run` installs Chromium from Debian's packages. */
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Chromium, for `available()` in programs.ts: the browser suites skip without it outside CI. */
export const CHROMIUM_PROGRAM: Program = {
  name: `Chromium (${CHROMIUM})`,
  found: () => existsSync(CHROMIUM),
  install: 'apt-get install chromium, or set CHROMIUM to a Chrome or Chromium executable',
};

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser with a fresh profile; `close()` ends it and removes the profile. */
export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Starts Chromium with a fresh, temporary profile. Playwright refuses
 * `--user-data-dir` in `args`, so the profile directory goes through
 * `launchPersistentContext`, which passes it as that flag.
 */
export async function launchChromium(viewport = { width: 1400, height: 900 }): Promise<Chromium> {
  const profile = await mkdtemp(join(tmpdir(), 'dynoring-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport });
    return {
      context,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
}
