/** `DynoClient`: the token-aware, rack-affine, failing-over client for Dynomite clusters. */
import { EventEmitter } from 'node:events';
import type { RedisCommander } from 'ioredis';
import {
  ClientConnectError,
  CommandRefusedError,
  ConfigError,
  ServerReplyError,
  type ClientNodeRef,
  type FailedAttempt,
} from '../errors.js';
import { checkTokenCoverage, validateTokenCoverage, type CoverageIssue } from '../ring/coverage.js';
import type { Topology } from '../ring/topology.js';
import { classify, COMMAND_NAMES, type Arg } from './commands.js';
import { plan, type Plan } from './dispatch.js';
import { Coordinator } from './coordinator/coordinator.js';
import { checkHintLabels, peerLabels } from './coordinator/hint-labels.js';
import type { HintQueueEvents, PeerHintStats } from './coordinator/hint-queues.js';
import { withFailover, type FailoverContext } from './failover.js';
import { NodePool, nodeIdentity, nodeRef, type NodeState, type NodeStats, type PoolEvents } from './node-pool.js';
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js';
import { DynoPipeline, runParts } from './pipeline.js';
import { Router, type Placement } from './routing.js';
import { ScanStream, type ScanStreamOptions } from './scan.js';
import { isLive, readSource, resolveEndpoints, type ClientTopology } from './sources.js';

/** A node as `nodeFor` and events describe it. */
export interface NodeInfo extends ClientNodeRef {
  state: NodeState;
}

/** Every event a client emits, with its payload. */
export interface ClientEvents extends PoolEvents, HintQueueEvents {
  /** A command failed on `from` and is sent to `to`. */
  failover: { from: ClientNodeRef; to: ClientNodeRef; reason: string; command: string };
  /** A refreshed topology was taken into use. */
  'topology:changed': { topology: Topology; added: number[]; removed: number[] };
  /** A refreshed topology was refused (the old one stays); `problems` says why. */
  'topology:rejected': { problems: readonly CoverageIssue[]; error?: Error };
}

/** What `stats()` returns. */
export interface ClientStats {
  /** Per node; in coordinator mode (`nodes: 'redis'`) with `hints`, each has its hint counters too. */
  nodes: (NodeStats & { hints?: PeerHintStats })[];
}

type Callback = (err: Error | null, result?: unknown) => void;

/**
 * A client for a Dynomite cluster. Build one with {@link DynoClient.connect}.
 * Every ioredis command is a method (`client.get(key)`, `client.hsetBuffer`,
 * ...); a key goes straight to its owner in the local rack and fails over
 * along the other racks (see `docs/client.md`).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class DynoClient extends EventEmitter {
  private router: Router;
  private readonly pool: NodePool;
  private readonly failoverContext: FailoverContext;
  private closed = false;
  /** Coordinator mode (`nodes: 'redis'`): the write and read paths that replicate; keyless commands still go through the pool. */
  private readonly coordinator: Coordinator | undefined;
  private replayTimer: ReturnType<typeof setInterval> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    private readonly options: ResolvedOptions,
    private current: ClientTopology,
    placement: Placement,
  ) {
    super();
    this.router = new Router(current.topology, placement);
    this.pool = new NodePool(options, (event, payload) => this.notify(event, payload as ClientEvents[typeof event]));
    this.failoverContext = {
      pool: this.pool,
      maxAttempts: options.maxAttempts,
      onFailover: (from, to, reason, command) => this.notify('failover', { from, to, reason, command }),
    };
    if (options.nodes === 'redis') this.coordinator = this.startCoordinator(placement);
  }

  /**
   * Reads the topology, opens a connection to every node, and resolves once
   * every node's first connection attempt has settled and at least one node
   * of the local rack answers (nodes that did not are down, and probed).
   *
   * @throws {ConfigError | TokenCoverageError} for a topology that cannot be used; in coordinator mode also
   *   `ConfigError` `HintsRenumbered` when the hint store's labels say hints waiting for a peer number were stored
   *   for another server than this topology's.
   * @throws {ClientConnectError} when no node of the local rack answers.
   * @example
   * const client = await DynoClient.connect({ files: ['n1.yml', 'n2.yml'] });
   * await client.set('user:42', 'ada');
   */
  static async connect(options: ClientOptions): Promise<DynoClient> {
    const resolved = resolveOptions(options);
    const reading = await readSource(resolved);
    validateTokenCoverage(reading.topology.peers);
    const topo = resolveEndpoints(reading, resolved);
    if (resolved.hints !== undefined) {
      const labels = peerLabels(topo);
      checkHintLabels(resolved.hints, labels);
      resolved.hints.setLabels(labels);
    }
    warnGuessed(topo);
    const { topology } = topo;
    const localPeer = topology.peers.find((p) => p.isLocal);
    const localDc = resolved.localDc ?? topology.localDc;
    const localRack =
      resolved.localRack ?? (localPeer && localPeer.dc === localDc ? localPeer.rack : undefined) ?? topology.racks(localDc)[0]!.rack;
    const client = new DynoClient(resolved, topo, { localDc, localRack, allowRemoteDc: resolved.allowRemoteDc });
    await client.start();
    client.scheduleRefresh();
    return client;
  }

  private startCoordinator(placement: Placement): Coordinator {
    const o = this.options;
    const pool = this.pool;
    const coordinator = new Coordinator({
      topology: () => this.current.topology,
      localDc: placement.localDc,
      localRack: placement.localRack,
      readConsistency: o.readConsistency,
      writeConsistency: o.writeConsistency,
      hintTtlMs: o.hintTtlMs,
      hintReplayWindow: o.hintReplayWindow,
      allowRemoteDc: o.allowRemoteDc,
      ...(o.hints === undefined ? {} : { hints: o.hints }),
      transport: {
        isUp: (peer) => pool.usable(peer),
        send: (peer, name, args, buffer) => pool.send(peer, name, args, buffer),
        // An error reply to a replayed hint still means the server has it.
        sendStored: (peer, payload) =>
          pool.sendStored(peer, payload).catch((err: unknown) => (err instanceof ServerReplyError ? err : Promise.reject(err))),
        describe: (peer) => nodeRef(pool.get(peer)!),
      },
      emit: (event, payload) => this.notify(event, payload as ClientEvents[typeof event]),
      onError: (error) => this.notify('error', error),
    });
    const queues = coordinator.queues;
    if (queues !== undefined) {
      this.on('node:up', () => queues.kickAll());
      this.replayTimer = setInterval(() => {
        void queues.expire();
        queues.kickAll();
      }, o.hintReplayIntervalMs);
      this.replayTimer.unref();
    }
    return coordinator;
  }

  private scheduleRefresh(): void {
    const every = this.options.refreshIntervalMs;
    if (this.closed || every === 0 || !isLive(this.options)) return;
    // Jitter keeps a fleet of clients from polling one admin port in step.
    this.refreshTimer = setTimeout(() => void this.refresh().finally(() => this.scheduleRefresh()), every * (0.9 + Math.random() * 0.2));
    this.refreshTimer.unref();
  }

  /**
   * Reads the topology source again now (a live source is also polled every
   * `refreshIntervalMs`). A topology with coverage problems, or without the
   * local rack, is refused and the current one kept (`topology:rejected`);
   * a changed one is taken into use (`topology:changed`). A source that
   * cannot be reached is reported as `error`.
   *
   * @returns whether the topology changed.
   */
  async refresh(): Promise<boolean> {
    let reading;
    try {
      reading = await readSource(this.options);
    } catch (err) {
      if (err instanceof ConfigError) this.notify('topology:rejected', { problems: [], error: err });
      else this.notify('error', err as Error);
      return false;
    }
    const problems = checkTokenCoverage(reading.topology.peers);
    if (problems.length > 0) {
      this.notify('topology:rejected', { problems });
      return false;
    }
    let next: ClientTopology;
    let router: Router;
    try {
      next = resolveEndpoints(reading, this.options);
      router = new Router(next.topology, this.router.placement);
    } catch (err) {
      this.notify('topology:rejected', { problems: [], error: err as Error });
      return false;
    }
    const entries = next.topology.peers.map((peer) => ({ peer, endpoint: next.endpoints.get(peer.index)! }));
    const identity = (t: ClientTopology, index: number) => {
      const peer = t.topology.peers[index];
      return peer === undefined ? undefined : nodeIdentity(peer, t.endpoints.get(index)!);
    };
    const same = (t: ClientTopology) => t.topology.peers.map((p) => identity(t, p.index)).join('\n');
    if (this.closed || same(next) === same(this.current)) return false;
    // Coordinator mode keeps hints (and writes on the wire) by peer number: a topology that gives one of those numbers to
    // another node would send them there. It waits until they drained.
    const renumbered = (this.coordinator?.queues?.holding() ?? []).filter((i) => identity(next, i) !== identity(this.current, i));
    const labels = peerLabels(next);
    if (renumbered.length > 0) {
      const servers = peerLabels(this.current);
      const names = renumbered.map((i) => `${i} (${servers.get(i)})`);
      this.notify('topology:rejected', {
        problems: [],
        error: new ConfigError(
          `the refreshed topology numbers its peers differently, and peer(s) ${names.join(', ')} have hints waiting, kept by ` +
            'that number; it is taken once they drained (the next refresh after that)',
          {},
          'HintsRenumbered',
        ),
      });
      return false;
    }
    try {
      // In the same turn as the switch (setLabels is synchronous): every hint stored from now on is for the node the
      // recorded labels name. A topology whose labels cannot be recorded is not taken; the next refresh tries again.
      this.options.hints?.setLabels(labels);
    } catch (err) {
      this.notify('topology:rejected', { problems: [], error: err as Error });
      return false;
    }
    warnGuessed(next);
    this.current = next;
    this.router = router;
    const { added, removed } = this.pool.sync(entries);
    this.notify('topology:changed', { topology: next.topology, added, removed });
    return true;
  }

  private async start(): Promise<void> {
    const { topology, endpoints } = this.current;
    const ready = topology.peers.map((p) => this.pool.add(p, endpoints.get(p.index)!));
    const local = new Set(this.router.rackPeers[0]);
    // Every node's first attempt settles (within connectTimeoutMs) before
    // connect resolves, so the first commands do not fail over from nodes
    // that were merely still connecting.
    const outcomes = await Promise.all(ready);
    const answered = topology.peers.some((p, i) => local.has(p.index) && outcomes[i]);
    if (answered) return;
    const attempts: FailedAttempt[] = [...local].map((index) => ({
      node: nodeRef(this.pool.get(index)!),
      reason: 'refused',
      message: 'the connection could not be opened',
    }));
    await this.pool.close(false);
    const { dc, rack } = this.router.racks[0]!;
    throw new ClientConnectError(
      `no node of the local rack '${rack}' in datacenter '${dc}' answered: ${attempts.map((a) => `${a.node.host}:${a.node.port}`).join(', ')}. ` +
        "Check that the nodes run and that the client ports are right (a file's listen:, or the clientPort option)",
      attempts,
    );
  }

  private notify<E extends keyof ClientEvents>(event: E, payload: ClientEvents[E]): void {
    // Like ioredis, an 'error' nobody listens to is not thrown: the failing command already reports it.
    if (event === 'error' && this.listenerCount('error') === 0) return;
    this.emit(event, payload);
  }

  /** The topology in use. */
  get topology(): Topology {
    return this.current.topology;
  }

  private checkOpen(command: string): void {
    if (this.closed)
      throw new CommandRefusedError('ClientClosed', command.toLowerCase(), 'the client is closed (quit or disconnect was called)');
  }

  /** @internal Checks and plans a command. */
  plan(name: string, args: Arg[]): Plan {
    if (this.closed)
      throw new CommandRefusedError('ClientClosed', name.toLowerCase(), 'the client is closed (quit or disconnect was called)');
    return plan(classify(name, args), args, this.router, this.options.allowEmptyHashTag);
  }

  private async run(name: string, args: Arg[], buffer: boolean): Promise<unknown> {
    const p = this.plan(name, args);
    if (this.coordinator !== undefined && p.command.routing.kind !== 'keyless') return this.coordinator.run(p.command, args, buffer);
    if (p.parts.length === 1) {
      const part = p.parts[0]!;
      return withFailover(this.failoverContext, part.name, part.retrySafe, part.candidates, (node) =>
        this.pool.send(node, part.name, part.args, buffer),
      );
    }
    const done = await runParts(
      this.failoverContext,
      p.parts.map((part) => ({ part, buffer })),
    );
    const failed = done.find((d) => d.result!.error !== null);
    if (failed) throw failed.result!.error;
    return p.merge(done.map((d) => d.result!.reply));
  }

  /** @internal Entry of every generated command method: a trailing function is a node-style callback. */
  sendNamed(name: string, raw: unknown[], buffer: boolean): Promise<unknown> {
    const callback = typeof raw[raw.length - 1] === 'function' ? (raw.pop() as Callback) : undefined;
    const args = flattenArgs(raw);
    let promise: Promise<unknown>;
    try {
      promise = this.run(name, args, buffer);
    } catch (err) {
      promise = Promise.reject(err);
    }
    if (callback)
      promise.then(
        (r) => callback(null, r),
        (e: Error) => callback(e),
      );
    return promise;
  }

  /** Sends any command by name: `client.call('get', 'k')`. */
  call(name: string, ...args: unknown[]): Promise<unknown> {
    return this.sendNamed(name, args, false);
  }

  /** As {@link call}, with Buffers in the reply. */
  callBuffer(name: string, ...args: unknown[]): Promise<unknown> {
    return this.sendNamed(name, args, true);
  }

  /** Starts a pipeline: chain commands, then `exec()`. */
  pipeline(): DynoPipeline & RedisCommander<{ type: 'pipeline' }> {
    const coordinator = this.coordinator;
    return new DynoPipeline({
      failover: this.failoverContext,
      plan: (n, a) => this.plan(n, a),
      coordinate:
        coordinator && ((p, args, buffer) => (p.command.routing.kind === 'keyless' ? undefined : coordinator.run(p.command, args, buffer))),
    }) as DynoPipeline & RedisCommander<{ type: 'pipeline' }>;
  }

  /**
   * Scans every node of the local rack (a Dynomite node's SCAN covers only
   * its own data), failing over to the same-token node of another local
   * rack; yields each key once per batch of SCAN replies. `position()` on
   * the stream gives what `resume` takes.
   *
   * @example
   * for await (const keys of client.scanStream({ match: 'user:*' })) console.log(keys);
   */
  scanStream(options: ScanStreamOptions = {}): ScanStream {
    this.checkOpen('scan');
    return new ScanStream(this.pool, this.router, options);
  }

  /** The node a command for this key goes to now (its owner in the first rack with a usable one). */
  nodeFor(key: string | Buffer): NodeInfo {
    const token = this.router.token(key);
    let fallback: number | undefined;
    for (let p = 0; ; p++) {
      const index = this.router.ownerAt(token, p);
      if (index === undefined) break;
      fallback ??= index;
      if (this.pool.usable(index)) return this.describeNode(index);
    }
    return this.describeNode(fallback!);
  }

  private describeNode(index: number): NodeInfo {
    const node = this.pool.get(index)!;
    return { ...nodeRef(node), state: node.state };
  }

  /** Takes a node out of routing (maintenance) until {@link markUp}. */
  markDown(node: number | ClientNodeRef): void {
    this.pool.markDown(typeof node === 'number' ? node : node.index);
  }

  /** Puts a node back into routing at once. */
  markUp(node: number | ClientNodeRef): void {
    this.pool.markUp(typeof node === 'number' ? node : node.index);
  }

  /** Per node: state, requests, errors by reason, failovers, latency p50/p99. */
  stats(): ClientStats {
    const nodes = this.pool.stats();
    const hints = this.coordinator?.queues?.stats();
    if (hints === undefined) return { nodes };
    const none: PeerHintStats = { queued: 0, stored: 0, bytes: 0, replayed: 0, expired: 0, refused: 0 };
    return { nodes: nodes.map((n) => ({ ...n, hints: hints.get(n.index) ?? { ...none } })) };
  }

  /** Closes every connection after its in-flight commands have their replies. */
  async quit(): Promise<'OK'> {
    this.closed = true;
    clearInterval(this.replayTimer);
    // Replica writes still out and hints being stored finish first, so none is lost to the close.
    await this.coordinator?.settled();
    clearTimeout(this.refreshTimer);
    await this.pool.close(true);
    return 'OK';
  }

  /** Closes every connection now; in-flight commands fail. */
  disconnect(): void {
    this.closed = true;
    clearInterval(this.replayTimer);
    clearTimeout(this.refreshTimer);
    void this.pool.close(false);
  }
}

/** ioredis takes arguments spread or in arrays (`mget(['a', 'b'])`); flatten only when there is an array. */
function flattenArgs(raw: unknown[]): Arg[] {
  return (raw.some(Array.isArray) ? raw.flat() : raw) as Arg[];
}

function warnGuessed(topo: ClientTopology): void {
  if (topo.guessed.length === 0) return;
  const list = topo.guessed.map((i) => {
    const p = topo.topology.peer(i);
    return `${p.endpoint.host}:${p.endpoint.port} -> ${topo.endpoints.get(i)!.port}`;
  });
  process.emitWarning(
    `DynoClient guessed the client port of ${list.length} node(s) as peer port + 1 (${list.join(', ')}); ` +
      'pass clientPort, or files with listen:, to say them',
    { code: 'DYNORING_GUESSED_CLIENT_PORT' },
  );
}

// Every command ioredis offers becomes a method (and its Buffer twin), unless the client defines it itself.
for (const name of COMMAND_NAMES) {
  for (const [method, buffer] of [
    [name, false],
    [`${name}Buffer`, true],
  ] as const) {
    if (method in DynoClient.prototype || !/^[a-z][a-z0-9]*$/i.test(method)) continue;
    Object.defineProperty(DynoClient.prototype, method, {
      value: function (this: DynoClient, ...args: unknown[]) {
        return this.sendNamed(name, args, buffer);
      },
      writable: true,
      configurable: true,
    });
  }
  if (name in DynoPipeline.prototype || !/^[a-z][a-z0-9]*$/.test(name)) continue;
  for (const [method, buffer] of [
    [name, false],
    [`${name}Buffer`, true],
  ] as const) {
    Object.defineProperty(DynoPipeline.prototype, method, {
      value: function (this: DynoPipeline, ...args: unknown[]) {
        return this.queue(name, flattenArgs(args), buffer);
      },
      writable: true,
      configurable: true,
    });
  }
}

/** Every ioredis command, typed as ioredis types it (the methods are generated on the prototype above). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface DynoClient extends Omit<RedisCommander, 'call' | 'callBuffer' | 'quit' | 'pipeline' | 'scanStream'> {
  on<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): this;
  once<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): this;
}
