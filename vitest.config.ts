import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts', 'test/browser/build-web.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Files and the tests inside each run in a random order (the seed is printed; rerun one
    // order with --sequence.seed=N): no test may depend on another having run first.
    sequence: { shuffle: { files: true, tests: true } },
  },
});
