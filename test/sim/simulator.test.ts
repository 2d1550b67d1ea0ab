import { describe, expect, it } from 'vitest';
import { measure } from '../../sim/metrics.ts';
import { DEFAULT_PLANT, type PlantSpec } from '../../sim/plant.ts';
import { drumbeatPolicy } from '../../sim/policies/drumbeat.ts';
import { dueDateRulePolicy } from '../../sim/policies/due-date-rules.ts';
import { viciousCirclePolicy } from '../../sim/policies/vicious-circle.ts';
import { conwipPolicy } from '../../sim/policies/conwip.ts';
import { drumbeatRoutePolicy } from '../../sim/policies/drumbeat-route.ts';
import { loadAwarePolicy } from '../../sim/policies/load-aware.ts';
import type { Policy } from '../../sim/policy.ts';
import { type Scenario, generateScenario } from '../../sim/scenario.ts';
import { type RunResult, simulate } from '../../sim/simulator.ts';

// A harsher plant than the study's: frequent, long failures, so pre-emption is exercised often.
const STRESSED: PlantSpec = {
  ...DEFAULT_PLANT,
  stations: DEFAULT_PLANT.stations.map((s) => ({ ...s, mtbfMinutes: 600, mttrMinutes: 90 })),
};

function aScenario(overrides: { seed?: number; load?: number; plant?: PlantSpec } = {}): Scenario {
  return generateScenario(overrides.plant ?? STRESSED, {
    seed: overrides.seed ?? 7,
    replication: 0,
    load: overrides.load ?? 0.9,
    warmupDays: 10,
    measureDays: 40,
    tailDays: 15,
  });
}

const drumbeatWith = (extra: { atRisk?: 'expedite' }) =>
  drumbeatPolicy({
    buffers: { productionBufferDays: 3, shippingBufferDays: 2, standardLeadTimeDays: 2 },
    calendar: DEFAULT_PLANT.calendar,
    minutesPerDay: DEFAULT_PLANT.minutesPerDay,
    frozenWindowMinutes: 480,
    ...extra,
  });
const routeWith = (extra: { atRisk?: 'expedite'; commitAtQuote?: boolean }) =>
  drumbeatRoutePolicy({
    buffers: { productionBufferDays: 3, shippingBufferDays: 1, standardLeadTimeDays: 0 },
    calendar: DEFAULT_PLANT.calendar,
    minutesPerDay: DEFAULT_PLANT.minutesPerDay,
    stations: DEFAULT_PLANT.stations.map((s) => s.id),
    drum: DEFAULT_PLANT.drum,
    frozenWindowMinutes: 480,
    ...extra,
  });

const POLICIES: [string, () => Policy][] = [
  [
    'Drumbeat',
    () =>
      drumbeatPolicy({
        buffers: { productionBufferDays: 3, shippingBufferDays: 2, standardLeadTimeDays: 2 },
        calendar: DEFAULT_PLANT.calendar,
        minutesPerDay: DEFAULT_PLANT.minutesPerDay,
      }),
  ],
  [
    'Drumbeat with a frozen window and buffer management',
    () =>
      drumbeatPolicy({
        buffers: { productionBufferDays: 3, shippingBufferDays: 2, standardLeadTimeDays: 2 },
        productBuffers: new Map([['frame', { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 4 }]]),
        calendar: DEFAULT_PLANT.calendar,
        minutesPerDay: DEFAULT_PLANT.minutesPerDay,
        frozenWindowMinutes: 480,
        bufferManagement: true,
      }),
  ],
  [
    'Drumbeat on the whole-route engine (probe, not in the study)',
    () =>
      drumbeatRoutePolicy({
        buffers: { productionBufferDays: 3, shippingBufferDays: 2, standardLeadTimeDays: 2 },
        calendar: DEFAULT_PLANT.calendar,
        minutesPerDay: DEFAULT_PLANT.minutesPerDay,
        stations: DEFAULT_PLANT.stations.map((s) => s.id),
        drum: DEFAULT_PLANT.drum,
        frozenWindowMinutes: 480,
        bufferManagement: true,
      }),
  ],
  ['Drumbeat expediting at-risk orders', () => drumbeatWith({ atRisk: 'expedite' })],
  ['Drumbeat on the whole-route engine, expediting at-risk orders', () => routeWith({ atRisk: 'expedite' })],
  ['Drumbeat on the whole-route engine, committing later requested dates at the quote', () => routeWith({ commitAtQuote: true })],
  ['vicious circle', () => viciousCirclePolicy(7)],
  ['Load-aware', () => loadAwarePolicy(1)],
  ['CONWIP', () => conwipPolicy(4, 1)],
  ['CON', () => dueDateRulePolicy('CON', 5)],
  ['TWK', () => dueDateRulePolicy('TWK', 4)],
  ['SLK', () => dueDateRulePolicy('SLK', 3)],
];

function run(policy: Policy, scenario = aScenario()): { result: RunResult; times: number[] } {
  const times: number[] = [];
  const result = simulate(scenario, policy, { onEvent: (t) => times.push(t) });
  return { result, times };
}

describe.each(POLICIES)('the simulator under %s', (_name, make) => {
  const scenario = aScenario();
  const { result, times } = run(make(), scenario);

  it('never processes an order before its release', () => {
    for (const s of result.segments) {
      const order = result.orders[s.order]!;
      expect(order.released).toBeDefined();
      expect(s.start).toBeGreaterThanOrEqual(order.released!);
    }
  });

  it('never lets a station process two orders at once', () => {
    scenario.stationIds.forEach((_, station) => {
      const segs = result.segments.filter((s) => s.station === station).sort((a, b) => a.start - b.start);
      for (let i = 1; i < segs.length; i++) expect(segs[i]!.start).toBeGreaterThanOrEqual(segs[i - 1]!.end - 1e-9);
    });
  });

  it('never works a station while it is broken down', () => {
    for (const s of result.segments) {
      for (const b of scenario.breakdowns[s.station]!) {
        if (b.failAt >= s.end) break;
        expect(s.end <= b.failAt + 1e-9 || s.start >= b.repairAt - 1e-9).toBe(true);
      }
    }
  });

  it('never moves the clock back', () => {
    expect(times.length).toBeGreaterThan(100);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
  });

  it('conserves orders: every arrival is in the pool, on the floor or finished, and every measured order finishes', () => {
    const arrived = scenario.jobs.filter((j) => j.arrival <= result.endTime);
    expect(result.orders.length).toBe(arrived.length);
    expect(result.orders.map((o) => o.job.id)).toEqual(arrived.map((j) => j.id));
    const pool = result.orders.filter((o) => o.released === undefined).length;
    const floor = result.orders.filter((o) => o.released !== undefined && o.completed === undefined).length;
    const done = result.orders.filter((o) => o.completed !== undefined).length;
    expect(pool + floor + done).toBe(arrived.length);
    expect(result.truncated).toBe(false);
    for (const o of result.orders) {
      if (o.job.arrival >= scenario.warmup && o.job.arrival < scenario.measureEnd) expect(o.completed).toBeDefined();
    }
  });

  it('works each operation in routing order for exactly its processing time, pre-emptions included', () => {
    const byOrder = new Map<number, typeof result.segments>();
    for (const s of result.segments) byOrder.set(s.order, [...(byOrder.get(s.order) ?? []), s]);
    for (const o of result.orders.filter((x) => x.completed !== undefined)) {
      const segs = byOrder.get(o.job.id)!;
      for (let i = 1; i < segs.length; i++) expect(segs[i]!.op).toBeGreaterThanOrEqual(segs[i - 1]!.op);
      o.job.ops.forEach((op, k) => {
        const worked = segs.filter((s) => s.op === k).reduce((sum, s) => sum + (s.end - s.start), 0);
        expect(worked).toBeCloseTo(op.actual, 6);
        expect(segs.filter((s) => s.op === k).every((s) => s.station === op.station)).toBe(true);
      });
      expect(o.completed!).toBeGreaterThanOrEqual(o.job.arrival);
    }
  });

  it('promises every order a date no earlier than its arrival, and keeps the quote no later than the promise', () => {
    for (const o of result.orders) {
      expect(o.quotedDue).toBeGreaterThan(o.job.arrival);
      expect(o.due).toBeGreaterThanOrEqual(o.quotedDue);
    }
  });
});

describe('determinism and common random numbers', () => {
  it('gives identical runs for the same seed', () => {
    for (const [, make] of POLICIES) {
      const a = run(make(), aScenario({ seed: 3 })).result;
      const b = run(make(), aScenario({ seed: 3 })).result;
      expect(measure(a)).toEqual(measure(b));
      expect(a.orders.map((o) => o.completed)).toEqual(b.orders.map((o) => o.completed));
    }
  });

  it('gives different runs for different seeds', () => {
    const a = measure(run(viciousCirclePolicy(7), aScenario({ seed: 3 })).result);
    const b = measure(run(viciousCirclePolicy(7), aScenario({ seed: 4 })).result);
    expect(a).not.toEqual(b);
  });

  it('draws the same orders, processing times and failures whatever the policy (they are fixed before it runs)', () => {
    const before = JSON.stringify(aScenario({ seed: 5 }));
    const sc = aScenario({ seed: 5 });
    for (const [, make] of POLICIES) simulate(sc, make());
    expect(JSON.stringify(sc)).toBe(before);
  });

  it('keeps the same order stream across loads, only compressed in time', () => {
    const low = aScenario({ load: 0.85 });
    const high = aScenario({ load: 0.95 });
    const n = Math.min(low.jobs.length, high.jobs.length);
    for (let i = 0; i < n; i++) {
      expect(high.jobs[i]!.product).toBe(low.jobs[i]!.product);
      expect(high.jobs[i]!.ops).toEqual(low.jobs[i]!.ops);
      expect(high.jobs[i]!.arrival).toBeCloseTo((low.jobs[i]!.arrival * 0.85) / 0.95, 6);
    }
  });
});

describe('the Drumbeat policy on the engine', () => {
  const scenario = aScenario({ plant: DEFAULT_PLANT });
  const { result } = run(POLICIES[0]![1](), scenario);

  it('promises the quote, or the requested date when the customer asked for later', () => {
    for (const o of result.orders) {
      expect(o.due).toBe(Math.max(o.quotedDue, o.job.requestedDue ?? -Infinity));
    }
  });

  it('never quotes inside the standard lead time (2 working days after today)', () => {
    for (const o of result.orders) {
      const today = Math.floor(o.job.arrival / DEFAULT_PLANT.minutesPerDay);
      expect(o.quotedDue).toBeGreaterThanOrEqual((today + 3) * DEFAULT_PLANT.minutesPerDay);
    }
  });

  it('keeps its promises in a plant without disturbances, even at 95 % load (the engine sees the simulated capacity)', async () => {
    const { buffersFromRouting } = await import('../../sim/buffer-sizing.ts');
    const calm: PlantSpec = {
      ...DEFAULT_PLANT,
      processingCv: 0,
      stations: DEFAULT_PLANT.stations.map((s) => ({ ...s, mtbfMinutes: 1e12 })),
    };
    const sc = generateScenario(calm, { seed: 1, replication: 0, load: 0.95, warmupDays: 10, measureDays: 200, tailDays: 20 });
    const policy = drumbeatPolicy({
      buffers: { productionBufferDays: 3, shippingBufferDays: 3, standardLeadTimeDays: 3 },
      productBuffers: buffersFromRouting(calm),
      calendar: calm.calendar,
      minutesPerDay: calm.minutesPerDay,
    });
    const m = measure(simulate(sc, policy));
    expect(m.orders).toBeGreaterThan(400);
    expect(m.onTimePct).toBe(100);
  });

  it('holds material back until the rope releases it', () => {
    const heldBack = result.orders.filter((o) => o.released !== undefined && o.released > o.job.arrival);
    expect(heldBack.length).toBeGreaterThan(0);
  });
});

describe('the planner’s probes on the stressed plant', () => {
  const scenario = aScenario();

  /** Non-drum dispatching keys of one run, and how many of them were expedited (at risk). */
  const keys = (p: Policy) => {
    let all = 0;
    let expedited = 0;
    const priority = p.priority.bind(p);
    const spy: Policy = {
      ...p,
      name: p.name,
      onArrival: p.onArrival.bind(p),
      priority(order, station, now) {
        const k = priority(order, station, now);
        if (station !== scenario.drum) {
          all++;
          if (k < -1e11) expedited++;
        }
        return k;
      },
    };
    simulate(scenario, spy);
    return { all, expedited };
  };

  it('flags orders at risk on both engines and puts them ahead on the non-drum centres, and only when asked', () => {
    for (const [asked, plain] of [
      [drumbeatWith({ atRisk: 'expedite' }), drumbeatWith({})],
      [routeWith({ atRisk: 'expedite' }), routeWith({})],
    ] as const) {
      const k = keys(asked);
      expect(k.expedited).toBeGreaterThan(0);
      expect(k.expedited).toBeLessThan(k.all);
      expect(keys(plain).expedited).toBe(0);
    }
  });

  it('committing at the quote still promises the customer a later requested date, and nothing earlier than the quote', () => {
    const orders = simulate(scenario, routeWith({ commitAtQuote: true })).orders;
    const later = orders.filter((o) => o.job.requestedDue !== undefined && o.job.requestedDue > o.quotedDue);
    expect(later.length).toBeGreaterThan(0);
    for (const o of later) expect(o.due).toBeGreaterThanOrEqual(o.job.requestedDue!);
    for (const o of orders) expect(o.due).toBeGreaterThanOrEqual(o.quotedDue);
  });
});
