import { defineConfig, type Options } from 'tsup';

// No `clean`: the two builds run at once, so `npm run build` empties dist/ before.
const common: Options = {
  target: 'node20',
  splitting: false,
};

export default defineConfig([
  {
    ...common,
    entry: { index: 'src/index.ts', convert: 'src/convert/index.ts', cli: 'src/cli/main.ts' },
    format: ['esm'],
    dts: { entry: { index: 'src/index.ts', convert: 'src/convert/index.ts' } },
  },
  {
    ...common,
    entry: { index: 'src/index.ts', convert: 'src/convert/index.ts' },
    format: ['cjs'],
    dts: { entry: { index: 'src/index.ts', convert: 'src/convert/index.ts' } },
    // ESM-only dependencies: require() of them hands back a namespace the CJS interop misreads
    // ("(0, import_p_retry.default) is not a function"), so the CJS build carries them inside.
    noExternal: ['execa', 'p-retry', 'p-limit'],
  },
]);
