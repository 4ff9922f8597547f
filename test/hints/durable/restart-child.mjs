// Restart-test child: opens the store a previous process wrote, with its wall
// clock moved by argv[3] ms, drains every peer to stdout (one JSON line per
// hint) and prints the stats last.
import { DurableHintStore } from '../../../dist/durable.js';

const [dir, offset] = process.argv.slice(2);
const store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'always', now: () => Date.now() + Number(offset) });
for (const peer of store.peersWithHints()) {
  await store.drain(peer, async (hint) => {
    process.stdout.write(
      `${JSON.stringify({ peer: hint.peer, payload: new TextDecoder().decode(hint.payload), deadline: hint.deadline })}\n`,
    );
  });
}
process.stdout.write(`${JSON.stringify({ stats: store.stats() })}\n`);
await store.close();
