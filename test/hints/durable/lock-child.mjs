// Lock-race child: for each `open <dir>` line on stdin it tries to open the
// store there and prints `opened` or `refused <kind>`; on `close` it closes
// the store it holds and prints `closed`. The parent sends `open` to every
// child at once, so they race for the same lock.
import { createInterface } from 'node:readline';
import { DurableHintStore } from '../../../dist/durable.js';

let store = null;
const say = (line) => process.stdout.write(`${line}\n`);
say('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const [command, dir] = line.split(' ');
  if (command === 'open') {
    try {
      store = await DurableHintStore.open(dir, { maxBytes: 0, sync: 'never', onWarning: () => {} });
      say('opened');
    } catch (err) {
      say(`refused ${err.kind ?? err.code ?? err.message}`);
    }
  } else if (command === 'close') {
    await store?.close();
    store = null;
    say('closed');
  }
}
