/**
 * Edge cases of the store's internal layout (per-peer rings of typed-array
 * slots with int32 positions, per-peer deadline heaps, a heap of peers,
 * payload slabs), checked through the public API only.
 */
import { describe, expect, it } from 'vitest';
import { HintStore } from '../../../src/hints/index.js';

function storeAt(maxBytes: number, start = 1_000) {
  const clock = { t: start };
  return { store: new HintStore({ maxBytes: maxBytes, now: () => clock.t }), clock };
}

/** A payload whose bytes say which hint it is. */
const tagged = (tag: number, size = 3) => new Uint8Array(size).fill(tag & 0xff).map((b, i) => (i === 0 ? tag >> 8 : b));
const tagOf = (payload: Uint8Array) => (payload[0]! << 8) | payload[payload.length - 1]!;

describe('HintStore layout edge cases', () => {
  it('hands taken payloads over: later hints for the same peer do not overwrite them', () => {
    const { store } = storeAt(0);
    for (let i = 0; i < 50; i++) store.enqueue(5, tagged(i, 100), 1_000);
    const first = store.takeFor(5);
    for (let i = 50; i < 400; i++) store.enqueue(5, tagged(i, 100), 1_000);
    const second = store.takeFor(5);
    expect(first.map((h) => tagOf(h.payload))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(second.map((h) => tagOf(h.payload))).toEqual(Array.from({ length: 350 }, (_, i) => i + 50));
    expect(first.every((h) => h.payload.length === 100 && h.payload.subarray(1, 99).every((b) => b === tagOf(h.payload) % 256))).toBe(true);
  });

  it('compacts tombstones left by out-of-order expiry, keeping order, bytes and later expiries', () => {
    const { store, clock } = storeAt(0);
    // Every 10th hint lives long; the rest expire at 1010, out of order behind the first.
    for (let i = 0; i < 300; i++) store.enqueue(1, tagged(i), i % 10 === 0 ? 500 + i : 10);
    clock.t = 1_010;
    expect(store.expireNow()).toBe(270);
    expect(store.stats()).toMatchObject({ hintCount: 30, bytes: 90, expiredTotal: 270 });
    expect(store.lenFor(1)).toBe(30);
    expect(store.takeFor(1).map((h) => tagOf(h.payload))).toEqual(Array.from({ length: 30 }, (_, i) => i * 10));
    // Again, then use both ends of the compacted queue and its rebuilt deadline heap.
    for (let i = 0; i < 300; i++) store.enqueue(1, tagged(i), i % 10 === 0 ? 500 + i : 10);
    clock.t = 1_020;
    expect(store.expireNow()).toBe(270);
    store.enqueue(1, tagged(1_000), 5);
    expect(store.requeueFront(1, [{ peer: 1, payload: tagged(2_000), deadline: 1_025 }])).toBe(1);
    // Deadlines: the requeued hint 1025, the long ones 1510 + i, the new one 1025.
    expect(store.expireNow(1_025)).toBe(2);
    expect(store.expireNow(1_620)).toBe(12);
    expect(store.takeFor(1).map((h) => tagOf(h.payload))).toEqual(Array.from({ length: 18 }, (_, i) => 120 + i * 10));
    expect(store.stats()).toMatchObject({ hintCount: 0, bytes: 0, expiredTotal: 270 * 2 + 14 });
  });

  it('grows the ring while requeued hints take positions below zero, and expires them by deadline', () => {
    const { store, clock } = storeAt(0);
    for (let i = 0; i < 40; i++) store.enqueue(2, tagged(i), 100 + (i % 7));
    const taken = store.takeFor(2);
    for (let i = 40; i < 45; i++) store.enqueue(2, tagged(i), 1_000);
    clock.t = 1_050;
    // 40 hints go in front of 5 in a queue of 16 slots: it grows twice with its head below zero.
    expect(store.requeueFront(2, taken)).toBe(40);
    expect(store.lenFor(2)).toBe(45);
    const due = taken.filter((h) => h.deadline <= 1_103).length;
    expect(store.expireNow(1_103)).toBe(due);
    expect(store.takeFor(2).map((h) => tagOf(h.payload))).toEqual([
      ...taken.filter((h) => h.deadline > 1_103).map((h) => tagOf(h.payload)),
      40,
      41,
      42,
      43,
      44,
    ]);
  });

  it('shrinks after a burst expires in order and keeps working', () => {
    const { store } = storeAt(0);
    for (let i = 0; i < 5_000; i++) store.enqueue(3, tagged(i), 1 + i);
    let dropped = 0;
    for (const t of [1_001, 1_500, 2_500, 4_000, 5_990]) dropped += store.expireNow(t);
    expect(dropped).toBe(4_990);
    expect(store.stats()).toMatchObject({ hintCount: 10, bytes: 30 });
    store.enqueue(3, tagged(9_999), 10_000);
    expect(store.requeueFront(3, [{ peer: 3, payload: tagged(8_888), deadline: 9_000 }])).toBe(1);
    expect(store.takeFor(3).map((h) => tagOf(h.payload))).toEqual([
      8_888, 4_990, 4_991, 4_992, 4_993, 4_994, 4_995, 4_996, 4_997, 4_998, 4_999, 9_999,
    ]);
  });

  it('keeps expiring the right peers after queues leave the deadline order from its middle', () => {
    const { store } = storeAt(0);
    const deadlines = new Map<number, number[]>();
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % 1_000;
    for (let i = 0; i < 2_000; i++) {
      const peer = next() % 60;
      const ttl = 1 + next();
      store.enqueue(peer, tagged(i), ttl);
      deadlines.set(peer, [...(deadlines.get(peer) ?? []), 1_000 + ttl]);
    }
    for (let peer = 0; peer < 60; peer += 3) {
      expect(store.takeFor(peer)).toHaveLength(deadlines.get(peer)?.length ?? 0);
      deadlines.delete(peer);
    }
    for (let t = 1_000; t <= 2_000; t += 37) {
      let due = 0;
      for (const [peer, list] of deadlines) {
        const kept = list.filter((d) => d > t);
        due += list.length - kept.length;
        if (kept.length > 0) deadlines.set(peer, kept);
        else deadlines.delete(peer);
      }
      expect(store.expireNow(t)).toBe(due);
      expect(store.peersWithHints()).toEqual([...deadlines.keys()].sort((a, b) => a - b));
    }
  });

  it('keeps the peers in deadline order when a take moves a later-added queue up', () => {
    const { store } = storeAt(0);
    // One hint per peer, added in this order, lays the heap of peers out as
    // [1, 50, 2, 60, 70, 3, 4]; taking the 70 moves the 4 under the 50, from
    // where it must rise.
    const ttls = [1, 50, 2, 60, 70, 3, 4];
    ttls.forEach((ttl, peer) => store.enqueue(peer, tagged(ttl), ttl));
    expect(store.takeFor(4)).toHaveLength(1);
    expect(store.expireNow(1_004)).toBe(4);
    expect(store.peersWithHints()).toEqual([1, 3]);
  });
});
