import { type Estimate, estimate } from './confidence.ts';
import { METRIC_NAMES, type RunMetrics, measure } from './metrics.ts';
import type { PlantSpec } from './plant.ts';
import type { Policy } from './policy.ts';
import { type Scenario, generateScenario } from './scenario.ts';
import { simulate } from './simulator.ts';

/** How long and how often to run: the knobs that trade run time against precision. */
export interface ExperimentConfig {
  plant: PlantSpec;
  seed: number;
  replications: number;
  warmupDays: number;
  measureDays: number;
  tailDays: number;
}

export type Summary = Record<keyof RunMetrics, Estimate>;

export interface PolicyResult {
  runs: RunMetrics[];
  summary: Summary;
  /** Replications that had to be cut off before their measured orders finished. */
  truncated: number;
}

/** The replications of one load setting; generated once and shared by every policy (CRN). */
export function scenariosFor(cfg: ExperimentConfig, load: number): Scenario[] {
  return Array.from({ length: cfg.replications }, (_, r) =>
    generateScenario(cfg.plant, {
      seed: cfg.seed,
      replication: r,
      load,
      warmupDays: cfg.warmupDays,
      measureDays: cfg.measureDays,
      tailDays: cfg.tailDays,
    }),
  );
}

/** Runs a fresh policy (policies keep per-run state) on every replication. */
export function runPolicy(scenarios: readonly Scenario[], makePolicy: () => Policy): PolicyResult {
  let truncated = 0;
  const runs = scenarios.map((sc) => {
    const result = simulate(sc, makePolicy());
    if (result.truncated) truncated++;
    return measure(result);
  });
  return { runs, summary: summarise(runs), truncated };
}

function summarise(runs: readonly RunMetrics[]): Summary {
  const out = {} as Summary;
  for (const m of METRIC_NAMES) out[m] = estimate(runs.map((r) => r[m]));
  return out;
}
