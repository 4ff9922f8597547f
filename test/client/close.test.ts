/**
 * After `quit()` or `disconnect()` nothing of the client keeps the process
 * alive, also when a node was down (ioredis's disconnect timer used to hold
 * it for 2 s). Run in a child process against the built package, so the
 * only timers left are the client's own.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { builtFile } from '../helpers/dist.js';
import { freePort, RedisServer } from '../helpers/redis-servers.js';
import { redisAvailable } from './helpers.js';

const RUN = redisAvailable('test/client/close.test.ts');

/**
 * Connects with one node down, writes, closes with `how`, and exits when
 * nothing is pending. If something still holds the process a second later,
 * an unref'd timer (which cannot hold it itself) names what.
 */
const SCRIPT = `
const [client, index, live, dead, nodes, how] = process.argv.slice(1);
const { DynoClient } = await import(client);
const { HintStore } = await import(index);
const seeds = [\`127.0.0.1:\${live}:r1:dc1:0\`, \`127.0.0.1:\${dead}:r2:dc1:0\`];
const c = await DynoClient.connect({
  seeds, localRack: 'r1', nodes,
  ...(nodes === 'redis' ? { hints: new HintStore({ maxBytes: 0 }) } : { clientPort: (p) => p.endpoint.port }),
});
c.on('error', () => {});
await c.set('k', 'v').catch(() => {});
if (how === 'quit') await c.quit(); else c.disconnect();
setTimeout(() => console.log('still alive: ' + process.getActiveResourcesInfo().join(', ')), 1000).unref();
process.on('exit', () => console.log('exited'));
`;

describe.skipIf(!RUN)('closing the client', () => {
  it.each([
    ['redis', 'quit'],
    ['redis', 'disconnect'],
    ['dynomite', 'quit'],
    ['dynomite', 'disconnect'],
  ])('nodes: %s, %s: nothing is left pending although a node is down', async (nodes, how) => {
    const server = await RedisServer.launch();
    try {
      const dead = await freePort();
      const run = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', SCRIPT, builtFile('client.js'), builtFile('index.js'), String(server.port), String(dead), nodes, how],
        { encoding: 'utf8', timeout: 20_000 },
      );
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toBe('exited');
    } finally {
      await server.destroy();
    }
  });
});
