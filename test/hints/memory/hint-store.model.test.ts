/**
 * Model test: random sequences of every HintStore operation and clock moves,
 * checked after each step against a plain reference model (arrays per peer).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HintStoreError } from '../../../src/errors.js';
import { HintStore, type Hint } from '../../../src/hints/index.js';

const PEERS = [0, 1, 2, 0xffff_ffff];

type Op =
  | { op: 'enqueue'; peer: number; size: number; ttl: number }
  | { op: 'takeFor'; peer: number }
  | { op: 'expireNow'; at: number | undefined }
  | { op: 'advance'; ms: number }
  | { op: 'requeue'; batch: number; skip: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('enqueue' as const),
      peer: fc.constantFrom(...PEERS),
      size: fc.integer({ min: 0, max: 40 }),
      ttl: fc.constantFrom(0, 1e-12, 0.5, 1, 3, 10, 25, -1, Number.NaN),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('takeFor' as const), peer: fc.constantFrom(...PEERS) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('expireNow' as const), at: fc.option(fc.integer({ min: -5, max: 30 }), { nil: undefined }) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.constantFrom(0, 0.5, 1, 2, 5, 10) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('requeue' as const), batch: fc.nat(5), skip: fc.nat(3) }),
  },
);

interface ModelHint {
  peer: number;
  payload: Uint8Array;
  deadline: number;
}

class Model {
  queues = new Map<number, ModelHint[]>();
  bytes = 0;
  /** The most bytes ever stored. */
  peak = 0;
  expiredTotal = 0;
  rejected = 0;
  constructor(readonly maxBytes: number) {}

  count(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.length;
    return n;
  }

  private drop(peer: number, keep: (h: ModelHint) => boolean): ModelHint[] {
    const q = this.queues.get(peer) ?? [];
    const kept = q.filter(keep);
    const dropped = q.filter((h) => !keep(h));
    for (const h of dropped) this.bytes -= h.payload.length;
    if (kept.length === 0) this.queues.delete(peer);
    else this.queues.set(peer, kept);
    return dropped;
  }

  expire(now: number): number {
    let n = 0;
    for (const peer of [...this.queues.keys()]) n += this.drop(peer, (h) => h.deadline > now).length;
    this.expiredTotal += n;
    return n;
  }

  take(peer: number, now: number): ModelHint[] {
    this.expiredTotal += this.drop(peer, (h) => h.deadline > now).length;
    return this.drop(peer, () => false);
  }

  push(hints: ModelHint[], front: boolean): void {
    if (hints.length === 0) return;
    const peer = hints[0]!.peer;
    const q = this.queues.get(peer) ?? [];
    this.queues.set(peer, front ? [...hints, ...q] : [...q, ...hints]);
    for (const h of hints) this.bytes += h.payload.length;
    this.peak = Math.max(this.peak, this.bytes);
  }
}

function plain(hints: readonly Hint[]): ModelHint[] {
  return hints.map((h) => ({ peer: h.peer, payload: Uint8Array.from(h.payload), deadline: h.deadline }));
}

/**
 * Like a drainer whose delivery failed part way: of one batch taken earlier,
 * the first `skip` hints were delivered and the rest go back to the front.
 */
function requeueHeld(store: HintStore, model: Model, held: Hint[][], step: { batch: number; skip: number }, now: number): void {
  if (held.length === 0) return;
  const [batch] = held.splice(step.batch % held.length, 1);
  const rest = batch!.slice(Math.min(step.skip, batch!.length - 1));
  const live = plain(rest).filter((h) => h.deadline > now);
  expect(store.requeueFront(rest[0]!.peer, rest)).toBe(live.length);
  model.expiredTotal += rest.length - live.length;
  model.push(live, true);
}

/**
 * The memory bound of issue 12 item 9: payload buffers within twice the cap
 * (uncapped: twice the most bytes ever stored) plus one slab.
 */
function checkHeld(store: HintStore, peak: number): void {
  const { heldBytes, bytes, maxBytes } = store.stats();
  expect(heldBytes).toBeGreaterThanOrEqual(bytes);
  expect(heldBytes).toBeLessThanOrEqual(2 * (maxBytes > 0 ? Math.max(maxBytes, bytes) : peak) + 16 * 1024);
}

function check(store: HintStore, model: Model): void {
  expect(store.stats()).toMatchObject({
    hintCount: model.count(),
    bytes: model.bytes,
    maxBytes: model.maxBytes,
    expiredTotal: model.expiredTotal,
    rejectedOverCapacityTotal: model.rejected,
  });
  checkHeld(store, model.peak);
  expect(store.totalLen()).toBe(model.count());
  expect(store.peersWithHints()).toEqual([...model.queues.keys()].sort((a, b) => a - b));
  for (const peer of PEERS) expect(store.lenFor(peer)).toBe(model.queues.get(peer)?.length ?? 0);
}

describe('HintStore model test', () => {
  it('matches a reference model over random operation sequences', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 30, 100), fc.array(opArb, { minLength: 10, maxLength: 150, size: 'max' }), (maxBytes, ops) => {
        let now = 100;
        let serial = 0;
        const store = new HintStore({ maxBytes: maxBytes, now: () => now });
        const model = new Model(maxBytes);
        // Batches taken out (as the store returned them), available to requeue.
        const held: Hint[][] = [];
        for (const step of ops) {
          switch (step.op) {
            case 'enqueue': {
              const source = new Uint8Array(step.size).map((_, i) => (serial + i) & 0xff);
              serial++;
              const copy = Uint8Array.from(source);
              const expected = !(step.ttl >= 0)
                ? RangeError
                : step.ttl < 1
                  ? 'ZeroTtl'
                  : step.size === 0
                    ? 'EmptyPayload'
                    : maxBytes > 0 && model.bytes + step.size > maxBytes
                      ? 'OverCapacity'
                      : null;
              let thrown: unknown = null;
              try {
                store.enqueue(step.peer, source, step.ttl);
              } catch (error) {
                thrown = error;
              }
              source.fill(0xee); // the store must have its own copy
              if (expected === null) {
                expect(thrown).toBeNull();
                model.push([{ peer: step.peer, payload: copy, deadline: now + step.ttl }], false);
              } else if (expected === RangeError) {
                expect(thrown).toBeInstanceOf(RangeError);
              } else {
                expect(thrown).toBeInstanceOf(HintStoreError);
                expect((thrown as HintStoreError).kind).toBe(expected);
                if (expected === 'OverCapacity') model.rejected++;
              }
              if (expected === null && maxBytes > 0) expect(store.stats().bytes).toBeLessThanOrEqual(maxBytes);
              break;
            }
            case 'takeFor': {
              const got = store.takeFor(step.peer);
              expect(plain(got)).toEqual(model.take(step.peer, now));
              if (got.length > 0) held.push(got);
              break;
            }
            case 'expireNow': {
              const at = step.at === undefined ? now : now + step.at;
              expect(store.expireNow(step.at === undefined ? undefined : at)).toBe(model.expire(at));
              break;
            }
            case 'advance':
              now += step.ms;
              break;
            case 'requeue':
              requeueHeld(store, model, held, step, now);
              break;
          }
          check(store, model);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stays exact over long runs that exercise tombstone and heap compaction', () => {
    // Mixed TTLs on few peers expire hints out of order (queue tombstones);
    // thousands of taken hints leave stale heap slots to compact.
    const longOps = fc.array(
      fc.oneof(
        {
          weight: 300,
          arbitrary: fc.record({
            op: fc.constant('enqueue' as const),
            peer: fc.constantFrom(0, 1),
            size: fc.constant(1),
            ttl: fc.constantFrom(1, 400),
          }),
        },
        { weight: 40, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.constant(1) }) },
        { weight: 10, arbitrary: fc.record({ op: fc.constant('expireNow' as const), at: fc.constant(undefined) }) },
        { weight: 1, arbitrary: fc.record({ op: fc.constant('takeFor' as const), peer: fc.constantFrom(0, 1) }) },
      ),
      { minLength: 3_000, maxLength: 6_000 },
    );
    fc.assert(
      fc.property(longOps, (ops) => {
        let now = 0;
        const store = new HintStore({ maxBytes: 0, now: () => now });
        const model = new Model(0);
        for (const step of ops) {
          if (step.op === 'enqueue') {
            store.enqueue(step.peer, Uint8Array.of(step.ttl), step.ttl);
            model.push([{ peer: step.peer, payload: Uint8Array.of(step.ttl), deadline: now + step.ttl }], false);
          } else if (step.op === 'advance') now += step.ms;
          else if (step.op === 'expireNow') expect(store.expireNow()).toBe(model.expire(now));
          else expect(plain(store.takeFor(step.peer))).toEqual(model.take(step.peer, now));
        }
        check(store, model);
        expect(plain(store.takeFor(0))).toEqual(model.take(0, now));
        // Every hint left must be found by the deadline heap, then none is left.
        expect(store.expireNow(now + 1_000)).toBe(model.expire(now + 1_000));
        check(store, model);
      }),
      { numRuns: 15 },
    );
  });

  it('matches the model with many peers and spread-out deadlines', () => {
    // Many queues with interleaved deadlines exercise the heap of peers: takes
    // remove queues from its middle, expiries reorder it.
    const manyPeers = Array.from({ length: 24 }, (_, i) => i * 7);
    const ops = fc.array(
      fc.oneof(
        {
          weight: 8,
          arbitrary: fc.record({
            op: fc.constant('enqueue' as const),
            peer: fc.constantFrom(...manyPeers),
            size: fc.integer({ min: 1, max: 9 }),
            ttl: fc.integer({ min: 1, max: 60 }),
          }),
        },
        { weight: 1, arbitrary: fc.record({ op: fc.constant('takeFor' as const), peer: fc.constantFrom(...manyPeers) }) },
        {
          weight: 1,
          arbitrary: fc.record({
            op: fc.constant('expireNow' as const),
            at: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
          }),
        },
        { weight: 2, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 6 }) }) },
        { weight: 1, arbitrary: fc.record({ op: fc.constant('requeue' as const), batch: fc.nat(5), skip: fc.nat(3) }) },
      ),
      { minLength: 50, maxLength: 600 },
    );
    fc.assert(
      fc.property(ops, (steps) => {
        let now = 0;
        const store = new HintStore({ maxBytes: 0, now: () => now });
        const model = new Model(0);
        const held: Hint[][] = [];
        for (const step of steps) {
          if (step.op === 'enqueue') {
            const payload = new Uint8Array(step.size).fill(step.ttl);
            store.enqueue(step.peer, payload, step.ttl);
            model.push([{ peer: step.peer, payload, deadline: now + step.ttl }], false);
          } else if (step.op === 'takeFor') {
            const got = store.takeFor(step.peer);
            expect(plain(got)).toEqual(model.take(step.peer, now));
            if (got.length > 0) held.push(got);
          } else if (step.op === 'expireNow') {
            const at = step.at === undefined ? now : now + step.at;
            expect(store.expireNow(at)).toBe(model.expire(at));
          } else if (step.op === 'advance') now += step.ms;
          else requeueHeld(store, model, held, step, now);
        }
        expect(store.stats()).toMatchObject({
          hintCount: model.count(),
          bytes: model.bytes,
          maxBytes: 0,
          expiredTotal: model.expiredTotal,
          rejectedOverCapacityTotal: 0,
        });
        checkHeld(store, model.peak);
        expect(store.peersWithHints()).toEqual([...model.queues.keys()].sort((a, b) => a - b));
        for (const peer of manyPeers) expect(store.lenFor(peer)).toBe(model.queues.get(peer)?.length ?? 0);
        // Every hint left is found by expiry, then nothing is.
        expect(store.expireNow(now + 1_000)).toBe(model.expire(now + 1_000));
        expect(store.totalLen()).toBe(0);
      }),
      { numRuns: 100 },
    );
  });
});
