/**
 * DynoClient in a few lines: connect to a Dynomite cluster described by its
 * nodes' dynomite.yml files (or seeds, or a live node's admin port), then use
 * it as you would ioredis. Commands go straight to the key's owner in the
 * local rack and fail over to the other racks when it is down.
 *
 *   npx tsx examples/client.ts 127.0.0.1:8101:rack1:dc1:0=6379 ...
 *
 * Each argument is a seed `host:peerPort:rack:dc:token` and, after `=`, the
 * node's client port (on a real cluster the files' `listen:` says it).
 */
import { DynoClient, type ClientOptions } from '../src/client.js';

export async function main(args: string[], options: Partial<ClientOptions> = {}): Promise<string[]> {
  const seeds = args.map((a) => a.split('=')[0]!);
  const clientPort = Object.fromEntries(args.map((a) => [a.split('=')[0]!.split(':').slice(0, 2).join(':'), Number(a.split('=')[1])]));
  const client = await DynoClient.connect({ seeds, clientPort, localRack: 'rack1', ...options });
  const lines: string[] = [];
  client.on('node:down', ({ node, reason }) => lines.push(`node ${node.index} down (${reason})`));
  client.on('failover', ({ from, to, reason }) => lines.push(`failover ${from.index} -> ${to.index} (${reason})`));
  try {
    await client.set('user:42', 'ada');
    lines.push(`user:42 = ${await client.get('user:42')} (on node ${client.nodeFor('user:42').index})`);
    const results = await client.pipeline().set('a', '1').set('b', '2').mget('a', 'b').exec();
    lines.push(`pipeline: ${JSON.stringify(results?.map(([, r]) => r))}`);
    let count = 0;
    for await (const keys of client.scanStream({ match: 'user:*' })) count += keys.length;
    lines.push(`user keys in the local rack: ${count}`);
    const node = client.stats().nodes[0]!;
    lines.push(`node 0: ${node.state}, ${node.requests} requests, p50 ${node.latencyMs.p50.toFixed(2)} ms`);
  } finally {
    await client.quit();
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (lines) => console.log(lines.join('\n')),
    (err: Error) => {
      console.error(err.message);
      process.exitCode = 1;
    },
  );
}
