/**
 * Runs of a property test: `runs(300)` is 300 runs, times PROPERTY_RUNS_SCALE when set
 * (0.1 under mutation testing, where every mutant reruns the tests that cover it; 10 or more
 * for a long soak). Never fewer than 3.
 */
const scale = Number(process.env.PROPERTY_RUNS_SCALE ?? 1);

export function runs(n: number): { numRuns: number } {
  return { numRuns: Math.max(3, Math.round(n * scale)) };
}
