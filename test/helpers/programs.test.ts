/**
 * `npm test` on a machine without Chromium or `redis-server`: outside CI the
 * suite that needs it is skipped with one line saying how to install it;
 * under CI it fails.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { available, inCI, type Program } from './programs.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const missing: Program = { name: '`frobnicate`', found: () => false, install: 'apt-get install frobnicate' };
const present: Program = { ...missing, found: () => true };

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('available', () => {
  it('is true for a program that is found, in CI or not, and prints nothing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.stubEnv('CI', '');
    expect(available(import.meta.url, present)).toBe(true);
    vi.stubEnv('CI', 'true');
    expect(available(import.meta.url, present)).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  it('outside CI: false, with one line naming the suite, the program and how to install it', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (const value of ['', '0', 'false']) {
      vi.stubEnv('CI', value);
      expect(inCI()).toBe(false);
      expect(available(import.meta.url, missing)).toBe(false);
    }
    expect(available('test/client/scan.test.ts', missing)).toBe(false);
    expect(warn).toHaveBeenCalledTimes(4);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^test\/client\/scan\.test\.ts: SKIPPED, /));
    expect(warn).toHaveBeenCalledWith(
      'test/helpers/programs.test.ts: SKIPPED, `frobnicate` is not installed (apt-get install frobnicate; .ci/run installs it)',
    );
  });

  it('under CI: throws, so the suite fails instead of passing with nothing run', () => {
    for (const value of ['true', '1']) {
      vi.stubEnv('CI', value);
      expect(() => available(import.meta.url, missing)).toThrow(
        /^test\/helpers\/programs\.test\.ts: `frobnicate` is not installed .*CI must run this suite$/,
      );
    }
  });
});

/** Runs one browser suite in its own vitest with Chromium pointed at a path that does not exist. */
function withoutChromium(ci: string) {
  const { FORCE_COLOR: _, ...inherited } = process.env;
  const env = { ...inherited, NO_COLOR: '1', CHROMIUM: '/nonexistent/chromium', CI: ci };
  const args = ['vitest', 'run', 'test/package/browser.test.ts', '--reporter=default'];
  return spawnSync('npx', args, { cwd: ROOT, env, encoding: 'utf8' });
}

describe('the browser suite on a machine without Chromium', () => {
  it('is skipped outside CI, with the install line, and passes', () => {
    const run = withoutChromium('');
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toContain(
      'test/package/browser.test.ts: SKIPPED, Chromium (/nonexistent/chromium) is not installed (apt-get install chromium',
    );
    expect(run.stdout).toMatch(/Test Files\s+1 skipped/);
  });

  it('fails under CI=true', () => {
    const run = withoutChromium('true');
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toContain('Chromium (/nonexistent/chromium) is not installed');
    expect(run.stdout + run.stderr).toContain('CI must run this suite');
  });
});
