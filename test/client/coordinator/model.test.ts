/**
 * Model-based test of coordinator mode (fast-check `fc.commands`) on three
 * racks of two real redis-servers: random batches of writes at DC_QUORUM,
 * SIGKILLs and restarts, SIGSTOPs and SIGCONTs, checked against a model of
 * what each replica must hold. At each write, an acknowledged one is on a
 * quorum of its owners, and a failed one on the racks its error says
 * answered; at the end, with the racks healthy and the hints drained, every
 * owner holds each key's last written value and quorum reads return it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuorumError, type DynoClient } from '../../../src/client.js';
import { HintStore, type Topology } from '../../../src/index.js';
import { redisAvailable, startCluster, waitFor, type TestCluster } from '../helpers.js';
import { connectCoordinator, inspector, replicaDifferences, topologyOf, type KeyHistory } from './support.js';

const RUN = redisAvailable('test/client/coordinator/model.test.ts');
const KEYS = 12;
const QUORUM = 2; // of three racks

/** What the replicas must hold, and which servers are out. */
interface Model {
  history: Map<string, KeyHistory>;
  state: ('up' | 'killed' | 'stopped')[];
}

/** The real system: the cluster and the coordinator writing to it. */
interface Real {
  cluster: TestCluster;
  topology: Topology;
  client: DynoClient;
  run: number;
}

type Command = fc.AsyncCommand<Model, Real>;
const out = (m: Model) => m.state.filter((s) => s !== 'up').length;

class Write implements Command {
  constructor(readonly keys: number[]) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    await Promise.all(
      [...new Set(this.keys)].map(async (k) => {
        const key = `model:${r.run}:${k}`;
        const h = m.history.get(key) ?? { attempted: 0, acked: 0 };
        m.history.set(key, h);
        const seq = ++h.attempted;
        const owners = r.topology.replicas(key).local.map((o) => o.peer.index);
        const holding = async (peers: number[]) =>
          (await Promise.all(peers.map(async (p) => (await inspector(r.cluster, p).get(key)) === String(seq)))).filter(Boolean).length;
        try {
          await r.client.set(key, String(seq));
          h.acked = seq;
          // Acknowledged at DC_QUORUM: on a quorum of its owners now (those that are running answer).
          expect(await holding(owners.filter((p) => m.state[p] === 'up'))).toBeGreaterThanOrEqual(QUORUM);
        } catch (err) {
          if (!(err instanceof QuorumError)) throw err;
          expect(err.answered.length).toBeLessThan(QUORUM);
          // Not rolled back: the racks that answered keep it.
          expect(await holding(err.answered.map((a) => a.peer))).toBe(err.answered.length);
        }
      }),
    );
  }
  toString = () => `write(${this.keys.join(',')})`;
}

class Kill implements Command {
  constructor(readonly node: number) {}
  check = (m: Readonly<Model>) => m.state[this.node] === 'up' && out(m) < 2;
  async run(m: Model, r: Real): Promise<void> {
    await r.cluster.nodes[this.node]!.server.stop('SIGKILL');
    m.state[this.node] = 'killed';
  }
  toString = () => `kill(${this.node})`;
}

class Restart implements Command {
  constructor(readonly node: number) {}
  check = (m: Readonly<Model>) => m.state[this.node] === 'killed';
  async run(m: Model, r: Real): Promise<void> {
    await r.cluster.nodes[this.node]!.server.restart();
    m.state[this.node] = 'up';
  }
  toString = () => `restart(${this.node})`;
}

class Stop implements Command {
  constructor(readonly node: number) {}
  check = (m: Readonly<Model>) => m.state[this.node] === 'up' && out(m) < 2;
  async run(m: Model, r: Real): Promise<void> {
    r.cluster.nodes[this.node]!.server.signal('SIGSTOP');
    m.state[this.node] = 'stopped';
  }
  toString = () => `stop(${this.node})`;
}

class Continue implements Command {
  constructor(readonly node: number) {}
  check = (m: Readonly<Model>) => m.state[this.node] === 'stopped';
  async run(m: Model, r: Real): Promise<void> {
    r.cluster.nodes[this.node]!.server.signal('SIGCONT');
    m.state[this.node] = 'up';
  }
  toString = () => `continue(${this.node})`;
}

describe.skipIf(!RUN)('coordinator mode against a model of its replicas, three racks of two', () => {
  let cluster: TestCluster;
  let topology: Topology;
  beforeAll(async () => {
    cluster = await startCluster({ racks: 3, perRack: 2, persist: true });
    topology = await topologyOf(cluster);
  });
  afterAll(async () => cluster?.stop());

  it('random writes, kills, restarts, stops and continues leave every replica with the latest write', async () => {
    const node = fc.integer({ min: 0, max: 5 });
    const commands = fc.commands(
      [
        fc.array(fc.nat(KEYS - 1), { minLength: 1, maxLength: 6 }).map((k) => new Write(k)),
        fc.array(fc.nat(KEYS - 1), { minLength: 1, maxLength: 6 }).map((k) => new Write(k)),
        node.map((n) => new Kill(n)),
        node.map((n) => new Restart(n)),
        node.map((n) => new Stop(n)),
        node.map((n) => new Continue(n)),
      ],
      { maxCommands: 40, size: 'max' },
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        const store = new HintStore({ maxBytes: 0 });
        const client = await connectCoordinator(cluster, {
          hints: store,
          writeConsistency: 'DC_QUORUM',
          readConsistency: 'DC_QUORUM',
          commandTimeoutMs: 150,
        });
        const model: Model = { history: new Map(), state: cluster.nodes.map(() => 'up') };
        try {
          await fc.asyncModelRun(() => ({ model, real: { cluster, topology, client, run: ++run } }), cmds);
          // Heal everything, then the model must hold on every replica.
          for (const n of cluster.nodes) {
            if (model.state[n.index] === 'stopped') n.server.signal('SIGCONT');
            if (model.state[n.index] === 'killed') await n.server.restart();
          }
          await waitFor(
            'the racks to be healthy, the hints drained and the replicas to agree',
            async () =>
              client.stats().nodes.every((n) => n.state === 'up' && n.hints!.queued === 0) &&
              (await replicaDifferences(cluster, topology, model.history)).length === 0,
          ).catch(() => undefined); // the assertions below say what is wrong
          expect(await replicaDifferences(cluster, topology, model.history)).toEqual([]);
          const keys = [...model.history.keys()];
          if (keys.length > 0) {
            // A client with a long timeout: the short one above, there to time stopped nodes out, could trip on a loaded machine.
            const reader = await connectCoordinator(cluster, { readConsistency: 'DC_QUORUM', commandTimeoutMs: 10_000 });
            try {
              expect(await reader.mget(keys)).toEqual(keys.map((k) => String(model.history.get(k)!.attempted)));
            } finally {
              await reader.quit();
            }
          }
          for (const n of client.stats().nodes) expect(n.hints!.replayed).toBe(n.hints!.stored);
        } finally {
          for (const n of cluster.nodes) if (!n.server.running) await n.server.restart();
          for (const n of cluster.nodes) n.server.signal('SIGCONT');
          await client.quit().catch(() => client.disconnect());
        }
      }),
      { numRuns: 8, endOnFailure: true },
    );
  });
});
