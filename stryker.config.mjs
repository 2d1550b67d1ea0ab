// Mutation testing: `npm run mutate` (all of src/engine and src/domain; slow, not in CI),
// or `MUTATE_SCOPE=engine npm run mutate` for the engine alone. See docs/testing.md.
import process from 'node:process';

const engineOnly = process.env.MUTATE_SCOPE === 'engine';
// A run over a few files (`--mutate`, MUTATE_TESTS) names its own reports and incremental
// file, so it neither reuses nor overwrites the results of the other runs.
const run = process.env.MUTATE_RUN ?? (engineOnly ? 'engine' : '');
const reportName = (ext) => `reports/mutation/${run || 'index'}.${ext}`;

// Options: https://stryker-mutator.io/docs/stryker-js/configuration/
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.ts' },
  mutate: engineOnly
    ? ['src/engine/**/*.ts', '!src/engine/index.ts']
    : ['src/engine/**/*.ts', '!src/engine/index.ts', 'src/domain/**/*.ts'],
  // The machine is shared: one or two test workers, and results are reused between runs.
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 2),
  incremental: true,
  incrementalFile: run ? `reports/stryker-incremental-${run}.json` : 'reports/stryker-incremental.json',
  // Error-message strings are not behaviour the tests pin down; mutating them only adds noise.
  mutator: { excludedMutations: ['StringLiteral'] },
  // Static mutants (module-level constants) force a full test run each; skip them.
  ignoreStatic: true,
  timeoutMS: 20_000,
  // The first run instruments every mutant and records per-test coverage: slow on a shared machine.
  dryRunTimeoutMinutes: 40,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: reportName('html') },
  jsonReporter: { fileName: run ? reportName('json') : 'reports/mutation/mutation.json' },
  thresholds: { high: 85, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
