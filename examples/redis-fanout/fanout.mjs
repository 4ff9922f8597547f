// The write path: route each key with dynoring to its owner in every rack,
// send the RESP bytes there, and keep a hint for every owner that is down.
// Reads go to the owner in the local rack.
import { readFile } from 'node:fs/promises';
import { HintDrainer, HintStore, Topology, ready } from 'dynoring';
import { DurableHintStore } from 'dynoring/durable';
import { encodeCommand, RedisConnection, RedisError } from './resp.mjs';

export class Fanout {
  /**
   * Loads a dynomite.yml whose peers are Redis servers and connects to each.
   * Hints live in memory, or on disk in `hintDir` (they then survive a crash
   * of this process). `drainIntervalMs: 0` turns off automatic draining:
   * call `drainOnce()` yourself.
   */
  static async open({ config, hintDir, drainIntervalMs = 200, hintTtlMs = 3 * 3600_000, maxHintBytes = 256 << 20, backoff }) {
    await ready(); // the WebAssembly routing kernel
    const topology = Topology.fromDynomiteYaml({ text: await readFile(config, 'utf8'), file: config });
    const store = hintDir
      ? await DurableHintStore.open(hintDir, { maxBytes: maxHintBytes, sync: 'batch' })
      : new HintStore({ maxBytes: maxHintBytes });
    const fanout = new Fanout(topology, store, { drainIntervalMs, hintTtlMs, backoff });
    await Promise.all(fanout.conns.map((conn) => conn.settled)); // so the first writes do not hint live peers
    return fanout;
  }

  counts = { ok: 0, hinted: 0, failed: 0, replayed: 0 };
  #draining = new Set(); // peers whose hints a drain round is replaying right now
  #round = null;
  #timer = null;

  constructor(topology, store, { drainIntervalMs, hintTtlMs, backoff }) {
    Object.assign(this, { topology, store, hintTtlMs });
    const auto = drainIntervalMs > 0;
    const drainSoon = () => auto && this.drainOnce().catch((err) => console.error('hint drain failed:', err));
    // One persistent connection per peer; a peer is "normal" while it is connected.
    this.conns = topology.peers.map((peer) => new RedisConnection(peer.endpoint, { ...backoff, onUp: drainSoon }));
    this.localRack = (topology.peers.find((p) => p.isLocal) ?? topology.peers[0]).rack;
    const isNormal = (peer) => this.conns[peer].up;
    const send = (peer, payload) => this.#replay(peer, payload);
    // The drainer works with either store; the durable one deletes a hint from
    // disk only once the peer has answered it (at-least-once across crashes).
    this.drainer = new HintDrainer({ store, isNormal, send, intervalMs: 1000 });
    this.isNormal = isNormal;
    if (auto) (this.#timer = setInterval(drainSoon, drainIntervalMs)).unref();
  }

  /** Writes `SET key value` to the key's owner in every rack; resolves once each has replied or been hinted. */
  async set(key, value) {
    const bytes = encodeCommand('SET', key, value);
    const owners = this.topology.route(key);
    const results = await Promise.allSettled(owners.map((peer) => this.#write(peer.index, bytes)));
    return owners.map((peer, i) => {
      const r = results[i].status === 'fulfilled' ? results[i].value : results[i].reason;
      const outcome = r === 'hinted' ? 'hinted' : r instanceof Error ? 'failed' : 'ok';
      this.counts[outcome]++;
      return { peer: peer.index, rack: peer.rack, outcome, ...(r instanceof Error && { error: r.message }) };
    });
  }

  /** Reads a key from its owner in the local rack (another rack's owner if that one is down). */
  async get(key) {
    const owners = this.topology.route(key).sort((a, b) => (b.rack === this.localRack) - (a.rack === this.localRack));
    for (const peer of owners) {
      if (!this.isNormal(peer.index)) continue;
      const reply = await this.conns[peer.index].send(encodeCommand('GET', key)).catch(() => undefined);
      if (reply instanceof RedisError) throw reply;
      if (reply !== undefined) return reply;
    }
    throw new Error(`no owner of ${key} is reachable`);
  }

  /** Runs one drain round: expires old hints, replays the others, in order, to peers that are back. */
  drainOnce() {
    return (this.#round ??= this.#drainRound().finally(() => (this.#round = null)));
  }

  async #drainRound() {
    const peers = this.store.peersWithHints();
    for (const peer of peers) this.#draining.add(peer);
    try {
      return (await this.drainer.runOnce()).delivered;
    } finally {
      for (const peer of peers) this.#draining.delete(peer);
    }
  }

  /** Hints stored now, by peer index. */
  hints() {
    return Object.fromEntries(this.store.peersWithHints().map((peer) => [peer, this.store.lenFor(peer)]));
  }

  /** Disconnects (writes still in flight are hinted) and closes the hint store. */
  async close() {
    clearInterval(this.#timer);
    for (const conn of this.conns) conn.close();
    await this.#round; // its sends fail now; unsent hints stay in the store
    if (!(this.store instanceof HintStore)) await this.store.close();
  }

  #write(peer, bytes) {
    const hint = () => this.#hint(peer, bytes);
    // Per-peer order: while older hints wait or are being replayed, newer writes queue behind them.
    if (this.store.lenFor(peer) > 0 || this.#draining.has(peer)) return hint();
    return this.conns[peer].send(bytes, hint); // hint() runs if the peer is down or drops before replying
  }

  async #hint(peer, bytes) {
    await this.store.enqueue(peer, bytes, this.hintTtlMs); // the exact RESP bytes; the store copies them
    return 'hinted';
  }

  async #replay(peer, payload) {
    const reply = await this.conns[peer].send(payload); // rejects if the connection drops: the hint stays
    if (reply instanceof RedisError)
      this.counts.failed++; // the peer refused it: retrying would not help
    else this.counts.replayed++;
  }
}
