/**
 * The seeds server answers the exact request Dynomite's florida_provider
 * sends (the captured bytes, over a raw socket) with the exact body, and
 * refuses a changed set that fails validation while keeping the last good one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFloridaSeeds, planNew, planReplace, type PoolPlan } from '../../src/index.js';
import { formatSeed } from '../../src/ring/peer.js';
import { hosts, TWO_RACKS } from '../helpers/plans.js';
import { startSeedsServer, type ReloadResult, type SeedsServer } from '../../src/plan/seeds-server.js';

const REQUEST = readFileSync(new URL('../fixtures/dynomite-admin/florida_request.raw', import.meta.url));

/** Sends bytes as the florida client does and reads until the server closes. */
function exchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** What the florida client keeps: the reply must hold `200 OK\r\n` in its first 8 KB; the body follows the blank line. */
function floridaRead(reply: string): string {
  expect(reply.slice(0, 8192)).toContain('200 OK\r\n');
  return reply.slice(reply.indexOf('\r\n\r\n') + 4);
}

const bodyOf = (plan: PoolPlan) => plan.nodes.map((n) => formatSeed(n.peer)).join('|');

let dir: string;
let files: string[];
let plan: PoolPlan;
let server: SeedsServer;
const log: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dynoring-seeds-'));
  plan = planNew({ racks: TWO_RACKS, nodesPerRack: 2, hosts: hosts(4, '127.0.0.1') });
  files = plan.nodes.map((n) => join(dir, n.file));
  plan.nodes.forEach((n, i) => writeFileSync(files[i]!, n.text));
  // A long poll: the test waits on reload events, which fs.watch or an explicit reload raise.
  server = await startSeedsServer({ files, port: 0, pollMs: 60_000, log: (line) => log.push(line) });
});

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('seeds server', () => {
  it('answers the exact florida request with the exact body, and logs it', async () => {
    expect(REQUEST.toString('latin1')).toBe('GET /REST/v1/admin/get_seeds HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: HTMLGET 1.0\r\n\r\n');
    const reply = await exchange(server.port, REQUEST);
    expect(reply.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    const body = floridaRead(reply);
    expect(body).toBe(bodyOf(plan));
    expect(body).toBe(
      '127.0.0.11:8101:r1:dc1:0|127.0.0.12:8101:r1:dc1:2147483648|127.0.0.13:8101:r2:dc1:0|127.0.0.14:8101:r2:dc1:2147483648',
    );
    expect(parseFloridaSeeds(body)).toHaveLength(4);
    expect(log.at(-1)).toMatch(/^\S+Z 127\.0\.0\.1 "GET \/REST\/v1\/admin\/get_seeds HTTP\/1\.0" 200 \d+ "HTMLGET 1\.0"$/);
  });

  it('answers 404 elsewhere', async () => {
    const reply = await exchange(server.port, Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    expect(reply).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
  });

  it('refuses a changed set that fails validation, keeps serving the last good one, then takes a good set', async () => {
    const good = bodyOf(plan);
    const events: ReloadResult[] = [];
    server.on('reload', (r) => events.push(r));
    // Node 12's own file gives it node 11's token: the files disagree.
    writeFileSync(files[1]!, plan.nodes[1]!.text.replace("tokens: '2147483648'", "tokens: '0'"));
    await server.reload();
    expect(events).toEqual([
      {
        outcome: 'refused',
        reason: expect.stringMatching(/fail validation: files disagree about peer 127\.0\.0\.12:8101: tokens '2147483648' .* vs '0'/),
      },
    ]);
    expect(floridaRead(await exchange(server.port, REQUEST))).toBe(good);
    expect(log.some((l) => /refused the changed files, still serving the last good set/.test(l))).toBe(true);

    // A replaced node, written file by file: once every file agrees, the new set is served.
    const next = planReplace(
      plan.nodes.map((n) => ({ text: n.text, file: n.file })),
      '127.0.0.12',
      '127.0.0.15',
    );
    rmSync(files[1]!);
    files.forEach((file, i) => i !== 1 && writeFileSync(file, next.nodes.find((n) => n.file === plan.nodes[i]!.file)!.text));
    writeFileSync(files[1]!, next.nodes.find((n) => n.added)!.text);
    await server.reload();
    expect(events.at(-1)).toEqual({ outcome: 'served', body: bodyOf(next) });
    expect(floridaRead(await exchange(server.port, REQUEST))).toBe(bodyOf(next));
    expect(bodyOf(next)).toContain('127.0.0.15:8101:r1:dc1:2147483648');
  });
});
