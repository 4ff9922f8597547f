import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: `dynoring` runs in Node and browsers; `dynoring/durable`
    // (disk-backed hints) is Node-only and shares the same chunks.
    entry: { index: 'src/index.ts', durable: 'src/durable.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    external: [/^node:/],
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
