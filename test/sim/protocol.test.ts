import { describe, expect, it } from 'vitest';
import { clockOf } from '../../sim/clock.ts';
import { pairedRatio } from '../../sim/confidence.ts';
import { scenariosFor } from '../../sim/experiment.ts';
import { DEFAULT_PLANT } from '../../sim/plant.ts';
import { conwipPolicy } from '../../sim/policies/conwip.ts';
import { loadAwareDue } from '../../sim/policies/load-aware.ts';
import type { OrderState, SimContext } from '../../sim/policy.ts';
import { generateScenario } from '../../sim/scenario.ts';
import { simulate } from '../../sim/simulator.ts';
import { QUICK_STUDY, runStudy, withDisturbance } from '../../sim/study.ts';
import { averageSeries, mser5 } from '../../sim/warmup.ts';

describe('MSER-5', () => {
  // A deterministic wiggle around 0, so no batch is exactly flat.
  const wiggle = (i: number) => ((i * 7919) % 13) / 13 - 0.5;

  it('deletes the initial transient of a known series, and at most one batch more', () => {
    const series = Array.from({ length: 500 }, (_, i) => (i < 60 ? 10 - i / 6 : 0) + wiggle(i));
    const m = mser5(series);
    expect(m.truncation).toBeGreaterThanOrEqual(55);
    expect(m.truncation).toBeLessThanOrEqual(70);
    expect(m.atLimit).toBe(false);
  });

  it('deletes nothing from a series that starts in steady state', () => {
    const series = Array.from({ length: 500 }, (_, i) => wiggle(i));
    expect(mser5(series).truncation).toBeLessThanOrEqual(10);
  });

  it('never truncates more than half the run, and says so when it would like to', () => {
    const rising = Array.from({ length: 200 }, (_, i) => i);
    const m = mser5(rising);
    expect(m.truncation).toBeLessThanOrEqual(100);
    expect(m.atLimit).toBe(true);
  });

  it('averages replications point by point over the shortest', () => {
    expect(
      averageSeries([
        [1, 2, 3],
        [3, 4],
      ]),
    ).toEqual([2, 3]);
  });
});

describe('paired ratio of means', () => {
  it('is exact when one policy is a constant multiple of the other on every replication', () => {
    expect(pairedRatio([2, 4, 6], [1, 2, 3])).toEqual({ mean: 2, half: 0, n: 3 });
  });

  it('is narrower than the noise both share (common random numbers)', () => {
    const b = [10, 20, 30, 40];
    const a = [5.5, 9.5, 15.5, 19.5];
    const r = pairedRatio(a, b);
    expect(r.mean).toBeCloseTo(0.5, 6);
    expect(r.half).toBeLessThan(0.05);
  });
});

describe('the load-aware rule', () => {
  it('dates an order at arrival + drum backlog + work content + k days, at the end of that working day', () => {
    // now 100, backlog 500 drum minutes, work content 300, k = 1 day of 480: 100 + 500 + 300 + 480 = 1380,
    // which falls in working day 2 (960–1440): due at its end, 1440.
    const ctx = { now: 100, minutesPerDay: 480, drumBacklog: () => 500, clock: clockOf(DEFAULT_PLANT, []) } as unknown as SimContext;
    const order = { job: { workContent: 300 } } as unknown as OrderState;
    expect(loadAwareDue(order, ctx, 1)).toBe(1440);
    expect(loadAwareDue(order, ctx, 0)).toBe(960);
  });
});

describe('CONWIP', () => {
  it('never has more than its cap of orders released and unfinished, and finishes them all', () => {
    const sc = generateScenario(DEFAULT_PLANT, { seed: 4, replication: 0, load: 0.9, warmupDays: 10, measureDays: 60, tailDays: 10 });
    const cap = 3;
    const run = simulate(sc, conwipPolicy(cap, 1));
    const changes: [number, number][] = [];
    for (const o of run.orders) {
      if (o.released === undefined) continue;
      changes.push([o.released, +1]);
      if (o.completed !== undefined) changes.push([o.completed, -1]);
    }
    // At equal times, completions first: the released order takes the finished one's place.
    changes.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let wip = 0;
    let max = 0;
    for (const [, d] of changes) {
      wip += d;
      max = Math.max(max, wip);
    }
    expect(max).toBe(cap);
    expect(run.truncated).toBe(false);
    expect(run.orders.some((o) => o.released! > o.job.arrival)).toBe(true);
  });
});

describe('train/test separation', () => {
  it('draws the test replications from a seed the tuning never sees', () => {
    const cfg = { plant: DEFAULT_PLANT, replications: 2, warmupDays: 5, measureDays: 20, tailDays: 5 };
    const train = scenariosFor({ ...cfg, seed: QUICK_STUDY.trainSeed }, 0.9);
    const test = scenariosFor({ ...cfg, seed: QUICK_STUDY.testSeed }, 0.9);
    const arrivals = (s: typeof train) => new Set(s.flatMap((x) => x.jobs.map((j) => j.arrival)));
    const shared = [...arrivals(test)].filter((t) => arrivals(train).has(t));
    expect(shared).toHaveLength(0);
  });

  it('refuses a study that would tune and report on the same seed', () => {
    expect(() => runStudy({ ...QUICK_STUDY, testSeed: QUICK_STUDY.trainSeed })).toThrow(RangeError);
  });
});

describe('the disturbance grid', () => {
  it('sets the processing-time CV, every station’s repair time and the standards’ optimism of a grid point', () => {
    const plant = withDisturbance(DEFAULT_PLANT, 0.5, 240, 0.05);
    expect(plant.processingCv).toBe(0.5);
    expect(plant.standardsOptimism).toBe(0.05);
    expect(plant.stations.every((s) => s.mttrMinutes === 240)).toBe(true);
    expect(DEFAULT_PLANT.stations.every((s) => s.mttrMinutes === 60)).toBe(true);
    const sc = generateScenario(plant, { seed: 2, replication: 0, load: 0.9, warmupDays: 0, measureDays: 300, tailDays: 0 });
    const ops = sc.jobs.flatMap((j) => j.ops);
    const ratio = ops.reduce((s, o) => s + o.actual, 0) / ops.reduce((s, o) => s + o.planned, 0);
    expect(ratio).toBeGreaterThan(1.03);
    expect(ratio).toBeLessThan(1.07);
    const repairs = sc.breakdowns.flat().map((b) => b.repairAt - b.failAt);
    expect(repairs.reduce((s, x) => s + x, 0) / repairs.length).toBeGreaterThan(150);
  });

  it('runs every grid point the settings name, with the drum demand over its availability', () => {
    const study = runStudy(QUICK_STUDY);
    expect(study.grid).toHaveLength(1);
    const g = study.grid[0]!;
    expect([g.processingCv, g.repairMinutes, g.optimism, g.load]).toEqual([0.5, 240, 0.05, 0.9]);
    expect(g.effectiveLoad).toBeCloseTo((0.9 * 1.05 * (4800 + 240)) / 4800, 9);
    expect(g.drumbeat.runs).toHaveLength(QUICK_STUDY.grid.replications);
    expect(g.drumbeat.truncated).toBe(0);
  });
});
