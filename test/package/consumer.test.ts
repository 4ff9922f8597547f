/**
 * The package as a consumer gets it: `npm pack` into a temporary directory,
 * the tarball installed offline into a fresh project, then imported from ESM
 * and required from CommonJS (every entry point of the exports map), its
 * classes compared across entry points, its CLI run through the installed
 * bin, and consumer files type-checked under `moduleResolution` node16 and
 * bundler.
 */
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtFile } from '../helpers/dist.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
/** Every entry point a consumer can import, as the exports map names them (`dynoring`, `dynoring/durable`, ...). */
const ENTRIES = Object.keys(manifest.exports)
  .filter((subpath) => subpath !== './package.json')
  .map((subpath) => (subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`));
/** The classes both library entry points export, which must be one class each under either module system. */
const SHARED_CLASSES = ['DynoringError', 'HintStoreError', 'HintDeliveryError', 'DurableStoreError'];

let work: string;
let project: string;
let packed: { filename: string; size: number; files: { path: string }[] };

/**
 * Copies this repository's installed runtime dependencies (the non-dev
 * entries of its lockfile) into the project, so that `npm install --offline`
 * of the tarball finds every dependency already in place: no registry and no
 * npm cache needed, in CI or here.
 */
function linkRuntimeDependencies(into: string): void {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
  for (const [path, entry] of Object.entries<{ dev?: boolean; devOptional?: boolean }>(lock.packages)) {
    if (!path.startsWith('node_modules/') || entry.dev || entry.devOptional) continue;
    cpSync(join(ROOT, path), join(into, path), { recursive: true });
  }
}

/**
 * The consumer program, the same for both module systems: it uses both
 * library entry points together, as a service with durable hints does, and
 * prints what it saw as JSON. `load` is how each system gets a module.
 */
function consumer(load: (specifier: string) => string): string {
  return `(async () => {
  const lib = ${load('dynoring')};
  const durable = ${load('dynoring/durable')};
  const entries = {};
  for (const name of ${JSON.stringify(ENTRIES)}) entries[name] = ${load('name')};
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dynoring-consumer-'));
  const out = {};
  try {
    out.token = lib.hash('murmur', 'user:42');
    out.engine = lib.engineInfo().active;
    // Every name an entry point shares with 'dynoring' is the very same object.
    out.differing = [];
    for (const [entry, exported] of Object.entries(entries)) {
      for (const [name, value] of Object.entries(exported)) {
        if (name in lib && lib[name] !== value) out.differing.push(entry + ' ' + name);
      }
    }
    out.sameClasses = ${JSON.stringify(SHARED_CLASSES)}.filter((name) => durable[name] === lib[name]);

    const store = await durable.DurableHintStore.open(path.join(dir, 'hints'), { maxBytes: 1 << 20, sync: 'never' });
    const refusal = await store.enqueue(0, new Uint8Array(0), 60000).catch((err) => err);
    out.refusal = { kind: refusal.kind, isHintStoreError: refusal instanceof lib.HintStoreError, isDynoringError: refusal instanceof lib.DynoringError };

    // The drainer of 'dynoring' draining the store of 'dynoring/durable': a failed send
    // is a HintDeliveryError it must recognise, so the round requeues instead of rejecting.
    const request = new TextEncoder().encode('SET user:1 ada');
    await store.enqueue(1, request, 60000);
    await store.enqueue(2, request, 60000);
    const sent = [];
    const drainer = new lib.HintDrainer({
      store,
      isNormal: () => true,
      send: async (peer) => {
        if (peer === 1) throw new Error('peer 1 is down');
        sent.push(peer);
      },
      intervalMs: 1000,
      concurrency: 1,
    });
    out.round = await drainer.runOnce().catch((err) => ({ rejected: String(err) }));
    out.sent = sent;
    out.left = { 1: store.lenFor(1), 2: store.lenFor(2) };
    await drainer.stop();
    await store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(out));
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
`;
}

const ESM = `import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
${consumer((s) => (s === 'name' ? 'await import(name)' : `await import('${s}')`))}`;

const CJS = `'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
${consumer((s) => (s === 'name' ? 'require(name)' : `require('${s}')`))}`;

/** Consumer source type-checked as written; `@ts-expect-error` proves the types are the library's, not `any`. */
const TYPED = `import { DynoringError, HintStoreError, Topology, hash, parseSeed, type DynoringErrorKind, type Peer } from 'dynoring';
import { DurableHintStore, DurableStoreError, type DurableHintStoreOptions } from 'dynoring/durable';

const peers: Peer[] = [parseSeed('10.0.0.1:8101:rack1:dc1:0', 0)];
export const topology: Topology = Topology.fromPeers(peers);
export const token: number = hash('murmur', 'user:42');
export const owner: number = topology.continuum('dc1', 'rack1').dispatch(token);

export function kindOf(err: unknown): DynoringErrorKind | undefined {
  return err instanceof DynoringError ? err.kind : undefined;
}
export const isStoreError = (err: unknown): boolean => err instanceof HintStoreError || err instanceof DurableStoreError;

export async function open(dir: string): Promise<DurableHintStore> {
  const options: DurableHintStoreOptions = { maxBytes: 1 << 20, sync: 'batch' };
  return DurableHintStore.open(dir, options);
}

// @ts-expect-error: hash() returns a number
export const wrong: string = hash('murmur', 'user:42');
`;

/** A consumer of \`dynoring/client\`, whose types build on ioredis's and so on Node's. */
const TYPED_CLIENT = `import { DynoClient, CommandRefusedError, type ClientOptions } from 'dynoring/client';
import { DynoringError, Topology } from 'dynoring';

export async function connect(topology: Topology): Promise<DynoClient> {
  const options: ClientOptions = { topology };
  const client = await DynoClient.connect(options);
  const value: string | null = await client.get('user:42');
  // @ts-expect-error: get() resolves to a string or null
  const wrong: number = await client.get('user:42');
  void value;
  void wrong;
  return client;
}
export const refused = (err: unknown): boolean => err instanceof CommandRefusedError && err instanceof DynoringError;
`;

/**
 * tsconfig for one resolution mode. The library's consumers need no ambient
 * types; the client's (ioredis's types use Node's) get this repository's @types/node.
 */
function tsconfig(module: string, moduleResolution: string) {
  return JSON.stringify({
    compilerOptions: {
      module,
      moduleResolution,
      target: 'ES2022',
      lib: ['ES2022'],
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      typeRoots: [join(ROOT, 'node_modules/@types')],
      types: ['node'],
    },
    include: ['*'],
  });
}

beforeAll(async () => {
  builtFile('cli.js');
  work = await mkdtemp(join(tmpdir(), 'dynoring-package-'));
  // --ignore-scripts: pack the dist/ this run built ('npm test' builds first) instead of building again.
  const pack = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT });
  packed = JSON.parse(pack.stdout)[0];

  project = join(work, 'consumer');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  linkRuntimeDependencies(project);
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', join(work, packed.filename)], { cwd: project });

  writeFileSync(join(project, 'esm.mjs'), ESM);
  writeFileSync(join(project, 'cjs.cjs'), CJS);
  for (const [dir, module, resolution, files] of [
    ['node16', 'node16', 'node16', ['consumer.mts', 'consumer.cts']],
    ['bundler', 'esnext', 'bundler', ['consumer.ts']],
  ] as const) {
    mkdirSync(join(project, dir));
    for (const file of files) writeFileSync(join(project, dir, file), TYPED);
    writeFileSync(join(project, dir, `client.${files[0]!.split('.')[1]}`), TYPED_CLIENT);
    writeFileSync(join(project, dir, 'tsconfig.json'), tsconfig(module, resolution));
  }
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the built package, its license and no source maps or sources', () => {
    const files = packed.files.map((f) => f.path).sort();
    for (const file of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'dist/cli.js', 'dist/browser.js']) {
      expect(files).toContain(file);
    }
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => !f.startsWith('dist/') && !['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json'].includes(f))).toEqual(
      [],
    );
  });

  it('ships every file the manifest points at', () => {
    const targets = new Set<string>([manifest.main, manifest.module, manifest.types, ...Object.values<string>(manifest.bin)]);
    const walk = (value: unknown): void => {
      if (typeof value === 'string') targets.add(value);
      else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(manifest.exports);
    for (const target of targets) expect(existsSync(join(project, 'node_modules/dynoring', target)), target).toBe(true);
  });

  it('ships the full Apache-2.0 text that package.json names', () => {
    expect(manifest.license).toBe('Apache-2.0');
    const license = readFileSync(join(project, 'node_modules/dynoring/LICENSE'), 'utf8');
    expect(license).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(license).toContain('END OF TERMS AND CONDITIONS');
    expect(license).toContain('9. Accepting Warranty or Additional Liability.');
  });
});

describe.each([
  ['ESM (import)', 'esm.mjs'],
  ['CommonJS (require)', 'cjs.cjs'],
])('installed and used from %s', (_, file) => {
  let out: Record<string, unknown>;
  beforeAll(async () => {
    const { stdout } = await run(process.execPath, [file], { cwd: project });
    out = JSON.parse(stdout);
  });

  it('loads every entry point, with the WebAssembly engine', () => {
    expect(ENTRIES).toEqual(expect.arrayContaining(['dynoring', 'dynoring/durable']));
    expect(out.engine).toBe('wasm');
    expect(out.token).toBe(1601091210);
  });

  it('has one copy of every class: what two entry points both export is the same object', () => {
    expect(out.differing).toEqual([]);
    expect(out.sameClasses).toEqual(SHARED_CLASSES);
    expect(out.refusal).toEqual({ kind: 'EmptyPayload', isHintStoreError: true, isDynoringError: true });
  });

  it("lets the drainer of 'dynoring' requeue a failed delivery from the store of 'dynoring/durable'", () => {
    expect(out.round).toMatchObject({ delivered: 1, requeued: 1, failedSends: 1 });
    expect(out.sent).toEqual([2]);
    expect(out.left).toEqual({ 1: 1, 2: 0 });
  });
});

describe('the installed CLI', () => {
  const bin = () => join(project, 'node_modules/.bin/dynoring');
  const cluster = join(ROOT, 'examples/cluster/dynomite.yml');

  it('runs through the bin npm linked', async () => {
    const { stdout } = await run(bin(), ['validate', cluster], { cwd: project });
    expect(stdout).toMatch(/^OK: 9 peers in 3 racks of 1 datacenter, 9 tokens/);
  });

  it('finds the browser bundle it embeds in a report', async () => {
    const out = join(project, 'ring.html');
    const { stdout } = await run(bin(), ['report', cluster, '-o', out], { cwd: project });
    expect(stdout).toMatch(/: 9 peers in 3 racks, no problems\n$/);
    // The page carries the library (dist/browser.js), found next to the installed CLI.
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>[\s\S]*name = "DynoringError"/);
  });

  it('exits 2 with a message for a file it cannot read', () => {
    const missing = spawnSync(bin(), ['validate', 'missing.yml'], { cwd: project, encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/missing\.yml: cannot read the file/);
  });
});

describe.each([
  ['node16', 'node16/tsconfig.json'],
  ['bundler', 'bundler/tsconfig.json'],
])('consumer TypeScript under moduleResolution %s', (_, config) => {
  it('type-checks against the shipped declarations', () => {
    const check = spawnSync(process.execPath, [TSC, '-p', config], { cwd: project, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
