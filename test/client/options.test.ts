/**
 * `DynoClient.connect`'s option checks (`resolveOptions`): defaults filled
 * in from `CLIENT_DEFAULTS`, every bad value refused with a TypeError or
 * RangeError naming the option, a misspelt option refused with what it was
 * probably meant to be, and coordinator-only options refused without
 * `nodes: 'redis'`, where they would do nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CLIENT_DEFAULTS, resolveOptions, type ClientOptions } from '../../src/client/options.js';
import { DurableHintStore, DurableStoreError } from '../../src/durable.js';
import { HintStore } from '../../src/index.js';

const seeds = ['127.0.0.1:8101:rack1:dc1:0'];
const resolve = (o: Record<string, unknown>) => resolveOptions({ seeds, ...o } as ClientOptions);

describe('resolveOptions', () => {
  it('fills in every default', () => {
    const out = resolve({});
    for (const [name, value] of Object.entries(CLIENT_DEFAULTS)) expect(out[name as keyof typeof out], name).toEqual(value);
    expect(out.seeds).toEqual(seeds);
  });

  it('refuses a misspelt option, saying what it was probably meant to be', () => {
    expect(() => resolve({ hinttlms: 5 })).toThrow(
      new TypeError("unknown option 'hinttlms': did you mean hintTtlMs? (docs/client.md lists the options)"),
    );
    expect(() => resolve({ commandTimeoutMS: 5 })).toThrow(/did you mean commandTimeoutMs\?/);
    expect(() => resolve({ localRak: 'r' })).toThrow(/did you mean localRack\?/);
    expect(() => resolve({ writeConsistancy: 'DC_ONE' })).toThrow(/did you mean writeConsistency\?/);
  });

  it('ignores, with a warning, an option that is no near miss of one (a config object shared with other settings)', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      expect(resolve({ hintTTL: 5, enabled: true }).seeds).toEqual(seeds);
      expect(warn.mock.calls.map((c) => [c[0], (c[1] as { code: string }).code])).toEqual([
        ["DynoClient.connect: unknown option 'hintTTL' is ignored (docs/client.md lists the options)", 'DYNORING_UNKNOWN_OPTION'],
        ["DynoClient.connect: unknown option 'enabled' is ignored (docs/client.md lists the options)", 'DYNORING_UNKNOWN_OPTION'],
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('accepts the documented defaults spread into the options', () => {
    // A program that starts from the public defaults and overrides one: every key is a known option with its default value.
    expect(() => resolveOptions({ ...CLIENT_DEFAULTS, seeds, commandTimeoutMs: 500 })).not.toThrow();
  });

  it('accepts options it has resolved itself (idempotent)', () => {
    const once = resolveOptions({ seeds });
    expect(() => resolveOptions(once)).not.toThrow();
  });

  it('decides the mode and the coordinator-only check from the same (own) keys', () => {
    // nodes inherited from a prototype: the check reads it (options.nodes), the copy does not (Object.entries).
    const base = Object.create({ nodes: 'redis' }) as ClientOptions;
    Object.assign(base, { seeds, hintTtlMs: 5 });
    let out: ReturnType<typeof resolveOptions> | undefined;
    try {
      out = resolveOptions(base);
    } catch {
      return; // refused: consistent with the copy
    }
    // Not refused: then the resolved mode should be the one the check assumed.
    expect(out.nodes).toBe('redis');
  });

  it('accepts a class instance the compiler accepts as ClientOptions (an extra own field)', () => {
    class AppConfig implements ClientOptions {
      seeds = seeds;
      nodes = 'dynomite' as const;
      // An application field: TypeScript checks no excess properties here, and passing it compiles.
      private readonly source = 'env';
      describe() {
        return this.source;
      }
    }
    expect(() => resolveOptions(new AppConfig())).not.toThrow();
  });

  it("refuses coordinator-mode options without nodes: 'redis', where they would do nothing", () => {
    expect(() => resolve({ writeConsistency: 'DC_QUORUM' })).toThrow(
      new TypeError(
        "writeConsistency is an option of coordinator mode: pass nodes: 'redis' (with Dynomite nodes, the server's own consistency applies: see the consistency option)",
      ),
    );
    expect(() => resolve({ readConsistency: 'DC_QUORUM', hintTtlMs: 5 })).toThrow(
      /^hintTtlMs, readConsistency are options of coordinator mode/,
    );
    expect(() => resolve({ hintReplayWindow: 4, nodes: 'dynomite' })).toThrow(/hintReplayWindow is an option of coordinator mode/);
    expect(() => resolve({ hints: new HintStore() })).toThrow(/hints are kept only in coordinator mode: pass nodes: 'redis'/);
    expect(resolve({ nodes: 'redis', writeConsistency: 'DC_QUORUM', hintReplayWindow: 4 })).toMatchObject({
      writeConsistency: 'DC_QUORUM',
      hintReplayWindow: 4,
    });
  });

  it('refuses bad values, naming the option', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ maxAttempts: 0 }, /maxAttempts must be an integer of at least 1, got 0/],
      [{ commandTimeoutMs: -1 }, /commandTimeoutMs must be a positive number of milliseconds/],
      [{ refreshIntervalMs: Number.NaN }, /refreshIntervalMs must be 0 \(off\) or a positive number/],
      [{ nodes: 'redis', hintTtlMs: 0 }, /hintTtlMs must be a number of milliseconds of at least 1/],
      [{ nodes: 'redis', hintReplayWindow: 0 }, /hintReplayWindow must be an integer from 1 to 65536, got 0/],
      [{ nodes: 'redis', hintReplayWindow: 1.5 }, /hintReplayWindow must be an integer/],
      [{ nodes: 'memcached' }, /nodes must be 'dynomite' or 'redis'/],
      [
        { nodes: 'redis', writeConsistency: 'dc_quorum' },
        /writeConsistency must be one of DC_ONE, DC_QUORUM, DC_SAFE_QUORUM, got 'dc_quorum'/,
      ],
      [{ nodes: 'redis', consistency: 'DC_ONE' }, /use readConsistency and writeConsistency/],
      [{ nodes: 'redis', hints: {} }, /hints must be a HintStore or a DurableHintStore/],
    ];
    for (const [options, message] of cases) expect(() => resolve(options), JSON.stringify(options)).toThrow(message);
  });

  it('refuses a hint store that is already closed, with the store error a closed store gives', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dynoring-options-'));
    try {
      const store = await DurableHintStore.open(join(dir, 'hints'));
      expect(resolve({ nodes: 'redis', hints: store }).hints).toBe(store);
      await store.close();
      let err: unknown;
      try {
        resolve({ nodes: 'redis', hints: store });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DurableStoreError);
      expect(err).toMatchObject({ kind: 'Closed', path: join(dir, 'hints') });
      expect((err as Error).message).toBe(
        `hint store ${join(dir, 'hints')} is closed; open it again (DurableHintStore.open) and use the new one`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
