import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { checkPlan, describeViolations, endOfLocalDate, type CheckerInput } from '../helpers/plan-checker.ts';
import { checkerInputFrom, minuteOf, type PublishedPlan } from '../helpers/published-plan.ts';
import { monThu, NOW, oneShift, twoShifts, ZONE } from '../helpers/route-plant.ts';

// Issue 12's acceptance scenarios, through the HTTP API on both databases: every promise
// comes with a plan the independent checker (test/helpers/plan-checker.ts) accepts.
// Monday 2026-11-23 09:00 in Europe/Berlin.

/** Heat treatment (Mon–Thu, one shift) → drum (two shifts) → test (one shift); product H: 96, 6 and 3 minutes per unit. */
const heatBeforeDrum = () =>
  [
    { heat: { drum: false, calendar: monThu }, drum: { drum: true, calendar: twoShifts }, test: { drum: false, calendar: oneShift } },
    {
      H: [
        ['heat', 96],
        ['drum', 6],
        ['test', 3],
      ] as [string, number][],
    },
  ] as const;

describe.each(realPostgresAvailable() ? (['pglite', 'postgres'] as const) : (['pglite'] as const))('whole-route promises on %s', (kind) => {
  let t: TestApp;
  let plants = 0;
  let P = '';
  let calendars: Record<string, Omit<Calendar, 'timeZone'>> = {};

  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  beforeEach(() => t.clock.set(NOW));
  afterAll(async () => t.close());

  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, role: 'admin' | 'planner' | 'sales', payload?: unknown) =>
    t.app.inject({ method, url, headers: t.as(role), ...(payload === undefined ? {} : { payload: payload as object }) });
  const ok = async (method: 'GET' | 'POST' | 'PUT', url: string, role: 'admin' | 'planner' | 'sales', payload?: unknown) => {
    const res = await call(method, url, role, payload);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  /** A plant of three resources (heat → drum → test) and products given as routings. */
  async function plant(
    resources: Record<string, { drum: boolean; calendar: Omit<Calendar, 'timeZone'> }>,
    products: Record<string, [string, number][]>,
  ) {
    const id = `route-${++plants}`;
    P = `/v1/plants/${id}`;
    calendars = {};
    await ok('POST', '/v1/plants', 'admin', { id, name: id, timeZone: ZONE });
    for (const [r, spec] of Object.entries(resources)) {
      calendars[r] = spec.calendar;
      await ok('PUT', `${P}/resources/${r}`, 'admin', { name: r, drum: spec.drum, calendar: spec.calendar });
    }
    for (const [sku, routing] of Object.entries(products)) {
      await ok('PUT', `${P}/products/${sku}`, 'admin', {
        name: sku,
        routing: routing.map(([resource, run]) => ({ resource, setupMinutes: 0, runMinutesPerUnit: run })),
      });
    }
    // PB 2: the floor is the effective lead time max(LT, PB) (issue 12 item 8), and the tests
    // promise Wednesday (LT 2) to make the route, not the floor, bind.
    await ok('PUT', `${P}/buffer-policy`, 'admin', { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 2 });
  }

  /** The plant's published plan, as the checker reads it. */
  const checkerInput = async (): Promise<CheckerInput> =>
    checkerInputFrom((await ok('GET', `${P}/plan`, 'planner')) as PublishedPlan, {
      now: minuteOf(NOW),
      timeZone: ZONE,
      drum: 'drum',
      calendars,
    });

  async function expectKeepablePlan() {
    const input = await checkerInput();
    const violations = checkPlan(input);
    expect(violations, describeViolations(violations)).toEqual([]);
    expect(input.orders.every((o) => !o.atRisk)).toBe(true);
    return input;
  }

  /** Earliest-date holds confirmed one after another; returns the promises. */
  async function holdAndConfirm(sku: string, quantity: number, count: number) {
    const promises: string[] = [];
    for (let i = 0; i < count; i++) {
      const hold = await ok('POST', `${P}/holds`, 'sales', { sku, quantity, customer: `C${i}` });
      await ok('POST', `${P}/holds/${hold.id}/confirm`, 'sales', {});
      promises.push(hold.promiseDate);
      await expectKeepablePlan();
    }
    return promises;
  }

  it('upstream bottleneck: six promises each need two heat-treatment days, and the dates follow heat treatment', async () => {
    await plant(...heatBeforeDrum());
    const q = await ok('POST', `${P}/quotes`, 'sales', { sku: 'H', quantity: 10 });
    expect(q.bindingResource === null || q.bindingResource === 'heat').toBe(true);
    const promises = await holdAndConfirm('H', 10, 6);
    expect([...promises].sort()).toEqual(promises); // later holds never get earlier dates
    const input = await expectKeepablePlan();
    // 6 × 960 heat minutes from Monday 09:00 on a 480-minute Mon–Thu heat shift: the last one ends on
    // Thursday 2026-12-10 at the earliest, so its promise (one shipping-buffer day later at least) is after it.
    const heatEnds = input.orders.map((o) => Math.max(...input.plan[o.id]!.filter((p) => p.resource === 'heat').map((p) => p.end)));
    expect(Math.max(...heatEnds)).toBeGreaterThanOrEqual(minuteOf('2026-12-10T13:00:00Z'));
    expect(promises.at(-1)! > '2026-12-10').toBe(true);
    // The next quote moves out by heat treatment, which it names.
    const next = await ok('POST', `${P}/quotes`, 'sales', { sku: 'H', quantity: 10 });
    expect(next.bindingResource).toBe('heat');
    expect(next.earliestPromiseDate >= promises.at(-1)!).toBe(true);
    // The price of an earlier date names heat treatment, not the drum.
    const asked = await ok('POST', `${P}/quotes`, 'sales', { sku: 'H', quantity: 10, requestedDate: promises[2] });
    expect(asked.requestedDateFeasible).toBe(false);
    expect(asked.capacityNeeded).toMatchObject({ resource: 'heat', bindingLimit: 'capacity' });
    expect(asked.capacityNeeded.minutes).toBeGreaterThan(0);
    expect(asked.capacityNeeded.minutes).toBeLessThanOrEqual(960);
    expect(asked.capacityNeeded.suggestion.text).toContain('"heat" minutes');
  });

  it('downstream bottleneck: long work after the drum moves the promise, every plan ends by its ship-ready time', async () => {
    await plant(
      { heat: { drum: false, calendar: twoShifts }, drum: { drum: true, calendar: twoShifts }, test: { drum: false, calendar: monThu } },
      {
        D: [
          ['heat', 3],
          ['drum', 6],
          ['test', 96],
        ],
      }, // 10 units: 960 test minutes after the drum
    );
    const promises = await holdAndConfirm('D', 10, 5);
    expect([...promises].sort()).toEqual(promises);
    const input = await expectKeepablePlan();
    for (const o of input.orders) {
      const ops = input.plan[o.id]!;
      expect(ops.at(-1)!.resource).toBe('test');
      expect(ops.at(-1)!.end).toBeLessThanOrEqual(endOfLocalDate(ZONE, o.promise));
    }
    const next = await ok('POST', `${P}/quotes`, 'sales', { sku: 'D', quantity: 10 });
    expect(next.bindingResource).toBe('test');
  });

  it('drum-bound plant: light work off the drum costs at most one working day against the drum alone', async () => {
    // Two plants with the same drum: one where the product also visits saw and test (at most 75 %
    // of the drum's load, well inside half the production buffer), one where it visits the drum only.
    await plant(
      { saw: { drum: false, calendar: twoShifts }, drum: { drum: true, calendar: twoShifts }, test: { drum: false, calendar: twoShifts } },
      {
        R: [
          ['saw', 2],
          ['drum', 4],
          ['test', 2],
        ],
        A: [['drum', 4]],
      },
    );
    const routeP = P;
    const routeCalendars = calendars;
    await plant({ drum: { drum: true, calendar: twoShifts } }, { A: [['drum', 4]] });
    const drumP = P;
    for (let i = 0; i < 12; i++) {
      P = routeP;
      calendars = routeCalendars;
      const withRoute = await ok('POST', `${routeP}/holds`, 'sales', { sku: 'R', quantity: 100 });
      const drumOnly = await ok('POST', `${drumP}/holds`, 'sales', { sku: 'A', quantity: 100 });
      const d = new Date(`${drumOnly.promiseDate}T12:00:00Z`);
      const oneDayLater = new Date(d.getTime() + (d.getUTCDay() === 5 ? 3 : 1) * 86_400_000).toISOString().slice(0, 10);
      expect(withRoute.promiseDate >= drumOnly.promiseDate).toBe(true);
      expect(withRoute.promiseDate <= oneDayLater).toBe(true);
    }
    P = routeP;
    calendars = routeCalendars;
    await expectKeepablePlan();
  });

  it('publishes the plan of one order to its owner, and 404 for an order that has none', async () => {
    await plant(...heatBeforeDrum());
    const hold = await ok('POST', `${P}/holds`, 'sales', { sku: 'H', quantity: 1 });
    const plan = await ok('GET', `${P}/orders/${hold.id}/plan`, 'sales');
    expect(plan.operations.map((o: { resource: string }) => o.resource)).toEqual(['heat', 'drum', 'test']);
    expect(plan.operations.map((o: { minutes: number }) => o.minutes)).toEqual([96, 6, 3]);
    expect(Date.parse(plan.operations[0].start)).toBeGreaterThanOrEqual(Date.parse(NOW));
    expect((await t.app.inject({ method: 'DELETE', url: `${P}/holds/${hold.id}`, headers: t.as('sales') })).statusCode).toBeLessThan(300);
    expect((await call('GET', `${P}/orders/${hold.id}/plan`, 'sales')).statusCode).toBe(404);
  });
  it('a capacity change off the drum: planned work moves when the date holds; orders it would make late need a re-promise', async () => {
    await plant(...heatBeforeDrum());
    // 480 heat minutes from Monday 09:00 (Mon–Thu 06:00–14:00); promised Wednesday, ship-ready by Tuesday night.
    const order = await ok('POST', `${P}/orders`, 'sales', { sku: 'H', quantity: 5, promiseDate: '2026-11-25', customer: 'A' });
    const plan = await ok('GET', `${P}/orders/${order.id}/plan`, 'planner');
    expect(plan.operations[0]).toMatchObject({ resource: 'heat', start: '2026-11-23T08:00:00.000Z' });
    // Two hours off Monday afternoon: the heat treatment ends on Tuesday morning instead, the promise holds.
    const short = { resource: 'heat', kind: 'downtime', date: '2026-11-23', start: '12:00', end: '14:00', reason: 'furnace check' };
    const previewShort = await ok('POST', `${P}/capacity-changes?preview=true`, 'planner', short);
    expect(previewShort.late).toEqual([]);
    expect((await call('POST', `${P}/capacity-changes`, 'planner', short)).statusCode).toBe(201);
    const downtimes: Calendar['exceptions'] = [{ kind: 'downtime', date: '2026-11-23', start: '12:00', end: '14:00' }];
    calendars.heat = { ...calendars.heat!, exceptions: downtimes };
    await expectKeepablePlan();
    const moved = await ok('GET', `${P}/orders/${order.id}/plan`, 'planner');
    expect(moved.promiseDate).toBe('2026-11-25');
    expect(Date.parse(moved.operations[0].end)).toBeGreaterThan(Date.parse(plan.operations[0].end));
    // The whole of Tuesday off too: the order cannot be ready by Tuesday night, so the change names it.
    const long = { resource: 'heat', kind: 'downtime', date: '2026-11-24', reason: 'furnace repair' };
    const preview = await ok('POST', `${P}/capacity-changes?preview=true`, 'planner', long);
    expect(preview.late).toHaveLength(1);
    expect(preview.late[0]).toMatchObject({ orderId: order.id, promiseDate: '2026-11-25' });
    const earliest = preview.late[0].earliestPromiseDate as string;
    expect(earliest > '2026-11-25').toBe(true);
    const refused = await call('POST', `${P}/capacity-changes`, 'planner', long);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().ordersLosingCapacity).toEqual([order.id]);
    expect((await ok('GET', `${P}/orders/${order.id}/plan`, 'planner')).operations).toEqual(moved.operations); // nothing written
    const accepted = await call('POST', `${P}/capacity-changes`, 'planner', {
      ...long,
      repromises: [{ orderId: order.id, promiseDate: earliest, reason: 'furnace repair' }],
    });
    expect(accepted.statusCode).toBe(201);
    calendars.heat = { ...calendars.heat!, exceptions: [...downtimes, { kind: 'downtime', date: '2026-11-24' }] };
    await expectKeepablePlan();
    expect((await ok('GET', `${P}/orders/${order.id}`, 'planner')).promiseDate).toBe(earliest);
    // Re-planned on its own snapshot: every operation, not the drum alone.
    const replanned = await ok('GET', `${P}/orders/${order.id}/plan`, 'planner');
    expect(replanned.operations.map((o: { resource: string; minutes: number }) => [o.resource, o.minutes])).toEqual([
      ['heat', 480],
      ['drum', 30],
      ['test', 15],
    ]);
  });

  it('respects the material date: no release and no work before the day the material arrives', async () => {
    await plant(...heatBeforeDrum());
    const now = await ok('POST', `${P}/quotes`, 'sales', { sku: 'H', quantity: 1 });
    const later = await ok('POST', `${P}/quotes`, 'sales', { sku: 'H', quantity: 1, materialAvailableDate: '2026-12-01' });
    expect(later.earliestPromiseDate > now.earliestPromiseDate).toBe(true);
    const order = await ok('POST', `${P}/orders`, 'sales', {
      sku: 'H',
      quantity: 1,
      promiseDate: later.earliestPromiseDate,
      customer: 'M',
      materialAvailableDate: '2026-12-01',
    });
    expect(order.materialAvailableAt).toBe('2026-11-30T23:00:00.000Z'); // Tuesday 00:00 in Berlin
    const plan = await ok('GET', `${P}/orders/${order.id}/plan`, 'sales');
    expect(Date.parse(plan.plannedRelease)).toBeGreaterThanOrEqual(Date.parse('2026-11-30T23:00:00Z'));
    expect(Date.parse(plan.operations[0].start)).toBeGreaterThanOrEqual(Date.parse('2026-11-30T23:00:00Z'));
    await expectKeepablePlan();
    // Before the material date the date is refused, honestly.
    const early = await call('POST', `${P}/orders`, 'sales', {
      sku: 'H',
      quantity: 1,
      promiseDate: now.earliestPromiseDate,
      customer: 'N',
      materialAvailableDate: '2026-12-01',
    });
    expect(early.statusCode).toBe(409);
  });

  it('an ERP push carries the material date: the same body changes nothing, a new material date re-plans the order', async () => {
    await plant(...heatBeforeDrum());
    const push = (materialAvailableDate?: string) =>
      t.app.inject({
        method: 'PUT',
        url: `${P}/orders/by-external-id/SO-1`,
        headers: t.as('erp'),
        payload: {
          sku: 'H',
          quantity: 1,
          promiseDate: '2026-12-10',
          customer: 'ERP',
          ...(materialAvailableDate ? { materialAvailableDate } : {}),
        },
      });
    const first = await push('2026-11-26');
    expect(first.statusCode).toBe(201);
    const version = first.json().scheduleVersion as number;
    const again = await push('2026-11-26');
    expect(again.statusCode).toBe(200);
    expect(again.json().scheduleVersion).toBe(version);
    const moved = await push('2026-12-02');
    expect(moved.statusCode).toBe(200);
    expect(moved.json().materialAvailableAt).toBe('2026-12-01T23:00:00.000Z');
    const plan = await ok('GET', `${P}/orders/${first.json().id}/plan`, 'planner');
    expect(Date.parse(plan.operations[0].start)).toBeGreaterThanOrEqual(Date.parse('2026-12-01T23:00:00Z'));
    await expectKeepablePlan();
    expect((await push()).json().materialAvailableAt).toBeNull();
  });

  it('a drum downtime previews the orders whose route plan it breaks, as the write decides (an order waiting for heat treatment)', async () => {
    await plant(...heatBeforeDrum());
    const q = await ok('POST', `${P}/quotes`, 'sales', { sku: 'H', quantity: 10 });
    const order = await ok('POST', `${P}/orders`, 'sales', { sku: 'H', quantity: 10, promiseDate: q.earliestPromiseDate, customer: 'A' });
    const drumOp = (await ok('GET', `${P}/orders/${order.id}/plan`, 'planner')).operations[1];
    expect(drumOp.resource).toBe('drum');
    const day = new Date(Date.parse(drumOp.start) + 3_600_000).toISOString().slice(0, 10); // its local (Berlin) day
    const downtime = { resource: 'drum', kind: 'downtime', date: day, reason: 'spindle repair' };
    const preview = await ok('POST', `${P}/capacity-changes?preview=true`, 'planner', downtime);
    const listed = preview.late.find((l: { orderId: string }) => l.orderId === order.id);
    const refused = await call('POST', `${P}/capacity-changes`, 'planner', downtime);
    expect(listed).toBeDefined(); // the earliest promise has no slack for a lost drum day
    // The preview and the write agree: listed late ⇔ refused.
    expect(refused.statusCode).toBe(listed ? 409 : 201);
    if (listed) {
      const accepted = await call('POST', `${P}/capacity-changes`, 'planner', {
        ...downtime,
        repromises: [{ orderId: order.id, promiseDate: listed.earliestPromiseDate, reason: 'spindle repair' }],
      });
      expect(accepted.statusCode).toBe(201);
    }
    calendars.drum = { ...calendars.drum!, exceptions: [{ kind: 'downtime', date: day }] };
    await expectKeepablePlan();
  });
  it('time passing: an order not released on time shows overdue and a later projected finish, its work is never planned in the past', async () => {
    await plant(...heatBeforeDrum());
    const hold = await ok('POST', `${P}/holds`, 'sales', { sku: 'H', quantity: 5, customer: 'late material' });
    await ok('POST', `${P}/holds/${hold.id}/confirm`, 'sales', {});
    const before = (await ok('GET', `${P}/release-list`, 'planner')).items.find((i: { orderId: string }) => i.orderId === hold.id);
    expect(before).toMatchObject({ overdue: false });
    // A day later, nothing released: heat treatment cannot have started.
    const later = '2026-11-24T08:00:00Z';
    t.clock.set(later);
    const after = (await ok('GET', `${P}/release-list`, 'planner')).items.find((i: { orderId: string }) => i.orderId === hold.id);
    expect(after.overdue).toBe(true);
    expect(after.plannedRelease).toBe(before.plannedRelease); // the rope instant stays; the plan moves
    expect(Date.parse(after.projectedFinish)).toBeGreaterThan(Date.parse(before.projectedFinish));
    const plan = await ok('GET', `${P}/orders/${hold.id}/plan`, 'planner');
    expect(Date.parse(plan.operations[0].start)).toBeGreaterThanOrEqual(Date.parse(later));
    // Quote and hold still agree at the same minute (both see time passed), and the hold's write records it.
    const q = await ok('POST', `${P}/quotes`, 'sales', { sku: 'H', quantity: 5 });
    const h2 = await ok('POST', `${P}/holds`, 'sales', { sku: 'H', quantity: 5 });
    expect(h2.promiseDate).toBe(q.earliestPromiseDate);
    const events = (await ok('GET', `${P}/events?limit=500`, 'planner')).items as { type: string; data: Record<string, unknown> }[];
    const passed = events.filter((e) => e.type === 'schedule.time-passed');
    expect(passed).toHaveLength(1);
    expect(passed[0]!.data.overdueOrderIds).toEqual([hold.id]);
    const lateBy = Date.parse(after.projectedFinish) > endOfLocalDate(ZONE, before.promiseDate) * 60_000;
    expect((passed[0]!.data.atRisk as { orderId: string }[]).some((r) => r.orderId === hold.id)).toBe(lateBy);
    // Every plan still works on every calendar; an order the fact made late is checked as at risk.
    const input = await checkerInput();
    const atRisk = new Set((passed[0]!.data.atRisk as { orderId: string }[]).map((r) => r.orderId));
    const consumed = new Set(passed[0]!.data.bufferConsumed as string[]);
    input.now = minuteOf(later);
    for (const o of input.orders) {
      o.atRisk = atRisk.has(o.id);
      o.bufferConsumed = consumed.has(o.id);
      if (o.status === 'confirmed' || o.status === 'held') o.release = Math.max(o.release, input.now);
    }
    const v = checkPlan(input);
    expect(v, describeViolations(v)).toEqual([]);
  });
});
