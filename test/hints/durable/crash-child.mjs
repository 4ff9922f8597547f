// Crash-test child: enqueues hints with sync 'always' from several concurrent
// writers, printing `ack <seq>` once each enqueue resolved, and now and then
// drains a peer, printing `del <seq>` for each delivered hint. The test kills
// it with SIGKILL at a random moment.
import { DurableHintStore } from '../../../dist/durable.js';

const [dir, start] = process.argv.slice(2);
const PEERS = 3;
const WRITERS = 4;
const say = (line) => process.stdout.write(`${line}\n`); // synchronous on pipes: printed means acknowledged

const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always', segmentBytes: 2048, onWarning: () => {} });
say('ready');
let next = Number(start);

async function writer() {
  for (;;) {
    const seq = next++;
    await store.enqueue(seq % PEERS, new TextEncoder().encode(`${seq}|${'p'.repeat(seq % 50)}`), 3_600_000);
    say(`ack ${seq}`);
  }
}

async function drainer() {
  for (let round = 0; ; round++) {
    await new Promise((resolve) => setTimeout(resolve, 15));
    let left = 5 + (round % 20);
    await store
      .drain(round % PEERS, async (hint) => {
        if (left-- === 0) throw new Error('stop here');
        say(`del ${new TextDecoder().decode(hint.payload).split('|')[0]}`);
      })
      .catch(() => undefined);
  }
}

await Promise.all([...Array.from({ length: WRITERS }, writer), drainer()]);
