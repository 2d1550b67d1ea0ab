import { describe, expect, it } from 'vitest';
import { runPolicy, scenariosFor } from '../../sim/experiment.ts';
import { DEFAULT_PLANT } from '../../sim/plant.ts';
import { dueDateRulePolicy } from '../../sim/policies/due-date-rules.ts';
import { checkTargets, resultsTable } from '../../sim/report.ts';
import { DRUMBEAT, QUICK_STUDY, runStudy } from '../../sim/study.ts';
import { tuneToOnTime } from '../../sim/tuning.ts';

const SMALL = { plant: DEFAULT_PLANT, seed: 11, replications: 2, warmupDays: 10, measureDays: 40, tailDays: 15 };

describe('tuning a due-date rule by bisection', () => {
  it('finds an allowance that reaches the target, where a smaller one by more than the tolerance does not', () => {
    const scenarios = scenariosFor(SMALL, 0.9);
    const tuned = tuneToOnTime(scenarios, (k) => dueDateRulePolicy('CON', k), { targetPct: 95, lo: 0, hi: 4, tolerance: 0.1, maxHi: 64 });
    expect(tuned.reached).toBe(true);
    expect(tuned.result.summary.onTimePct.mean).toBeGreaterThanOrEqual(95);
    const below = runPolicy(scenarios, () => dueDateRulePolicy('CON', tuned.k - 0.2));
    expect(below.summary.onTimePct.mean).toBeLessThan(95);
  });
});

describe('the quick study (what CI runs)', () => {
  const rows = runStudy(QUICK_STUDY);

  it('runs every policy at the quick load and finishes every measured order', () => {
    expect(rows.map((r) => r.policy)).toEqual([DRUMBEAT, 'Vicious circle', 'CON', 'TWK', 'SLK']);
    for (const r of rows) {
      expect(r.result.truncated).toBe(0);
      expect(r.result.runs).toHaveLength(QUICK_STUDY.replications);
      for (const m of r.result.runs) expect(m.orders).toBeGreaterThan(0);
    }
  });

  it('conserves throughput across policies: the same orders finish whatever the policy', () => {
    const throughput = rows.map((r) => r.result.summary.throughputPerDay.mean);
    for (const t of throughput) expect(t).toBeCloseTo(throughput[0]!, 0);
  });

  it('renders a table row per policy and checks the three targets', () => {
    expect(resultsTable(rows).split('\n')).toHaveLength(2 + rows.length);
    expect(checkTargets(rows, DRUMBEAT).map((c) => c.target)).toHaveLength(3);
  });
});
