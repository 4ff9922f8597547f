/**
 * Every `$ dynoring ...` transcript in the README and in docs/ is run, in
 * process through `run(argv, io)` from the repository root, and must print
 * exactly what the page shows and end with the `# exit status N` it states.
 * A transcript can only use files the repository ships.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/run.js';
import { ready } from '../../src/index.js';
import { builtFile } from '../helpers/dist.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

interface Transcript {
  page: string;
  line: number;
  command: string;
  output: string;
  status: number;
}

/** Splits a command as a POSIX shell would for the simple words transcripts use (single quotes, no expansion). */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** The transcripts of one page: each `$ dynoring` line, the lines it printed, and its `# exit status`. */
function transcripts(page: string): Transcript[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const found: Transcript[] = [];
  let current: Transcript | undefined;
  lines.forEach((text, i) => {
    if (text.startsWith('```')) current = undefined;
    else if (text.startsWith('$ dynoring ')) current = { page, line: i + 1, command: text.slice(2), output: '', status: -1 };
    else if (current && /^# exit status \d+$/.test(text)) {
      found.push({ ...current, status: Number(text.slice('# exit status '.length)) });
      current = undefined;
    } else if (current) current.output += `${text}\n`;
  });
  return found;
}

/** Runs the command line in this process, stdout and stderr in the order written. */
async function inProcess(argv: string[]): Promise<{ printed: string; status: number }> {
  let printed = '';
  const io = { out: (text: string) => void (printed += text), err: (text: string) => void (printed += text) };
  return { status: await run(argv, io), printed };
}

/** Runs the built CLI: `report` embeds dist/browser.js, which only the build puts next to it. */
function builtCli(argv: string[]): { printed: string; status: number } {
  const child = spawnSync(process.execPath, [builtFile('cli.js'), ...argv], { cwd: ROOT, encoding: 'utf8' });
  return { printed: child.stderr + child.stdout, status: child.status ?? -1 };
}

const all = PAGES.flatMap(transcripts);
let out: string;

beforeAll(async () => {
  await ready();
  out = await mkdtemp(join(tmpdir(), 'dynoring-transcripts-'));
});

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('CLI transcripts in the documentation', () => {
  it('exist in the README', () => {
    expect(all.filter((t) => t.page === 'README.md').length).toBeGreaterThanOrEqual(3);
  });

  it.each(all.map((t) => [`${t.page}:${t.line} ${t.command}`, t] as const))('%s', async (_, t) => {
    const argv = words(t.command).slice(1);
    // A report written to a file goes to a temporary directory; the transcript shows the name it was given.
    const o = argv.indexOf('-o');
    const written = o >= 0 && argv[o + 1] !== '-' ? argv[o + 1] : undefined;
    if (written !== undefined) argv[o + 1] = join(out, written);
    const { printed: raw, status } = argv[0] === 'report' ? await builtCli(argv) : await inProcess(argv);
    let printed = raw;
    if (written !== undefined) printed = printed.replaceAll(join(out, written), written);
    expect(printed).toBe(t.output);
    expect(status).toBe(t.status);
  });
});
