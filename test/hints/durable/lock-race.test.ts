import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deadPid, requireBundle, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const CHILD = fileURLToPath(new URL('./lock-child.mjs', import.meta.url));
const PROCESSES = 8;
const ROUNDS = 30;

/** A child process that answers one line per command. */
interface Racer {
  child: ChildProcessWithoutNullStreams;
  next(): Promise<string>;
}

const racers: Racer[] = [];
beforeAll(requireBundle);
afterAll(() => {
  for (const { child } of racers.splice(0)) child.kill('SIGKILL');
});

function startRacer(): Racer {
  const child = spawn(process.execPath, [CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  child.once('close', (code) => {
    for (const waiter of waiting.splice(0)) waiter(`exited ${code}: ${stderr}`);
  });
  return {
    child,
    next: () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((resolve) => waiting.push(resolve))),
  };
}

it(`exactly one of ${PROCESSES} processes racing to take over a stale lock opens the store, ${ROUNDS} rounds in a row`, async () => {
  for (let i = 0; i < PROCESSES; i++) racers.push(startRacer());
  expect(await Promise.all(racers.map((r) => r.next()))).toEqual(Array(PROCESSES).fill('ready'));
  const stale = await deadPid();
  const opened: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const dir = join(await tempDir(), 'hints');
    await mkdir(dir, { mode: 0o700 });
    await writeFile(join(dir, 'LOCK'), `${stale}\n00000000-0000-4000-8000-${String(round).padStart(12, '0')}\n`, { mode: 0o600 });
    for (const r of racers) r.child.stdin.write(`open ${dir}\n`);
    const answers = await Promise.all(racers.map((r) => r.next()));
    expect(
      answers.filter((a) => a !== 'opened' && a !== 'refused Locked'),
      `round ${round}`,
    ).toEqual([]);
    opened.push(answers.filter((a) => a === 'opened').length);
    for (const r of racers) r.child.stdin.write('close\n');
    expect(await Promise.all(racers.map((r) => r.next()))).toEqual(Array(PROCESSES).fill('closed'));
  }
  expect(opened).toEqual(Array(ROUNDS).fill(1));
});

it('a process killed at any moment of a takeover never keeps the others out, nor lets two in', async () => {
  const stale = await deadPid();
  for (let round = 0; round < 10; round++) {
    const dir = join(await tempDir(), 'hints');
    await mkdir(dir, { mode: 0o700 });
    await writeFile(join(dir, 'LOCK'), `${stale}\n00000000-0000-4000-8000-${String(round).padStart(12, '0')}\n`, { mode: 0o600 });
    // Two racers are killed a random moment into their takeover; they may die holding the claim or the lock.
    const doomed = [startRacer(), startRacer()];
    racers.push(...doomed);
    await Promise.all(doomed.map((r) => r.next()));
    for (const r of doomed) r.child.stdin.write(`open ${dir}\n`);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 15));
    await Promise.all(doomed.map((r) => new Promise((resolve) => (r.child.once('close', resolve), r.child.kill('SIGKILL')))));
    // Every survivor then races again: exactly one gets in, whatever the dead left behind.
    for (const r of racers.slice(0, PROCESSES)) r.child.stdin.write(`open ${dir}\n`);
    const answers = await Promise.all(racers.slice(0, PROCESSES).map((r) => r.next()));
    expect(
      answers.filter((a) => a === 'opened'),
      `round ${round}: ${answers.join(', ')}`,
    ).toHaveLength(1);
    expect(answers.filter((a) => a !== 'opened' && a !== 'refused Locked')).toEqual([]);
    for (const r of racers.slice(0, PROCESSES)) r.child.stdin.write('close\n');
    await Promise.all(racers.slice(0, PROCESSES).map((r) => r.next()));
    racers.splice(PROCESSES);
  }
});
