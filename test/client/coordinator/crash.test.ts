/**
 * Coordinator mode: SIGKILL of the coordinator process itself. A child
 * process writes a steady load at DC_QUORUM to three racks of two with a
 * `DurableHintStore` while a replica is down, and is killed; a second one
 * opens the same hint directory, replays what the first left on disk once
 * the replica is back, ahead of its own writes for it, and every replica
 * ends with each key's latest write. The child runs the built package
 * (`npm test` builds it first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Topology } from '../../../src/index.js';
import { redisAvailable, startCluster, waitFor, type TestCluster } from '../helpers.js';
import { keysOwnedBy, replicaDifferences, topologyOf, type KeyHistory } from './support.js';

const RUN = redisAvailable('test/client/coordinator/crash.test.ts');
const WRITER = fileURLToPath(new URL('writer.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../../dist/client.js', import.meta.url));
const KEYS = 120;

/** One coordinator process and what it printed. */
class Writer {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  stderr = '';
  /** Resolves with the exit code once the process ended and all its output was read. */
  readonly exited: Promise<number | null>;
  closed = false;
  acks = 0;

  constructor(config: object) {
    this.child = spawn(process.execPath, [WRITER, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.lines.push(line);
      if (line.startsWith('ACK ')) this.acks++;
    });
    this.child.stderr!.on('data', (d) => (this.stderr += d));
    this.child.stdin!.on('error', () => undefined); // EPIPE once killed
    // 'close', not 'exit': at 'exit' the last lines may still be unread.
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code) => {
        this.closed = true;
        resolve(code);
      }),
    );
  }

  /** Waits for `check`, failing at once (with its stderr) if the process ended without meeting it. */
  wait(what: string, check: () => boolean): Promise<void> {
    return waitFor(what, () => {
      if (check()) return true;
      if (this.closed) throw new Error(`the writer exited (${this.child.exitCode}) while waiting for ${what}:\n${this.stderr}`);
      return false;
    }).catch((err: Error) => {
      throw new Error(`${err.message}; the writer's last lines:\n${this.lines.slice(-12).join('\n')}\nstderr:\n${this.stderr}`);
    });
  }

  async more(n: number): Promise<void> {
    const target = this.acks + n;
    await this.wait(`${n} more acknowledged writes`, () => this.acks >= target);
  }

  /** Per key: last sent and last acknowledged sequence number. */
  history(): Map<string, KeyHistory> {
    const out = new Map<string, KeyHistory>();
    for (const line of this.lines) {
      const [what, key, seq] = line.split(' ');
      if (what !== 'SEND' && what !== 'ACK') continue;
      const h = out.get(key!) ?? { attempted: 0, acked: 0 };
      out.set(key!, h);
      if (what === 'SEND') h.attempted = Number(seq);
      else h.acked = Number(seq);
    }
    return out;
  }
}

describe.skipIf(!RUN)('coordinator mode, the coordinator process killed', () => {
  let cluster: TestCluster;
  let topology: Topology;
  let hintDir: string;
  const writers: Writer[] = [];
  beforeAll(async () => {
    cluster = await startCluster({ racks: 3, perRack: 2, persist: true });
    topology = await topologyOf(cluster);
    hintDir = await mkdtemp(join(tmpdir(), 'dynoring-coordinator-hints-'));
  });
  afterAll(async () => {
    for (const w of writers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await cluster?.stop();
    if (hintDir) await rm(hintDir, { recursive: true, force: true });
  });

  it('replays its durable hints after a SIGKILL and restart, ahead of the new writes', async () => {
    expect(existsSync(DIST), `${DIST} is missing: run 'npm run build' first ('npm test' does)`).toBe(true);
    const down = cluster.nodes.find((n) => n.rack === 'rack3')!;
    const client = {
      seeds: cluster.seeds,
      clientPort: cluster.clientPort,
      localRack: 'rack1',
      nodes: 'redis',
      writeConsistency: 'DC_QUORUM',
      commandTimeoutMs: 10_000, // the killed replica fails fast (refused); a live one must not time out on a loaded machine
      probeIntervalMs: 20,
      probeBackoffMaxMs: 100,
      hintReplayIntervalMs: 20,
    };
    const start = (firstSeq: number) => {
      const w = new Writer({ hintDir, firstSeq, keys: KEYS, client });
      writers.push(w);
      return w;
    };

    const first = start(1);
    await first.wait('the first writer to start', () => first.lines[0]?.startsWith('READY') === true);
    await first.more(200);
    await down.server.stop('SIGKILL');
    // Writes the child sends after it echoes MARK were sent after the replica died: none can reach it, so each one
    // acknowledged must have had its hint stored (fsynced) first. (Writes answered just after the kill may have reached it.)
    first.child.stdin!.write('MARK\n');
    await first.wait('the writer to echo MARK', () => first.lines.includes('MARK'));
    await first.more(300);
    first.child.kill('SIGKILL');
    await first.exited;
    // Each write it acknowledged after the replica died had that replica's hint fsynced first.
    const mine = new Set(
      keysOwnedBy(
        topology,
        Array.from({ length: KEYS }, (_, i) => `crash:${i}`),
        down.index,
      ),
    );
    const after = first.lines.slice(first.lines.indexOf('MARK'));
    const sentAfter = new Set(after.filter((l) => l.startsWith('SEND ')).map((l) => l.slice('SEND '.length)));
    const mustReplay = after
      .filter((l) => l.startsWith('ACK ') && sentAfter.has(l.slice('ACK '.length)))
      .filter((l) => mine.has(l.split(' ')[1]!));
    expect(mustReplay.length).toBeGreaterThan(50);
    expect(first.lines.filter((l) => l.startsWith('FAIL '))).toEqual([]);

    const second = start(1_000_000);
    await second.wait('the second writer to open the hints', () => second.lines[0]?.startsWith('READY') === true);
    expect(Number(second.lines[0]!.split(' ')[1])).toBeGreaterThanOrEqual(mustReplay.length);
    await second.more(200);
    await down.server.restart();
    await second.more(600);
    second.child.stdin!.end('STOP\n'); // and the end of input, so it can exit
    await second.wait('the second writer to drain its hints', () => second.lines.at(-1)?.startsWith('DRAINED ') === true);
    expect(await second.exited).toBe(0);

    const stats = JSON.parse(second.lines.at(-1)!.slice('DRAINED '.length)) as { replayed: number; expired: number }[];
    expect(stats[down.index]!.replayed).toBeGreaterThanOrEqual(mustReplay.length);
    expect(stats[down.index]!.expired).toBe(0);
    // Every key was written again by the second writer: each replica must hold its last write.
    const history = second.history();
    expect(history.size).toBe(KEYS);
    expect(await replicaDifferences(cluster, topology, history)).toEqual([]);
  });
});
