import { describe, expect, it } from 'vitest';
import { RouteBook, buildWorkingTime, type Calendar, type RouteDemand } from '../../src/engine/index.ts';
import { checkPlan, describeViolations, type CheckerInput } from '../helpers/plan-checker.ts';

// Found while driving the whole-route engine from the simulator (issue 18): an order the
// floor has put on the drum AHEAD of its plan kept the ready time ρ it was committed with.
// The drum works pinned orders first, semi-actively (F = max(F_prev, c(ρ)) + p), so the
// order in progress (or already through the drum, load 0) held the planned drum idle until
// that stale ρ, and every quote queued behind it (in the simulator: new orders' drum
// deadlines 6.6 working days out where 0.85 was right). Work actually started brings ρ
// forward: to now on a drum report, to the end of what remains before the drum on an
// upstream report (to now when nothing remains).

const cal: Calendar = {
  timeZone: 'Europe/Berlin',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '07:00', end: '15:00' })),
  exceptions: [],
};
const wt = buildWorkingTime(cal);
const wts = new Map(['saw', 'mill'].map((r) => [r, wt]));
const monday = wt.startOfLocalDate('2027-01-04'); // local midnight; the shift starts at 07:00
const horizon = monday + 400 * 1440;
const now = monday + 600; // Monday 10:00
const book = () => new RouteBook('mill', wts, [], { lookahead: 0 });
const zero = { productionBufferDays: 0, shippingBufferDays: 0, standardLeadTimeDays: 0 };
const newOrder = { ops: [{ resource: 'mill', minutes: 100 }], policy: zero };

/** An order promised two weeks out: committed with its (saw and) drum work planned late (the rope). */
function farOrder(b: RouteBook, withSaw = true) {
  const demand: RouteDemand = {
    ops: [...(withSaw ? [{ resource: 'saw', minutes: 60 }] : []), { resource: 'mill', minutes: 100 }],
    policy: { productionBufferDays: 2, shippingBufferDays: 0, standardLeadTimeDays: 0 },
  };
  expect(b.commit(monday, 'A', demand, '2027-01-15', horizon)).not.toBeNull();
  return b.get('A')!;
}

/** The published plan is valid for the independent checker, each order released (actually) at `releasedAt`. */
function expectValid(b: RouteBook, at: number, releasedAt: number) {
  const input: CheckerInput = {
    now: at,
    plant: { timeZone: cal.timeZone, drum: 'mill', resources: ['saw', 'mill'].map((id) => ({ id, calendar: cal })) },
    orders: [],
    plan: {},
  };
  for (const p of b.plan(at)) {
    const rec = b.get(p.id)!;
    input.orders.push({
      id: p.id,
      status: rec.pinned ? 'in_progress' : 'released',
      atRisk: false,
      bufferConsumed: false,
      promise: rec.promiseDate,
      shippingBufferDays: rec.shippingBufferDays,
      materialAvailable: null,
      release: releasedAt,
      operations: p.operations.map(({ position, resource, minutes }) => ({ position, resource, minutes })),
    });
    input.plan[p.id] = p.operations.map(({ position, resource, start, end }) => ({ position, resource, start, end }));
  }
  const v = checkPlan(input);
  expect(v, describeViolations(v)).toEqual([]);
}

/** A cold book from the stored records plans the same. */
function expectColdEqual(b: RouteBook) {
  const cold = new RouteBook('mill', wts, b.orders(), { lookahead: 0 });
  expect(cold.plan(now)).toEqual(b.plan(now));
  expect(cold.quote(now, newOrder, horizon)).toEqual(b.quote(now, newOrder, horizon));
}

describe('whole-route engine: an order started on the drum ahead of its plan', () => {
  it('is committed with a ready time days out (the setting of the defect)', () => {
    const a = farOrder(book());
    expect(wt.localDateOf(a.ready)).toBe('2027-01-13');
  });

  it('through the drum early (load 0) it no longer holds the drum: a new order quotes today', () => {
    const b = book();
    const a = farOrder(b);
    b.reportOperation(now, 'A', 0, 60, horizon);
    b.upsert({ ...b.get('A')!, drumLoad: 0, pinned: true, pinRank: -1 });
    const out = b.settleDrumReport(now, 'A', horizon);
    expect(a.ready).toBeGreaterThan(now);
    expect(b.get('A')!.ready).toBeLessThanOrEqual(now);
    expect(out.changed.filter((o) => o.id === 'A').every((o) => o.ready <= now)).toBe(true);
    const q = b.quote(now, newOrder, horizon);
    expect(q.promiseDate).toBe('2027-01-04');
    expect(q.earliestDeadline).toBe(now + 100);
    expectValid(b, now, now);
    expectColdEqual(b);
  });

  it('on the drum early, its ready time drops to the report and new work queues right behind its remaining minutes', () => {
    const b = book();
    const a = farOrder(b, false);
    expect(a.ready).toBeGreaterThan(now);
    // On the drum since 09:00, 40 of its 100 minutes done at 10:00: 60 remain.
    b.upsert({ ...b.get('A')!, drumLoad: 60, pinned: true, pinRank: -1, released: true });
    const out = b.settleDrumReport(now, 'A', horizon);
    expect(out.changed.map((o) => o.id)).toEqual(['A']);
    expect(b.get('A')).toMatchObject({ ready: now, pinned: true, pinRank: -1 });
    expect(b.planOf(now, 'A')!.operations[0]).toMatchObject({ start: now, end: now + 60 });
    const q = b.quote(now, newOrder, horizon);
    expect(q.earliestDeadline).toBe(now + 160);
    expect(q.promiseDate).toBe('2027-01-04');
    expectValid(b, now, now - 60);
    expectColdEqual(b);
    // Reported again: nothing more to change.
    expect(b.settleDrumReport(now + 5, 'A', horizon).changed).toEqual([]);
  });

  it('upstream work done early brings the ready time forward to now', () => {
    const b = book();
    const a = farOrder(b);
    // Half the saw's minutes done at 10:00, far ahead of the rope: what remains is still planned
    // from the planned release on, and ρ stays at its end.
    b.reportOperation(now, 'A', 0, 30, horizon);
    expect(b.get('A')!.ready).toBe(b.get('A')!.ops[0]!.end);
    expect(b.get('A')!.ready).toBeGreaterThan(now);
    // Done at 10:20: nothing remains before the drum, so the order is ready now.
    const out = b.reportOperation(now + 20, 'A', 0, 60, horizon);
    expect(out.changed.map((o) => o.id)).toEqual(['A']);
    expect(b.get('A')!).toMatchObject({ ready: now + 20, pinned: false, key: a.key });
    expectValid(b, now + 20, now);
    expectColdEqual(b);
  });

  it('a pinned order whose work before the drum is still planned later keeps that ready time', () => {
    const b = book();
    const a = farOrder(b);
    b.upsert({ ...b.get('A')!, drumLoad: 60, pinned: true, pinRank: -1, released: true });
    b.settleDrumReport(now, 'A', horizon);
    expect(b.get('A')!.ready).toBe(a.ready);
  });
});
