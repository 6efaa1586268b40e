import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', convert: 'src/convert/index.ts', cli: 'src/cli/main.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', convert: 'src/convert/index.ts' } },
  target: 'node20',
  sourcemap: true,
  clean: true,
  splitting: false,
});
