import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, NoTargetsError, Topology, UnknownLocationError, type Peer } from '../../src/index.js';
import { makePeerForTest } from './peers.js';

/** Owner by definition: the first token >= the key's token in the rack, wrapping to the smallest. */
function bruteOwner(peers: readonly Peer[], dc: string, rack: string, token: number): Peer {
  const entries = peers.filter((p) => p.dc === dc && p.rack === rack).flatMap((p) => p.tokens.map((t) => ({ t, p })));
  entries.sort((a, b) => a.t - b.t);
  return (entries.find((e) => e.t >= token) ?? entries[0]!).p;
}

// dc1: racks a, b, c; dc2: x, y; dc3: m. Listed out of order on purpose: the rule sorts by name.
const layout: [string, string][] = [
  ['dc2', 'y'],
  ['dc1', 'c'],
  ['dc3', 'm'],
  ['dc1', 'a'],
  ['dc2', 'x'],
  ['dc1', 'b'],
];
const handPeers = layout.flatMap(([dc, rack], i) => [
  makePeerForTest(2 * i, dc, rack, [0]),
  makePeerForTest(2 * i + 1, dc, rack, [2147483648]),
]);
const hand = Topology.fromPeers(handPeers, { localDc: 'dc1', localRack: 'c' });
const racksOf = (r: { rack: string }[]) => r.map((o) => o.rack);

describe('Topology.replicas', () => {
  it('follows the modulo rule on an example computed by hand', () => {
    // From dc1/c: c is index 2 of [a, b, c]. dc2 has 2 racks: 2 % 2 = 0 -> x, then y. dc3: 2 % 1 = 0 -> m.
    const fromC = hand.replicas('user:42');
    expect(racksOf(fromC.local)).toEqual(['a', 'b', 'c']);
    expect(fromC.remote.map((d) => [d.dc, racksOf(d.candidates)])).toEqual([
      ['dc2', ['x', 'y']],
      ['dc3', ['m']],
    ]);
    // From dc1/b (index 1): dc2 at 1 % 2 = 1 -> y, then x.
    expect(hand.replicas('user:42', { rack: 'b' }).remote[0]!.candidates.map((c) => c.rack)).toEqual(['y', 'x']);
    // From dc2/y (index 1 of [x, y]): dc1 at 1 % 3 = 1 -> b, then a and c in name order.
    const fromY = hand.replicas('user:42', { dc: 'dc2', rack: 'y' });
    expect(racksOf(fromY.local)).toEqual(['x', 'y']);
    expect(fromY.remote.map((d) => [d.dc, racksOf(d.candidates)])).toEqual([
      ['dc1', ['b', 'a', 'c']],
      ['dc3', ['m']],
    ]);
    // Another datacenter without a rack: its first rack by name (index 0), as the server falls back to.
    expect(hand.replicas('k', { dc: 'dc2' }).remote[0]!.candidates.map((c) => c.rack)).toEqual(['a', 'b', 'c']);
  });

  it('gives the owner of the key in each rack, with the token', () => {
    const r = hand.replicas('user:42');
    expect(r.token).toBe(hand.token('user:42'));
    for (const o of [...r.local, ...r.remote.flatMap((d) => d.candidates)]) {
      expect(o.peer).toBe(bruteOwner(hand.peers, o.peer.dc, o.rack, r.token));
    }
    expect(r.local.map((o) => o.peer)).toEqual(hand.route('user:42', 'dc1'));
  });

  it('takes the local rack from the local peer, and refuses unknown places', () => {
    const t = Topology.fromPeers(handPeers.map((p) => ({ ...p, isLocal: p.index === 1 })));
    expect([t.localDc, t.localRack]).toEqual(['dc2', 'y']);
    expect(() => hand.replicas('k', { dc: 'dc9' })).toThrow(UnknownLocationError);
    expect(() => hand.replicas('k', { rack: 'zz' })).toThrow(UnknownLocationError);
    expect(() => Topology.fromPeers(handPeers, { localRack: 'zz' })).toThrow(ConfigError);
    const empty = Topology.fromPeers([...handPeers, makePeerForTest(99, 'dc2', 'z', [])], { localDc: 'dc1', localRack: 'a' });
    expect(() => empty.replicas('k')).toThrow(NoTargetsError);
  });

  it('matches a brute-force reference on random topologies', () => {
    const placement = fc
      .array(fc.record({ dc: fc.constantFrom('d1', 'd2', 'd3'), rack: fc.constantFrom('r1', 'r2', 'r3', 'r4') }), {
        minLength: 1,
        maxLength: 8,
      })
      .chain((racks) =>
        fc.tuple(
          fc.constant(racks),
          fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 0xffff_ffff }), { minLength: 1, maxLength: 6 }), {
            minLength: racks.length,
            maxLength: racks.length,
          }),
          fc.array(fc.oneof(fc.string(), fc.uint8Array()), { minLength: 1, maxLength: 10 }),
          fc.nat(),
        ),
      );
    fc.assert(
      fc.property(placement, ([racks, tokenSets, keys, pick]) => {
        const seen = new Set<string>();
        const peers: Peer[] = [];
        racks.forEach((r, i) => {
          if (seen.has(`${r.dc}/${r.rack}`)) return;
          seen.add(`${r.dc}/${r.rack}`);
          // Each token its own peer: unique tokens per rack, so the owner is unambiguous.
          for (const t of tokenSets[i]!) peers.push(makePeerForTest(peers.length, r.dc, r.rack, [t]));
        });
        const t = Topology.fromPeers(peers);
        const all = t.racks();
        const from = all[pick % all.length]!;
        const sorted = (dc: string) => [...new Set(peers.filter((p) => p.dc === dc).map((p) => p.rack))].sort();
        const fromIndex = sorted(from.dc).indexOf(from.rack);
        for (const key of keys) {
          const r = t.replicas(key, from);
          expect(r.token).toBe(t.token(key));
          expect(r.local).toEqual(sorted(from.dc).map((rack) => ({ rack, peer: bruteOwner(peers, from.dc, rack, r.token) })));
          const remoteDcs = [...new Set(peers.map((p) => p.dc))].filter((d) => d !== from.dc).sort();
          expect(r.remote).toEqual(
            remoteDcs.map((dc) => {
              const names = sorted(dc);
              const first = fromIndex % names.length;
              const order = [names[first]!, ...names.slice(0, first), ...names.slice(first + 1)];
              return { dc, candidates: order.map((rack) => ({ rack, peer: bruteOwner(peers, dc, rack, r.token) })) };
            }),
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
