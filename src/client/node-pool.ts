/**
 * The node layer: one ioredis connection per node, its health state machine,
 * probes, events and statistics. Routing modes build on this interface:
 * - `add(peer, endpoint)` / `sync(entries)` keep the pool in step with the topology;
 * - `usable(index)` says whether routing may pick a node now;
 * - `send(index, name, args, buffer)` / `sendPipeline(index, commands)` run
 *   commands and resolve with replies or throw an {@link AttemptFailure} (or,
 *   for `send`, a `ServerReplyError`), updating health and statistics;
 * - `markDown` / `markUp` take a node out for maintenance and back.
 * Events go to the `emit` the pool is given: `node:down`, `node:up`, `error`.
 */
import { Command, Redis, ReplyError, type Pipeline, type RedisOptions } from 'ioredis';
import { errorMessage, ServerReplyError, type ClientNodeRef } from '../errors.js';
import { endpointKey, type Endpoint, type Peer } from '../ring/peer.js';
import type { Arg } from './commands.js';
import { StoredCommand } from './coordinator/wire.js';
import { Deadlines, TIMED_OUT } from './deadlines.js';
import type { ResolvedOptions } from './options.js';

/**
 * A node's health: `up` (routable), `down` (failing; probed until a PING
 * answers), `maintenance` (taken out by `markDown`; not probed, back only by `markUp`).
 */
export type NodeState = 'up' | 'down' | 'maintenance';

/**
 * Why one attempt failed. `refused` and `notConnected` prove the command was
 * never written to a socket; `closed` (the connection ended before the
 * reply) and `timeout` do not; `transport` is Dynomite's own `-ERR Peer:`,
 * `-ERR Storage:` or `-ERR Dynomite: ... state does not allow ...` reply.
 */
export type FailureReason = 'refused' | 'notConnected' | 'closed' | 'timeout' | 'transport';

/** A retryable failure of one attempt on one node. */
export class AttemptFailure extends Error {
  constructor(
    readonly reason: FailureReason,
    message: string,
    /** True when the failure proves nothing was applied anywhere. */
    readonly neverApplied: boolean,
  ) {
    super(message);
  }
}

/** Statistics of one node, as `stats()` returns them. */
export interface NodeStats extends ClientNodeRef {
  state: NodeState;
  /** Attempts sent to this node (a pipeline counts each command). */
  requests: number;
  /** Failures by reason, plus `server` for error replies that are not retried. */
  errors: Record<FailureReason | 'server', number>;
  /** Commands that failed here and were retried on another node. */
  failovers: number;
  /** Latency of recent successful attempts, in ms (over the last 1024). */
  latencyMs: { p50: number; p99: number };
}

/** One node of the pool. */
export interface PoolNode {
  /** The node's peer in the current topology (its index can change when a refresh renumbers peers). */
  peer: Peer;
  readonly endpoint: Endpoint;
  readonly redis: Redis;
  /** Timeouts of the commands in flight on `redis`. */
  readonly deadlines: Deadlines;
  state: NodeState;
  /** The connection is up and its handshake (consistency) is done: user commands may be written. */
  sessionReady: boolean;
  /** Socket writes are held until the end of the tick (see `cork`). */
  corked: boolean;
  /**
   * Coordinator mode: the connection in use as the server knows it (its
   * `CLIENT ID`, and the server process's `run_id`: ids start afresh in
   * every process), fenced off when the next one starts (see `fence`).
   */
  connection: { runId: string; id: number } | undefined;
  consecutiveFailures: number;
  probeDelay: number;
  probeTimer: ReturnType<typeof setTimeout> | undefined;
  probing: boolean;
  readonly stats: { requests: number; errors: Record<FailureReason | 'server', number>; failovers: number };
  readonly latencies: Float64Array;
  latencyCount: number;
}

/** Events the pool raises. */
export interface PoolEvents {
  'node:down': { node: ClientNodeRef; reason: string };
  'node:up': { node: ClientNodeRef };
  error: Error;
}

const LATENCY_WINDOW = 1024;
const TRANSPORT = /^ERR (?:Peer|Storage):|^ERR Dynomite:.*state does not allow/;
const NOT_PROCESSED = /state does not allow/;

/** The node a pool entry is, as errors and events describe it. */
export function nodeRef(n: PoolNode): ClientNodeRef {
  return { index: n.peer.index, dc: n.peer.dc, rack: n.peer.rack, host: n.endpoint.host, port: n.endpoint.port };
}

/** What identifies a node across topology refreshes. */
export function nodeIdentity(peer: Peer, client: Endpoint): string {
  return `${endpointKey(peer.endpoint)}|${peer.dc}|${peer.rack}|${peer.tokens.join(',')}|${endpointKey(client)}`;
}

/** Sorted-sample quantile of the recent latencies. */
function quantiles(n: PoolNode): { p50: number; p99: number } {
  const count = Math.min(n.latencyCount, LATENCY_WINDOW);
  if (count === 0) return { p50: 0, p99: 0 };
  const sorted = n.latencies.slice(0, count).sort();
  const at = (q: number) => sorted[Math.min(count - 1, Math.floor(q * count))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

/** Turns what ioredis rejected with into a retryable failure, or a server reply error. */
function toFailure(err: unknown, node: PoolNode, command: string): AttemptFailure | ServerReplyError {
  const e = err as Error & { code?: string };
  if (e instanceof ReplyError || e?.name === 'ReplyError') {
    if (TRANSPORT.test(e.message)) return new AttemptFailure('transport', e.message, NOT_PROCESSED.test(e.message));
    return new ServerReplyError(e.message, command, nodeRef(node));
  }
  const message = errorMessage(e);
  if (e?.code === 'ECONNREFUSED') return new AttemptFailure('refused', message, true);
  if (message.includes("Stream isn't writeable")) return new AttemptFailure('notConnected', message, true);
  if (message === TIMED_OUT) return new AttemptFailure('timeout', message, false);
  return new AttemptFailure('closed', message, false);
}

/** Reply encodings of `call` and `callBuffer`, as ioredis's own methods set them. */
const STRING_REPLY = Object.freeze({ replyEncoding: 'utf8' as const });
const BUFFER_REPLY = Object.freeze({ replyEncoding: null });

const notConnected = (n: PoolNode) =>
  new AttemptFailure('notConnected', `node ${n.peer.index} (${n.endpoint.host}:${n.endpoint.port}) is not connected`, true);

/**
 * Holds the node's socket writes until the end of this tick, so the commands
 * issued in one tick leave in one `writev` (ioredis's `sendCommand` writes
 * each command by itself; its auto-pipelining covers only its command methods).
 */
function cork(node: PoolNode): void {
  const stream = node.redis.stream;
  if (node.corked || stream === undefined || !stream.writable) return;
  node.corked = true;
  stream.cork();
  process.nextTick(() => {
    node.corked = false;
    stream.uncork();
  });
}

/** Per-node connections, health and statistics. */
export class NodePool {
  private nodes = new Map<number, PoolNode>();
  private closed = false;
  /**
   * Coordinator mode (`nodes: 'redis'`): each command goes to several servers
   * in the same tick, so those writes are batched per socket; and a new
   * connection fences off the one before it.
   */
  private readonly coordinator: boolean;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly emit: <E extends keyof PoolEvents>(event: E, payload: PoolEvents[E]) => void,
  ) {
    this.coordinator = options.nodes === 'redis';
  }

  /** The node with this peer index. */
  get(index: number): PoolNode | undefined {
    return this.nodes.get(index);
  }

  /** Every node, in insertion order. */
  all(): IterableIterator<PoolNode> {
    return this.nodes.values();
  }

  /** May routing pick this node now? */
  usable(index: number): boolean {
    const n = this.nodes.get(index);
    return n !== undefined && n.state === 'up';
  }

  /** Adds a node and starts connecting; resolves when the first connection is ready or has failed. */
  add(peer: Peer, endpoint: Endpoint): Promise<boolean> {
    const o = this.options;
    const redisOptions: RedisOptions = {
      ...o.redisOptions,
      host: endpoint.host,
      port: endpoint.port,
      db: 0, // Dynomite closes the connection on SELECT: db 0 sends none.
      lazyConnect: true,
      disableClientInfo: true, // CLIENT SETINFO makes Dynomite close the connection.
      enableReadyCheck: false, // the ready check sends INFO and waits for loading; Dynomite answers INFO about itself.
      enableOfflineQueue: false, // a down node fails fast instead of queueing.
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0, // in-flight commands fail when the connection drops; the client decides about retries.
      // No commandTimeout: it sets a timer per command; the node's Deadlines time commands out with one.
      connectTimeout: o.connectTimeoutMs,
      // The client disconnects only to drop a connection. ioredis's default (2 s) keeps a timer running that long
      // when the socket had already closed (a node that is down), which kept the process alive after quit().
      disconnectTimeout: 0,
      retryStrategy: (attempt) => Math.min(o.probeIntervalMs * 2 ** Math.min(attempt - 1, 16), o.probeBackoffMaxMs),
    };
    const node: PoolNode = {
      peer,
      endpoint,
      redis: new Redis(redisOptions),
      deadlines: new Deadlines(o.commandTimeoutMs),
      state: 'up',
      sessionReady: false,
      corked: false,
      connection: undefined,
      consecutiveFailures: 0,
      probeDelay: o.probeIntervalMs,
      probeTimer: undefined,
      probing: false,
      stats: { requests: 0, errors: { refused: 0, notConnected: 0, closed: 0, timeout: 0, transport: 0, server: 0 }, failovers: 0 },
      latencies: new Float64Array(LATENCY_WINDOW),
      latencyCount: 0,
    };
    this.nodes.set(peer.index, node);
    const { redis } = node;
    redis.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ECONNREFUSED') this.markFailed(node, 'refused', true);
      this.emit('error', err);
    });
    redis.on('close', () => (node.sessionReady = false));
    // Statuses are announced on the next tick, so the gate `sessionReady`
    // (not ioredis's status) decides when user commands may go: only after
    // the consistency command of this very connection has been answered.
    let first: (ok: boolean) => void = () => {};
    const firstReady = new Promise<boolean>((resolve) => (first = resolve));
    redis.on('ready', () => {
      this.handshake(node).then(
        () => {
          node.sessionReady = true;
          first(true);
          if (node.state === 'down') this.probe(node);
        },
        (err: Error) => {
          this.emit('error', err);
          first(false);
          redis.disconnect(true);
        },
      );
    });
    redis.connect().catch(() => {
      this.markFailed(node, 'refused', true);
      first(false);
    });
    return firstReady;
  }

  private async handshake(node: PoolNode): Promise<void> {
    if (this.coordinator) await this.fence(node);
    const level = this.options.consistency;
    if (level === null) return;
    const reply = await this.write(node, new Command('DYNO_CONFIG:CONN_CONSISTENCY', [level], STRING_REPLY));
    if (reply !== 'OK') throw new Error(`node ${node.peer.index} answered ${String(reply)} to DYNO_CONFIG:CONN_CONSISTENCY ${level}`);
  }

  /**
   * Coordinator mode: before a new connection takes writes, Redis drops the
   * node's previous one (`CLIENT KILL ID`). Commands a stalled server or
   * path still holds there would otherwise run after the hints replayed,
   * and the writes sent, on this one, and leave an older value on the
   * replica. Only in the same server process (its `run_id`): a restarted
   * server has no old connection, and may have given its id to another
   * client. A server that refuses the commands (ACL, or older than Redis
   * 5) gets an `error` event and the connection is used unfenced.
   */
  private async fence(node: PoolNode): Promise<void> {
    const previous = node.connection;
    let step = 'INFO server';
    try {
      const runId = /^run_id:(\w+)/m.exec(String(await this.write(node, new Command('info', ['server'], STRING_REPLY))))?.[1];
      if (runId === undefined) return this.unfenced(node, step, 'the reply has no run_id');
      step = 'CLIENT KILL ID';
      if (previous?.runId === runId) await this.write(node, new Command('client', ['KILL', 'ID', String(previous.id)], STRING_REPLY));
      // Only now is the old connection gone: a handshake that fails before this (a timeout, a drop) keeps it for the next one.
      node.connection = undefined;
      step = 'CLIENT ID';
      node.connection = { runId, id: Number(await this.write(node, new Command('client', ['ID'], STRING_REPLY))) };
    } catch (err) {
      if (!(err instanceof ReplyError)) throw err;
      this.unfenced(node, step, (err as Error).message);
    }
  }

  /** The fence could not be set up on this connection: say so, and use it unfenced. */
  private unfenced(node: PoolNode, step: string, why: string): void {
    node.connection = undefined;
    this.emit(
      'error',
      new ServerReplyError(
        `${why} (to ${step}): without it, writes an old connection to this node still holds may land after newer ` +
          'ones once the node is back; allow INFO, CLIENT ID and CLIENT KILL for this user',
        step.split(' ')[0]!.toLowerCase(),
        nodeRef(node),
      ),
    );
  }

  /**
   * Runs one command on one node.
   *
   * @throws {AttemptFailure} for a failure another node might not have.
   * @throws {ServerReplyError} for an error reply retrying cannot fix.
   */
  send(index: number, name: string, args: readonly Arg[], buffer: boolean): Promise<unknown> {
    return this.attempt(index, new Command(name, args as Arg[], buffer ? BUFFER_REPLY : STRING_REPLY));
  }

  /**
   * Writes a request stored as bytes (a hint) on the node's connection, as
   * {@link send} writes a command: same queue, health, statistics and timeout.
   */
  sendStored(index: number, payload: Uint8Array): Promise<unknown> {
    return this.attempt(index, new StoredCommand(payload));
  }

  /** One attempt of one command on one node: its health, statistics and timeout. */
  private async attempt(index: number, command: Command): Promise<unknown> {
    const node = this.nodes.get(index)!;
    node.stats.requests++;
    if (!node.sessionReady) throw this.failed(node, notConnected(node));
    const start = performance.now();
    const entry = node.deadlines.add(command);
    if (this.coordinator) cork(node);
    try {
      const reply = await node.redis.sendCommand(command);
      entry.done = true;
      this.succeeded(node, performance.now() - start);
      return reply;
    } catch (err) {
      entry.done = true;
      const failure = toFailure(err, node, command.name);
      if (failure instanceof ServerReplyError) {
        node.stats.errors.server++;
        // An error reply proves the node is alive.
        this.succeeded(node, performance.now() - start);
        throw failure;
      }
      throw this.failed(node, failure);
    }
  }

  /** Writes a command of the client's own (handshake, probe, QUIT) under the node's command timeout. */
  private async write(node: PoolNode, command: Command): Promise<unknown> {
    const entry = node.deadlines.add(command);
    try {
      return await node.redis.sendCommand(command);
    } finally {
      entry.done = true;
    }
  }

  /**
   * Runs commands as one ioredis pipeline on one node. Resolves with one
   * entry per command: its reply, a `ServerReplyError`, or an {@link AttemptFailure}.
   */
  async sendPipeline(index: number, commands: readonly { name: string; args: readonly Arg[]; buffer: boolean }[]): Promise<unknown[]> {
    const node = this.nodes.get(index)!;
    node.stats.requests += commands.length;
    if (!node.sessionReady) {
      const f = this.failed(node, notConnected(node));
      return commands.map(() => f);
    }
    const pipeline = node.redis.pipeline() as Pipeline;
    const written = new Array<Command>(commands.length);
    for (let i = 0; i < commands.length; i++) {
      const c = commands[i]!;
      pipeline.sendCommand((written[i] = new Command(c.name, c.args as Arg[], c.buffer ? BUFFER_REPLY : STRING_REPLY)));
    }
    const start = performance.now();
    // exec() writes the commands at once: the whole pipeline shares one deadline.
    const results = pipeline.exec();
    const entry = node.deadlines.add(written);
    const replies = (await results) ?? [];
    entry.done = true;
    let connectionFailure: AttemptFailure | undefined;
    const out = commands.map((c, i) => {
      const [err, reply] = replies[i] ?? [new Error('Connection is closed.'), undefined];
      if (!err) return reply;
      const failure = toFailure(err, node, c.name);
      if (failure instanceof ServerReplyError) node.stats.errors.server++;
      else if (failure.reason !== 'transport') connectionFailure ??= failure;
      else node.stats.errors.transport++;
      return failure;
    });
    if (connectionFailure) this.failed(node, connectionFailure);
    else this.succeeded(node, performance.now() - start);
    return out;
  }

  private succeeded(node: PoolNode, ms: number): void {
    node.consecutiveFailures = 0;
    node.latencies[node.latencyCount++ % LATENCY_WINDOW] = ms;
  }

  private failed(node: PoolNode, failure: AttemptFailure): AttemptFailure {
    node.stats.errors[failure.reason]++;
    // Dynomite's transport replies come from a live node: they say a peer or
    // its storage failed, so they are retried elsewhere but not held against it.
    if (failure.reason !== 'transport') this.markFailed(node, failure.reason, failure.reason === 'refused');
    return failure;
  }

  /** Counts a connection-level failure; marks the node down at `downAfterErrors` (or at once). */
  private markFailed(node: PoolNode, reason: string, atOnce: boolean): void {
    node.consecutiveFailures++;
    if (node.state === 'up' && (atOnce || node.consecutiveFailures >= this.options.downAfterErrors)) this.setDown(node, reason, 'down');
  }

  private setDown(node: PoolNode, reason: string, state: 'down' | 'maintenance'): void {
    const was = node.state;
    node.state = state;
    if (was === 'up') this.emit('node:down', { node: nodeRef(node), reason });
    if (state === 'down') this.scheduleProbe(node, this.options.probeIntervalMs);
    else this.stopProbe(node);
  }

  private scheduleProbe(node: PoolNode, delay: number): void {
    if (this.closed || node.probeTimer !== undefined) return;
    node.probeDelay = delay;
    node.probeTimer = setTimeout(() => {
      node.probeTimer = undefined;
      this.probe(node);
    }, delay);
    node.probeTimer.unref();
  }

  private stopProbe(node: PoolNode): void {
    clearTimeout(node.probeTimer);
    node.probeTimer = undefined;
  }

  /** Sends PING to a down node; marks it up on PONG, else probes again later (doubling, capped). */
  private probe(node: PoolNode): void {
    if (this.closed || node.state !== 'down' || node.probing) return;
    node.probing = true;
    this.stopProbe(node);
    if (node.redis.status === 'end' || node.redis.status === 'wait') node.redis.connect().catch(() => {});
    const ping = node.sessionReady ? this.write(node, new Command('ping', [], STRING_REPLY)) : Promise.reject(notConnected(node));
    ping.then(
      () => {
        node.probing = false;
        if (node.state !== 'down') return;
        node.state = 'up';
        node.consecutiveFailures = 0;
        this.emit('node:up', { node: nodeRef(node) });
      },
      () => {
        node.probing = false;
        this.scheduleProbe(node, Math.min(node.probeDelay * 2, this.options.probeBackoffMaxMs));
      },
    );
  }

  /** Takes a node out of routing by hand until {@link markUp}. */
  markDown(index: number): void {
    const node = this.nodes.get(index);
    if (node && node.state !== 'maintenance') this.setDown(node, 'maintenance', 'maintenance');
  }

  /** Puts a node back into routing at once (its next failures count afresh). */
  markUp(index: number): void {
    const node = this.nodes.get(index);
    if (!node || node.state === 'up') return;
    this.stopProbe(node);
    node.state = 'up';
    node.consecutiveFailures = 0;
    this.emit('node:up', { node: nodeRef(node) });
  }

  /** Records that a command failed on this node and went on to another. */
  countFailover(index: number): void {
    const node = this.nodes.get(index);
    if (node) node.stats.failovers++;
  }

  /**
   * Brings the pool in step with a new topology. A node whose identity
   * (peer endpoint, place, tokens, client endpoint) is unchanged keeps its
   * connection, health and statistics; new nodes connect; the connections
   * of nodes no longer listed close once their in-flight commands have replies.
   *
   * @returns the peer indices added (new numbering) and removed (old numbering).
   */
  sync(entries: readonly { peer: Peer; endpoint: Endpoint }[]): { added: number[]; removed: number[] } {
    const old = new Map([...this.nodes.values()].map((n) => [nodeIdentity(n.peer, n.endpoint), n]));
    const next = new Map<number, PoolNode>();
    const fresh: { peer: Peer; endpoint: Endpoint }[] = [];
    for (const e of entries) {
      const id = nodeIdentity(e.peer, e.endpoint);
      const kept = old.get(id);
      if (kept) {
        old.delete(id);
        kept.peer = e.peer;
        next.set(e.peer.index, kept);
      } else fresh.push(e);
    }
    this.nodes = next;
    for (const e of fresh) void this.add(e.peer, e.endpoint);
    for (const n of old.values()) void this.closeNode(n, true);
    return { added: fresh.map((e) => e.peer.index), removed: [...old.values()].map((n) => n.peer.index) };
  }

  private async closeNode(node: PoolNode, wait: boolean): Promise<void> {
    this.stopProbe(node);
    if (!wait || !node.sessionReady) {
      node.redis.disconnect();
      node.deadlines.clear();
      return;
    }
    // QUIT is answered after every reply before it; a connection that fails or stalls meanwhile is simply dropped.
    await this.write(node, new Command('quit', [], STRING_REPLY)).catch(() => node.redis.disconnect());
    node.deadlines.clear();
  }

  /** Statistics of every node. */
  stats(): NodeStats[] {
    return [...this.nodes.values()].map((n) => ({
      ...nodeRef(n),
      state: n.state,
      requests: n.stats.requests,
      errors: { ...n.stats.errors },
      failovers: n.stats.failovers,
      latencyMs: quantiles(n),
    }));
  }

  /** Closes every connection: `wait` lets in-flight commands finish first. */
  async close(wait: boolean): Promise<void> {
    this.closed = true;
    const nodes = [...this.nodes.values()];
    this.nodes.clear();
    await Promise.all(nodes.map((n) => this.closeNode(n, wait)));
  }
}
