import { describe, expect, it } from 'vitest';
import { runPolicy, scenariosFor } from '../../sim/experiment.ts';
import { DEFAULT_PLANT } from '../../sim/plant.ts';
import { dueDateRulePolicy } from '../../sim/policies/due-date-rules.ts';
import { checkTargets, curvesTable, gridTable, resultsTable } from '../../sim/report.ts';
import { AT_QUOTE, DRUMBEAT, DRUMBEAT_ROUTE, EXPEDITED, QUICK_STUDY, runStudy } from '../../sim/study.ts';
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
  const study = runStudy(QUICK_STUDY);
  const rows = study.rows;

  it('runs every policy at the quick load and finishes every measured order', () => {
    expect(rows.map((r) => r.policy)).toEqual([
      `${DRUMBEAT}, SB protection 1 d`,
      DRUMBEAT,
      `${DRUMBEAT}${EXPEDITED}`,
      DRUMBEAT_ROUTE,
      `${DRUMBEAT_ROUTE}${EXPEDITED}`,
      `${DRUMBEAT_ROUTE}${AT_QUOTE}`,
      'Vicious circle',
      'CON',
      'TWK',
      'SLK',
      'Load-aware',
      'CONWIP',
    ]);
    for (const r of rows) {
      expect(r.result.truncated).toBe(0);
      expect(r.result.runs).toHaveLength(QUICK_STUDY.testReplications);
      for (const m of r.result.runs) expect(m.orders).toBeGreaterThan(0);
    }
  });

  it('conserves throughput across policies: the same orders finish whatever the policy', () => {
    const throughput = rows.map((r) => r.result.summary.throughputPerDay.mean);
    for (const t of throughput) expect(t).toBeCloseTo(throughput[0]!, 0);
  });

  it('renders a headline row per policy, a curve row per point, a grid row per point, and checks every target', () => {
    expect(resultsTable(rows).split('\n')).toHaveLength(2 + rows.filter((r) => r.headline).length);
    expect(curvesTable(rows).split('\n')).toHaveLength(2 + rows.length);
    expect(gridTable(study).split('\n')).toHaveLength(2 + study.grid.length);
    const targets = checkTargets(study).map((c) => c.target);
    // Every target is judged for the service's whole-route engine first and the drum-only engine for reference.
    for (const engine of ['whole route', 'drum-only']) {
      expect(targets.some((t) => t.startsWith(`${engine}: promises kept ≥ 99 %`))).toBe(true);
      expect(targets.some((t) => t.startsWith(`${engine}: quoted lead time ≤ 0.9 × best load-aware`))).toBe(true);
      expect(targets.some((t) => t.startsWith(`${engine}: quoted lead time ≤ 0.5 × best load-blind`))).toBe(true);
      expect(targets.some((t) => t.startsWith(`${engine}: WIP ≤ CONWIP`))).toBe(true);
      expect(targets.some((t) => t.startsWith(`${engine}: total flow time`))).toBe(true);
      expect(targets.some((t) => t.startsWith(`${engine}: at-risk orders expedited vs not`))).toBe(true);
    }
    expect(targets.findIndex((t) => t.startsWith('whole route'))).toBeLessThan(targets.findIndex((t) => t.startsWith('drum-only')));
    // The base load's grid points carry the whole-route engine too.
    expect(study.grid.every((g) => g.route !== undefined)).toBe(true);
  });
});
