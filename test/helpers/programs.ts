/**
 * Programs a suite needs from the machine (a browser, a server). CI installs
 * them (`.ci/run`), so there a missing one fails the suite; elsewhere the
 * suite is skipped with one line saying how to install it.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A program a suite runs, and how a developer gets it. */
export interface Program {
  /** What to call it in the message, e.g. `` `redis-server` ``. */
  readonly name: string;
  /** Whether it can be run on this machine now. */
  found(): boolean;
  /** How to install it, e.g. `apt-get install redis-server`. */
  readonly install: string;
}

/** Whether this runs under CI: `CI` set to anything but empty, `0` or `false`, as CI services set it. */
export function inCI(): boolean {
  return !['', '0', 'false'].includes((process.env.CI ?? '').toLowerCase());
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Whether `suite` (its `import.meta.url`, or its path from the repository
 * root) can run: true when `program` is found. Under CI a missing program
 * throws, so the suite fails; elsewhere one line says the suite is skipped
 * and how to install the program, and the answer is false (for
 * `describe.skipIf(!...)`).
 */
export function available(suite: string, program: Program): boolean {
  if (program.found()) return true;
  const name = suite.startsWith('file:') ? relative(ROOT, fileURLToPath(suite)) : suite;
  const missing = `${program.name} is not installed (${program.install}; .ci/run installs it)`;
  if (inCI()) throw new Error(`${name}: ${missing}, and CI must run this suite`);
  console.warn(`${name}: SKIPPED, ${missing}`);
  return false;
}
