/**
 * The planning commands (plan, diff, seeds, serve-seeds) and --live for
 * ring, validate, route and diff, against a stand-in admin port that writes
 * the exact bytes a real node's /cluster_describe returns.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hash } from '../../src/index.js';
import { run } from '../../src/cli/run.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const DESCRIBE = readFileSync(join(ROOT, 'test/fixtures/dynomite-admin/cluster_describe.raw'));
const FLORIDA = readFileSync(join(ROOT, 'test/fixtures/dynomite-admin/florida_request.raw'));

/** Runs the command line in this process, capturing its output. */
async function dynoring(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { out: (t) => void (stdout += t), err: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

let scratch: string;
let admin: Server;
let adminUrl: string;
const adminRequests: string[] = [];
const ymls = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => join(dir, f));

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'dynoring-plan-cli-'));
  // A stand-in admin port: reads the request line, writes the captured reply, closes (as the server does).
  admin = createServer((socket) => {
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      adminRequests.push(head.split('\r\n')[0]!);
      socket.end(DESCRIBE);
    });
  });
  await new Promise<void>((done) => admin.listen(0, '127.0.0.1', done));
  adminUrl = `http://127.0.0.1:${(admin.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((done) => admin?.close(done));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const HOSTS6 = '127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6';

/** `plan new` of two racks of three nodes on HOSTS6 into `out`. */
const planSix = (out: string, ...options: string[]) =>
  dynoring('plan', 'new', '--racks', 'dc1:r1,dc1:r2', '--nodes-per-rack', '3', '--hosts', HOSTS6, ...options, '--out', out);
/** `plan new` of one node on host `h` into `out`. */
const planOne = (out: string, ...options: string[]) =>
  dynoring('plan', 'new', '--racks', 'dc1:r1', '--nodes-per-rack', '1', '--hosts', 'h', ...options, '--out', out);
/** `plan double` of the six nodes planned in `new`, the new hosts on 127.0.`third`.x. */
const doubleSix = (third: number, out: string) =>
  dynoring('plan', 'double', ...ymls(join(scratch, 'new')), '--hosts', HOSTS6.replaceAll('127.0.0.', `127.0.${third}.`), '--out', out);

describe('dynoring plan', () => {
  it('new: writes one valid file per node and plan.json, and prints the balance', async () => {
    const out = join(scratch, 'new');
    const r = await planSix(out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^plan new: 6 nodes; wrote 6 \.yml files and plan\.json to /);
    expect(r.stdout).toContain('datacenter dc1, rack r1: 3 nodes, max/mean 1.000000');
    expect(readdirSync(out).sort()).toEqual([...readdirSync(out).filter((f) => f.endsWith('.yml')), 'plan.json'].sort());
    expect(ymls(out)).toHaveLength(6);
    const v = await dynoring('validate', ...ymls(out));
    expect(v).toEqual({ code: 0, stdout: 'OK: 6 peers in 2 racks of 1 datacenter, 6 tokens; every rack has a usable ring\n', stderr: '' });
    const json = JSON.parse(readFileSync(join(out, 'plan.json'), 'utf8'));
    expect(json.nodes.map((n: { token: number }) => n.token)).toEqual([0, 1431655765, 2863311530, 0, 1431655765, 2863311530]);
  });

  it('double: moves exactly half, and diff over the files agrees', async () => {
    const out = join(scratch, 'double');
    const r = await doubleSix(1, out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('datacenter dc1, rack r1: 50.0000% of the key space moves (2147483648 tokens in 3 ranges)');
    expect(r.stdout).toMatch(/^ {2}\(0, 715827882\] +715827882 +16\.6667% +127\.0\.0\.2:8101 +127\.0\.1\.1:8101$/m);
    expect(r.stdout).toContain('50.0000% of the stored data moves');
    expect((await dynoring('validate', ...ymls(out))).code).toBe(0);
    const keys = join(scratch, 'keys.txt');
    writeFileSync(keys, Array.from({ length: 50_000 }, (_, i) => `user:${i}\r`).join('\n') + '\n');
    const d = await dynoring('diff', '--keys', keys, '--json', ...ymls(join(scratch, 'new')), '--', ...ymls(out));
    expect(d.code).toBe(0);
    const diff = JSON.parse(d.stdout);
    expect(diff.fraction).toBe(0.5);
    expect(diff.keys.map((k: { keys: number }) => k.keys)).toEqual([50_000, 50_000]);
    for (const k of diff.keys) expect(Math.abs(k.fraction - 0.5)).toBeLessThan(0.02);
  });

  it('refuses a directory that already holds .yml files, and misplaced options', async () => {
    const r = await doubleSix(2, join(scratch, 'new'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already holds 6 \.yml file\(s\).*write the plan to an empty directory/);
    expect(ymls(join(scratch, 'new'))).toHaveLength(6);
    const wrong = await dynoring('plan', 'remove', '127.0.0.1', ...ymls(join(scratch, 'new')), '--hosts', 'x', '--out', join(scratch, 'x'));
    expect(wrong).toMatchObject({ code: 2, stderr: expect.stringMatching(/--hosts does not apply to 'plan remove'/) });
    expect(existsSync(join(scratch, 'x'))).toBe(false);
  });
});

describe('dynoring seeds and serve-seeds', () => {
  const body =
    '127.0.0.1:8101:r1:dc1:0|127.0.0.2:8101:r1:dc1:1431655765|127.0.0.3:8101:r1:dc1:2863311530|127.0.0.4:8101:r2:dc1:0|127.0.0.5:8101:r2:dc1:1431655765|127.0.0.6:8101:r2:dc1:2863311530';

  it('seeds prints the florida body, nothing more', async () => {
    expect(await dynoring('seeds', ...ymls(join(scratch, 'new')).sort())).toEqual({ code: 0, stdout: body, stderr: '' });
  });

  it('plan new --seed-provider florida writes no dyn_seeds, serves the same body, and says how to run serve-seeds', async () => {
    const out = join(scratch, 'florida');
    const r = await planSix(out, '--seed-provider', 'florida');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`\nseeds: the files say dyn_seed_provider: florida_provider and list no dyn_seeds.`);
    expect(r.stdout).toContain(`\n  dynoring serve-seeds ${join(out, '*.yml')} --port 8080\n`);
    expect(r.stdout).toContain('DYNOMITE_FLORIDA_IP=127.0.0.1 DYNOMITE_FLORIDA_PORT=8080');
    for (const file of ymls(out)) {
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('dyn_seed_provider: florida_provider\n');
      expect(text).not.toContain('dyn_seeds');
    }
    expect(await dynoring('seeds', ...ymls(out).sort())).toEqual({ code: 0, stdout: body, stderr: '' });
    expect((await dynoring('validate', ...ymls(out))).code).toBe(0);
    const simple = await planOne(join(scratch, 'simple'));
    expect(simple.stdout).not.toContain('serve-seeds');
    const bad = await planOne(join(scratch, 'dns'), '--seed-provider', 'dns');
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/invalid seed provider 'dns': expected simple or florida/) });
  });

  it('serve-seeds answers the florida request and logs it, until stopped', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build)`);
    const child = spawn(process.execPath, [CLI, 'serve-seeds', '--port', '0', ...ymls(join(scratch, 'new')).sort()], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stderr = '';
      let stdout = '';
      child.stdout.on('data', (c) => (stdout += c));
      const port = await new Promise<number>((done, fail) => {
        child.stderr.on('data', (c) => {
          stderr += c;
          const m = /on http:\/\/127\.0\.0\.1:(\d+)\/REST\/v1\/admin\/get_seeds\n/.exec(stderr);
          if (m) done(Number(m[1]));
        });
        child.once('exit', (code) => fail(new Error(`serve-seeds exited with ${code}: ${stderr}`)));
      });
      expect(stderr).toMatch(/^serving 6 seeds from /);
      const reply = await new Promise<string>((done, fail) => {
        const chunks: Buffer[] = [];
        const socket = connect(port, '127.0.0.1', () => socket.write(FLORIDA));
        socket
          .on('data', (c) => chunks.push(c))
          .on('error', fail)
          .on('close', () => done(Buffer.concat(chunks).toString()));
      });
      expect(reply.slice(reply.indexOf('\r\n\r\n') + 4)).toBe(body);
      await new Promise<void>((done) => (stdout.includes('\n') ? done() : child.stdout.once('data', () => done())));
      expect(stdout).toMatch(/"GET \/REST\/v1\/admin\/get_seeds HTTP\/1\.0" 200 \d+ "HTMLGET 1\.0"\n$/);
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((done) =>
      child.exitCode !== null ? done(child.exitCode) : child.once('exit', (c) => done(c)),
    );
    expect(code).toBe(0);
  });
});

describe('--live', () => {
  /** The cluster the captured reply describes, as a seed list. */
  const liveSeeds = [
    '127.0.0.1:20002:r1:dc1:0',
    '127.0.0.1:20006:r1:dc1:2147483648',
    '127.0.0.1:20010:r2:dc1:0',
    '127.0.0.1:20014:r2:dc1:2147483648',
  ];
  const seedFile = (name: string, lines: string[]) => {
    const file = join(scratch, name);
    writeFileSync(file, lines.join('\n') + '\n');
    return file;
  };

  it('ring reads /cluster_describe (never /) and shows its racks with max/mean', async () => {
    const before = adminRequests.length;
    const r = await dynoring('ring', '--live', adminUrl);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^4 peers in 2 racks of 1 datacenter, 4 tokens/);
    expect(r.stdout).toContain('datacenter dc1, rack r2: 2 peers, 2 tokens; max/mean 1.000000');
    expect(r.stdout).toMatch(/^ {2}0\* +127\.0\.0\.1:20002 +0 +50\.0000%$/m);
    expect(adminRequests.slice(before)).toEqual(['GET /cluster_describe HTTP/1.0']);
  });

  it('validate reports nothing for matching files and every difference otherwise', async () => {
    const same = await dynoring('validate', '--live', adminUrl, seedFile('same.txt', liveSeeds));
    expect(same).toMatchObject({ code: 0, stdout: expect.stringMatching(/^OK: 4 peers/) });
    const drifted = seedFile('drifted.txt', [
      liveSeeds[0]!,
      '127.0.0.1:20006:r1:dc1:2000000000',
      '127.0.0.1:20010:r3:dc1:0',
      '127.0.0.1:20018:r2:dc1:2147483648',
    ]);
    const r = await dynoring('validate', '--live', adminUrl, '--json', drifted);
    expect(r.code).toBe(1);
    const found = JSON.parse(r.stdout);
    expect(found.ok).toBe(false);
    expect(
      found.live.differences.map((d: { kind: string; endpoint: string; files: string; live: string }) => [
        d.kind,
        d.endpoint,
        d.files,
        d.live,
      ]),
    ).toEqual([
      ['token', '127.0.0.1:20006', '2000000000', '2147483648'],
      ['rack', '127.0.0.1:20010', 'r3', 'r2'],
      ['missing', '127.0.0.1:20018', 'dc1/r2 token 2147483648', null],
      ['extra', '127.0.0.1:20014', null, 'dc1/r2 token 2147483648'],
    ]);
    const text = await dynoring('validate', '--live', adminUrl, drifted);
    expect(text.stdout).toContain('error: live: 127.0.0.1:20006 runs with token 2147483648; the files say 2000000000');
    expect(text.stdout).toMatch(/FAILED: 4 problems in 4 peers/);
  });

  it('route and diff use the running cluster', async () => {
    const route = await dynoring('route', '--live', adminUrl, 'foo');
    expect(route.code).toBe(0);
    // murmur('foo') = 3303027599 > 2147483648: the first node of each rack (wrap-around).
    expect(route.stdout).toMatch(/^foo +3303027599 +0 127\.0\.0\.1:20002 +2 127\.0\.0\.1:20010$/m);
    const grown = seedFile('grown.txt', [...liveSeeds, '127.0.0.1:20018:r1:dc1:1073741824', '127.0.0.1:20022:r2:dc1:1073741824']);
    const d = await dynoring('diff', '--live', adminUrl, '--json', grown);
    expect(d.code).toBe(0);
    const diff = JSON.parse(d.stdout);
    expect(diff.racks.map((r: { rack: string; fraction: number }) => [r.rack, r.fraction])).toEqual([
      ['r1', 0.25],
      ['r2', 0.25],
    ]);
    expect(diff.racks[0].moves).toEqual([
      { start: 0, end: 1073741824, length: 1073741824, from: '127.0.0.1:20006', to: '127.0.0.1:20018' },
    ]);
    const unreachable = await dynoring('ring', '--live', 'http://127.0.0.1:1');
    expect(unreachable).toMatchObject({ code: 2, stderr: expect.stringMatching(/^dynoring: .*127\.0\.0\.1:1/) });
  });

  it('--hash and --hash-tag name the hashing the admin port does not report', async () => {
    const note = /^note: the admin port does not say the pool's hash: hashing with murmur and no hash_tag/m;
    const murmur = await dynoring('route', '--live', adminUrl, 'foo');
    expect(murmur.stderr).toMatch(note);
    const token = hash('crc32', 'x', { hashTag: '{}' });
    const owner = token > 2147483648 || token === 0 ? '0 127.0.0.1:20002 +2 127.0.0.1:20010' : '1 127.0.0.1:20006 +3 127.0.0.1:20014';
    const crc = await dynoring('route', '--live', adminUrl, '--hash', 'crc32', '--hash-tag', '{}', 'user:{x}');
    expect(crc).toMatchObject({ code: 0, stderr: '' });
    expect(crc.stdout).toMatch(/^datacenter dc1, from rack r1; hash crc32, hash_tag \{\}$/m);
    expect(crc.stdout).toMatch(new RegExp(`^user:\\{x\\} +${token} +${owner}$`, 'm'));
    const ring = await dynoring('ring', '--live', adminUrl, '--hash', 'fnv1a_64');
    expect(ring).toMatchObject({ code: 0, stderr: '' });
    expect(ring.stdout).toMatch(/^4 peers in 2 racks of 1 datacenter, 4 tokens; hash fnv1a_64\n/);

    // The same four nodes, in a file that says crc32: no key moves only when the live side hashes as the pool does.
    const [own, ...seeds] = liveSeeds.map((s) => s.split(':'));
    const yml = join(scratch, 'crc32.yml');
    writeFileSync(
      yml,
      `dyn_o_mite:\n  datacenter: dc1\n  rack: ${own![2]}\n  dyn_listen: 127.0.0.1:${own![1]}\n  tokens: '${own![4]}'\n  hash: crc32\n` +
        `  dyn_seeds:\n${seeds.map((f) => `    - ${f.join(':')}\n`).join('')}`,
    );
    const keys = join(scratch, 'live-keys.txt');
    writeFileSync(keys, Array.from({ length: 2_000 }, (_, i) => `k${i}`).join('\n'));
    const moved = async (...extra: string[]) => {
      const d = await dynoring('diff', '--live', adminUrl, '--keys', keys, '--json', ...extra, yml);
      expect(d.code).toBe(0);
      return { stderr: d.stderr, moved: JSON.parse(d.stdout).keys.map((k: { moved: number }) => k.moved) };
    };
    expect(await moved('--hash', 'crc32')).toEqual({ stderr: '', moved: [0, 0] });
    const guessed = await moved();
    expect(guessed.stderr).toMatch(note);
    for (const n of guessed.moved) expect(n).toBeGreaterThan(500);

    const files = await dynoring('route', '--hash', 'crc32', seedFile('hashless.txt', liveSeeds), 'foo');
    expect(files).toMatchObject({ code: 2, stderr: expect.stringMatching(/--hash and --hash-tag apply only with --live/) });
    const unknown = await dynoring('route', '--live', adminUrl, '--hash', 'sha1', 'foo');
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringMatching(/--hash.*sha1/) });
  });
});
