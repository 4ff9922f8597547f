/** `npm run bench` leaves the tracked results alone unless asked to record them. */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bench = new URL('../../bench/', import.meta.url);

describe('bench/run.mjs', () => {
  it('writes bench/results/latest.json (git-ignored) and leaves the tracked results.json as it was', async () => {
    const tracked = new URL('results.json', bench);
    const before = { text: readFileSync(tracked, 'utf8'), mtime: statSync(tracked).mtimeMs };
    // A name that matches no case module: the run itself is instant, the writing is what is tested.
    const { stdout } = await run(process.execPath, [new URL('run.mjs', bench).pathname, '--quick', 'no-such-case'], {
      cwd: new URL('..', bench).pathname,
    });
    expect(stdout).toContain('bench/results/latest.json');
    expect(JSON.parse(readFileSync(new URL('results/latest.json', bench), 'utf8'))).toMatchObject({ cases: [], targets: [], failed: [] });
    expect({ text: readFileSync(tracked, 'utf8'), mtime: statSync(tracked).mtimeMs }).toEqual(before);
    expect(readFileSync(new URL('../.gitignore', bench), 'utf8').split('\n')).toContain('bench/results/');
  });
});
