/** Unit tests of the consistency accounting: quorum sizes, write tallies, read tallies. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReadTally, WriteTally, quorum } from '../../../src/client/coordinator/consistency.js';
import { QuorumError } from '../../../src/errors.js';

const racks = (n: number) => Array.from({ length: n }, (_, i) => ({ rack: `rack${i + 1}`, peer: i * 10 }));
const writeTally = (level: ConstructorParameters<typeof WriteTally>[0], n: number, localAt: number) =>
  new WriteTally(
    level,
    racks(n).map((r) => r.rack),
    racks(n).map((r) => ({ index: r.peer })),
    localAt,
  );

describe('quorum', () => {
  it('is floor(racks / 2) + 1, as the server counts', () => {
    expect([1, 2, 3, 4, 5, 6].map(quorum)).toEqual([1, 2, 2, 3, 3, 4]);
  });
});

describe('WriteTally', () => {
  it('DC_ONE is met by the local rack, or by another rack once the local one failed', () => {
    const a = writeTally('DC_ONE', 3, 1);
    expect(a.record(0, 'acked')).toBe('pending'); // another rack first: the local owner may still answer
    expect(a.record(1, 'acked')).toBe('met');
    const b = writeTally('DC_ONE', 3, 1);
    expect(b.record(1, 'hinted', 'refused')).toBe('pending');
    expect(b.record(2, 'acked')).toBe('met');
    const c = writeTally('DC_ONE', 2, 0);
    c.record(0, 'unreachable', 'down');
    expect(c.record(1, 'error', 'WRONGTYPE')).toBe('missed');
  });

  it('DC_QUORUM is met at a quorum and missed once the racks left cannot make it', () => {
    const t = writeTally('DC_QUORUM', 3, 0);
    expect(t.needed).toBe(2);
    expect(t.record(0, 'hinted', 'timeout')).toBe('pending');
    expect(t.record(0, 'acked')).toBe('pending'); // only a rack's first outcome counts
    expect(t.record(1, 'refused', 'OverCapacity')).toBe('missed');
    expect(t.record(2, 'acked')).toBe('missed'); // decided for good
  });

  it('names the racks that answered and those that did not in its error', () => {
    const t = writeTally('DC_SAFE_QUORUM', 3, 0);
    t.record(0, 'acked');
    t.record(1, 'hinted', 'connection closed');
    const err = t.error('set');
    expect(err).toBeInstanceOf(QuorumError);
    expect(err).toMatchObject({ kind: 'QuorumNotReached', command: 'set', level: 'DC_SAFE_QUORUM', needed: 2 });
    expect(err.answered).toEqual([{ rack: 'rack1', peer: 0, outcome: 'acked' }]);
    expect(err.missing).toEqual([
      { rack: 'rack2', peer: 10, outcome: 'hinted', message: 'connection closed' },
      { rack: 'rack3', peer: 20, outcome: 'unreachable', message: 'no answer yet' },
    ]);
    expect(err.message).toContain('answered: rack1; not: rack2 (hinted: connection closed), rack3 (unreachable: no answer yet)');
  });

  it('at a quorum level, is met exactly when the acknowledgements reach the quorum, in any order of outcomes', () => {
    const outcome = fc.constantFrom('acked', 'hinted', 'refused', 'error', 'unreachable') as fc.Arbitrary<'acked' | 'hinted'>;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }).chain((n) => fc.tuple(fc.constant(n), fc.array(outcome, { minLength: n, maxLength: n }))),
        fc.constantFrom('DC_QUORUM', 'DC_SAFE_QUORUM') as fc.Arbitrary<'DC_QUORUM'>,
        ([n, outcomes], level) => {
          const t = writeTally(level, n, 0);
          let acks = 0;
          let fails = 0;
          let first: string | undefined;
          outcomes.forEach((o, i) => {
            if (o === 'acked') acks++;
            else fails++;
            const state = t.record(i, o, o === 'acked' ? undefined : 'x');
            first ??= acks >= quorum(n) ? 'met' : n - fails < quorum(n) ? 'missed' : undefined;
            expect(state).toBe(first ?? 'pending');
          });
          expect(t.state).toBe(outcomes.filter((o) => o === 'acked').length >= quorum(n) ? 'met' : 'missed');
        },
      ),
    );
  });
});

describe('ReadTally', () => {
  it('DC_QUORUM returns the preferred reply among a quorum, even if the replies differ', () => {
    const t = new ReadTally('DC_QUORUM', racks(3), [2, 0, 1]);
    expect(t.reply(0, 'old')).toBe('pending');
    expect(t.reply(2, 'new')).toBe('met');
    expect(t.value).toBe('new');
  });

  it('DC_SAFE_QUORUM needs a quorum of equal replies (deep equality) and fails QuorumMismatch otherwise', () => {
    const t = new ReadTally('DC_SAFE_QUORUM', racks(3), [0, 1, 2]);
    t.reply(0, ['a', Buffer.from('b')]);
    expect(t.reply(1, ['a', Buffer.from('c')])).toBe('pending');
    expect(t.reply(2, ['a', Buffer.from('b')])).toBe('met');
    expect(t.value).toEqual(['a', Buffer.from('b')]);

    const u = new ReadTally('DC_SAFE_QUORUM', racks(2), [0, 1]);
    u.reply(0, 'one');
    expect(u.reply(1, 'two')).toBe('missed');
    const err = u.error('get');
    expect(err).toMatchObject({ kind: 'QuorumMismatch', level: 'DC_SAFE_QUORUM', needed: 2, missing: [] });
    expect(err.answered.map((a) => a.rack)).toEqual(['rack1', 'rack2']);
  });

  it('is missed with QuorumNotReached when too few racks can still reply', () => {
    const t = new ReadTally('DC_QUORUM', racks(3), [0, 1, 2]);
    expect(t.fail(0, 'unreachable', 'node 0 is down')).toBe('pending');
    expect(t.reply(1, 'v')).toBe('pending');
    expect(t.fail(2, 'error', 'WRONGTYPE')).toBe('missed');
    const err = t.error('get');
    expect(err.kind).toBe('QuorumNotReached');
    expect(err.message).toContain('not: rack1 (unreachable: node 0 is down), rack3 (error: WRONGTYPE)');
  });

  it('on a single-rack datacenter, the quorum is that rack', () => {
    const t = new ReadTally('DC_SAFE_QUORUM', racks(1), [0]);
    expect(t.reply(0, 'only')).toBe('met');
    expect(t.value).toBe('only');
  });
});
