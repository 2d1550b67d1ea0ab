import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { client, databaseKinds, type Method } from '../helpers/planning.ts';
import type { Role } from '../../src/domain/actor.ts';
import { checkPlan, describeViolations } from '../helpers/plan-checker.ts';
import { checkerInputFrom, minuteOf, type PublishedPlan } from '../helpers/published-plan.ts';
import { days, MON_FRI, monThu, NOW, oneShift, twoShifts, ZONE } from '../helpers/route-plant.ts';

// The whole-route guards on writes other than promises: a resource calendar replaced, the
// frozen window, a re-promise of an order whose work has begun. Through the HTTP API on both
// databases, on the whole-route test plant: heat treatment (Mon–Thu, one shift) → drum (two
// shifts) → test (one shift); product H: 96, 6 and 3 minutes per unit. Monday 2026-11-23
// 09:00 in Europe/Berlin.

type Op = { position: number; resource: string; minutes: number; start: string; end: string };

describe.each(databaseKinds())('whole-route guards on %s', (kind) => {
  let t: TestApp;
  let plants = 0;
  let c: ReturnType<typeof client>;
  let P = '';
  let calendars: Record<string, Omit<Calendar, 'timeZone'>> = {};

  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  beforeEach(() => t.clock.set(NOW));
  afterAll(async () => t.close());

  const call = (method: Method, url: string, role: Role, payload?: unknown) => c.call(method, url, role, payload);
  const ok = async (method: Method, url: string, role: Role, payload?: unknown) => {
    const res = await call(method, url, role, payload);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  /** The heat → drum → test plant, with an optional frozen window. */
  async function plant(frozenWindowMinutes = 0) {
    const id = `guards-${++plants}`;
    c = client(() => t, id);
    P = c.P;
    calendars = { heat: monThu, drum: twoShifts, test: oneShift };
    await ok('POST', '/v1/plants', 'admin', { id, name: id, timeZone: ZONE });
    for (const [r, calendar] of Object.entries(calendars))
      await ok('PUT', `${P}/resources/${r}`, 'admin', { name: r, drum: r === 'drum', calendar });
    await ok('PUT', `${P}/products/H`, 'admin', {
      name: 'H',
      routing: [
        { resource: 'heat', setupMinutes: 0, runMinutesPerUnit: 96 },
        { resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 6 },
        { resource: 'test', setupMinutes: 0, runMinutesPerUnit: 3 },
      ],
    });
    await ok('PUT', `${P}/buffer-policy`, 'admin', {
      productionBufferDays: 2,
      shippingBufferDays: 1,
      standardLeadTimeDays: 2,
      frozenWindowMinutes,
    });
  }

  const putResource = (r: string, calendar: Omit<Calendar, 'timeZone'>) =>
    call('PUT', `${P}/resources/${r}`, 'admin', { name: r, drum: r === 'drum', calendar });
  const version = () => c.version();
  const planOf = async (id: string) => ok('GET', `${P}/orders/${id}/plan`, 'planner');
  const events = () => c.events();

  async function expectKeepablePlan() {
    const input = checkerInputFrom((await ok('GET', `${P}/plan`, 'planner')) as PublishedPlan, {
      now: minuteOf(NOW),
      timeZone: ZONE,
      drum: 'drum',
      calendars,
    });
    const violations = checkPlan(input);
    expect(violations, describeViolations(violations)).toEqual([]);
    expect(input.orders.every((o) => !o.atRisk)).toBe(true);
  }

  describe('a resource calendar replaced is a capacity change', () => {
    it('off the drum: refused (409) when it makes an order late, planned again when the promise holds', async () => {
      await plant();
      // 480 heat minutes from Monday 09:00 (Mon–Thu 06:00–14:00): promised Wednesday, ship-ready by Tuesday night.
      const order = await ok('POST', `${P}/orders`, 'sales', { sku: 'H', quantity: 5, promiseDate: '2026-11-25', customer: 'A' });
      const before = await planOf(order.id);
      const v = await version();
      // Heat treatment stops working on Tuesdays: the order cannot be ready by Tuesday night.
      const refused = await putResource('heat', { ...monThu, weekly: days(['mon', 'wed', 'thu'], '06:00', '14:00') });
      expect(refused.statusCode).toBe(409);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json()).toMatchObject({
        type: 'https://drumbeat.dev/problems/schedule-infeasible',
        ordersLosingCapacity: [order.id],
      });
      expect(refused.json().detail).toContain('would make 1 committed order(s) late');
      expect(await version()).toBe(v);
      expect((await planOf(order.id)).operations).toEqual(before.operations); // nothing written
      expect((await ok('GET', `${P}/resources/heat`, 'admin')).calendar.weekly).toEqual(monThu.weekly);
      // Two hours off Monday afternoon: heat treatment ends on Tuesday morning instead, the promise holds.
      const shorter = { ...monThu, exceptions: [{ kind: 'downtime' as const, date: '2026-11-23', start: '12:00', end: '14:00' }] };
      const accepted = await putResource('heat', shorter);
      expect(accepted.statusCode).toBe(200);
      calendars.heat = shorter;
      await expectKeepablePlan();
      const after = await planOf(order.id);
      expect(after.promiseDate).toBe('2026-11-25');
      expect(Date.parse(after.operations[0].end)).toBeGreaterThan(Date.parse(before.operations[0].end));
      expect(await version()).toBe(v + 1);
      expect((await events()).at(-1)).toMatchObject({
        type: 'resource.calendar.changed',
        data: { resource: 'heat', replanned: [order.id] },
      });
    });

    it('the same calendar sent again changes nothing: no version, no event', async () => {
      await plant();
      await ok('POST', `${P}/orders`, 'sales', { sku: 'H', quantity: 5, promiseDate: '2026-11-25', customer: 'A' });
      const v = await version();
      const n = (await events()).length;
      expect((await putResource('heat', monThu)).statusCode).toBe(200);
      expect((await putResource('drum', twoShifts)).statusCode).toBe(200);
      expect(await version()).toBe(v);
      expect((await events()).length).toBe(n);
    });

    it('on the drum: the route plan counts (an order waiting for heat treatment is refused, not only the drum-only plan)', async () => {
      await plant();
      const q = await ok('POST', `${P}/quotes`, 'sales', { sku: 'H', quantity: 10 });
      const order = await ok('POST', `${P}/orders`, 'sales', { sku: 'H', quantity: 10, promiseDate: q.earliestPromiseDate, customer: 'A' });
      const drumOp = (await planOf(order.id)).operations[1] as Op;
      expect(drumOp.resource).toBe('drum');
      const day = new Date(Date.parse(drumOp.start) + 3_600_000).toISOString().slice(0, 10); // its local (Berlin) day
      const v = await version();
      // The drum alone (the order ready now) has days of slack; waiting for heat treatment, it has none for a lost drum day.
      const refused = await putResource('drum', { ...twoShifts, exceptions: [{ kind: 'holiday', date: day }] });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().ordersLosingCapacity).toEqual([order.id]);
      expect(await version()).toBe(v);
      await expectKeepablePlan();
      // Longer shifts keep every promise: accepted.
      const longer = { ...twoShifts, weekly: [...days(MON_FRI, '06:00', '14:00'), ...days(MON_FRI, '14:00', '23:00')] };
      expect((await putResource('drum', longer)).statusCode).toBe(200);
      calendars.drum = longer;
      await expectKeepablePlan();
    });
  });

  it("the frozen window pins only orders ready by now (on the drum's doorstep), never one still waiting for upstream work", async () => {
    await plant(240); // frozen until 13:00
    // A: 96 heat minutes from 09:00, ready at 10:36, planned on the drum at 10:36 — inside the window, but not ready.
    const a = await ok('POST', `${P}/orders`, 'sales', { sku: 'H', quantity: 1, promiseDate: '2026-11-25', customer: 'A' });
    expect(Date.parse((await planOf(a.id)).operations[1].start)).toBeLessThan(Date.parse('2026-11-23T12:00:00Z'));
    await ok('POST', `${P}/orders`, 'sales', { sku: 'H', quantity: 1, promiseDate: '2026-11-25', customer: 'B' });
    const frozen = async () =>
      (await events()).filter((e) => e.type === 'schedule.frozen').map((e) => (e.data as { orderIds: string[] }).orderIds);
    expect(await frozen()).toEqual([]);
    // A is released (B is not): its work before the drum is assumed worked as planned, B's cannot have started.
    await ok('POST', `${P}/orders/${a.id}/release`, 'planner', {});
    expect(await frozen()).toEqual([]);
    // 11:00: A's heat treatment is done per plan, B's (10:36–12:12) is not: the next write freezes A alone.
    t.clock.set('2026-11-23T10:00:00Z');
    await ok('POST', `${P}/holds`, 'sales', { sku: 'H', quantity: 1, customer: 'C' });
    expect(await frozen()).toEqual([[a.id]]);
  });

  it('new routing standards reach an open order only through an explicit re-promise on the current routing', async () => {
    await plant();
    const order = await ok('POST', `${P}/orders`, 'sales', { sku: 'H', quantity: 5, promiseDate: '2026-12-04', customer: 'A' });
    const before = await planOf(order.id);
    const routing = (heat: number) => ({
      name: 'H',
      routing: [
        { resource: 'heat', setupMinutes: 0, runMinutesPerUnit: heat },
        { resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 6 },
        { resource: 'test', setupMinutes: 0, runMinutesPerUnit: 3 },
      ],
    });
    const apply = (promiseDate: string) =>
      call('POST', `${P}/orders/${order.id}/repromise`, 'planner', { promiseDate, reason: 'new heat standard', applyCurrentRouting: true });
    // Heat treatment now takes 120 minutes per unit: the open order keeps the minutes it was promised on.
    await ok('PUT', `${P}/products/H`, 'admin', routing(120));
    expect((await planOf(order.id)).operations).toEqual(before.operations);
    // Far more than its date allows: refused, nothing changes.
    await ok('PUT', `${P}/products/H`, 'admin', routing(2000));
    const v = await version();
    const refused = await apply('2026-12-04');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().earliestPromiseDate > '2026-12-04').toBe(true);
    expect(await version()).toBe(v);
    expect((await planOf(order.id)).operations).toEqual(before.operations);
    // The planner applies the 120-minute standard at the same promise: heat treatment grows to 600 minutes.
    await ok('PUT', `${P}/products/H`, 'admin', routing(120));
    const res = await apply('2026-12-04');
    expect(res.statusCode).toBe(200);
    const after = await planOf(order.id);
    expect(after.promiseDate).toBe('2026-12-04');
    expect(after.operations.map((op: Op) => [op.resource, op.minutes])).toEqual([
      ['heat', 600],
      ['drum', 30],
      ['test', 15],
    ]);
    await expectKeepablePlan();
    expect((await events()).at(-1)).toMatchObject({
      type: 'order.repromised',
      data: { from: '2026-12-04', to: '2026-12-04', appliedRouting: { drumLoadMinutesBefore: 30, drumLoadMinutesAfter: 30 } },
    });
  });

  describe('a re-promise of an order whose work has begun keeps that work', () => {
    const repromise = (id: string, promiseDate: string) =>
      call('POST', `${P}/orders/${id}/repromise`, 'planner', { promiseDate, reason: 'customer asked for later' });
    const shape = (ops: Op[]) => ops.map((o) => [o.position, o.resource]);

    it('released: its heat treatment keeps its interval and its release stays, only the drum and later work move', async () => {
      await plant();
      const order = await ok('POST', `${P}/orders`, 'sales', { sku: 'H', quantity: 5, promiseDate: '2026-11-25', customer: 'A' });
      await ok('POST', `${P}/orders/${order.id}/release`, 'planner', {});
      const before = await planOf(order.id);
      expect(before.operations[0]).toMatchObject({ resource: 'heat', start: '2026-11-23T08:00:00.000Z' });
      // 11:00: the heat treatment (09:00 Monday to 09:00 Tuesday) is under way.
      t.clock.set('2026-11-23T10:00:00Z');
      const res = await repromise(order.id, '2026-12-04');
      expect(res.statusCode).toBe(200);
      const after = await planOf(order.id);
      expect(after.status).toBe('released');
      expect(shape(after.operations)).toEqual([
        [0, 'heat'],
        [1, 'drum'],
        [2, 'test'],
      ]);
      expect(after.operations[0]).toEqual(before.operations[0]);
      expect(after.plannedRelease).toBe(before.plannedRelease);
      expect(Date.parse(after.operations[1].start)).toBeGreaterThanOrEqual(Date.parse(after.operations[0].end));
      // The heat slot stays taken: a new order's heat treatment starts after it.
      const other = await ok('POST', `${P}/holds`, 'sales', { sku: 'H', quantity: 1, customer: 'B' });
      expect(Date.parse((await planOf(other.id)).operations[0].start)).toBeGreaterThanOrEqual(Date.parse(after.operations[0].end));
    });

    it('in progress: the snapshot keeps every operation at its routing position, the drum op its remaining minutes', async () => {
      await plant();
      const order = await ok('POST', `${P}/orders`, 'sales', { sku: 'H', quantity: 5, promiseDate: '2026-11-25', customer: 'A' });
      await ok('POST', `${P}/orders/${order.id}/release`, 'planner', {});
      const before = await planOf(order.id);
      // Tuesday 10:00: heat treatment done (09:00), 10 of 30 drum minutes done.
      t.clock.set('2026-11-24T09:00:00Z');
      await ok('POST', `${P}/orders/${order.id}/progress`, 'planner', { drumMinutesDone: 10 });
      const res = await repromise(order.id, '2026-12-04');
      expect(res.statusCode).toBe(200);
      const after = await planOf(order.id);
      expect(after.status).toBe('in_progress');
      expect(shape(after.operations)).toEqual([
        [0, 'heat'],
        [1, 'drum'],
        [2, 'test'],
      ]);
      expect(after.operations[0]).toEqual(before.operations[0]);
      expect(after.operations.map((o: Op) => o.minutes)).toEqual([480, 20, 15]);
      expect(after.plannedRelease).toBe(before.plannedRelease);
      // A second re-promise reads the same snapshot back.
      expect((await repromise(order.id, '2026-12-07')).statusCode).toBe(200);
      expect(shape((await planOf(order.id)).operations)).toEqual(shape(after.operations));
    });
  });
});
