import { defineConfig, type Options } from 'tsup';

// No `clean`: the two builds run at once, so `npm run build` empties dist/ before.
const common: Options = {
  target: 'node20',
  // Carried inside both builds. They are ESM-only: require() of them hands back a namespace the CJS interop
  // misreads ("(0, import_p_retry.default) is not a function"). And from one chunk, execa loads in a quarter of
  // the time node takes to resolve and load its hundred-odd modules one by one.
  noExternal: ['execa', 'p-retry', 'p-limit'],
};

export default defineConfig([
  {
    ...common,
    entry: { index: 'src/index.ts', convert: 'src/convert/index.ts', cli: 'src/cli/main.ts' },
    format: ['esm'],
    // What is loaded on first use (import() of execa, yaml, tar, the network fixer…) gets chunks of its own,
    // so importing vmcraft reads and runs only what it needs.
    splitting: true,
    // The CommonJS modules execa carries (cross-spawn…) require() node's own modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    dts: { entry: { index: 'src/index.ts', convert: 'src/convert/index.ts' } },
  },
  {
    // The agent inside a VM-mode session's VM: one file with every dependency in it, carried in the VM's
    // initramfs (the VM has the host's /usr, not this package's node_modules).
    target: 'node20',
    entry: { 'vm-agent': 'src/vm-agent.ts' },
    format: ['esm'],
    noExternal: [/.*/],
    splitting: false,
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  },
  {
    ...common,
    entry: { index: 'src/index.ts', convert: 'src/convert/index.ts' },
    format: ['cjs'],
    // import.meta.url (which finds dist/vm-agent.js) in the CommonJS build.
    shims: true,
    dts: { entry: { index: 'src/index.ts', convert: 'src/convert/index.ts' } },
  },
]);
