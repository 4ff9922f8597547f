/**
 * End to end against real Redis (issues 8 and 15): the example in
 * examples/redis-fanout, DynoClient in coordinator mode, run as a program
 * the way its README runs it, against four `redis-server` processes (two
 * racks of two). We check with ioredis where every key landed, that hints
 * for a stopped server wait on disk across a SIGKILL of the program, and
 * that the next run replays them in order once the server is back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready, Topology } from '../../src/index.js';
import { available } from '../helpers/programs.js';
import { REDIS_PROGRAM, RedisServer } from '../helpers/redis-servers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/redis-fanout');
const DIST = join(ROOT, 'dist/client.js');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 25 ms until it holds, for at most `ms`; throws, saying what it waited for, otherwise. */
async function waitFor(what: string | (() => string), check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 25) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
}

const HAVE_REDIS = available(import.meta.url, REDIS_PROGRAM);

/** One run of main.mjs: its stdout lines, stderr, and exit. */
interface Run {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  exited: Promise<number | null>;
  /** Throws, with its stderr, if it exited on its own; for waits on its output. */
  alive: () => boolean;
}

describe.skipIf(!HAVE_REDIS)('redis-fanout example against four real redis-server processes', () => {
  const servers: RedisServer[] = [];
  const children: ChildProcess[] = [];
  let work: string;
  let config: string;
  let topology: Topology;

  // A failed beforeAll would leave the tests "skipped", which CI's summary does not count as
  // failures; so a setup error is kept and each test fails with it instead.
  let setupError: unknown;
  const setupDone = () => {
    if (setupError !== undefined) throw setupError;
  };

  beforeAll(async () => {
    try {
      await setup();
    } catch (err) {
      setupError = err;
    }
  });

  async function setup(): Promise<void> {
    if (!existsSync(DIST)) {
      throw new Error(
        `${DIST} is missing: the example imports the built package ('dynoring/client'). Run \`npm run build\` first (\`npm test\` does).`,
      );
    }
    work = await mkdtemp(join(tmpdir(), 'dynoring-e2e-'));
    const started = await Promise.allSettled([0, 1, 2, 3].map(() => RedisServer.launch()));
    for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    // The shipped cluster.yml, with its placeholder ports 7001-7004 pointed at our servers.
    let text = await readFile(join(EXAMPLE, 'cluster.yml'), 'utf8');
    servers.forEach((server, i) => (text = text.replaceAll(`127.0.0.1:${7001 + i}`, `127.0.0.1:${server.port}`)));
    config = join(work, 'cluster.yml');
    await writeFile(config, text);
    await ready();
    topology = Topology.fromDynomiteYaml({ text, file: config });
  }

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.allSettled(servers.map((server) => server.destroy()));
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Starts main.mjs with `args`; `input` (if given) is written to its stdin, which is then closed. */
  function start(args: string[], input?: string): Run {
    const child = spawn(process.execPath, [join(EXAMPLE, 'main.mjs'), '--config', config, ...args], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    const lines: string[] = [];
    let stderr = '';
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdin!.on('error', () => undefined); // EPIPE once it is killed; `alive` reports a crash
    if (input !== undefined) child.stdin!.end(input);
    // 'close', not 'exit': at 'exit' the last lines may still be unread.
    let closed = false;
    const exited = new Promise<number | null>((resolve) =>
      child.once('close', (code) => {
        closed = true;
        resolve(code);
      }),
    );
    const alive = () => {
      if (closed) throw new Error(`main.mjs exited with code ${child.exitCode}; its stderr:\n${stderr}`);
      return true;
    };
    return { child, lines, stderr: () => stderr, exited, alive };
  }

  /** Runs main.mjs to its end on `input`; its stdout lines. */
  async function runToEnd(args: string[], input: string): Promise<string[]> {
    const run = start(args, input);
    const code = await run.exited;
    if (code !== 0) throw new Error(`main.mjs exited with code ${code}; its stderr:\n${run.stderr()}`);
    return run.lines;
  }

  /** Runs `fn` with an ioredis client of server `peer`, always disconnecting it. */
  async function withClient<T>(peer: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis({
      host: '127.0.0.1',
      port: servers[peer]!.port,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
    await redis.connect();
    try {
      return await fn(redis);
    } finally {
      redis.disconnect();
    }
  }

  /** Every key on server `peer`, with its value. */
  async function contents(peer: number): Promise<Map<string, string | null>> {
    return withClient(peer, async (redis) => {
      const keys = await redis.keys('*');
      const values = keys.length === 0 ? [] : await redis.mget(keys);
      return new Map(keys.map((key, i) => [key, values[i] ?? null]));
    });
  }

  /** Compares server `peer` with `want`: keys missing, keys that do not belong there, and wrong values (first few of each). */
  async function diff(peer: number, want: Map<string, string>) {
    const have = await contents(peer);
    const missing = [...want.keys()].filter((k) => !have.has(k));
    const extra = [...have.keys()].filter((k) => !want.has(k));
    const wrong = [...want].filter(([k, v]) => have.has(k) && have.get(k) !== v).map(([k, v]) => `${k}: want ${v}, have ${have.get(k)}`);
    return { peer, keys: have.size, missing: missing.slice(0, 5), extra: extra.slice(0, 5), wrong: wrong.slice(0, 5) };
  }
  const clean = (peer: number, keys: number) => ({ peer, keys, missing: [], extra: [], wrong: [] });

  /**
   * The owner of each key in each rack, by the library's batch router
   * (WebAssembly, out[i * racks + r]) on the source, while the example
   * routes with DynoClient from the built package.
   */
  function owners(keys: string[]): number[][] {
    const racks = topology.racks().length;
    const out = topology.routeKeys(keys);
    return keys.map((_, i) => Array.from(out.subarray(i * racks, (i + 1) * racks)));
  }

  /** What each server should hold now: peer index -> key -> value. */
  const expected = [0, 1, 2, 3].map(() => new Map<string, string>());

  it('writes 2,000 keys to exactly their owner in each rack and nowhere else, and reads from the local rack', async () => {
    setupDone();
    const keys = Array.from({ length: 2000 }, (_, i) => `key:${i}`);
    // DRAIN first: on a loaded machine a healthy server's write may time out into a hint, replayed at once.
    const lines = await runToEnd([], keys.map((k) => `SET ${k} v1:${k}\n`).join('') + 'GET key:42\nDRAIN\nHINTS\n');
    expect(lines).toEqual([...keys.map((k) => `OK ${k}`), 'v1:key:42', 'DRAINED 0', 'HINTS 0 {}']);
    const placement = owners(keys);
    keys.forEach((key, i) => {
      const [a, b] = placement[i]!;
      expect([topology.peer(a!).rack, topology.peer(b!).rack]).toEqual(['rack-a', 'rack-b']);
      for (const peer of placement[i]!) expected[peer]!.set(key, `v1:${key}`);
    });
    // Both nodes of each rack take a share, and each rack holds every key once.
    expect(expected[0]!.size + expected[1]!.size).toBe(2000);
    expect(expected[2]!.size + expected[3]!.size).toBe(2000);
    for (const peer of [0, 1, 2, 3]) expect(expected[peer]!.size).toBeGreaterThan(200);
    for (const peer of [0, 1, 2, 3]) expect(await diff(peer, expected[peer]!)).toEqual(clean(peer, expected[peer]!.size));
    // Reads come from the local rack (rack-a): give the rack-b copy another value and read.
    const [[inA, inB]] = owners(['key:7']) as [[number, number]];
    await withClient(inB, (redis) => redis.set('key:7', 'from rack-b'));
    expected[inB]!.set('key:7', 'from rack-b');
    expect(await runToEnd([], 'GET key:7\n')).toEqual(['v1:key:7']);
    expect(expected[inA]!.get('key:7')).toBe('v1:key:7');
  });

  it('keeps hints for a stopped server on disk across a SIGKILL of the program, and the next run replays them in order', async () => {
    setupDone();
    const DOWN = 3; // b2, in rack-b
    const hintDir = join(work, 'hints');
    await servers[DOWN]!.stop('SIGKILL');

    // New keys, overwrites of earlier keys, and keys written twice (the second value must win).
    const writes: Array<[string, string]> = [];
    for (let i = 0; i < 200; i++) writes.push([`twice:${i}`, `first:${i}`]);
    for (let i = 0; i < 600; i++) writes.push([`new:${i}`, `v2:${i}`]);
    for (let i = 0; i < 300; i++) writes.push([`key:${i * 7}`, `v2:key:${i * 7}`]);
    for (let i = 0; i < 200; i++) writes.push([`twice:${i}`, `second:${i}`]);
    const placement = owners(writes.map(([k]) => k));
    const hinted: Array<[string, string]> = []; // what DOWN must receive, in write order
    writes.forEach(([key, value], i) => {
      for (const peer of placement[i]!) expected[peer]!.set(key, value);
      if (placement[i]!.includes(DOWN)) hinted.push([key, value]);
    });
    expect(hinted.length).toBeGreaterThan(300);

    const first = start(['--hints', hintDir]);
    // DRAIN first: hints of a healthy server (a write that timed out on a loaded machine) are replayed before HINTS.
    first.child.stdin!.write(writes.map(([k, v]) => `SET ${k} ${v}\n`).join('') + 'DRAIN\nHINTS\n');
    await waitFor(
      () => `every write answered (got ${first.lines.length}; stderr: ${first.stderr()})`,
      () => first.alive() && first.lines.length > writes.length + 1,
      30_000,
    );
    expect(first.lines.slice(0, writes.length)).toEqual(writes.map(([k]) => `OK ${k}`));
    const { host, port } = topology.peer(DOWN).endpoint;
    expect(first.lines.slice(-2)).toEqual([`DRAINED ${hinted.length}`, `HINTS ${hinted.length} {"${host}:${port}":${hinted.length}}`]);
    // Answered means fsynced: the hints are in DOWN's log when the program dies.
    first.child.kill('SIGKILL');
    await first.exited;
    expect((await readdir(hintDir)).filter((f) => f.startsWith(`hints-${DOWN}-`)).length).toBeGreaterThan(0);
    for (const peer of [0, 1, 2]) expect(await diff(peer, expected[peer]!)).toEqual(clean(peer, expected[peer]!.size));

    // Back on the same port, empty (no persistence): the next run gives it exactly the hinted writes, in order.
    await servers[DOWN]!.restart();
    const seen: string[][] = [];
    const base = new Redis({ host: '127.0.0.1', port: servers[DOWN]!.port, lazyConnect: true, retryStrategy: () => null });
    const monitor = await base.monitor(); // a connection of its own, in MONITOR mode
    try {
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args[0]?.toLowerCase() === 'set') seen.push(args.slice(1));
      });
      const lines = await runToEnd(['--hints', hintDir], 'DRAIN\nHINTS\n');
      expect(lines).toEqual(['DRAINED 0', 'HINTS 0 {}']);
      await waitFor('MONITOR to report every replayed SET', () => seen.length >= hinted.length);
    } finally {
      monitor.disconnect();
      base.disconnect();
    }
    expect(seen).toEqual(hinted.map(([k, v]) => [k, v]));
    const down = new Map(hinted);
    expect(await diff(DOWN, down)).toEqual(clean(DOWN, down.size));
  });

  it('without --hints, says how many in-memory hints it drops when it exits', async () => {
    setupDone();
    const down = 3;
    const key = Array.from({ length: 100 }, (_, i) => `mem:${i}`).find((k) => owners([k])[0]!.includes(down))!;
    await servers[down]!.stop('SIGKILL');
    try {
      const run = start([], `SET ${key} lost-on-exit\nHINTS\n`);
      expect(await run.exited).toBe(0);
      expect(run.lines).toEqual([`OK ${key}`, expect.stringMatching(/^HINTS 1 /)]);
      expect(run.stderr()).toContain('dropping 1 in-memory hint(s) (use --hints DIR to keep them)');
    } finally {
      await servers[down]!.restart();
    }
  });
});
