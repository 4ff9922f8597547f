/**
 * Durable hinted handoff: hints for a down peer are kept on disk, survive a
 * restart of the service, and are delivered once the peer is back.
 * `test/examples/durable-hints.test.ts` runs this file.
 */
import { DurableHintStore } from '../src/durable.js';

const HINT_TTL_MS = 3 * 60 * 60_000; // keep a hint for three hours of wall-clock time
const OPTIONS = { maxBytes: 256 * 1024 * 1024, sync: 'batch' } as const; // 256 MiB of payloads; group commit

export async function durableHintsDemo(dir: string): Promise<string[]> {
  const received: string[] = [];
  const down = new Set([2]);
  const send = async (peer: number, payload: Uint8Array): Promise<void> => {
    if (down.has(peer)) throw new Error(`peer ${peer} is down`);
    received.push(`peer ${peer}: ${new TextDecoder().decode(payload)}`);
  };

  // Before the restart: peer 2 is down, so its writes become hints on disk.
  let hints = await DurableHintStore.open(dir, OPTIONS);
  for (const request of ['SET user:1 ada', 'SET user:2 grace']) {
    const bytes = new TextEncoder().encode(request);
    await Promise.all([0, 1, 2].map((peer) => send(peer, bytes).catch(() => hints.enqueue(peer, bytes, HINT_TTL_MS))));
  }
  console.log(`hints waiting for peer 2: ${hints.lenFor(2)}`);
  await hints.close(); // the service stops (a crash would lose nothing acknowledged either)

  // After the restart: the hints are replayed from disk; peer 2 is back.
  hints = await DurableHintStore.open(dir, OPTIONS);
  down.delete(2);
  for (const peer of hints.peersWithHints()) {
    const { delivered } = await hints.drain(peer, (hint) => send(hint.peer, hint.payload));
    console.log(`delivered ${delivered} hints to peer ${peer}`);
  }
  await hints.close();
  return received;
}
