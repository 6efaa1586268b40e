import { defineConfig } from 'vitest/config';

// The kernel tests: run INSIDE the VM harness (test/vm/bridge.test.ts boots it from `npm test`).
export default defineConfig({
  test: {
    include: ['test/vm/**/*.vm.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
    pool: 'forks',
    fileParallelism: false,
    globalSetup: ['test/vm/global-setup.ts'],
  },
});
