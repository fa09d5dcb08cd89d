import { defineConfig } from 'vitest/config';
import { ownContextFiles } from './test/helpers/own-context-files.js';

const notTests = ['test/lab/**', 'node_modules/**'];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/yield-between-tests.ts'],
    pool: 'forks',
    // Vitest's default on a 2-core machine is one worker, and most of the suite's wall time is
    // child processes and simulated tools waiting: three files at a time keep both cores busy.
    maxWorkers: 3,
    // A fresh process per file spent most of its time loading the same modules again; the suite's
    // files keep their own state in temp dirs and injected clocks, so a worker's files share them.
    // Without isolation vitest ends the idle workers once every file has started; with workers
    // forked on demand, ending one failed the whole run ("Terminating worker thread", every time
    // with four small files). With all three forked at the start it did not happen.
    minWorkers: 3,
    poolOptions: { forks: { isolate: false } },
    projects: [
      {
        extends: true,
        test: { name: 'shared-modules', include: ['test/**/*.test.ts'], exclude: [...notTests, ...ownContextFiles] },
      },
      { extends: true, test: { name: 'own-context', include: [...ownContextFiles], pool: 'vmForks' } },
    ],
  },
});
