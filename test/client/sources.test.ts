/**
 * Topology sources and refresh: a node's admin port served byte for byte
 * (the exact `/cluster_describe` reply of a real node, non-standard header
 * and all, from a raw socket server in the test), dynomite.yml files with
 * `listen:`, guessed client ports, and refreshed topologies accepted or refused.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynoClient, type ClientEvents } from '../../src/client.js';
import { HintStore } from '../../src/index.js';
import { RedisServer } from '../helpers/redis-servers.js';
import { adminPort as listen, httpReply } from './admin-port.js';
import { redisAvailable, waitFor } from './helpers.js';
import { startRespServer } from './resp-server.js';

const run = redisAvailable('test/client/sources.test.ts');
const RAW = readFileSync(new URL('../fixtures/dynomite-admin/cluster_describe.raw', import.meta.url));
const PEER_PORTS = [20002, 20006, 20010, 20014];

/** The body of the real node's reply, and that body without node 3 (r2's second node). */
const BODY = RAW.toString('latin1').split('\r\n\r\n')[1]!;
const WITHOUT_NODE_3 = BODY.replace(',{"name":"127.0.0.1","host":"127.0.0.1","port":20014,\n"token":2147483648\n}', '');

/** The layout every source in these tests describes: two racks of two, tokens 0 and 2^31, peer ports PEER_PORTS. */
function expectTwoRacksOfTwo(client: DynoClient, rack1: string, rack2: string): void {
  expect(client.topology.peers.map((p) => [p.endpoint.port, p.rack, p.tokens[0]])).toEqual([
    [20002, rack1, 0],
    [20006, rack1, 2147483648],
    [20010, rack2, 0],
    [20014, rack2, 2147483648],
  ]);
}

/** The server's reply for a body, with its own odd header (bare LF, trailing spaces). */
const reply = (body: string) =>
  `HTTP/1.1 200 OK \nContent-Type: application/json; charset=utf-8 \nContent-Length: ${Buffer.byteLength(body)} \r\n\r\n${body}`;

/** An admin port serving the real node's reply unless told otherwise. */
const adminPort = (first: Buffer | string = RAW) => listen(first);

describe.skipIf(!run)('DynoClient topology sources', () => {
  let servers: RedisServer[];
  let clientPort: Record<string, number>;

  beforeAll(async () => {
    servers = await Promise.all(PEER_PORTS.map(() => RedisServer.launch()));
    clientPort = Object.fromEntries(PEER_PORTS.map((p, i) => [`127.0.0.1:${p}`, servers[i]!.port]));
  });
  afterAll(async () => {
    await Promise.all((servers ?? []).map((s) => s.destroy()));
  });

  it('reads /cluster_describe from the exact bytes a node writes, refuses a broken refresh and takes a changed one', async () => {
    const admin = await adminPort();
    const client = await DynoClient.connect({ clusterDescribe: admin.url, clientPort, refreshIntervalMs: 0 });
    const events: { name: string; payload: unknown }[] = [];
    for (const name of ['topology:changed', 'topology:rejected'] as const) client.on(name, (payload) => events.push({ name, payload }));
    try {
      expectTwoRacksOfTwo(client, 'r1', 'r2');
      expect(client.nodeFor('k').rack).toBe('r1'); // the answering node's rack
      await client.set('k', 'v');
      expect(await client.get('k')).toBe('v');

      // Two nodes of r2 claiming one token: refused, the old topology stays.
      admin.current = reply(BODY.replace('"port":20014,\n"token":2147483648', '"port":20014,\n"token":0'));
      expect(await client.refresh()).toBe(false);
      const rejected = events.find((e) => e.name === 'topology:rejected')!.payload as ClientEvents['topology:rejected'];
      expect(rejected.problems.map((p) => p.kind)).toEqual(['Overlap']);
      expect(client.topology.peers).toHaveLength(4);
      expect(await client.get('k')).toBe('v');

      // r2 loses a node: taken into use, and the removed node's connection closes.
      admin.current = reply(WITHOUT_NODE_3);
      expect(await client.refresh()).toBe(true);
      const changed = events.find((e) => e.name === 'topology:changed')!.payload as ClientEvents['topology:changed'];
      expect(changed).toMatchObject({ added: [], removed: [3] });
      expect(client.stats().nodes.map((n) => n.port)).toEqual(servers.slice(0, 3).map((s) => s.port));
      const inspector = new Redis({ port: servers[3]!.port, host: '127.0.0.1' });
      try {
        // Only the inspector itself stays connected to the removed node.
        await waitFor('the removed node to be disconnected', async () => /connected_clients:1\r/.test(await inspector.info('clients')));
      } finally {
        inspector.disconnect();
      }
      expect(admin.requests.every((r) => r === 'GET /cluster_describe HTTP/1.0')).toBe(true);
    } finally {
      await client.quit();
      await admin.close();
    }
  });

  it('lets a removed node finish its in-flight commands before its connection closes', async () => {
    const admin = await adminPort();
    // Node 3 (r2's second token) is a RESP server in the test that can stall; local rack r2 sends the key below to it.
    const stalling = await startRespServer((c) => (c[0] === 'GET' ? '$1\r\nv\r\n' : undefined));
    const ports = { ...clientPort, '127.0.0.1:20014': stalling.port };
    // The held GETs must not time out (and fail over) before the test releases them, however loaded the machine.
    const client = await DynoClient.connect({
      clusterDescribe: admin.url,
      clientPort: ports,
      localRack: 'r2',
      refreshIntervalMs: 0,
      commandTimeoutMs: 10_000,
    });
    try {
      const key = Array.from({ length: 100 }, (_, i) => `inflight:${i}`).find((k) => client.nodeFor(k).index === 3)!;
      stalling.hold();
      const reads = [client.get(key), client.get(key)];
      await waitFor('both GETs to arrive', () => stalling.connections.flat().filter((c) => c[0] === 'GET').length === 2);
      admin.current = reply(WITHOUT_NODE_3);
      expect(await client.refresh()).toBe(true);
      expect(client.nodeFor(key).index).toBe(2);
      // The node is out of the topology with its commands unanswered: its connection stays open for their replies.
      await waitFor('QUIT after the GETs', () => stalling.connections.flat().some((c) => c[0] === 'QUIT'));
      stalling.release();
      expect(await Promise.all(reads)).toEqual(['v', 'v']);
      await waitFor('the connection to close', () => stalling.events.includes('closed'));
      // Nothing ended the connection before the held replies were written.
      expect(stalling.events.slice(0, 3)).toEqual(['reply GET', 'reply GET', 'reply QUIT']);
    } finally {
      await client.quit();
      await admin.close();
      await stalling.close();
    }
  });

  it('reads a florida seeds server, sending the request a Dynomite node sends', async () => {
    const seeds = PEER_PORTS.map((p, i) => `127.0.0.1:${p}:rack${i < 2 ? 1 : 2}:dc1:${i % 2 === 0 ? 0 : 2147483648}`).join('|');
    const florida = await adminPort(httpReply('text/plain', seeds));
    const client = await DynoClient.connect({ florida: florida.url, clientPort, localRack: 'rack2', refreshIntervalMs: 0 });
    try {
      expectTwoRacksOfTwo(client, 'rack1', 'rack2');
      // The request line is the one in the bytes a real node sends its seeds server.
      const expected = readFileSync(new URL('../fixtures/dynomite-admin/florida_request.raw', import.meta.url), 'latin1').split('\r\n')[0];
      expect(florida.requests[0]!.replace('HTTP/1.1', 'HTTP/1.0')).toBe(expected);
      await client.set('fl', 'x');
      expect(client.nodeFor('fl').rack).toBe('rack2');
      expect(await client.get('fl')).toBe('x');
    } finally {
      await client.quit();
      await florida.close();
    }
  });

  it('in coordinator mode refuses a refresh that renumbers a peer with hints waiting, and takes it once they drained', async () => {
    const seedOf = (i: number) => `127.0.0.1:${PEER_PORTS[i]}:rack${i < 2 ? 1 : 2}:dc1:${i % 2 === 0 ? 0 : 2147483648}`;
    const florida = await adminPort(httpReply('text/plain', [0, 1, 2, 3].map(seedOf).join('|')));
    const store = new HintStore({ maxBytes: 0 });
    const client = await DynoClient.connect({
      florida: florida.url,
      clientPort,
      localRack: 'rack1',
      nodes: 'redis',
      hints: store,
      refreshIntervalMs: 0,
      hintReplayIntervalMs: 20,
    });
    const rejected: ClientEvents['topology:rejected'][] = [];
    client.on('topology:rejected', (e) => rejected.push(e));
    try {
      const down = client.topology.peers.find((p) => p.endpoint.port === PEER_PORTS[3])!.index;
      const label = store.labelOf(down);
      client.markDown(down);
      await Promise.all(Array.from({ length: 40 }, (_, i) => client.set(`renumber:${i}`, 'v')));
      expect(store.lenFor(down)).toBeGreaterThan(0);
      // The same nodes, listed the other way round: the numbers change.
      florida.current = httpReply('text/plain', [3, 2, 1, 0].map(seedOf).join('|'));
      expect(await client.refresh()).toBe(false);
      expect(rejected[0]!.error).toMatchObject({ name: 'ConfigError', kind: 'HintsRenumbered' });
      // On a loaded machine another peer may have timed out and hold hints as well: the message lists every one.
      const listed = /peer\(s\) (.*) have hints waiting/.exec(rejected[0]!.error!.message)?.[1]?.split(', ');
      expect(listed).toContain(`${down} (${label})`); // the Redis server its hints go to
      expect(client.topology.peers.find((p) => p.index === down)!.endpoint.port).toBe(PEER_PORTS[3]);
      client.markUp(down);
      await waitFor('the hints to drain', () => store.totalLen() === 0 && client.stats().nodes.every((n) => n.hints!.queued === 0));
      // Taken by a refresh once the replay round that drained them has ended.
      await waitFor('a refresh to be taken', () => client.refresh());
      const moved = client.topology.peers.find((p) => p.endpoint.port === PEER_PORTS[3])!.index;
      expect(moved).not.toBe(down);
      // The store's labels follow the numbering taken: a later run is checked against it.
      expect(store.labelOf(moved)).toBe(label);
      expect(store.labelOf(down)).not.toBe(label);
      expect(await client.set('renumber:after', 'v')).toBe('OK');
    } finally {
      await client.quit();
      await florida.close();
    }
  });

  it("reads Dynomite Manager's token map, its hash tag and string numbers", async () => {
    const nodes = PEER_PORTS.map((p, i) => ({
      token: String(i % 2 === 0 ? 0 : 2147483648),
      hostname: '127.0.0.1',
      ip: '127.0.0.1',
      zone: i < 2 ? 'us-east-1a' : 'us-east-1b',
      dc: 'us-east-1',
      port: String(p),
      secure_port: String(p + 1000),
      hashtag: '{}',
    }));
    const body = JSON.stringify(nodes);
    const manager = await adminPort(httpReply('application/json', body));
    const client = await DynoClient.connect({ dynomiteManager: manager.url, clientPort, localRack: 'us-east-1b', refreshIntervalMs: 0 });
    try {
      expect(client.topology.hashTag).toBe('{}');
      expectTwoRacksOfTwo(client, 'us-east-1a', 'us-east-1b');
      expect(manager.requests[0]).toMatch(/^GET \/REST\/v1\/admin\/cluster_describe HTTP\/1\.[01]$/);
      // The hash tag routes {a}1 and {a}2 together.
      expect(client.nodeFor('{a}1').index).toBe(client.nodeFor('{a}2').index);
      await client.mset('{a}1', 'p', '{a}2', 'q');
      expect(await client.mget('{a}1', '{a}2')).toEqual(['p', 'q']);
    } finally {
      await client.quit();
      await manager.close();
    }
  });

  it('polls a live source every refreshIntervalMs', async () => {
    const admin = await adminPort();
    const client = await DynoClient.connect({ clusterDescribe: admin.url, clientPort, refreshIntervalMs: 30 });
    try {
      const changed = new Promise<ClientEvents['topology:changed']>((resolve) => client.once('topology:changed', resolve));
      admin.current = reply(WITHOUT_NODE_3);
      expect((await changed).removed).toEqual([3]);
      await waitFor('more polls', () => admin.requests.length >= 3);
    } finally {
      await client.quit();
      await admin.close();
    }
  });

  it("reads client ports from each dynomite.yml's listen:", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dynoring-client-'));
    try {
      const files = await Promise.all(
        PEER_PORTS.map(async (peerPort, i) => {
          const file = join(dir, `n${i}.yml`);
          const rack = i < 2 ? 'rack1' : 'rack2';
          await writeFile(
            file,
            `dyn_o_mite:\n  datacenter: dc1\n  rack: ${rack}\n  dyn_listen: 127.0.0.1:${peerPort}\n  listen: 0.0.0.0:${servers[i]!.port}\n` +
              `  tokens: '${i % 2 === 0 ? 0 : 2147483648}'\n  hash: murmur\n  hash_tag: '{}'\n`,
          );
          return file;
        }),
      );
      const client = await DynoClient.connect({ files });
      try {
        expect(client.stats().nodes.map((n) => [n.host, n.port])).toEqual(servers.map((s) => ['127.0.0.1', s.port]));
        expect(client.topology.hashTag).toBe('{}');
        await client.set('{a}1', 'x');
        expect(await client.get('{a}1')).toBe('x');
      } finally {
        await client.quit();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads files as the CLI does: drift between them is refused naming it, their warnings are process warnings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dynoring-client-'));
    const node = (own: number, ownToken: number, seedToken: number, extra = '') =>
      `dyn_o_mite:\n  datacenter: dc1\n  rack: rack1\n  dyn_listen: 127.0.0.1:${PEER_PORTS[own]}\n  listen: 0.0.0.0:${servers[own]!.port}\n` +
      `  tokens: '${ownToken}'\n  dyn_seeds:\n    - 127.0.0.1:${PEER_PORTS[1 - own]}:rack1:dc1:${seedToken}\n${extra}`;
    try {
      const a = join(dir, 'a.yml');
      const b = join(dir, 'b.yml');
      await writeFile(a, node(0, 0, 2147483648));
      // b's own token is not the one a's seed list gives it.
      await writeFile(b, node(1, 1000, 0));
      await expect(DynoClient.connect({ files: [a, b] })).rejects.toMatchObject({
        name: 'ConfigError',
        kind: 'ConfigDrift',
        message: expect.stringMatching(/disagree.*127\.0\.0\.1:20006/),
      });
      // A file of a florida-fed node, given alone, covers only the peers it lists: a warning.
      await writeFile(a, node(0, 0, 2147483648, '  dyn_seed_provider: florida_provider\n'));
      const warned = new Promise<Error & { code?: string }>((resolve) => process.once('warning', resolve));
      const client = await DynoClient.connect({ files: [a], clientPort });
      try {
        const warning = await warned;
        expect(warning.code).toBe('DYNORING_CONFIG_WARNING');
        expect(warning.message).toMatch(/florida_provider/);
        expect(client.stats().nodes.map((n) => n.port)).toEqual([servers[0]!.port, servers[1]!.port]);
      } finally {
        await client.quit();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('guesses client port = peer port + 1 where nothing says it, with a warning', async () => {
    const seeds = servers.map((s, i) => `127.0.0.1:${s.port - 1}:rack${i < 2 ? 1 : 2}:dc1:${i % 2 === 0 ? 0 : 2147483648}`);
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    const client = await DynoClient.connect({ seeds });
    try {
      const warning = (await warned) as Error & { code?: string };
      expect(warning.code).toBe('DYNORING_GUESSED_CLIENT_PORT');
      expect(warning.message).toMatch(/guessed the client port of 4 node/);
      expect(await client.ping()).toBe('PONG');
    } finally {
      await client.quit();
    }
  });

  it('in coordinator mode takes each peer endpoint as its Redis server: no guess, no warning', async () => {
    const seeds = servers.map((s, i) => `127.0.0.1:${s.port}:rack${i < 2 ? 1 : 2}:dc1:${i % 2 === 0 ? 0 : 2147483648}`);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const client = await DynoClient.connect({ seeds, nodes: 'redis', localRack: 'rack1' });
    try {
      expect(client.stats().nodes.map((n) => n.port)).toEqual(servers.map((s) => s.port));
      expect(await client.set('coordinated', 'yes')).toBe('OK');
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => (w as Error & { code?: string }).code === 'DYNORING_GUESSED_CLIENT_PORT')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await client.quit();
    }
  });

  it('rejects connect with a typed error when no local-rack node answers, and for a broken topology', async () => {
    const free = await RedisServer.launch();
    const port = free.port;
    await free.destroy();
    await expect(
      DynoClient.connect({ seeds: ['127.0.0.1:40001:rack1:dc1:0'], clientPort: { '127.0.0.1:40001': port }, connectTimeoutMs: 500 }),
    ).rejects.toMatchObject({ kind: 'ConnectFailed' });
    await expect(
      DynoClient.connect({ seeds: ['127.0.0.1:40001:rack1:dc1:0', '127.0.0.1:40002:rack1:dc1:0'], clientPort }),
    ).rejects.toMatchObject({ kind: 'Overlap' });
  });
});
