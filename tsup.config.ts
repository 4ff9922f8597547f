import { defineConfig } from 'tsup';

/**
 * The package's entry points, as `package.json`'s `exports` names them.
 * `dynoring` runs in Node and browsers; the others are Node-only. An entry
 * added here gets ESM, CommonJS and declarations, sharing chunks with the rest.
 */
const LIBRARY = { index: 'src/index.ts', durable: 'src/durable.ts' };

/** Shared by every build: no source maps (they were 65% of the tarball, for sources it does not ship). */
const COMMON = { target: 'es2022', sourcemap: false } as const;

export default defineConfig([
  {
    ...COMMON,
    // ESM: the library and the CLI in one build, so the CLI reuses the
    // library's chunks instead of carrying its own copy of the WebAssembly.
    entry: { ...LIBRARY, cli: 'src/cli/bin.ts' },
    format: ['esm'],
    splitting: true,
    dts: { entry: LIBRARY },
    platform: 'neutral',
    external: [/^node:/],
  },
  {
    ...COMMON,
    // CommonJS, split as ESM is: every class lives in one shared chunk, so
    // `instanceof` holds across `require('dynoring')` and `require('dynoring/durable')`.
    entry: LIBRARY,
    format: ['cjs'],
    splitting: true,
    dts: { entry: LIBRARY },
    platform: 'neutral',
    external: [/^node:/],
  },
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
