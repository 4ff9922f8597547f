import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: `dynoring` runs in Node and browsers; `dynoring/durable`
    // (disk-backed hints) is Node-only and shares the same chunks.
    entry: { index: 'src/index.ts', durable: 'src/durable.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'neutral',
    external: [/^node:/],
  },
  {
    // One self-contained ESM file for browsers (and the HTML ring report, which inlines it).
    entry: { browser: 'src/index.ts' },
    format: ['esm'],
    splitting: false,
    sourcemap: true,
    target: 'es2022',
    platform: 'browser',
    // A page has no node_modules: bundle the YAML and JSON parsers in.
    noExternal: ['yaml', 'lossless-json'],
  },
  {
    // `dynoring/client` is Node-only and loads ioredis from node_modules; the browser bundle never imports it.
    entry: { client: 'src/client.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    external: ['ioredis', '@ioredis/commands'],
  },
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
