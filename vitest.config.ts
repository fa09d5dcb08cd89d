import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/lab/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/yield-between-tests.ts'],
    pool: 'forks',
    // Vitest's default on a 2-core machine is one worker, and most of the suite's wall time is
    // child processes and simulated tools waiting: three files at a time keep both cores busy.
    maxWorkers: 3,
    minWorkers: 1,
  },
});
