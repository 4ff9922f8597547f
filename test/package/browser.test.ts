/**
 * The built browser bundle (dist/browser.js, not the sources) in headless
 * Chromium: it loads the WebAssembly engine and computes what Node computes,
 * bit for bit, on the reference vectors.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as node from '../../src/index.js';
import type { HashName } from '../../src/index.js';
import { prepareBrowserBundle } from '../../src/cli/report/render-html.js';
import { vectors } from '../helpers/vectors.js';
import { CHROMIUM_PROGRAM, launchChromium, type Chromium } from '../helpers/chromium.js';
import { available } from '../helpers/programs.js';
import { builtFile } from '../helpers/dist.js';
import { serve, type StaticServer } from '../helpers/http-server.js';

type Lib = typeof node;
/** Runs `fn(lib, arg)` in the page with the bundle imported and ready; `fn` must be self-contained. */
type InPage = <A, R>(fn: (lib: Lib, arg: A) => R | Promise<R>, arg: A) => Promise<Awaited<R>>;

const bundleSource = readFileSync(builtFile('browser.js'), 'utf8');
const clusterYaml = readFileSync(new URL('../../examples/report/three-racks.yml', import.meta.url), 'utf8');

const HAVE_CHROMIUM = available(import.meta.url, CHROMIUM_PROGRAM);
let chromium: Chromium | undefined;
let server: StaticServer | undefined;
let page: Page;
const pageErrors: string[] = [];

// The page imports the bundle in a module script of its own: a dynamic
// import() written in this file would be rewritten by the test runner.
const PAGE = `<!doctype html><meta charset="utf-8"><title>dynoring bundle</title>
<script type="module">
import * as lib from '/browser.js';
await lib.ready();
window.dynoring = lib;
</script>`;

const inPage: InPage = (fn, arg) =>
  page.evaluate(
    // The function travels as text: evaluate passes one serialisable argument.
    ([source, a]) => (0, eval)(`(${source})`)((globalThis as unknown as { dynoring: unknown }).dynoring, a),
    [fn.toString(), arg] as const,
  );

beforeAll(async () => {
  // A bare import (a dependency left out of the bundle) cannot load in a page: say so plainly.
  prepareBrowserBundle(bundleSource);
  server = await serve({
    '/': { type: 'text/html', body: PAGE },
    '/browser.js': { type: 'text/javascript', body: bundleSource },
  });
  chromium = await launchChromium();
  page = await chromium.context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(server.url);
  await page
    .waitForFunction(() => 'dynoring' in globalThis, null, { timeout: 20_000 })
    .catch((err: Error) => {
      throw new Error(`dist/browser.js did not load in Chromium: ${pageErrors.join('; ') || err.message}`);
    });
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

afterEach(() => {
  expect(pageErrors).toEqual([]);
});

describe.skipIf(!HAVE_CHROMIUM)('the browser bundle in Chromium', () => {
  it('loads the WebAssembly engine once ready() resolves', async () => {
    expect(await inPage((lib) => lib.engineInfo(), null)).toEqual({ active: 'wasm' });
  });

  it('hashes a sample of the reference keys as the C server and Node do, with every hash function', async () => {
    const sample = vectors.hashes.filter((_, i) => i % 4 === 0);
    const names = Object.keys(vectors.hashes[0]!.tokens) as HashName[];
    expect([...names].sort()).toEqual([...node.HASH_NAMES].sort());
    const keys = sample.map((v) => [...Buffer.from(v.key_hex, 'hex')]);

    const browser = await inPage((lib, { keys, names }) => names.map((name) => keys.map((k) => lib.hash(name, Uint8Array.from(k)))), {
      keys,
      names,
    });
    names.forEach((name, n) => {
      expect(browser[n], name).toEqual(sample.map((v) => v.tokens[name]));
      expect(browser[n], name).toEqual(keys.map((k) => node.hash(name, Uint8Array.from(k))));
    });
  });

  it('hashes the same sample in the WebAssembly kernel (through routeKeys) with every hash function', async () => {
    // Rack i has a peer at the expected token T_i and one at T_i - 1 (or at
    // 4294967295 when T_i is 0): key i lands on the first peer exactly when its
    // hash is T_i, so the owners say whether the kernel hashed every key right.
    const sample = vectors.hashes.filter((_, i) => i % 4 === 0);
    const names = Object.keys(vectors.hashes[0]!.tokens) as HashName[];
    const cases = names.map((name) => ({ name, keys: sample.map((v) => v.key_hex), tokens: sample.map((v) => v.tokens[name]!) }));

    const hits = await inPage(
      (lib, cases) =>
        cases.map(({ name, keys, tokens }) => {
          const peers = tokens.flatMap((t, i) => [
            {
              index: 2 * i,
              endpoint: { host: `10.0.${i}.1`, port: 8101 },
              rack: `r${i}`,
              dc: 'dc',
              tokens: [t],
              isLocal: false,
              isSameDc: true,
              isSecure: false,
            },
            {
              index: 2 * i + 1,
              endpoint: { host: `10.0.${i}.2`, port: 8101 },
              rack: `r${i}`,
              dc: 'dc',
              tokens: [t === 0 ? 4294967295 : t - 1],
              isLocal: false,
              isSameDc: true,
              isSecure: false,
            },
          ]);
          const topology = lib.Topology.fromPeers(peers, { hash: name, engine: 'wasm' });
          const bytes = keys.map((hex) => Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16)));
          const offsets = new Uint32Array(bytes.length + 1);
          bytes.forEach((b, i) => (offsets[i + 1] = offsets[i]! + b.length));
          const all = new Uint8Array(offsets[bytes.length]!);
          bytes.forEach((b, i) => all.set(b, offsets[i]!));
          // Racks sort by name (r0, r1, r10, ...): find each key's own rack.
          const order = topology.racks().map((r) => Number(r.rack.slice(1)));
          const owners = topology.routeKeyBytes(all, offsets);
          return keys.map((_, k) => owners[k * order.length + order.indexOf(k)] === 2 * k);
        }),
      cases,
    );
    names.forEach((name, n) => expect(hits[n], name).toEqual(sample.map(() => true)));
  });

  it('refuses murmur3 with the same ConfigError as Node', async () => {
    const message = await inPage((lib) => {
      try {
        lib.hash('murmur3' as HashName, 'key');
        return 'no error';
      } catch (err) {
        return `${(err as Error).name}: ${(err as Error).message}`;
      }
    }, null);
    expect(() => node.hash('murmur3' as HashName, 'key')).toThrow(message.replace(/^ConfigError: /, ''));
    expect(message).toMatch(/^ConfigError: /);
  });

  it('dispatches the reference continuums as the C server does, in both engines', async () => {
    const cases = vectors.dispatch.filter((_, i) => i % 2 === 0);
    const results = await inPage(
      (lib, cases) =>
        cases.map(({ continuum, queries }) => {
          const byPeer = new Map<number, number[]>();
          for (const [t, p] of continuum) byPeer.set(p, [...(byPeer.get(p) ?? []), t]);
          const peers = [...byPeer].map(([index, tokens]) => ({
            index,
            endpoint: { host: `10.0.0.${index}`, port: 8101 },
            rack: 'rack1',
            dc: 'dc1',
            tokens,
            isLocal: false,
            isSameDc: true,
            isSecure: false,
          }));
          const c = lib.Topology.fromPeers(peers, { engine: 'wasm' }).continuum('dc1', 'rack1');
          return { batch: Array.from(c.dispatchBatch(Uint32Array.from(queries))), single: queries.map((q) => c.dispatch(q)) };
        }),
      cases,
    );
    cases.forEach((v, i) => {
      expect(results[i]!.batch).toEqual(v.expected);
      expect(results[i]!.single).toEqual(v.expected);
    });
  });

  it('finds an overlap and empty racks as Node does', async () => {
    const peer = (index: number, rack: string, tokens: number[]) => ({
      index,
      endpoint: { host: `10.0.0.${index}`, port: 8101 },
      rack,
      dc: 'dc1',
      tokens,
      isLocal: false,
      isSameDc: true,
      isSecure: false,
    });
    const peers = [peer(0, 'a', [100, 200]), peer(1, 'a', [200, 300]), peer(2, 'b', [200]), peer(3, 'c', [])];
    const options = { racks: [{ dc: 'dc1', rack: 'd' }] };

    const browser = await inPage(
      (lib, { peers, options }) => {
        let thrown = '';
        try {
          lib.validateTokenCoverage(peers, { ...options, engine: 'wasm' });
        } catch (err) {
          thrown = `${(err as Error).name}: ${(err as Error).message}`;
        }
        return { issues: lib.checkTokenCoverage(peers, { ...options, engine: 'wasm' }), thrown };
      },
      { peers, options },
    );
    expect(browser.issues).toEqual([
      { kind: 'Overlap', dc: 'dc1', rack: 'a', token: 200, peers: [0, 1] },
      { kind: 'EmptyRack', dc: 'dc1', rack: 'c' },
      { kind: 'EmptyRack', dc: 'dc1', rack: 'd' },
    ]);
    expect(browser.issues).toEqual(node.checkTokenCoverage(peers, options));
    expect(browser.thrown).toBe(`TokenCoverageError: ${node.describeCoverageIssue(browser.issues[0]!)}`);
  });

  it('routes keys with routeKeys exactly as Node does', async () => {
    const keys = Array.from({ length: 2000 }, (_, i) =>
      i % 5 === 0 ? `cart:{user:${i % 97}}:items` : i % 7 === 0 ? `ключ-${i}-🔑` : `user:${i}`,
    );
    const settings: { hash?: HashName; hashTag?: string }[] = [{}, { hash: 'md5' }, { hash: 'fnv1a_64', hashTag: '[]' }];
    const browser = await inPage(
      (lib, { yaml, keys, settings }) =>
        settings.map((options) => {
          const topology = lib.Topology.fromDynomiteYaml(yaml, { ...options, engine: 'wasm' });
          const single = keys.slice(0, 50).map((k) => topology.route(k).map((p) => p.index));
          return { batch: Array.from(topology.routeKeys(keys)), single };
        }),
      { yaml: clusterYaml, keys, settings },
    );
    settings.forEach((options, i) => {
      const topology = node.Topology.fromDynomiteYaml(clusterYaml, options);
      expect(browser[i]!.batch).toEqual(Array.from(topology.routeKeys(keys)));
      expect(browser[i]!.single).toEqual(keys.slice(0, 50).map((k) => topology.route(k).map((p) => p.index)));
    });
    // The sample exercises every rack of the datacenter.
    expect(new Set(browser[0]!.batch).size).toBeGreaterThan(3);
  });
});
