/**
 * Coordinator mode: the client plays the Dynomite node. Every peer is a plain
 * Redis server; a write goes to the key's owner in every rack, is answered at
 * the write consistency level, and what a replica misses is kept as a hint
 * and replayed, in order, when it is back. Reads ask one or a quorum of the
 * local racks at the read consistency level.
 */
import { hasFlag } from '@ioredis/commands';
import {
  CommandFailedError,
  errorMessage,
  ServerReplyError,
  type ClientNodeRef,
  type FailedAttempt,
  type RackOutcome,
} from '../../errors.js';
import type { Peer } from '../../ring/peer.js';
import type { Topology } from '../../ring/topology.js';
import type { Arg, Classified } from '../commands.js';
import { mergeSplit } from '../dispatch.js';
import { failedError } from '../failover.js';
import type { Consistency } from '../options.js';
import { ReadTally, WriteTally } from './consistency.js';
import {
  HintQueues,
  type CoordinatorHintStore,
  type HintQueueEvents,
  type HintWait,
  type PeerHintStats,
  type ReplayTransport,
  type Slot,
} from './hint-queues.js';
import { InFlight } from './in-flight.js';
import { commandBytes } from './wire.js';

/** How the coordinator reaches the Redis servers. */
export interface CoordinatorTransport extends ReplayTransport {
  /**
   * Runs a command on one peer. Rejects with a `ServerReplyError` for an
   * error reply (the server has it, retrying cannot help), and with any other
   * error when the command was not delivered or not answered in time.
   */
  send(peer: number, name: string, args: readonly Arg[], buffer: boolean): Promise<unknown>;
  /** A peer as errors describe it. */
  describe(peer: number): ClientNodeRef;
}

/** Options of a {@link Coordinator}. */
export interface CoordinatorOptions {
  /** The topology in use now (a refresh may replace it). */
  topology(): Topology;
  localDc: string;
  localRack: string;
  transport: CoordinatorTransport;
  readConsistency: Consistency;
  writeConsistency: Consistency;
  /** Where missed replica writes wait; without one, a missed replica write is only counted as failed. */
  hints?: CoordinatorHintStore;
  hintTtlMs: number;
  /** Hints replayed at once to a peer that is back. */
  hintReplayWindow: number;
  /** May a `DC_ONE` read go to a remote datacenter once no local rack answers? */
  allowRemoteDc: boolean;
  emit<E extends keyof HintQueueEvents>(event: E, payload: HintQueueEvents[E]): void;
  onError(error: Error): void;
}

/** Where the racks are, for one topology: computed once per topology, not per write. */
interface Layout {
  topology: Topology;
  /** The local datacenter's racks, sorted (the order of `Topology.route`). */
  racks: string[];
  /** The client's rack in `racks`. */
  localAt: number;
  /** Per remote datacenter, its racks' positions in the order they are tried. */
  remote: { dc: string; order: number[] }[];
}

const NO_REMOTE: Peer[][] = [];
const ignore = () => {};

const keyOf = (k: Arg): string | Buffer => (typeof k === 'number' ? String(k) : k);

/**
 * The hints of one write being stored. The write answers once those that
 * entered the store before its level was decided are stored (with a durable
 * store, written as its sync mode says), so a caller that has the reply
 * finds them there. A hint that enters later does not hold it up: one for a
 * replica that times out later, or one queued behind an older write to its
 * peer that is still on the wire (it cannot go in before that one settles).
 */
class WriteHints {
  private early = 0;
  private decided = false;
  private result: (() => void) | undefined;

  /** A hint starts being stored: does the answer wait for it? */
  begin(): boolean {
    if (this.decided) return false;
    this.early++;
    return true;
  }

  /** That hint is stored (or refused). */
  end(counted: boolean): void {
    if (!counted || --this.early > 0 || this.result === undefined) return;
    const result = this.result;
    this.result = undefined;
    result();
  }

  /** The level is decided: runs `result` once the hints it waits for are stored. */
  settle(result: () => void): void {
    this.decided = true;
    if (this.early === 0) result();
    else this.result = result;
  }
}

/** The write path, read path and hint queues of coordinator mode. */
export class Coordinator {
  /** The hint queues; undefined without a store. */
  readonly queues: HintQueues | undefined;
  private readonly inFlight = new InFlight();
  private cached: Layout | undefined;

  constructor(private readonly o: CoordinatorOptions) {
    this.queues =
      o.hints === undefined
        ? undefined
        : new HintQueues({
            store: o.hints,
            transport: o.transport,
            ttlMs: o.hintTtlMs,
            window: o.hintReplayWindow,
            emit: o.emit,
            onError: o.onError,
          });
  }

  /** The local racks' names and the remote racks' order, for the topology in use (recomputed after a refresh). */
  private layout(): Layout {
    const topology = this.o.topology();
    if (this.cached?.topology === topology) return this.cached;
    const { localDc, localRack } = this.o;
    const racks = topology.racks(localDc).map((r) => r.rack);
    const localAt = racks.indexOf(localRack);
    // The server's remote rack order, as indices into `route(key, dc)`'s owners (racks in name order).
    const remote = topology.remoteRackOrder({ dc: localDc, rack: localRack }).map(({ dc, racks: order }) => {
      const names = topology.racks(dc).map((r) => r.rack);
      return { dc, order: order.map((r) => names.indexOf(r.rack)) };
    });
    return (this.cached = { topology, racks, localAt, remote });
  }

  /**
   * The owners of `key`: in each local rack (in `layout().racks` order), and
   * per remote datacenter in the order its racks are tried. One `route` per
   * datacenter, since this runs for every write.
   */
  private owners(key: Arg, layout: Layout): { local: Peer[]; remote: Peer[][] } {
    const k = keyOf(key);
    const local = layout.topology.route(k, this.o.localDc);
    if (layout.remote.length === 0) return { local, remote: NO_REMOTE };
    return {
      local,
      remote: layout.remote.map(({ dc, order }) => {
        const peers = layout.topology.route(k, dc);
        return order.map((i) => peers[i]!);
      }),
    };
  }

  /**
   * Runs a keyed command: writes are replicated, reads asked at the read
   * level; a multi-key command is split by its keys' owners and merged.
   */
  run(c: Classified, args: readonly Arg[], buffer: boolean): Promise<unknown> {
    const write = hasFlag(c.name, 'write');
    const r = c.routing;
    if (r.kind === 'keyless') throw new TypeError('coordinator mode routes only commands with keys');
    if (r.kind === 'keyed') return this.one(c.name, args, r.keys[0]!, buffer, write);
    const groups = new Map<string, { args: Arg[]; positions: number[]; key: Arg }>();
    const layout = this.layout();
    r.keys.forEach((key, i) => {
      const owners = this.owners(key, layout);
      const sig = [...owners.local, ...owners.remote.flat()].map((p) => p.index).join(',');
      let g = groups.get(sig);
      if (g === undefined) groups.set(sig, (g = { args: [], positions: [], key }));
      for (let s = 0; s < r.step; s++) g.args.push(args[i * r.step + s]!);
      g.positions.push(i);
    });
    const parts = [...groups.values()];
    return Promise.all(parts.map((g) => this.one(c.name, g.args, g.key, buffer, write))).then((replies) =>
      mergeSplit(c.name, parts, replies, r.keys.length),
    );
  }

  private one(name: string, args: readonly Arg[], key: Arg, buffer: boolean, write: boolean): Promise<unknown> {
    if (write) return this.write(name, args, key, buffer);
    return this.o.readConsistency === 'DC_ONE' ? this.readOne(name, args, key, buffer) : this.readQuorum(name, args, key, buffer);
  }

  /**
   * Sends a write to the owner in every rack (local and remote datacenters)
   * and resolves at the write level with the local rack's reply (or the
   * first rack that answered). A replica that missed it, and whose hint
   * entered the store before the level was decided, has that hint stored
   * when this resolves (see {@link WriteHints}).
   *
   * @throws {QuorumError} `QuorumNotReached` naming the racks on each side.
   * @throws {ServerReplyError} when the level is missed and a replica answered an error.
   */
  write(name: string, args: readonly Arg[], key: Arg, buffer: boolean): Promise<unknown> {
    const layout = this.layout();
    const { local, remote } = this.owners(key, layout);
    const { localAt } = layout;
    const tally = new WriteTally(this.o.writeConsistency, layout.racks, local, localAt);
    let bytes: Uint8Array | undefined;
    const payload = () => (bytes ??= commandBytes(name, args));
    const hints = new WriteHints();
    return new Promise((resolve, reject) => {
      let reply: unknown;
      let hasReply = false;
      let replyError: ServerReplyError | undefined;
      let outstanding = local.length;
      // Met: answer at once. Missed: wait for every local rack, so the error says exactly who has the write.
      const settle = () => hints.settle(() => (tally.state === 'missed' ? reject(replyError ?? tally.error(name)) : resolve(reply)));
      local.forEach((peer, i) => {
        this.replicate(peer.index, name, args, buffer, payload, hints, (outcome, value) => {
          outstanding--;
          if (outcome === 'acked') {
            // The local rack's reply, else the first one.
            if (i === localAt || !hasReply) reply = value;
            hasReply = true;
          } else if (value instanceof ServerReplyError) replyError ??= value;
          const before = tally.state;
          const state = tally.record(i, outcome, outcome === 'acked' ? undefined : errorMessage(value));
          if (before === 'pending' && state === 'met') settle();
          else if (state === 'missed' && outstanding === 0) settle();
        });
      });
      // Remote datacenters never hold up the reply; every rack there gets the
      // write, as the receiving Dynomite node would forward it to its racks.
      for (const candidates of remote)
        for (const peer of candidates) this.replicate(peer.index, name, args, buffer, payload, hints, ignore);
    });
  }

  /**
   * One replica's write: sent live, held while its hints replay, or hinted
   * behind the peer's queue; `done` gets its outcome (the reply, or the error or message saying why not).
   * Callbacks rather than a promise per replica: this is the hot path.
   */
  private replicate(
    peer: number,
    name: string,
    args: readonly Arg[],
    buffer: boolean,
    payload: () => Uint8Array,
    hints: WriteHints,
    done: (outcome: RackOutcome['outcome'], value: unknown) => void,
  ): void {
    const { transport } = this.o;
    const queues = this.queues;
    const inFlight = this.inFlight;
    // A hint behind the peer's queue, or (`slot`) in the place of a live write that failed. `why` is a message or the
    // error that made it a hint: no Error is made per hinted write (capturing its stack costs microseconds).
    const asHint = (slot: Slot | undefined, why: unknown) => {
      inFlight.begin();
      // Waited for only if it enters the store before the level is decided: not if it queues behind an older write still on the wire.
      let counted = false;
      const wait: HintWait = {
        storing: () => (counted = hints.begin()),
        stored: () => (inFlight.end(), done('hinted', why), hints.end(counted)),
        refused: (err) => (inFlight.end(), done('refused', err), hints.end(counted)),
      };
      if (slot === undefined) queues!.hint(peer, payload, wait);
      else queues!.failed(peer, slot, wait);
    };
    if (queues === undefined) {
      if (!transport.isUp(peer)) return done('unreachable', `node ${peer} is down`);
      inFlight.begin();
      transport.send(peer, name, args, buffer).then(
        (reply) => (inFlight.end(), done('acked', reply)),
        (err: Error) => (inFlight.end(), done(err instanceof ServerReplyError ? 'error' : 'unreachable', err)),
      );
      return;
    }
    if (queues.queueing(peer)) {
      const replayed = queues.replayed(peer);
      if (replayed === undefined) return asHint(undefined, `node ${peer} has hints waiting; this write queues behind them`);
      inFlight.begin();
      void replayed.then(() => (inFlight.end(), this.replicate(peer, name, args, buffer, payload, hints, done)));
      return;
    }
    if (!transport.isUp(peer)) return asHint(undefined, `node ${peer} is down`);
    const slot = queues.send(peer, payload);
    inFlight.begin();
    transport.send(peer, name, args, buffer).then(
      (reply) => {
        inFlight.end();
        queues.acked(peer, slot);
        done('acked', reply);
      },
      (err: Error) => {
        inFlight.end();
        if (!(err instanceof ServerReplyError)) return asHint(slot, err);
        // The server has it (as an error): nothing to replay.
        queues.acked(peer, slot);
        done('error', err);
      },
    );
  }

  /** Peers that are reachable, fresh (no hints waiting) ones first, keeping the given order within each. */
  private freshFirst(peers: readonly number[]): number[] {
    const up = peers.filter((p) => this.o.transport.isUp(p));
    const q = this.queues;
    return q === undefined ? up : [...up.filter((p) => !q.queueing(p)), ...up.filter((p) => q.queueing(p))];
  }

  /**
   * DC_ONE: the local rack's owner, then the other local racks, then (with
   * `allowRemoteDc`) remote ones; a replica with hints still waiting is
   * asked only after every caught-up one.
   */
  private async readOne(name: string, args: readonly Arg[], key: Arg, buffer: boolean): Promise<unknown> {
    const layout = this.layout();
    const owners = this.owners(key, layout);
    const at = layout.localAt;
    const order = [owners.local[at]!.index, ...owners.local.flatMap((p, i) => (i === at ? [] : [p.index]))];
    if (this.o.allowRemoteDc) for (const dc of owners.remote) order.push(...dc.map((p) => p.index));
    const failures: FailedAttempt[] = [];
    for (const peer of this.freshFirst(order)) {
      try {
        return await this.o.transport.send(peer, name, args, buffer);
      } catch (err) {
        if (err instanceof ServerReplyError) throw err;
        failures.push({ node: this.o.transport.describe(peer), reason: 'closed', message: errorMessage(err) });
      }
    }
    throw failedError(name, failures, false) satisfies CommandFailedError;
  }

  /** DC_QUORUM / DC_SAFE_QUORUM: every local rack's owner; settles at the level. */
  private readQuorum(name: string, args: readonly Arg[], key: Arg, buffer: boolean): Promise<unknown> {
    const layout = this.layout();
    const { local } = this.owners(key, layout);
    const racks = local.map((p, i) => ({ rack: layout.racks[i]!, peer: p.index }));
    const at = layout.localAt;
    const preferred = this.freshFirst([at, ...racks.map((_, i) => i).filter((i) => i !== at)].map((i) => racks[i]!.peer));
    const tally = new ReadTally(
      this.o.readConsistency as Exclude<Consistency, 'DC_ONE'>,
      racks,
      preferred.map((p) => racks.findIndex((r) => r.peer === p)),
    );
    return new Promise((resolve, reject) => {
      let replyError: ServerReplyError | undefined;
      const settle = (state: string) => {
        if (state === 'met') resolve(tally.value);
        else if (state === 'missed') reject(replyError ?? tally.error(name));
      };
      racks.forEach(({ peer }, i) => {
        if (!this.o.transport.isUp(peer)) return settle(tally.fail(i, 'unreachable', `node ${peer} is down`));
        this.o.transport.send(peer, name, args, buffer).then(
          (value) => settle(tally.reply(i, value)),
          (err: Error) => {
            if (err instanceof ServerReplyError) replyError ??= err;
            settle(tally.fail(i, err instanceof ServerReplyError ? 'error' : 'unreachable', errorMessage(err)));
          },
        );
      });
    });
  }

  /** Hint counters per peer (only peers that ever had one). */
  hintStats(): Map<number, PeerHintStats> {
    return this.queues?.stats() ?? new Map();
  }

  /** Resolves once every replica write and hint in flight has settled. */
  async settled(): Promise<void> {
    await this.inFlight.settled();
    await this.queues?.settled();
  }
}
