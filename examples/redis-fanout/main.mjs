#!/usr/bin/env node
// Reads commands on stdin, one per line, and answers each on stdout, in order:
//   SET <key> <value>   -> OK <key> <host:port>=ok|hinted, one per rack (FAILED <key> ... on an error)
//   GET <key>           -> the value from the local rack's owner, or (nil)
//   HINTS               -> HINTS <total> {"<peer>": <count>, ...}
//   DRAIN               -> DRAINED <hints replayed by one round now>
// A SET is acknowledged once every owner has replied or its hint is stored
// (with --hints, written to disk and fsynced).
//
//   node main.mjs [--config cluster.yml] [--hints DIR] [--drain-ms 200]
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Fanout } from './fanout.mjs';

const { values: opts } = parseArgs({
  options: {
    config: { type: 'string', default: fileURLToPath(new URL('cluster.yml', import.meta.url)) },
    hints: { type: 'string' },
    'drain-ms': { type: 'string', default: '200' },
  },
});
const fanout = await Fanout.open({ config: opts.config, hintDir: opts.hints, drainIntervalMs: Number(opts['drain-ms']) });
const name = (i) => {
  const { host, port } = fanout.topology.peer(i).endpoint;
  return `${host}:${port}`;
};
console.error(
  `${fanout.topology.peers.length} peers in racks ${fanout.topology
    .racks()
    .map((r) => r.rack)
    .join(', ')}; ` + `hints ${opts.hints ? `in ${opts.hints} (${fanout.store.stats().replayedHints} replayed from disk)` : 'in memory'}`,
);

async function run(line) {
  const [, command, key, value] = /^\s*(\S*)\s*(\S*)\s*(.*)$/.exec(line);
  if (!key && ['SET', 'GET'].includes(command.toUpperCase())) return `ERR ${command} needs a key`;
  switch (command.toUpperCase()) {
    case 'SET': {
      const results = await fanout.set(key, value);
      const failed = results.some((r) => r.outcome === 'failed');
      return `${failed ? 'FAILED' : 'OK'} ${key} ${results.map((r) => `${name(r.peer)}=${r.outcome}${r.error ? ` (${r.error})` : ''}`).join(' ')}`;
    }
    case 'GET':
      return (await fanout.get(key)) ?? '(nil)';
    case 'HINTS':
      return `HINTS ${fanout.store.totalLen()} ${JSON.stringify(fanout.hints())}`;
    case 'DRAIN':
      return `DRAINED ${await fanout.drainOnce()}`;
    case '':
      return null;
    default:
      return `ERR unknown command '${command}' (SET, GET, HINTS, DRAIN)`;
  }
}

// Commands start as soon as they are read (writes are pipelined), answers print in order.
let answered = Promise.resolve();
for await (const line of createInterface({ input: process.stdin })) {
  const answer = run(line).catch((err) => `ERR ${err.message}`);
  answered = answered.then(async () => {
    const text = await answer;
    if (text !== null) console.log(text);
  });
}
await answered;
if (!opts.hints) await fanout.drainOnce();
if (!opts.hints && fanout.store.totalLen() > 0)
  console.error(`dropping ${fanout.store.totalLen()} in-memory hints (use --hints DIR to keep them)`);
await fanout.close();
