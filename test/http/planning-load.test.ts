import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Calendar, Weekday } from '../../src/engine/calendar-types.ts';
import { buildOracle } from '../engine/calendar-oracle.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant, twoShiftWeek } from '../helpers/builders.ts';
import { endOfLocalDate, startOfLocalDate } from '../helpers/plan-checker.ts';
import { client, databaseKinds } from '../helpers/planning.ts';
import { minuteOf } from '../helpers/published-plan.ts';

// The load report from the published route plans (design note whole-route.md §7): a
// resource's load in a day is the working minutes of its planned intervals in that day.
// Monday 2026-11-23 09:00 in Europe/Berlin.
const NOW = '2026-11-23T08:00:00Z';
const ZONE = 'Europe/Berlin';
const MON_FRI: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const oneShift = { weekly: MON_FRI.map((day) => ({ day, start: '06:00', end: '14:00' })), exceptions: [] as Calendar['exceptions'] };
const twoShifts = { weekly: twoShiftWeek, exceptions: [] as Calendar['exceptions'] };

type Load = {
  resources: {
    resource: string;
    drum: boolean;
    flagged: boolean;
    periods: {
      start: string;
      end: string;
      loadMinutes: number;
      capacityMinutes: number;
      utilisation: number | null;
      overThreshold: boolean;
    }[];
    unreservedMinutes: number;
    usableCapacity: { minutes: number; freeMinutes: number; medianOperationMinutes: number | null };
  }[];
  possibleWanderingBottlenecks: string[];
};
type Plan = { orders: { orderId: string; operations: { resource: string; minutes: number; start: string; end: string }[] }[] };

const dayList = (from: string, to: string) => {
  const out: string[] = [];
  for (let d = new Date(`${from}T12:00:00Z`); d.toISOString().slice(0, 10) <= to; d.setUTCDate(d.getUTCDate() + 1))
    out.push(d.toISOString().slice(0, 10));
  return out;
};

/**
 * The load the rule asks for, computed from GET …/plan with the independent calendar oracle
 * (Intl, minute by minute) and the checker's own local-day boundaries, not the engine's.
 */
function loadFromPlan(plan: Plan, calendars: Record<string, Omit<Calendar, 'timeZone'>>, days: string[]) {
  const from = startOfLocalDate(ZONE, days[0]!) - 3 * 1440;
  const length = endOfLocalDate(ZONE, days.at(-1)!) + 3 * 1440 - from;
  const out: Record<string, number[]> = {};
  for (const [r, c] of Object.entries(calendars)) {
    const oracle = buildOracle({ timeZone: ZONE, ...c }, { zone: ZONE, from, length });
    out[r] = days.map((d) => {
      const [a, b] = [startOfLocalDate(ZONE, d), endOfLocalDate(ZONE, d)];
      let sum = 0;
      for (const o of plan.orders)
        for (const op of o.operations) {
          if (op.resource !== r) continue;
          const [s, e] = [Math.max(a, minuteOf(op.start)), Math.min(b, minuteOf(op.end))];
          if (e > s) sum += oracle.count(s, e);
        }
      return sum;
    });
  }
  return out;
}

describe.each(databaseKinds())('resource load on %s', (kind) => {
  let t: TestApp;
  let plants = 0;
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  afterAll(async () => t.close());

  const of = (l: Load, r: string) => l.resources.find((x) => x.resource === r)!;
  const loadOf = (l: Load, r: string) => of(l, r).periods.map((p) => p.loadMinutes);

  /** A plant per test: heat treatment (one shift) → drum (two shifts) → test (one shift); H: 60, 6 and 3 minutes per unit. */
  async function heatPlant() {
    const id = `load-heat-${++plants}`;
    const c = client(() => t, id);
    const ok = async (method: 'POST' | 'PUT', url: string, payload: unknown) => {
      const res = await c.call(method, url, 'admin', payload);
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    };
    await ok('POST', '/v1/plants', { id, name: id, timeZone: ZONE });
    const calendars = { heat: oneShift, drum: twoShifts, test: oneShift };
    for (const [r, calendar] of Object.entries(calendars))
      await ok('PUT', `resources/${r}`, { name: r.toUpperCase(), drum: r === 'drum', calendar });
    await ok('PUT', 'products/H', {
      name: 'H',
      routing: [
        { resource: 'heat', setupMinutes: 0, runMinutesPerUnit: 60 },
        { resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 6 },
        { resource: 'test', setupMinutes: 0, runMinutesPerUnit: 3 },
      ],
    });
    await ok('PUT', 'buffer-policy', { productionBufferDays: 4, shippingBufferDays: 1, standardLeadTimeDays: 2 });
    return { c, calendars };
  }

  const report = async (c: ReturnType<typeof client>, query: string) => {
    const res = await c.call('GET', `load?${query}`, 'planner');
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Load;
  };
  const plan = async (c: ReturnType<typeof client>) => (await c.call('GET', 'plan', 'planner')).json() as Plan;

  it('splits an operation across the days it works: 600 heat minutes on an 8-hour shift load 480 and 120, and heat is flagged', async () => {
    const { c, calendars } = await heatPlant();
    await c.order({ sku: 'H', quantity: 10, promiseDate: '2026-12-04' });
    const ops = (await plan(c)).orders[0]!.operations;
    // Released at the rope (PB = 4 working days before Friday's promise, at heat's 06:00 shift start).
    expect(ops.map((o) => [o.resource, o.minutes])).toEqual([
      ['heat', 600],
      ['drum', 60],
      ['test', 30],
    ]);
    expect(ops[0]).toMatchObject({ start: '2026-11-30T05:00:00.000Z', end: '2026-12-01T07:00:00.000Z' }); // Mon 06:00 – Tue 08:00

    const l = await report(c, 'from=2026-11-30&to=2026-12-04');
    expect(loadOf(l, 'heat')).toEqual([480, 120, 0, 0, 0]);
    expect(of(l, 'heat').periods[0]).toMatchObject({ capacityMinutes: 480, utilisation: 1, overThreshold: true });
    expect(of(l, 'heat').periods[1]).toMatchObject({ capacityMinutes: 480, utilisation: 0.25, overThreshold: false });
    expect(loadOf(l, 'drum').reduce((a, b) => a + b)).toBe(60);
    expect(loadOf(l, 'test').reduce((a, b) => a + b)).toBe(30);
    expect(of(l, 'heat').flagged).toBe(true);
    expect(l.possibleWanderingBottlenecks).toEqual(['heat']);
    expect(of(l, 'drum').flagged).toBe(false);
    expect(of(l, 'heat').unreservedMinutes).toBe(0);
    // The same numbers as the intervals of GET …/plan, counted on each resource's calendar by the oracle.
    const days = dayList('2026-11-30', '2026-12-04');
    const expected = loadFromPlan(await plan(c), calendars, days);
    for (const r of Object.keys(calendars)) expect(loadOf(l, r), r).toEqual(expected[r]);

    // By week: one period of the five days; under a higher threshold heat is not flagged.
    const week = await report(c, 'from=2026-11-30&to=2026-12-06&granularity=week');
    expect(of(week, 'heat').periods).toEqual([
      { start: '2026-11-30', end: '2026-12-06', loadMinutes: 600, capacityMinutes: 2400, utilisation: 0.25, overThreshold: false },
    ]);
    expect((await report(c, 'from=2026-11-30&to=2026-12-04&threshold=1')).possibleWanderingBottlenecks).toEqual([]);
  });

  it('reports usable capacity: free heat minutes after now in stretches at least as long as its median operation', async () => {
    const { c } = await heatPlant();
    await c.order({ sku: 'H', quantity: 10, promiseDate: '2026-12-04' });
    const l = await report(c, 'from=2026-11-23&to=2026-12-04');
    // From Monday 09:00: 300 + 4 × 480 before the operation, then from Tuesday 08:00 on 360 + 3 × 480.
    expect(of(l, 'heat').usableCapacity).toEqual({ minutes: 2220 + 1800, freeMinutes: 2220 + 1800, medianOperationMinutes: 600 });
    // The drum's free time after now: 10 days of 960 minus Monday's three past hours and the 60 planned.
    expect(of(l, 'drum').usableCapacity).toEqual({ minutes: 9600 - 180 - 60, freeMinutes: 9600 - 180 - 60, medianOperationMinutes: 60 });
  });

  it('follows a capacity change: heat down on Monday moves its planned work, and the report moves with it', async () => {
    const { c, calendars } = await heatPlant();
    await c.order({ sku: 'H', quantity: 10, promiseDate: '2026-12-04' });
    const res = await c.call('POST', 'capacity-changes', 'planner', {
      resource: 'heat',
      kind: 'downtime',
      date: '2026-11-30',
      reason: 'furnace',
    });
    expect(res.statusCode, res.body).toBe(201);
    const l = await report(c, 'from=2026-11-30&to=2026-12-04');
    expect(of(l, 'heat').periods[0]).toMatchObject({ capacityMinutes: 0, loadMinutes: 0, utilisation: 0, overThreshold: false });
    const changed = { ...calendars, heat: { ...oneShift, exceptions: [{ kind: 'downtime' as const, date: '2026-11-30' }] } };
    const expected = loadFromPlan(await plan(c), changed, dayList('2026-11-30', '2026-12-04'));
    for (const r of Object.keys(calendars)) expect(loadOf(l, r), r).toEqual(expected[r]);
    expect(loadOf(l, 'heat').reduce((a, b) => a + b)).toBe(600);
    expect(l.possibleWanderingBottlenecks).toEqual(['heat']);
  });

  it('loads the drum from its planned intervals too, equal to GET …/plan, and checks the query and the role', async () => {
    const id = `load-${++plants}`;
    await seedPlant(t, id); // SAWN: saw 5 + 1/unit, then the drum cnc 30 + 10/unit; both 06:00–22:00 Mon–Fri
    const c = client(() => t, id);
    await c.order({ quantity: 288, promiseDate: '2026-12-11', sku: 'SAWN' });
    await c.order({ quantity: 1, promiseDate: '2026-12-18', sku: 'SAWN' });
    const l = await report(c, 'from=2026-11-23&to=2026-12-18');
    const expected = loadFromPlan(await plan(c), { cnc: twoShifts, saw: twoShifts }, dayList('2026-11-23', '2026-12-18'));
    expect(loadOf(l, 'cnc')).toEqual(expected.cnc);
    expect(loadOf(l, 'saw')).toEqual(expected.saw);
    expect(loadOf(l, 'cnc').reduce((a, b) => a + b)).toBe(2910 + 40);
    expect(loadOf(l, 'saw').reduce((a, b) => a + b)).toBe(293 + 6);
    expect(of(l, 'cnc').flagged).toBe(false); // the drum is the constraint, not a wandering one
    expect((await c.call('GET', 'load?from=2026-11-24&to=2026-11-23', 'planner')).statusCode).toBe(400);
    expect((await c.call('GET', 'load?from=2026-11-23&to=2026-11-24', 'sales')).statusCode).toBe(403);
  });
});
