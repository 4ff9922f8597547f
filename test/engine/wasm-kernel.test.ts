import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWasmEngine } from '../../src/engine/engines.js';
import { jsKernel } from '../../src/engine/js-kernel.js';
import { layoutFor, type ContinuumData, type CoverageInput } from '../../src/engine/kernel.js';
import { WASM_BASE64 } from '../../src/engine/wasm-binary.generated.js';
import { wasmKernel } from '../../src/engine/wasm-kernel.js';
import { EngineError } from '../../src/errors.js';
import { xorshift } from '../helpers/random.js';

/** A continuum of `n` entries with xorshift tokens over 50 peers. */
function continuum(n: number, seed: number): ContinuumData {
  const next = xorshift(seed);
  const tokens = Uint32Array.from({ length: n }, next).sort();
  return { tokens, peers: Uint32Array.from(tokens, (_, i) => i % 50), layout: layoutFor(n) };
}

const queries = (count: number) => Uint32Array.from({ length: count }, (_, i) => Math.imul(i, 2654435761) >>> 0);

describe('the ABI is read from the module', () => {
  const instance = () => new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64')), {});
  /** The real module's exports with some constants replaced. */
  const tampered = (globals: Record<string, { value: number } | undefined>) =>
    ({ exports: { ...instance().exports, ...globals } }) as unknown as WebAssembly.Instance;

  it('accepts the module built from assembly/', () => {
    expect(() => wasmKernel(instance())).not.toThrow();
  });

  it('refuses a module whose hash ids, hash count or SIMD limit differ from the library', () => {
    expect(() => wasmKernel(tampered({ HASH_MD5: { value: 7 } }))).toThrow(EngineError);
    expect(() => wasmKernel(tampered({ HASH_MD5: { value: 7 } }))).toThrow("the id of hash 'md5' (7 against 1)");
    expect(() => wasmKernel(tampered({ HASH_COUNT: { value: 13 } }))).toThrow('the number of hash functions');
    expect(() => wasmKernel(tampered({ SIMD_MAX: { value: 4 } }))).toThrow('largest SIMD-layout continuum');
    expect(() => wasmKernel(tampered({ STREE_FANOUT: undefined }))).toThrow('exports no constant STREE_FANOUT');
  });
});

describe('a continuum too big for the resident region', () => {
  it('stays in the large slot: uploaded once for any number of single and batch dispatches', () => {
    // 20,000 entries make an S-tree of about 170 KiB, over a 64 KiB resident region.
    const engine = createWasmEngine({ residentBytes: 64 << 10 });
    const big = continuum(20_000, 1);
    const small = continuum(100, 2);
    const q = queries(5_000);
    const expected = Uint32Array.from(q, (t) => jsKernel.dispatch(big, t));
    for (let i = 0; i < 2_000; i++) expect(engine.dispatch(big, q[i]!)).toBe(expected[i]);
    // A small continuum in between lives in the resident region and evicts nothing.
    expect(engine.dispatch(small, 42)).toBe(jsKernel.dispatch(small, 42));
    const out = new Uint32Array(q.length);
    engine.dispatchBatch(big, q, out);
    expect(out).toEqual(expected);
    expect(engine.memoryStats().uploads).toBe(2);
    // Another big one takes the slot; the first is uploaded again when it returns.
    const other = continuum(30_000, 3);
    expect(engine.dispatch(other, 7)).toBe(jsKernel.dispatch(other, 7));
    expect(engine.dispatch(big, 7)).toBe(jsKernel.dispatch(big, 7));
    expect(engine.memoryStats().uploads).toBe(4);
  });

  it('routes through a route table bigger than the resident region', () => {
    const engine = createWasmEngine({ residentBytes: 64 << 10 });
    const table = { racks: [continuum(20_000, 4), continuum(5, 5), continuum(9_000, 6)] };
    const bytes = new TextEncoder().encode('abcdefghijklmnopqrstuvwxyz'.repeat(40));
    const offsets = Uint32Array.from({ length: 261 }, (_, i) => i * 4);
    const h = { hashId: 10, tagOpen: -1, tagClose: -1 };
    const want = new Uint32Array(260 * 3);
    jsKernel.routeKeys(table, h, bytes, offsets, want);
    for (let i = 0; i < 3; i++) {
      const got = new Uint32Array(260 * 3);
      engine.routeKeys(table, h, bytes, offsets, got);
      expect(got).toEqual(want);
    }
    expect(engine.memoryStats().uploads).toBe(1);
  });
});

describe('addresses past 2^31', () => {
  it('dispatch, hash and scan with scratch memory above 2 GiB (no 32-bit wrap)', () => {
    // A resident region of 2 GiB puts the large slot and scratch above 2^31.
    // Untouched pages of grown memory cost no RAM.
    const engine = createWasmEngine({ residentBytes: 2 ** 31 });
    const c = continuum(20_000, 7);
    const q = queries(40_000);
    const out = new Uint32Array(q.length);
    engine.dispatchBatch(c, q, out);
    expect(out).toEqual(Uint32Array.from(q, (t) => jsKernel.dispatch(c, t)));
    const input: CoverageInput = {
      groups: Uint32Array.from({ length: 3000 }, (_, i) => i % 3),
      tokens: Uint32Array.from({ length: 3000 }, (_, i) => (i * 7) % 1000),
      peers: Uint32Array.from({ length: 3000 }, (_, i) => i % 5),
    };
    expect(engine.findOverlaps(input)).toEqual(jsKernel.findOverlaps(input));
    expect(engine.memoryStats().memoryBytes).toBeGreaterThan(2 ** 31);
  });
});

describe('a duplicate scan larger than its chunk', () => {
  const entry = fc.record({
    group: fc.integer({ min: 0, max: 3 }),
    // Skewed: many tokens share their top byte, some share all of it.
    token: fc.oneof(fc.constantFrom(0, 1, 255, 256, 0xffffffff, 0x12345678), fc.integer({ min: 0, max: 2000 }), fc.nat()),
    peer: fc.integer({ min: 0, max: 6 }),
  });
  const asInput = (entries: { group: number; token: number; peer: number }[]): CoverageInput => ({
    groups: Uint32Array.from(entries, (e) => e.group),
    tokens: Uint32Array.from(entries, (e) => e.token >>> 0),
    peers: Uint32Array.from(entries, (e) => e.peer),
  });

  it('is split by token range and finds exactly what one scan finds', () => {
    const engine = createWasmEngine({ coverageEntries: 16 });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 400 }), (entries) => {
        const input = asInput(entries);
        expect(engine.findOverlaps(input)).toEqual(jsKernel.findOverlaps(input));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps its memory within one chunk whatever the input size', () => {
    const engine = createWasmEngine({ coverageEntries: 1024 });
    engine.findOverlaps(asInput([{ group: 0, token: 1, peer: 0 }]));
    const before = engine.memoryStats().memoryBytes;
    const n = 300_000;
    const input: CoverageInput = {
      groups: Uint32Array.from({ length: n }, (_, i) => i % 4),
      tokens: Uint32Array.from({ length: n }, (_, i) => Math.imul(i >>> 1, 2654435761) >>> 0),
      peers: Uint32Array.from({ length: n }, (_, i) => i % 9),
    };
    expect(engine.findOverlaps(input)).toEqual(jsKernel.findOverlaps(input));
    // One scan of the whole input would have needed 40 bytes per entry, 12 MB.
    expect(engine.memoryStats().memoryBytes - before).toBeLessThanOrEqual(1 << 20);
  });
});
