/**
 * The built bin (dist/cli.js) as a user runs it: a subprocess, for what only
 * a process shows (exit statuses, the version baked into the bundle, a reader
 * that closes the pipe early). Everything else runs in-process in cli.test.ts.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtFile } from '../helpers/dist.js';

const ROOT = resolve(import.meta.dirname, '../..');

function bin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [builtFile('cli.js'), ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('the dynoring bin', () => {
  it.each([
    [['validate', 'examples/cluster/dynomite.yml'], 0],
    [['validate', 'examples/overlap/dynomite.yml'], 1],
    [['route', 'examples/empty-rack/dynomite.yml', 'k'], 1],
    [['validate', 'examples/no-such.yml'], 2],
    [['frobnicate'], 2],
  ])('%j exits %i', async (args, code) => {
    expect((await bin(...args)).code).toBe(code);
  });

  it('prints the version it was built from, without reading package.json at run time', async () => {
    const { version } = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) expect(await bin(flag)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(readFileSync(builtFile('cli.js'), 'utf8')).not.toContain('devDependencies');
  });

  it('stops quietly when the reader closes the pipe early', async () => {
    const child = spawn(process.execPath, [builtFile('cli.js'), 'ring', 'examples/cluster/dynomite.yml'], { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdout.destroy();
    const code = await new Promise((done) => child.on('close', done));
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });
});
