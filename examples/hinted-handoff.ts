/**
 * Hinted handoff end to end: a write path that records a hint when a replica
 * is down, and a drainer that replays the hints once it is back.
 * `test/examples/hinted-handoff.test.ts` runs this file.
 */
import { HintDrainer, HintStore } from '../src/hints/index.js';

/** A stand-in for the outbound connections to each peer. */
class Peers {
  readonly up = new Set<number>([0, 1, 2]);
  readonly received = new Map<number, string[]>();

  async send(peer: number, payload: Uint8Array): Promise<void> {
    if (!this.up.has(peer)) throw new Error(`peer ${peer} is down`);
    const log = this.received.get(peer) ?? [];
    log.push(new TextDecoder().decode(payload));
    this.received.set(peer, log);
  }
}

export async function hintedHandoffDemo(): Promise<{ received: Map<number, string[]>; delivered: number }> {
  const peers = new Peers();
  const hints = new HintStore({ maxBytes: 16 * 1024 * 1024 }); // at most 16 MiB of hinted bytes (default 64 MiB)
  const HINT_TTL_MS = 10 * 60_000;

  /** The write path: fan out to every replica; keep a hint for each one that fails. */
  async function write(replicas: number[], request: Uint8Array): Promise<void> {
    await Promise.all(
      replicas.map(async (peer) => {
        try {
          await peers.send(peer, request);
        } catch {
          hints.enqueue(peer, request, HINT_TTL_MS); // the store copies the bytes
        }
      }),
    );
  }

  const drainer = new HintDrainer({
    store: hints,
    isNormal: (peer) => peers.up.has(peer),
    send: (peer, payload) => peers.send(peer, payload),
    intervalMs: 1_000, // the default; rounds started by start()
    sendTimeoutMs: 2_000, // a send still pending after 2 s is a failed send (default 5 s)
  });
  drainer.on('delivered', ({ peer }) => console.log(`replayed a hint to peer ${peer}`));

  peers.up.delete(2); // peer 2 goes down
  const encode = (text: string) => new TextEncoder().encode(text);
  await write([0, 1, 2], encode('SET user:1 ada'));
  await write([0, 1, 2], encode('SET user:2 grace'));
  console.log(`hints waiting for peer 2: ${hints.lenFor(2)}`); // 2

  peers.up.add(2); // peer 2 is back
  drainer.start(); // in a service: rounds every second until stop()
  const summary = await drainer.runOnce(); // here: run a round now
  await drainer.stop();
  return { received: peers.received, delivered: summary.delivered };
}
