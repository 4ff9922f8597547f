/**
 * Issue 12 item 9: `maxBytes` bounds the memory held for payloads, measured
 * as V8 sees it (`process.memoryUsage().arrayBuffers` after a full GC).
 * The GC is exposed in this test's own worker (`v8.setFlagsFromString` plus
 * a fresh context, the way the `expose-gc` package does it), so the test
 * runs over the sources with no build and no child process.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { HintStore } from '../../../src/hints/index.js';

setFlagsFromString('--expose-gc');
const gc = (globalThis.gc ?? runInNewContext('gc')) as () => void;

function arrayBuffersAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
}

const MiB = 1024 * 1024;

describe('HintStore memory', () => {
  it('holds at most 2 x maxBytes + a small constant of ArrayBuffers when long-lived hints are scattered among short-lived ones', () => {
    const maxBytes = MiB;
    let clock = 0;
    const baseline = arrayBuffersAfterGc();
    const store = new HintStore({ maxBytes, now: () => clock });
    const payload = new Uint8Array(16);
    let longLived = 0;
    let peak = 0;
    // Fill the cap with 16-byte hints, one in every 64 long-lived (one per KiB
    // of slab), expire the rest, and again, until 16,000 live ones are
    // scattered over everything ever written: before compaction they pinned
    // 16 MiB of slabs.
    for (let round = 0; longLived < 16_000; round++) {
      const room = (maxBytes - store.stats().bytes) / 16;
      for (let i = 0; i < room; i++) {
        const keep = i % 64 === 0;
        payload.fill(keep ? 1 : 2);
        store.enqueue(round % 3, payload, keep ? 1e12 : 1);
        if (keep) longLived++;
      }
      peak = Math.max(peak, store.stats().heldBytes);
      clock += 2;
      store.expireNow();
    }
    expect(store.stats().hintCount).toBe(longLived);
    expect(store.stats().bytes).toBe(longLived * 16);
    const held = arrayBuffersAfterGc() - baseline;
    // 2 x maxBytes + one 16 KiB slab for payloads, plus the index: about 48
    // bytes per live hint in typed arrays sized to a power of two (<= 1 MiB here).
    expect(held).toBeLessThanOrEqual(2 * maxBytes + 16 * 1024 + MiB);
    expect(store.stats().heldBytes).toBeLessThanOrEqual(2 * maxBytes + 16 * 1024);
    expect(peak).toBeLessThanOrEqual(2 * maxBytes + 16 * 1024);
    // Compaction moved the survivors; every one still has its own bytes.
    for (const peer of store.peersWithHints()) {
      for (const hint of store.takeFor(peer)) expect(hint.payload).toEqual(new Uint8Array(16).fill(1));
    }
    expect(store.stats().heldBytes).toBe(0);
  });

  it('holds at most 2 x maxBytes + a small constant with mixed sizes, drains and takes', async () => {
    const maxBytes = 4 * MiB;
    let clock = 0;
    const baseline = arrayBuffersAfterGc();
    const store = new HintStore({ maxBytes, now: () => clock });
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    const sizes = [1, 16, 100, 700, 1_024, 1_025, 3_000, 16_384];
    let peak = 0;
    for (let round = 0; round < 200; round++) {
      for (let n = 0; n < 400; n++) {
        const size = sizes[random(sizes.length)]!;
        if (store.stats().bytes + size > maxBytes) break;
        store.enqueue(random(50), new Uint8Array(size).fill(size & 0xff), random(10) === 0 ? 1e12 : 1 + random(5));
      }
      peak = Math.max(peak, store.stats().heldBytes);
      clock += 3;
      store.expireNow();
      const peer = random(50);
      if (round % 3 === 0) store.takeFor(peer);
      else await store.drain(peer, async (hint) => expect(hint.payload[0]).toBe(hint.payload.length & 0xff));
    }
    const held = arrayBuffersAfterGc() - baseline;
    expect(peak).toBeLessThanOrEqual(2 * maxBytes + 16 * 1024);
    expect(held).toBeLessThanOrEqual(2 * maxBytes + 16 * 1024 + MiB);
    for (const peer of store.peersWithHints()) {
      for (const hint of store.takeFor(peer)) expect(hint.payload.every((b) => b === (hint.payload.length & 0xff))).toBe(true);
    }
  });
});
