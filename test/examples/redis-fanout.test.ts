/**
 * End to end against real Redis (issue 8): the example in examples/redis-fanout
 * writes through four `redis-server` processes (two racks of two), and we check
 * with ioredis where every key landed, that hints for a stopped server are
 * replayed in order once it is back, and that durable hints survive a SIGKILL
 * of the writer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ready, Topology, type HintStore } from '../../src/index.js';
import { available } from '../helpers/programs.js';
import { REDIS_PROGRAM, RedisServer } from '../helpers/redis-servers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/redis-fanout');
const DIST = join(ROOT, 'dist/index.js');

/** What the test uses of the example's `Fanout` (a plain .mjs module, loaded at run time). */
interface Fanout {
  topology: Topology;
  store: HintStore;
  counts: { ok: number; hinted: number; failed: number; replayed: number };
  isNormal(peer: number): boolean;
  set(key: string, value: string): Promise<Array<{ peer: number; rack: string; outcome: 'ok' | 'hinted' | 'failed'; error?: string }>>;
  get(key: string): Promise<string | null>;
  drainOnce(): Promise<number>;
  close(): Promise<void>;
}
interface FanoutModule {
  Fanout: { open(options: object): Promise<Fanout> };
}

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

describe.skipIf(!HAVE_REDIS)('redis-fanout example against four real redis-server processes', () => {
  const servers: RedisServer[] = [];
  const children: ChildProcess[] = [];
  let work: string;
  let config: string;
  let example: FanoutModule;
  let fanout: Fanout;
  /** What each server should hold now: peer index -> key -> value. */
  const expected = [0, 1, 2, 3].map(() => new Map<string, string>());

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
        `${DIST} is missing: the example imports the built package ('dynoring'). Run \`npm run build\` first (\`npm test\` does).`,
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
    example = (await import(pathToFileURL(join(EXAMPLE, 'fanout.mjs')).href)) as FanoutModule;
    fanout = await example.Fanout.open({ config, drainIntervalMs: 0, backoff: { minBackoffMs: 20, maxBackoffMs: 200 } });
    await waitFor('the example to connect to all four servers', () => [0, 1, 2, 3].every((p) => fanout.isNormal(p)));
  }

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await fanout?.close().catch(() => undefined);
    await Promise.allSettled(servers.map((server) => server.destroy()));
    if (work) await rm(work, { recursive: true, force: true });
  });

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
   * (WebAssembly, out[i * racks + r]) on the source, while the example routes
   * one key at a time with the built package.
   */
  async function owners(keys: string[]): Promise<number[][]> {
    await ready();
    const topology = Topology.fromDynomiteYaml({ text: await readFile(config, 'utf8'), file: config });
    const racks = topology.racks().length;
    const out = topology.routeKeys(keys);
    return keys.map((_, i) => Array.from(out.subarray(i * racks, (i + 1) * racks)));
  }

  it('writes 10,000 keys to exactly their owner in each rack and nowhere else in that rack', async () => {
    setupDone();
    const keys = Array.from({ length: 10_000 }, (_, i) => `key:${i}`);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < keys.length; i += 1000) {
      // Each batch is pipelined: 1,000 SETs in flight on each connection.
      const results = await Promise.all(keys.slice(i, i + 1000).map((key) => fanout.set(key, `v1:${key}`)));
      for (const r of results.flat()) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
    }
    expect(Object.fromEntries(outcomes)).toEqual({ ok: 20_000 });

    const placement = await owners(keys);
    keys.forEach((key, i) => {
      const [a, b] = placement[i]!;
      expect([fanout.topology.peer(a!).rack, fanout.topology.peer(b!).rack]).toEqual(['rack-a', 'rack-b']);
      for (const peer of placement[i]!) expected[peer]!.set(key, `v1:${key}`);
    });
    // Both nodes of each rack take a share, and each rack holds every key once.
    expect(expected[0]!.size + expected[1]!.size).toBe(10_000);
    expect(expected[2]!.size + expected[3]!.size).toBe(10_000);
    for (const peer of [0, 1, 2, 3]) expect(expected[peer]!.size).toBeGreaterThan(1000);
    for (const peer of [0, 1, 2, 3]) expect(await diff(peer, expected[peer]!)).toEqual(clean(peer, expected[peer]!.size));
    // Reads come from the local rack (rack-a): give the rack-b copy another value and read.
    await fanout.set('read:probe', 'from rack-a');
    const [[inA, inB]] = (await owners(['read:probe'])) as [[number, number]];
    await withClient(inB, (redis) => redis.set('read:probe', 'from rack-b'));
    expected[inA]!.set('read:probe', 'from rack-a');
    expected[inB]!.set('read:probe', 'from rack-b');
    expect(await fanout.get('read:probe')).toBe('from rack-a');
    expect(await fanout.get('key:42')).toBe('v1:key:42');
  });

  it('hints every write for a stopped server and replays them in order once it is back', async () => {
    setupDone();
    const DOWN = 3; // b2, in rack-b
    await servers[DOWN]!.stop('SIGKILL');
    await waitFor('the example to see the server go down', () => !fanout.isNormal(DOWN));

    // 2,000 writes: new keys, overwrites of earlier keys, and keys written twice.
    const writes: Array<[string, string]> = [];
    for (let i = 0; i < 200; i++) writes.push([`twice:${i}`, `first:${i}`]);
    for (let i = 0; i < 1000; i++) writes.push([`new:${i}`, `v2:${i}`]);
    for (let i = 0; i < 600; i++) writes.push([`key:${i * 7}`, `v2:key:${i * 7}`]);
    for (let i = 0; i < 200; i++) writes.push([`twice:${i}`, `second:${i}`]);
    const before = { ...fanout.counts };
    const results: Awaited<ReturnType<Fanout['set']>>[] = [];
    for (let i = 0; i < writes.length; i += 500) {
      results.push(...(await Promise.all(writes.slice(i, i + 500).map(([k, v]) => fanout.set(k, v)))));
    }

    const placement = await owners(writes.map(([k]) => k));
    const hinted: Array<[string, string]> = []; // what peer DOWN should receive, in write order
    writes.forEach(([key, value], i) => {
      for (const peer of placement[i]!) expected[peer]!.set(key, value);
      if (placement[i]!.includes(DOWN)) hinted.push([key, value]);
      const want = placement[i]!.map((peer) => ({ peer, outcome: peer === DOWN ? 'hinted' : 'ok' }));
      expect(results[i]!.map(({ peer, outcome }) => ({ peer, outcome }))).toEqual(want);
    });
    expect(hinted.length).toBeGreaterThan(500);
    expect(hinted.filter(([k]) => k.startsWith('twice:')).length).toBeGreaterThan(100);
    expect(fanout.store.peersWithHints()).toEqual([DOWN]);
    expect(fanout.store.lenFor(DOWN)).toBe(hinted.length);
    expect({ ...fanout.counts }).toEqual({
      ...before,
      ok: before.ok + writes.length * 2 - hinted.length,
      hinted: before.hinted + hinted.length,
    });
    for (const peer of [0, 1, 2]) expect(await diff(peer, expected[peer]!)).toEqual(clean(peer, expected[peer]!.size));

    // Back on the same port, empty (no persistence): it gets exactly the hinted writes, in order.
    await servers[DOWN]!.restart();
    await waitFor('the example to reconnect', () => fanout.isNormal(DOWN));
    const seen: string[][] = [];
    const base = new Redis({ host: '127.0.0.1', port: servers[DOWN]!.port, lazyConnect: true, retryStrategy: () => null });
    const monitor = await base.monitor(); // a connection of its own, in MONITOR mode
    try {
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args[0]?.toLowerCase() === 'set') seen.push(args.slice(1));
      });
      // A replay round starts, and writes keep coming: those for DOWN must queue behind its hints, not overtake them.
      const firstRound = fanout.drainOnce();
      const late = Array.from({ length: 200 }, (_, i): [string, string] => [`twice:${i}`, `third:${i}`]);
      const lateResults = await Promise.all(late.map(([k, v]) => fanout.set(k, v)));
      let delivered = await firstRound;
      for (let round = 0; round < 20 && fanout.store.totalLen() > 0; round++) delivered += await fanout.drainOnce();
      expect(fanout.store.totalLen()).toBe(0);
      const latePlacement = await owners(late.map(([k]) => k));
      late.forEach(([key, value], i) => {
        for (const peer of latePlacement[i]!) expected[peer]!.set(key, value);
        if (latePlacement[i]!.includes(DOWN)) hinted.push([key, value]);
      });
      expect(lateResults.flat().filter((r) => r.outcome === 'failed')).toEqual([]);
      expect(delivered).toBe(hinted.length); // nothing failed, so nothing was sent twice
      await waitFor('MONITOR to report every replayed SET', () => seen.length >= hinted.length);
    } finally {
      monitor.disconnect();
      base.disconnect();
    }
    // In write order, each hint once: a key written twice (or three times) ends with its last value.
    expect(seen.length).toBe(hinted.length);
    expect(seen).toEqual(hinted);
    expect(fanout.counts.failed).toBe(0);
    const down = new Map(hinted);
    expect([...down].filter(([k, v]) => k.startsWith('twice:') && !v.startsWith('third:'))).toEqual([]);
    for (const peer of [0, 1, 2, 3])
      expect(await diff(peer, peer === DOWN ? down : expected[peer]!)).toEqual(
        clean(peer, peer === DOWN ? down.size : expected[peer]!.size),
      );
  });

  it('keeps durable hints across a SIGKILL of the writer and delivers them when the server is back', async () => {
    setupDone();
    const DOWN = 2; // b1, in rack-b
    const hintDir = join(work, 'hints');
    for (const server of servers) if (!server.running) await server.restart(); // independent of the test before
    await servers[DOWN]!.stop('SIGKILL');

    /** Starts main.mjs with a durable hint store; `lines` collects its stdout. */
    function startWriter() {
      const child = spawn(process.execPath, [join(EXAMPLE, 'main.mjs'), '--config', config, '--hints', hintDir, '--drain-ms', '100'], {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      children.push(child);
      const lines: string[] = [];
      let stderr = '';
      createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
      child.stderr!.on('data', (d) => (stderr += d));
      child.stdin!.on('error', () => undefined); // EPIPE once it is killed; `alive` reports a crash
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      /** Throws, with the writer's stderr, if it exited on its own; for waits on its output. */
      const alive = () => {
        if (child.exitCode !== null) throw new Error(`the writer exited with code ${child.exitCode}; its stderr:\n${stderr}`);
        return true;
      };
      return { child, lines, stderr: () => stderr, exited, alive };
    }

    const keys = Array.from({ length: 2000 }, (_, i) => `durable:${i}`);
    const first = startWriter();
    first.child.stdin!.write(keys.map((k) => `SET ${k} d:${k}\n`).join(''));
    await waitFor(
      () => `acknowledged writes (got ${first.lines.length}; stderr: ${first.stderr()})`,
      () => first.alive() && first.lines.length >= 300,
      20_000,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const acked = first.lines.filter((line) => line.startsWith('OK ')).map((line) => line.split(' ')[1]!);
    expect(first.lines.slice(0, acked.length).every((line) => line.startsWith('OK '))).toBe(true);
    expect(acked).toEqual(keys.slice(0, acked.length)); // answers come in order

    const placement = await owners(keys);
    const mustArrive = acked.filter((_, i) => placement[i]!.includes(DOWN));
    expect(mustArrive.length).toBeGreaterThan(50);
    // Those acknowledgements said the write was hinted for the stopped server.
    const { host, port } = fanout.topology.peer(DOWN).endpoint;
    for (const line of first.lines.slice(0, acked.length)) {
      const key = line.split(' ')[1]!;
      if (mustArrive.includes(key)) expect(line).toContain(` ${host}:${port}=hinted`);
    }

    const second = startWriter();
    await waitFor(
      () => `the restarted writer to open its hints (stderr: ${second.stderr()})`,
      () => second.alive() && second.stderr().includes('replayed from disk'),
    );
    const replayed = Number(/\((\d+) replayed from disk\)/.exec(second.stderr())![1]);
    expect(replayed).toBeGreaterThanOrEqual(mustArrive.length);

    await servers[DOWN]!.restart();
    await waitFor(
      () => `the restarted writer to deliver every hint (last: ${second.lines.at(-1)}; stderr: ${second.stderr()})`,
      () => {
        second.alive();
        second.child.stdin!.write('HINTS\n');
        return second.lines.includes('HINTS 0 {}');
      },
      20_000,
    );
    second.child.stdin!.end();
    expect(await second.exited).toBe(0);

    const have = await contents(DOWN);
    expect(mustArrive.filter((key) => have.get(key) !== `d:${key}`)).toEqual([]);
    // Whatever else arrived is a hinted write meant for this server (one the writer was given before the kill).
    const mine = new Set(keys.filter((_, i) => placement[i]!.includes(DOWN)));
    expect([...have.keys()].filter((key) => !mine.has(key))).toEqual([]);
  });
});
