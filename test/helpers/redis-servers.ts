/** Real `redis-server` processes for end-to-end tests: loopback only, free ports, no persistence unless asked (`persist`), always stopped. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Program } from './programs.js';

/** Whether `redis-server` can be run here. */
export function haveRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** `redis-server`, for `available()` in programs.ts: the Redis suites skip without it outside CI. */
export const REDIS_PROGRAM: Program = {
  name: '`redis-server`',
  found: haveRedisServer,
  install: 'apt-get install redis-server, or brew install redis',
};

/** A port free on 127.0.0.1 a moment ago (bind to port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends PING over a raw socket; true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

class AddressInUse extends Error {}

/** Servers running now; killed if the test process exits without stopping them (a crash, a timeout). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** One `redis-server` process; `start()` again brings it back on the same port. */
export class RedisServer {
  private process: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private output = '';

  private constructor(
    readonly port: number,
    readonly dir: string,
    /** Keeps every acknowledged write in an fsynced append-only file, so a SIGKILLed server restarts with its data. */
    readonly persist: boolean,
  ) {}

  /** Starts a server on a free port, retrying with another port if the one picked was taken meanwhile. */
  static async launch(options: { persist?: boolean } = {}): Promise<RedisServer> {
    const dir = await mkdtemp(join(tmpdir(), 'dynoring-redis-'));
    for (let attempt = 1; ; attempt++) {
      const server = new RedisServer(await freePort(), dir, options.persist === true);
      try {
        await server.start();
        return server;
      } catch (err) {
        if (!(err instanceof AddressInUse) || attempt === 5) {
          await rm(dir, { recursive: true, force: true });
          throw err;
        }
      }
    }
  }

  get running(): boolean {
    return this.process !== null;
  }

  /** Starts the process on this server's port and waits until it answers PING. */
  async start(): Promise<void> {
    if (this.process) throw new Error(`redis-server on ${this.port} is already running`);
    const aof = this.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...aof, '--dir', this.dir];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process = child;
    live.add(child);
    this.output = '';
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
    let exitedEarly = false;
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        exitedEarly = true;
        live.delete(child);
        if (this.process === child) this.process = null;
        resolve();
      });
      child.once('error', () => resolve());
    });
    for (let i = 0; i < 100; i++) {
      if (exitedEarly || child.exitCode !== null) break;
      if (await ping(this.port)) return;
      await sleep(50);
    }
    await this.stop();
    if (/Address already in use/i.test(this.output)) throw new AddressInUse(`port ${this.port} is taken`);
    throw new Error(`redis-server on 127.0.0.1:${this.port} did not come up. Its output:\n${this.output}`);
  }

  /** Starts it again on the same port, waiting out a short-lived connection that holds the port meanwhile. */
  async restart(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.start();
      } catch (err) {
        if (!(err instanceof AddressInUse) || attempt === 20) throw err;
        await sleep(250);
      }
    }
  }

  /** Stops the process: `signal` first, then SIGKILL if it has not exited within 3 s. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.process;
    if (child === null) return;
    // A stopped process ignores SIGTERM until it is continued.
    child.kill('SIGCONT');
    child.kill(signal);
    const timeout = sleep(3000).then(() => 'timeout');
    if ((await Promise.race([this.exited, timeout])) === 'timeout') {
      child.kill('SIGKILL');
      await this.exited;
    }
    this.process = null;
  }

  /** Sends a signal that does not end the process (SIGSTOP, SIGCONT) to the running server. */
  signal(signal: 'SIGSTOP' | 'SIGCONT'): void {
    if (this.process === null) throw new Error(`redis-server on ${this.port} is not running`);
    this.process.kill(signal);
  }

  /** Stops the process for good and removes its directory. */
  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
