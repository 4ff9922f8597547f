import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  TokenCoverageError,
  checkTokenCoverage,
  describeCoverageIssue,
  validateTokenCoverage,
  type CoverageIssue,
  type Peer,
} from '../../src/index.js';
import { makePeerForTest as peer } from './peers.js';

const ENGINES = ['wasm', 'js', 'auto'] as const;

describe.each(ENGINES)('coverage rules (engine %s)', (engine) => {
  const check = (peers: readonly Peer[], racks?: { dc: string; rack: string }[]) =>
    checkTokenCoverage(peers, { engine, ...(racks ? { racks } : {}) });

  it('accepts a single local peer with token 0, the smallest ring', () => {
    const only = peer(0, 'dc1', 'rack1', [0]);
    expect(check([only])).toEqual([]);
    expect(() => validateTokenCoverage([only], { engine })).not.toThrow();
  });

  it('accepts a well-formed multi-rack, multi-dc ring', () => {
    const peers = [
      peer(0, 'dc1', 'r1', [0]),
      peer(1, 'dc1', 'r1', [2147483648]),
      peer(2, 'dc1', 'r2', [0]),
      peer(3, 'dc2', 'r1', [4294967295]),
    ];
    expect(check(peers)).toEqual([]);
  });

  it('reports a rack whose peers have no tokens as EmptyRack', () => {
    const peers = [peer(0, 'dc1', 'r1', [0]), peer(1, 'dc1', 'r2', []), peer(2, 'dc1', 'r2', [])];
    expect(check(peers)).toEqual([{ kind: 'EmptyRack', dc: 'dc1', rack: 'r2' }]);
  });

  it('reports a declared rack with no peers as EmptyRack, and a declared rack with peers as fine', () => {
    const peers = [peer(0, 'dc1', 'r1', [0])];
    expect(check(peers, [{ dc: 'dc1', rack: 'r1' }])).toEqual([]);
    expect(
      check(peers, [
        { dc: 'dc1', rack: 'r1' },
        { dc: 'dc2', rack: 'r9' },
      ]),
    ).toEqual([{ kind: 'EmptyRack', dc: 'dc2', rack: 'r9' }]);
  });

  it('reports an empty peer list with declared racks, and nothing without', () => {
    expect(check([])).toEqual([]);
    expect(check([], [{ dc: 'd', rack: 'r' }])).toEqual([{ kind: 'EmptyRack', dc: 'd', rack: 'r' }]);
  });

  it('reports two peers of one rack claiming one token as an Overlap naming both', () => {
    const peers = [peer(0, 'dc1', 'r1', [10]), peer(1, 'dc1', 'r1', [20, 500]), peer(2, 'dc1', 'r1', [500])];
    expect(check(peers)).toEqual([{ kind: 'Overlap', dc: 'dc1', rack: 'r1', token: 500, peers: [1, 2] }]);
  });

  it('names the lower index first whatever the input order', () => {
    const peers = [peer(7, 'dc1', 'r1', [500]), peer(3, 'dc1', 'r1', [500])];
    expect(check(peers)).toEqual([{ kind: 'Overlap', dc: 'dc1', rack: 'r1', token: 500, peers: [3, 7] }]);
  });

  it('reports every extra peer on one token, each paired with the lowest index', () => {
    const peers = [peer(4, 'dc1', 'r1', [9]), peer(2, 'dc1', 'r1', [9]), peer(8, 'dc1', 'r1', [9])];
    expect(check(peers)).toEqual([
      { kind: 'Overlap', dc: 'dc1', rack: 'r1', token: 9, peers: [2, 4] },
      { kind: 'Overlap', dc: 'dc1', rack: 'r1', token: 9, peers: [2, 8] },
    ]);
  });

  it('accepts the same token in different racks and datacenters (each rack is a full replica)', () => {
    const peers = [peer(0, 'dc1', 'r1', [42]), peer(1, 'dc1', 'r2', [42]), peer(2, 'dc2', 'r1', [42])];
    expect(check(peers)).toEqual([]);
  });

  it('does not count a peer repeating its own token as an overlap', () => {
    expect(check([peer(0, 'dc1', 'r1', [5, 5, 5])])).toEqual([]);
    // ...but a repeat does not hide a real overlap with another peer.
    expect(check([peer(0, 'dc1', 'r1', [5, 5]), peer(1, 'dc1', 'r1', [5])])).toEqual([
      { kind: 'Overlap', dc: 'dc1', rack: 'r1', token: 5, peers: [0, 1] },
    ]);
  });

  it('handles the extreme tokens 0 and 4294967295', () => {
    const peers = [peer(0, 'd', 'r', [0, 4294967295]), peer(1, 'd', 'r', [4294967295]), peer(2, 'd', 'r', [0])];
    expect(check(peers)).toEqual([
      { kind: 'Overlap', dc: 'd', rack: 'r', token: 0, peers: [0, 2] },
      { kind: 'Overlap', dc: 'd', rack: 'r', token: 4294967295, peers: [0, 1] },
    ]);
  });

  it('lists problems in a stable order: dc, then rack (empty before overlaps), then token', () => {
    const peers = [
      peer(0, 'dc2', 'a', [7]),
      peer(1, 'dc2', 'a', [7, 3]),
      peer(2, 'dc1', 'b', [100]),
      peer(3, 'dc1', 'b', [100, 1]),
      peer(4, 'dc1', 'b', [1]),
      peer(5, 'dc1', 'a', []),
      peer(6, 'dc2', 'a', [3]),
    ];
    const expected: CoverageIssue[] = [
      { kind: 'EmptyRack', dc: 'dc1', rack: 'a' },
      { kind: 'Overlap', dc: 'dc1', rack: 'b', token: 1, peers: [3, 4] },
      { kind: 'Overlap', dc: 'dc1', rack: 'b', token: 100, peers: [2, 3] },
      { kind: 'EmptyRack', dc: 'dc1', rack: 'zz' },
      { kind: 'Overlap', dc: 'dc2', rack: 'a', token: 3, peers: [1, 6] },
      { kind: 'Overlap', dc: 'dc2', rack: 'a', token: 7, peers: [0, 1] },
    ];
    expect(check(peers, [{ dc: 'dc1', rack: 'zz' }])).toEqual(expected);
    // Input order does not matter.
    expect(check([...peers].reverse(), [{ dc: 'dc1', rack: 'zz' }])).toEqual(expected);
  });

  it('throws TokenCoverageError whose issue is the first problem', () => {
    const peers = [peer(0, 'dc2', 'r', [1]), peer(1, 'dc2', 'r', [1]), peer(2, 'dc1', 'r', [])];
    let thrown: unknown;
    try {
      validateTokenCoverage(peers, { engine });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(TokenCoverageError);
    const error = thrown as TokenCoverageError;
    expect(error.issue).toEqual({ kind: 'EmptyRack', dc: 'dc1', rack: 'r' });
    expect(error.issue).toEqual(check(peers)[0]);
    expect(error.kind).toBe('EmptyRack');
    expect(error.name).toBe('TokenCoverageError');
    expect(error.message).toBe(describeCoverageIssue(error.issue));
  });
});

describe('coverage messages and arguments', () => {
  it('names dc and rack for an empty rack, and token and both peers for an overlap', () => {
    expect(describeCoverageIssue({ kind: 'EmptyRack', dc: 'east', rack: 'r3' })).toMatch(/rack 'r3'.*datacenter 'east'.*NoTargets/);
    const overlap = describeCoverageIssue({ kind: 'Overlap', dc: 'east', rack: 'r1', token: 99, peers: [2, 5] });
    expect(overlap).toContain('peers 2 and 5');
    expect(overlap).toContain('token 99');
    expect(overlap).toContain("rack 'r1'");
    expect(overlap).toContain("datacenter 'east'");
  });

  it('refuses a non-array and an unknown engine with errors that name them', () => {
    expect(() => checkTokenCoverage('peers' as never)).toThrow(/array of peers, got 'peers'/);
    expect(() => checkTokenCoverage([], { engine: 'gpu' as never })).toThrow(/'gpu'/);
  });
});

describe('bad input', () => {
  const peer = (index: number, tokens: unknown[]) => ({
    index,
    endpoint: { host: `h${index}`, port: 1 },
    dc: 'dc1',
    rack: 'r1',
    tokens: tokens as number[],
    isLocal: false,
    isSameDc: true,
    isSecure: false,
  });

  it.each([[4294967296], [-1], ['5'], [5.7], [NaN]])('refuses the token %j instead of wrapping it into a false overlap', (bad) => {
    expect(() => checkTokenCoverage([peer(0, [0]), peer(1, [bad])])).toThrow(ConfigError);
    expect(() => checkTokenCoverage([peer(0, [0]), peer(1, [bad])])).toThrow('peer 1: invalid token');
  });

  it('refuses malformed peers and racks with typed errors', () => {
    expect(() => checkTokenCoverage([null as never])).toThrow(TypeError);
    expect(() => checkTokenCoverage([{ ...peer(0, [1]), tokens: undefined as never }])).toThrow('tokens must be an array');
    expect(() => checkTokenCoverage([{ ...peer(0, [1]), rack: '' }])).toThrow('rack must be a non-empty string');
    expect(() => checkTokenCoverage([peer(-1, [1])])).toThrow(RangeError);
    expect(() => validateTokenCoverage([peer(0, [1])], { racks: [{ dc: 'dc1' } as never] })).toThrow(TypeError);
  });
});
