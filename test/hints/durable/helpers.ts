/** Shared fixtures of the durable store tests: temporary directories, child processes, small builders. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

/** The built `dynoring/durable` bundle that child processes import. */
export const BUNDLE = fileURLToPath(new URL('../../../dist/durable.js', import.meta.url));

/** Fails with a clear message when the bundle the child processes need was not built. */
export function requireBundle(): void {
  if (!existsSync(BUNDLE)) {
    throw new Error(
      `${BUNDLE} is missing: these tests run the built bundle in child processes. ` +
        'Build it with `npm run build` (or, for just this entry, `npx esbuild src/durable.ts --bundle --platform=node --format=esm --outfile=dist/durable.js`).',
    );
  }
}

/**
 * Returns a function making fresh temporary directories, all removed after
 * each test whether it passed or failed.
 */
export function useTempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dynoring-durable-'));
    made.push(dir);
    return dir;
  };
}

/** Output of a finished child process. */
export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script of this folder with Node and collects its output. */
export function runScript(script: string, args: string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The pid of a Node process that has already exited: a lock naming it is stale. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

/** The bytes of a string. */
export const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
/** The string of some bytes. */
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);
