/** The built files the browser suites run: they test what ships, not the sources. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of `dist/<name>`; fails with what to do when the build has not run. */
export function builtFile(name: 'browser.js' | 'cli.js' | 'client.js' | 'index.js'): string {
  const path = fileURLToPath(new URL(`../../dist/${name}`, import.meta.url));
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: the browser suites test the built bundle; run 'npm run build' first ('npm test' does)`);
  }
  return path;
}

/** Where the browser suites save screenshots (git-ignored). */
export const SCREENSHOTS = fileURLToPath(new URL('../../test-results/browser/', import.meta.url));
