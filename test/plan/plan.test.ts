/**
 * Plans end to end in the library: balance of equidistant rings, doubling
 * (exact half, and a million real keys agreeing), every generated file
 * valid and read back as planned, and the other growth operations.
 */
import { describe, expect, it } from 'vitest';
import {
  countMovedKeys,
  equidistantTokens,
  formatFloridaSeeds,
  loadCluster,
  NEW_PLAN_DEFAULTS,
  mergeNodeConfigs,
  parseDynomiteYaml,
  planAdd,
  planDouble,
  PlanError,
  planNew,
  planRemove,
  planReplace,
  rackBalance,
  TOKEN_SPACE,
  Topology,
  type PoolPlan,
} from '../../src/index.js';
import { collectFindings } from '../../src/cli/findings.js';
import { formatSeed, makePeer } from '../../src/ring/peer.js';
import { hosts, TWO_RACKS } from '../helpers/plans.js';

const sources = (plan: PoolPlan) => plan.nodes.map((n) => ({ text: n.text, file: n.file }));

/** What `dynoring validate` finds in the plan's files. */
function findings(plan: PoolPlan) {
  const files = plan.nodes.map((n) => n.file);
  return collectFindings({ ...loadCluster(sources(plan)), files, texts: plan.nodes.map((n) => n.text) });
}

/** Each file read back: its own node and its seeds, as `host:port:rack:dc:tokens`. */
function readBack(plan: PoolPlan) {
  return plan.nodes.map((n) => {
    const [own, ...seeds] = parseDynomiteYaml({ text: n.text, file: n.file }).peers;
    return { own: formatSeed(own!), seeds: seeds.map(formatSeed) };
  });
}

/** Every file parses back to exactly its planned node, with every other node as a seed, and validates clean. */
function expectConsistent(plan: PoolPlan): void {
  const all = plan.nodes.map((n) => formatSeed(n.peer));
  readBack(plan).forEach((r, i) => {
    expect(r.own).toBe(all[i]);
    expect(r.seeds.sort()).toEqual(all.filter((_, j) => j !== i).sort());
  });
  const f = findings(plan);
  expect(f.problems).toEqual([]);
  expect(f.warnings).toEqual([]);
  expect(new Set(plan.nodes.map((n) => n.file)).size).toBe(plan.nodes.length);
}

describe('balance', () => {
  it('is as exact as integer tokens allow for equidistant rings of 1 to 1,024 nodes', () => {
    for (let n = 1; n <= 1024; n++) {
      const peers = equidistantTokens(n).map((token, i) =>
        makePeer({ index: i, endpoint: { host: `h${i}`, port: 8101 }, dc: 'dc1', rack: 'r1', tokens: [token] }),
      );
      const [rack] = rackBalance(peers);
      expect(rack!.nodes).toHaveLength(n);
      // No integer split beats ceil(2^32 / n) for the largest range.
      expect(rack!.max * TOKEN_SPACE, `n = ${n}`).toBe(Math.ceil(TOKEN_SPACE / n));
      expect(rack!.ratio! - 1).toBeLessThan(n / TOKEN_SPACE);
      if ((n & (n - 1)) === 0 || n <= 4) expect(Math.abs(rack!.ratio! - 1), `n = ${n}`).toBeLessThanOrEqual(1e-9);
    }
  });

  it('reports each node and max/mean of a planned cluster, identical in every rack', () => {
    const plan = planNew({ racks: TWO_RACKS, nodesPerRack: 3, hosts: hosts(6) });
    expect(plan.balance.map((b) => [b.dc, b.rack, b.nodes.map((n) => n.owned)])).toEqual([
      ['dc1', 'r1', [1431655766, 1431655765, 1431655765]],
      ['dc1', 'r2', [1431655766, 1431655765, 1431655765]],
    ]);
    expect(plan.balance[0]!.ratio).toBeCloseTo(1, 9);
    expect(plan.nodes.map((n) => n.peer.tokens[0])).toEqual([0, 1431655765, 2863311530, 0, 1431655765, 2863311530]);
  });
});

describe('planNew', () => {
  it('writes one valid file per node that reads back as planned, on the nodes own host', () => {
    const plan = planNew({
      racks: TWO_RACKS,
      nodesPerRack: 3,
      hosts: hosts(6),
      server: '{host}:6379',
      hashTag: '{}',
      readConsistency: 'dc_quorum',
    });
    expectConsistent(plan);
    expect(plan.nodes.map((n) => n.file)).toEqual([
      'dc1-r1-127.0.0.1.yml',
      'dc1-r1-127.0.0.2.yml',
      'dc1-r1-127.0.0.3.yml',
      'dc1-r2-127.0.0.4.yml',
      'dc1-r2-127.0.0.5.yml',
      'dc1-r2-127.0.0.6.yml',
    ]);
    const text = plan.nodes[1]!.text;
    expect(text).toContain('dyn_listen: 127.0.0.2:8101\n');
    expect(text).toContain('listen: 127.0.0.2:8102\n');
    expect(text).toContain('stats_listen: 127.0.0.2:22222\n');
    expect(text).toContain('  - 127.0.0.2:6379:1\n');
    expect(text).toContain("tokens: '1431655765'\n");
    expect(text).toContain('read_consistency: DC_QUORUM\n');
    expect(text).toContain('data_store: 0\n');
    expect(parseDynomiteYaml(text).hashTag).toBe('{}');
    expect(plan.diff).toEqual({ racks: [], fraction: 0 });
  });

  it('round-trips every size of ring it plans', () => {
    for (const n of [1, 2, 5, 16]) expectConsistent(planNew({ racks: TWO_RACKS.slice(0, 1), nodesPerRack: n, hosts: hosts(n) }));
  });

  it('keeps its defaults frozen, so no caller can change what later plans get', () => {
    expect(Object.isFrozen(NEW_PLAN_DEFAULTS)).toBe(true);
    expect(() => Object.assign(NEW_PLAN_DEFAULTS, { peerPort: 9999 })).toThrow(TypeError);
    const plan = planNew({ racks: TWO_RACKS.slice(0, 1), nodesPerRack: 1, hosts: hosts(1) });
    expect(plan.nodes[0]!.peer.endpoint.port).toBe(8101);
  });

  it('refuses wrong host counts, repeated hosts and bad settings, naming what is wrong', () => {
    const base = { racks: TWO_RACKS, nodesPerRack: 2, hosts: hosts(4) };
    expect(() => planNew({ ...base, hosts: hosts(3) })).toThrow(
      expect.objectContaining({ kind: 'HostCount', message: expect.stringMatching(/4 nodes \(2 racks × 2\) need 4 hosts, got 3/) }),
    );
    expect(() => planNew({ ...base, hosts: ['a', 'b', 'c', 'a'] })).toThrow(expect.objectContaining({ kind: 'DuplicateEndpoint' }));
    expect(() => planNew({ ...base, readConsistency: 'DC_ALL' })).toThrow(/invalid read consistency 'DC_ALL'/);
    expect(() => planNew({ ...base, hash: 'sha1' })).toThrow(/sha1/);
    expect(() => planNew({ ...base, racks: [{ dc: 'dc1', rack: 'r:1' }] })).toThrow(/invalid rack name 'r:1'/);
    expect(() => planNew({ ...base, peerPort: 70000 })).toThrow(/invalid peer port 70000/);
  });

  it('with the florida seed provider lists no seeds, and the files together still make the whole ring', () => {
    const florida = planNew({ racks: TWO_RACKS, nodesPerRack: 3, hosts: hosts(6), seedProvider: 'florida' });
    const simple = planNew({ racks: TWO_RACKS, nodesPerRack: 3, hosts: hosts(6) });
    for (const n of simple.nodes) expect(n.text).toContain('dyn_seed_provider: simple_provider\n');
    for (const n of florida.nodes) {
      expect(n.text).toContain('dyn_seed_provider: florida_provider\n');
      expect(n.text).not.toContain('dyn_seeds');
    }
    expect(readBack(florida).map((r) => r.seeds)).toEqual(florida.nodes.map(() => []));
    // Merged, the files are the same ring as the simple plan's; the seeds server serves exactly it.
    const merged = mergeNodeConfigs(sources(florida).map((s) => parseDynomiteYaml(s)));
    expect(merged.peers.map(formatSeed).sort()).toEqual(simple.nodes.map((n) => formatSeed(n.peer)).sort());
    // validate finds nothing, and notes of each file that its peers come from florida.
    const found = findings(florida);
    expect(found.problems).toEqual([]);
    expect(found.warnings).toEqual([]);
    expect(found.notes.map((n) => [n.kind, n.at?.file])).toEqual(florida.nodes.map((n) => ['ExternalSeeds', n.file]));
    expect(formatFloridaSeeds(merged.peers)).toBe(florida.nodes.map((n) => formatSeed(n.peer)).join('|'));
    // A plan over florida files keeps them florida: the new and rewritten files list no seeds either.
    const doubled = planDouble(sources(florida), hosts(6, '127.0.1.'));
    for (const n of doubled.nodes) {
      expect(n.text).toContain('dyn_seed_provider: florida_provider\n');
      expect(n.text).not.toContain('dyn_seeds');
    }
    expect(() => planNew({ racks: TWO_RACKS, nodesPerRack: 1, hosts: hosts(2), seedProvider: 'dns' as 'simple' })).toThrow(
      /invalid seed provider 'dns': expected simple or florida/,
    );
  });
});

describe('planDouble', () => {
  const before = planNew({ racks: TWO_RACKS, nodesPerRack: 3, hosts: hosts(6) });
  const doubled = planDouble(sources(before), hosts(6, '127.0.1.'));

  it('moves exactly half of every rack, each new node taking half of one range from its owner', () => {
    expectConsistent(doubled);
    expect(doubled.nodes).toHaveLength(12);
    expect(doubled.diff.fraction).toBe(0.5);
    for (const rack of doubled.diff.racks) {
      expect(rack.moved).toBe(TOKEN_SPACE / 2);
      expect(rack.moves).toHaveLength(3);
      expect(rack.after!.max * TOKEN_SPACE - rack.after!.min * TOKEN_SPACE).toBeLessThanOrEqual(1);
    }
    expect(doubled.diff.racks[0]!.moves).toEqual([
      { start: 0, end: 715827882, length: 715827882, from: '127.0.0.2:8101', to: '127.0.1.1:8101' },
      { start: 1431655765, end: 2147483648, length: 715827883, from: '127.0.0.3:8101', to: '127.0.1.2:8101' },
      { start: 2863311530, end: 3579139413, length: 715827883, from: '127.0.0.1:8101', to: '127.0.1.3:8101' },
    ]);
    // The old nodes' files keep their settings; only the seeds change.
    const old = doubled.nodes.find((n) => n.peer.endpoint.host === '127.0.0.1')!;
    expect(old.added).toBe(false);
    expect(readBack(doubled).find((r) => r.own.startsWith('127.0.0.1:'))!.seeds).toHaveLength(11);
  });

  it('agrees with a million real keys within 0.005', () => {
    const keys = Array.from({ length: 1_000_000 }, (_, i) =>
      i % 3 === 0 ? `user:${i * 7919}` : i % 3 === 1 ? `session:${(i * 2654435761) >>> 0}` : `order:${i}:items`,
    );
    const a = Topology.fromDynomiteYaml(sources(before));
    const b = Topology.fromDynomiteYaml(sources(doubled));
    for (const rack of countMovedKeys(a, b, keys)) {
      expect(rack.keys).toBe(1_000_000);
      expect(Math.abs(rack.fraction - 0.5), `${rack.dc}/${rack.rack}: ${rack.fraction}`).toBeLessThan(0.005);
    }
  });

  it('refuses the wrong number of hosts and multi-token nodes', () => {
    expect(() => planDouble(sources(before), hosts(5, '127.0.1.'))).toThrow(expect.objectContaining({ kind: 'HostCount' }));
    expect(() => planDouble(sources(before), hosts(6))).toThrow(expect.objectContaining({ kind: 'DuplicateEndpoint' }));
    const multi = { text: "dyn_o_mite:\n  dyn_listen: 127.0.0.1:8101\n  tokens: '0,7'\n" };
    expect(() => planDouble([multi], hosts(2, '127.0.1.'))).toThrow(PlanError);
    expect(() => planDouble([multi], hosts(2, '127.0.1.'))).toThrow(/127\.0\.0\.1:8101 has 2 tokens/);
  });
});

describe('planAdd, planRemove, planReplace', () => {
  const before = planNew({ racks: TWO_RACKS, nodesPerRack: 4, hosts: hosts(8) });

  it('adds one node per rack by halving one range: 1/8 of the rack moves, the largest share stays 1/4', () => {
    const plan = planAdd(sources(before), 1, ['10.0.0.1', '10.0.0.2']);
    expectConsistent(plan);
    for (const rack of plan.diff.racks) {
      expect(rack.fraction).toBe(1 / 8);
      expect(rack.after!.max).toBe(1 / 4);
      expect(rack.moves).toEqual([expect.objectContaining({ start: 0, end: TOKEN_SPACE / 8 })]);
    }
  });

  it('removes a node: its range goes to the next node, and no file lists it any more', () => {
    const plan = planRemove(sources(before), '127.0.0.2');
    expectConsistent(plan);
    expect(plan.removed).toEqual(['127.0.0.2:8101']);
    expect(plan.diff.racks[0]!.moves).toEqual([
      { start: 0, end: TOKEN_SPACE / 4, length: TOKEN_SPACE / 4, from: '127.0.0.2:8101', to: '127.0.0.3:8101' },
    ]);
    expect(plan.diff.racks[1]!.moves).toEqual([]);
    expect(() => planRemove(sources(before), '127.0.0.9')).toThrow(expect.objectContaining({ kind: 'UnknownNode' }));
    const one = planNew({ racks: TWO_RACKS, nodesPerRack: 1, hosts: hosts(2) });
    expect(() => planRemove(sources(one), '127.0.0.1:8101')).toThrow(expect.objectContaining({ kind: 'LastNodeInRack' }));
  });

  it('replaces a node: same token on a new host, its whole range moving to the new address', () => {
    const plan = planReplace(sources(before), '127.0.0.3:8101', '10.9.9.9');
    expectConsistent(plan);
    const node = plan.nodes.find((n) => n.added)!;
    expect(node.peer).toMatchObject({ endpoint: { host: '10.9.9.9', port: 8101 }, tokens: [TOKEN_SPACE / 2], rack: 'r1' });
    expect(node.text).toContain('listen: 10.9.9.9:8102\n');
    expect(node.text).toContain('stats_listen: 10.9.9.9:22222\n');
    expect(plan.diff.racks[0]!.moves).toEqual([
      { start: TOKEN_SPACE / 4, end: TOKEN_SPACE / 2, length: TOKEN_SPACE / 4, from: '127.0.0.3:8101', to: '10.9.9.9:8101' },
    ]);
    expect(() => planReplace(sources(before), '127.0.0.3', '127.0.0.4')).toThrow(expect.objectContaining({ kind: 'DuplicateEndpoint' }));
  });
});
