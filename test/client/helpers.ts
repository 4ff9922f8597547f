/**
 * Clusters of real `redis-server` processes standing in for Dynomite nodes'
 * client ports, plus the waits the client tests share.
 */
import { Redis } from 'ioredis';
import { available } from '../helpers/programs.js';
import { REDIS_PROGRAM, RedisServer } from '../helpers/redis-servers.js';

/** Whether the Redis-backed client suites run here; under CI a missing redis-server fails the suite. */
export function redisAvailable(suite: string): boolean {
  return available(suite, REDIS_PROGRAM);
}

/** One stand-in node: its seed, its server, and a plain ioredis connection to inspect it. */
export interface TestNode {
  index: number;
  rack: string;
  dc: string;
  token: number;
  /** The fake peer port the topology names (never listened on). */
  peerPort: number;
  server: RedisServer;
  seed: string;
}

/** A cluster of racks, each rack's nodes with equidistant tokens. */
export interface TestCluster {
  nodes: TestNode[];
  seeds: string[];
  /** `clientPort` option mapping each peer to its redis-server. */
  clientPort: Record<string, number>;
  /** A fresh plain connection to a node's server (closed by `stop`). */
  direct(index: number): Redis;
  stop(): Promise<void>;
}

/**
 * Starts `racks` × `perRack` redis-servers. Rack names are `rack1`, `rack2`,
 * ... in datacenter `dc1` (or `dcs` datacenters, `dc1`, `dc2`, ...). With `persist`, each
 * server keeps an fsynced append-only file, so it restarts after SIGKILL with what it acknowledged.
 */
export async function startCluster(layout: { racks: number; perRack: number; dcs?: number; persist?: boolean }): Promise<TestCluster> {
  const nodes: TestNode[] = [];
  const directs: Redis[] = [];
  const dcs = layout.dcs ?? 1;
  try {
    for (let d = 0; d < dcs; d++) {
      for (let r = 0; r < layout.racks; r++) {
        for (let n = 0; n < layout.perRack; n++) {
          const index = nodes.length;
          const token = Math.floor((n * 0x1_0000_0000) / layout.perRack);
          const server = await RedisServer.launch({ persist: layout.persist === true });
          const peerPort = 30000 + index;
          const rack = `rack${r + 1}`;
          const dc = `dc${d + 1}`;
          nodes.push({ index, rack, dc, token, peerPort, server, seed: `127.0.0.1:${peerPort}:${rack}:${dc}:${token}` });
        }
      }
    }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.server.destroy()));
    throw err;
  }
  return {
    nodes,
    seeds: nodes.map((n) => n.seed),
    clientPort: Object.fromEntries(nodes.map((n) => [`127.0.0.1:${n.peerPort}`, n.server.port])),
    direct(index) {
      const redis = new Redis({ host: '127.0.0.1', port: nodes[index]!.server.port, lazyConnect: false, maxRetriesPerRequest: 1 });
      redis.on('error', () => {}); // a killed node's inspector reconnects quietly
      directs.push(redis);
      return redis;
    },
    async stop() {
      for (const d of directs) d.disconnect();
      await Promise.all(nodes.map((n) => n.server.destroy()));
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 20 ms until it holds, for at most `ms`; throws naming what it waited for. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
