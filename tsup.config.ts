import { defineConfig } from 'tsup';

/**
 * The package's entry points, as `package.json`'s `exports` names them.
 * `dynoring` runs in Node and browsers; the others are Node-only. An entry
 * added here gets ESM, CommonJS and declarations, sharing chunks with the rest.
 */
const LIBRARY = { index: 'src/index.ts', durable: 'src/durable.ts', client: 'src/client.ts' };

/** Shared by every build: no source maps (they were 65% of the tarball, for sources it does not ship). */
const COMMON = { target: 'es2022', sourcemap: false } as const;

/**
 * The library in one module system, split into shared chunks: every class
 * exists once, so `instanceof` holds across entry points under `import` and
 * under `require` alike.
 */
const SPLIT = { ...COMMON, splitting: true, dts: { entry: LIBRARY }, platform: 'neutral', external: [/^node:/] } as const;

export default defineConfig([
  // ESM: the CLI is built with the library, so it reuses the library's chunks
  // instead of carrying its own copy of the WebAssembly.
  { ...SPLIT, entry: { ...LIBRARY, cli: 'src/cli/bin.ts' }, format: ['esm'] },
  { ...SPLIT, entry: LIBRARY, format: ['cjs'] },
  {
    ...COMMON,
    // One self-contained ESM file for browsers (and the HTML ring report, which inlines it).
    entry: { browser: 'src/index.ts' },
    format: ['esm'],
    splitting: false,
    platform: 'browser',
    // A page has no node_modules: bundle the YAML and JSON parsers in.
    noExternal: ['yaml', 'lossless-json'],
  },
]);
