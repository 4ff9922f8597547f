import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DurableHintStore } from '../../../src/durable.js';
import { requireBundle, text, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();
const CHILD = fileURLToPath(new URL('./crash-child.mjs', import.meta.url));
const ROUNDS = 25;
const KILLS_PER_ROUND = 2;

beforeAll(requireBundle);

/** Runs the crash child on `dir` and SIGKILLs it after a random delay; returns what it acknowledged and delivered. */
async function runAndKill(dir: string, start: number): Promise<{ acked: number[]; delivered: Set<number> }> {
  const child = spawn(process.execPath, [CHILD, dir, String(start)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  // Sometimes during startup (replay, lock takeover), mostly while writing and draining.
  const killEarly = Math.random() < 0.2;
  if (!killEarly) {
    await Promise.race([new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('ready\n') && resolve())), exited]);
  }
  await new Promise((resolve) => setTimeout(resolve, Math.random() * (killEarly ? 120 : 200)));
  child.kill('SIGKILL');
  await exited;
  if (child.exitCode !== null) throw new Error(`crash child exited by itself (${child.exitCode}): ${err}`);
  const lines = out.slice(0, out.lastIndexOf('\n') + 1).split('\n'); // a half-printed last line does not count
  const acked = lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.slice(4)));
  const delivered = new Set(lines.filter((l) => l.startsWith('del ')).map((l) => Number(l.slice(4))));
  return { acked, delivered };
}

describe('crash safety', () => {
  it('keeps every acknowledged hint exactly once and in order through SIGKILLs at random moments', async () => {
    let totalAcked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const dir = join(await tempDir(), 'hints');
      const acked: number[] = [];
      const delivered = new Set<number>();
      for (let kill = 0; kill < KILLS_PER_ROUND; kill++) {
        const run = await runAndKill(dir, (kill + 1) * 1_000_000);
        acked.push(...run.acked);
        for (const seq of run.delivered) delivered.add(seq);
      }
      totalAcked += acked.length;

      const warnings: string[] = [];
      const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always', onWarning: (m) => warnings.push(m) }).catch(
        (e: unknown) => {
          throw new Error(`round ${round}: reopening after the crash failed: ${String(e)}`);
        },
      );
      const present = new Set<number>();
      for (const peer of store.peersWithHints()) {
        const seqs: number[] = [];
        await store.drain(peer, async (hint) => void seqs.push(Number(text(hint.payload).split('|')[0])));
        for (let i = 1; i < seqs.length; i++) {
          expect(seqs[i], `round ${round}, peer ${peer}: out of order or repeated`).toBeGreaterThan(seqs[i - 1]!);
        }
        for (const seq of seqs) {
          expect(seq % 3, `round ${round}: hint ${seq} came back for peer ${peer}`).toBe(peer);
          present.add(seq);
        }
      }
      await store.close();
      const lost = acked.filter((seq) => !delivered.has(seq) && !present.has(seq));
      expect(lost, `round ${round}: acknowledged hints lost (warnings: ${warnings.join('; ')})`).toEqual([]);
    }
    expect(totalAcked).toBeGreaterThan(0);
  });
});
