import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * The test set StrykerJS runs against each mutant (npm run mutate). MUTATE_SCOPE=engine
 * keeps to the pure engine tests (seconds per mutant); the default adds the unit and HTTP
 * tests that exercise src/domain on PGlite. The simulator and the two-process
 * integration tests are left out: they are slow and add no kills the HTTP tests miss.
 * MUTATE_TESTS (comma-separated globs) replaces either set: Stryker's dry run runs every
 * included test, so a run over a few files names the tests that reach them.
 * (Not mergeConfig: it would concatenate `include` with the base config's.)
 */
const engineOnly = process.env.MUTATE_SCOPE === 'engine';
const chosen = process.env.MUTATE_TESTS?.split(',')
  .map((glob) => glob.trim())
  .filter((glob) => glob !== '');

export default defineConfig({
  test: {
    ...base.test,
    include: chosen?.length
      ? chosen
      : engineOnly
        ? ['test/engine/**/*.test.ts']
        : ['test/engine/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/http/**/*.test.ts'],
    // No browser test runs here, so the web bundle need not be built (base's second setup).
    globalSetup: ['test/global-setup.ts'],
    // Stryker orders and reruns tests itself; a shuffled order would only add noise.
    sequence: { shuffle: false },
    // Every mutant reruns the property tests that cover it: a tenth of the runs by default.
    env: { PROPERTY_RUNS_SCALE: process.env.PROPERTY_RUNS_SCALE ?? '0.1' },
  },
});
