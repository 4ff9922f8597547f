// A coordinator process for crash.test.ts: a steady write load through
// DynoClient (nodes: 'redis') with a DurableHintStore, from the built package.
// argv[2] is JSON: { hintDir, firstSeq, keys, client: ClientOptions }.
// Prints "READY <hints found on disk>", then "SEND key seq" before each write
// and "ACK key seq" or "FAIL key seq kind" after it; echoes "MARK" on stdin (so a test knows
// which writes were sent after something it did); on "STOP" on stdin (then its end) it
// stops writing, waits for its hints to drain, prints "DRAINED <hint stats
// by node>" and exits.
import { createInterface } from 'node:readline';
import { DynoClient } from '../../../dist/client.js';
import { DurableHintStore } from '../../../dist/durable.js';

const cfg = JSON.parse(process.argv[2]);
const hints = await DurableHintStore.open(cfg.hintDir, { maxBytes: 0, sync: 'batch' });
const onDisk = hints.stats().hintCount;
const client = await DynoClient.connect({ ...cfg.client, hints });
console.log(`READY ${onDisk}`);

let running = true;
const WORKERS = 8;
const loops = Array.from({ length: WORKERS }, async (_, w) => {
  const mine = Array.from({ length: cfg.keys }, (_, i) => `crash:${i}`).filter((_, i) => i % WORKERS === w);
  for (let seq = cfg.firstSeq; running; seq++) {
    for (const key of mine) {
      if (!running) return;
      console.log(`SEND ${key} ${seq}`);
      try {
        await client.set(key, String(seq));
        console.log(`ACK ${key} ${seq}`);
      } catch (err) {
        console.log(`FAIL ${key} ${seq} ${err.kind ?? err.message}`);
      }
    }
  }
});

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'MARK') console.log('MARK');
  if (line !== 'STOP') continue;
  running = false;
  await Promise.all(loops);
  while (!client.stats().nodes.every((n) => n.state === 'up' && n.hints.queued === 0)) await new Promise((r) => setTimeout(r, 20));
  console.log(`DRAINED ${JSON.stringify(client.stats().nodes.map((n) => n.hints))}`);
  await client.quit();
  await hints.close();
  break;
}
