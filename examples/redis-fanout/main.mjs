#!/usr/bin/env node
// DynoClient in coordinator mode (nodes: 'redis'): this process plays the
// Dynomite node over four plain Redis servers. Each SET goes to the key's
// owner in every rack; a write an owner misses (it is down, or does not answer
// in time) waits as a hint, in memory or on disk with --hints, and is replayed
// in order when that server is back. Reads go to the local rack's owner.
//
// Reads commands on stdin, one per line, and answers each on stdout, in order:
//   SET <key> <value>   -> OK <key>, or FAILED <key> <why>
//   GET <key>           -> the value, or (nil)
//   HINTS               -> HINTS <total> {"<host:port>": <waiting>, ...}
//   DRAIN               -> DRAINED <total>, once no server that is up has hints waiting (at most 10 s)
// Node state changes and hint replays are reported on stderr.
//
//   node main.mjs [--config cluster.yml] [--hints DIR] [--consistency DC_ONE|DC_QUORUM]
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { HintStore } from 'dynoring';
import { DynoClient } from 'dynoring/client';
import { DurableHintStore } from 'dynoring/durable';

const { values: opts } = parseArgs({
  options: {
    config: { type: 'string', default: fileURLToPath(new URL('cluster.yml', import.meta.url)) },
    hints: { type: 'string' },
    consistency: { type: 'string', default: 'DC_ONE' },
  },
});
// On disk, a hint is fsynced (in small groups) before the SET is answered, so it survives kill -9 of this process.
const hints = opts.hints
  ? await DurableHintStore.open(opts.hints, { maxBytes: 256 << 20, sync: 'batch' })
  : new HintStore({ maxBytes: 256 << 20 });
const client = await DynoClient.connect({
  files: [opts.config],
  nodes: 'redis', // every endpoint in the file is a Redis server: there is no Dynomite in between
  hints,
  writeConsistency: opts.consistency,
}).catch(async (err) => {
  // A typed error names what is wrong (e.g. HintsRenumbered: the file numbers the servers differently than when
  // the hints on disk were stored); the store is closed so its lock is released.
  await hints.close?.();
  console.error(`${err.name}${err.kind ? ` ${err.kind}` : ''}: ${err.message}`);
  process.exit(1);
});
const name = (index) => {
  const { host, port } = client.topology.peer(index).endpoint;
  return `${host}:${port}`;
};
const waiting = () =>
  Object.fromEntries(client.stats().nodes.flatMap((n) => (n.hints.queued > 0 ? [[name(n.index), n.hints.queued]] : [])));
const total = () => client.stats().nodes.reduce((sum, n) => sum + n.hints.queued, 0);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until every server that is up has had its hints replayed (they replay on their own; this only watches). */
async function drained() {
  const pending = () => client.stats().nodes.some((n) => n.state === 'up' && n.hints.queued > 0);
  for (let waited = 0; waited < 10_000 && pending(); waited += 20) await sleep(20);
  console.error(`${replayed} hint(s) replayed so far`);
  return total();
}

console.error(
  `${client.topology.peers.length} Redis servers in racks ${client.topology
    .racks()
    .map((r) => r.rack)
    .join(', ')}; hints ${opts.hints ? `on disk in ${opts.hints}` : 'in memory'}, ${total()} waiting ${JSON.stringify(waiting())}`,
);
// A node already down when connect returned raised its node:down before these listeners: say so from stats().
for (const n of client.stats().nodes) if (n.state !== 'up') console.error(`down: ${name(n.index)} (at start)`);
client.on('node:down', (e) => console.error(`down: ${name(e.node.index)} (${e.reason})`));
client.on('node:up', (e) => console.error(`up: ${name(e.node.index)}${total() > 0 ? `, replaying its hints` : ''}`));
client.on('error', (err) => console.error(`error: ${err.message}`));
let replayed = 0;
client.on('hint:replayed', () => replayed++);

async function run(line) {
  const [, command, key, value] = /^\s*(\S*)\s*(\S*)\s*(.*)$/.exec(line);
  if (!key && ['SET', 'GET'].includes(command.toUpperCase())) return `ERR ${command} needs a key`;
  switch (command.toUpperCase()) {
    case 'SET':
      return client.set(key, value).then(
        () => `OK ${key}`,
        (err) => `FAILED ${key} ${err.message}`,
      );
    case 'GET':
      return (await client.get(key)) ?? '(nil)';
    case 'HINTS':
      return `HINTS ${total()} ${JSON.stringify(waiting())}`;
    case 'DRAIN':
      return `DRAINED ${await drained()}`;
    case '':
      return null;
    default:
      return `ERR unknown command '${command}' (SET, GET, HINTS, DRAIN)`;
  }
}

// SET and GET start as soon as they are read (pipelined); HINTS and DRAIN once
// everything before them is answered, so they see its hints. Answers print in order.
let answered = Promise.resolve();
for await (const line of createInterface({ input: process.stdin })) {
  const after = /^\s*(HINTS|DRAIN)\b/i.test(line) ? answered : Promise.resolve();
  const answer = after.then(() => run(line)).catch((err) => `ERR ${err.message}`);
  answered = answered.then(async () => {
    const text = await answer;
    if (text !== null) console.log(text);
  });
}
await answered;
await client.quit(); // waits for replica writes in flight and hints being stored
// The store, not the client's stats: a closed client lists no nodes.
const left = hints.peersWithHints().reduce((sum, peer) => sum + hints.lenFor(peer), 0);
if (!opts.hints && left > 0) console.error(`dropping ${left} in-memory hint(s) (use --hints DIR to keep them)`);
await hints.close?.();
