import { describe, expect, it } from 'vitest';
import { RouteBook, buildWorkingTime, type Calendar, type RouteDemand } from '../../src/engine/index.ts';
import { checkPlan, describeViolations, type CheckerInput } from '../helpers/plan-checker.ts';

// Found by the progress property test (seed -1021691836): work before the drum reported done
// ahead of the rope brings the ready time ρ forward to the report (route-book.started-ahead),
// and the published plan puts the completed work at ρ, but it kept the rope's planned release
// days later: the first operation started before the order's release (checker rule 3), and the
// release list's wait from the release to the first operation went negative. The plan's
// release is no later than the work actually started.

const cal: Calendar = {
  timeZone: 'Europe/Berlin',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '05:00', end: '12:30' })),
  exceptions: [],
};
const wt = buildWorkingTime(cal);
const wts = new Map(['saw', 'mill'].map((r) => [r, wt]));
const monday = wt.startOfLocalDate('2026-10-19'); // local midnight; the shift starts at 05:00
const horizon = monday + 400 * 1440;
const now = monday + 102; // Monday 01:42, before the shift
const policy = { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 2 };
const plant: CheckerInput['plant'] = {
  timeZone: cal.timeZone,
  drum: 'mill',
  resources: ['saw', 'mill'].map((id) => ({ id, calendar: cal })),
};

/** An order promised two weeks out, released now: its saw work is planned days out (the rope). */
function farOrder(sawMinutes: number) {
  const b = new RouteBook('mill', wts, [], { lookahead: 0 });
  const demand: RouteDemand = {
    ops: [
      { resource: 'saw', minutes: sawMinutes },
      { resource: 'mill', minutes: 60 },
    ],
    policy,
  };
  expect(b.commit(now, 'A', demand, '2026-10-30', horizon)).not.toBeNull();
  b.upsert({ ...b.get('A')!, released: true });
  expect(b.get('A')!.plannedRelease!).toBeGreaterThan(now + 2 * 1440);
  return b;
}

function expectValid(b: RouteBook) {
  const input: CheckerInput = { now, plant, orders: [], plan: {} };
  for (const p of b.plan(now)) {
    const rec = b.get(p.id)!;
    input.orders.push({
      id: p.id,
      status: 'released',
      atRisk: false,
      bufferConsumed: false,
      promise: rec.promiseDate,
      shippingBufferDays: rec.shippingBufferDays,
      materialAvailable: null,
      release: p.plannedRelease ?? now,
      operations: p.operations.map(({ position, resource, minutes }) => ({ position, resource, minutes })),
    });
    input.plan[p.id] = p.operations.map(({ position, resource, start, end }) => ({ position, resource, start, end }));
  }
  const v = checkPlan(input);
  expect(v, describeViolations(v)).toEqual([]);
  const cold = new RouteBook('mill', wts, b.orders(), { lookahead: 0 });
  expect(cold.plan(now)).toEqual(b.plan(now));
}

describe('whole-route engine: the release of an order whose work before the drum is done ahead of the rope', () => {
  it('a zero-minute operation reported done: the plan is released no later than the work', () => {
    const b = farOrder(0);
    b.reportOperation(now, 'A', 0, 0, horizon);
    expect(b.get('A')!.ready).toBe(now);
    const p = b.planOf(now, 'A')!;
    expect(p.operations[0]).toMatchObject({ minutes: 0, start: now, end: now });
    expect(p.plannedRelease).toBe(now);
    expectValid(b);
  });

  it('an operation with minutes reported done: the same', () => {
    const b = farOrder(45);
    b.reportOperation(now, 'A', 0, 45, horizon);
    expect(b.get('A')!.ready).toBe(now);
    expect(b.planOf(now, 'A')!.plannedRelease).toBe(now);
    expectValid(b);
  });

  it('an operation partly done keeps the rope release: its remaining minutes are planned from it', () => {
    const b = farOrder(45);
    const release = b.get('A')!.plannedRelease;
    b.reportOperation(now, 'A', 0, 15, horizon);
    expect(b.planOf(now, 'A')!.plannedRelease).toBe(release);
    expectValid(b);
  });
});
