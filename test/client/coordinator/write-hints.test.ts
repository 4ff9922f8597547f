/**
 * A DC_ONE write must not wait for another replica's write
 * that is still on the wire. Its hint for that replica waits (in the peer's
 * order) behind the older live write, which may take `commandTimeoutMs` to
 * fail; the answer must not wait with it.
 */
import { describe, expect, it } from 'vitest';
import { Coordinator } from '../../../src/client/coordinator/coordinator.js';
import { resolveOptions } from '../../../src/client/options.js';
import { readSource } from '../../../src/client/sources.js';
import { HintStore } from '../../../src/index.js';

const seeds = ['127.0.0.1:30000:rack1:dc1:0', '127.0.0.1:30001:rack2:dc1:0'];

describe('Coordinator write and hints queued behind a live write', () => {
  it('DC_ONE answers once the local rack acknowledged, though the other replica hint waits behind a live write', async () => {
    const { topology } = await readSource(resolveOptions({ seeds, localRack: 'rack1' }));
    const up = new Set([0, 1]);
    const held: ((err: Error) => void)[] = [];
    const coordinator = new Coordinator({
      topology: () => topology,
      localDc: 'dc1',
      localRack: 'rack1',
      readConsistency: 'DC_ONE',
      writeConsistency: 'DC_ONE',
      hints: new HintStore({ maxBytes: 0 }),
      hintTtlMs: 60_000,
      hintReplayWindow: 4,
      allowRemoteDc: false,
      emit: () => {},
      onError: () => {},
      transport: {
        isUp: (peer) => up.has(peer),
        // rack1 answers; rack2 hangs (its replies never come until the test fails them)
        send: (peer) => (peer === 0 ? Promise.resolve('OK') : new Promise((_, reject) => held.push(reject))),
        sendStored: async () => 'OK',
        describe: (peer) => ({ index: peer, host: '127.0.0.1', port: 30000 + peer, rack: `rack${peer + 1}`, dc: 'dc1' }) as never,
      },
    });
    expect(await coordinator.write('set', ['a', '1'], 'a', false)).toBe('OK'); // rack2's copy hangs on the wire
    up.delete(1); // rack2 is marked down meanwhile
    const second = coordinator.write('set', ['a', '2'], 'a', false);
    const outcome = await Promise.race([second.then(() => 'answered'), new Promise((r) => setTimeout(() => r('waiting'), 100))]);
    for (const reject of held) reject(new Error('timed out')); // what commandTimeoutMs does later
    await second;
    expect(outcome).toBe('answered'); // 'waiting' when every hint started before the answer is waited for: until rack2's older write times out
  });
});
