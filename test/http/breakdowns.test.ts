import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src/domain/actor.ts';
import type { CalendarException } from '../../src/engine/calendar-types.ts';
import { buildApp } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { checkPlan, describeViolations } from '../helpers/plan-checker.ts';
import { databaseKinds, quoteAnswer } from '../helpers/planning.ts';
import { checkerInputFrom, minuteOf, type PublishedPlan } from '../helpers/published-plan.ts';
import { monThu, NOW, routePlantSession, twoShifts, ZONE } from '../helpers/route-plant.ts';

// Issue 13 item 4: a breakdown is a fact. It is recorded whatever it does to the schedule
// (a start in the past, instants spanning days); the orders it makes late are planned at
// their earliest date, listed with it and published late (at risk) with their promise
// unchanged; every plan still works on every calendar (the independent checker). The plant:
// heat treatment (Mon–Thu 06:00–14:00) → drum (two shifts) → test (one shift); product H:
// 96, 6 and 3 minutes per unit. Monday 2026-11-23 09:00 in Europe/Berlin.

const downtime = (date: string, start: string, end: string): CalendarException => ({ kind: 'downtime', date, start, end });

describe.each(databaseKinds())('breakdowns on %s', (kind) => {
  let t: TestApp;
  const session = routePlantSession(() => t, 'breakdowns');
  const { call, ok } = session;
  let c = session.c;
  let P = '';
  let calendars = session.calendars;

  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  beforeEach(() => t.clock.set(NOW));
  afterAll(async () => t.close());

  async function plant() {
    await session.create();
    ({ c, P, calendars } = session);
  }

  /** Orders of H at their earliest dates, one after another: heat treatment is the bottleneck. */
  async function ordersAtEarliest(n: number, quantity = 3) {
    const out: { id: string; promiseDate: string }[] = [];
    for (let i = 0; i < n; i++) {
      const q = await ok('POST', 'quotes', 'sales', { sku: 'H', quantity });
      out.push(await ok('POST', 'orders', 'sales', { sku: 'H', quantity, promiseDate: q.earliestPromiseDate, customer: `c${i}` }));
    }
    return out;
  }

  /** The published plan checked against the calendars (with the breakdown's downtime); returns the orders published late. */
  async function checkedPlan(now = NOW) {
    const published = (await ok('GET', 'plan', 'planner')) as PublishedPlan;
    const input = checkerInputFrom(published, { now: minuteOf(now), timeZone: ZONE, drum: 'drum', calendars });
    const violations = checkPlan(input);
    expect(violations, describeViolations(violations)).toEqual([]);
    return { published, late: published.orders.filter((o) => o.late).map((o) => o.orderId) };
  }

  it('records a breakdown that started in the past and spans two days: the orders it makes late are planned at their earliest date and listed', async () => {
    await plant();
    const orders = await ordersAtEarliest(4);
    await checkedPlan();
    const quoteBefore = await ok('POST', 'quotes', 'sales', { sku: 'H', quantity: 3 });
    const v = await c.version();

    // Heat treatment down from Monday 08:00 (an hour ago) until Tuesday 14:00 (the end of its shift).
    const res = await call('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T07:00:00Z',
      expectedEnd: '2026-11-24T13:00:00Z',
      reason: 'furnace burner failed',
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.breakdown).toMatchObject({
      resource: 'heat',
      start: '2026-11-23T07:00:00.000Z',
      expectedEnd: '2026-11-24T13:00:00.000Z',
      endedAt: null,
    });
    expect(body.scheduleVersion).toBe(v + 1);
    calendars.heat = { ...monThu, exceptions: [downtime('2026-11-23', '08:00', '24:00'), downtime('2026-11-24', '00:00', '14:00')] };

    // Two working days of heat treatment lost: the first orders cannot keep their dates.
    const late = body.lateOrders as { orderId: string; promiseDate: string; earliestPromiseDate: string; projectedFinish: string }[];
    expect(late.length).toBeGreaterThan(0);
    for (const l of late) {
      const order = orders.find((o) => o.id === l.orderId)!;
      expect(l.promiseDate).toBe(order.promiseDate);
      expect(l.earliestPromiseDate > l.promiseDate).toBe(true);
      // The promise is unchanged until a planner re-promises; the order is at risk, the breakdown its reason.
      const view = await ok('GET', `orders/${l.orderId}`, 'planner');
      expect(view.promiseDate).toBe(order.promiseDate);
      expect(view.atRisk).toMatchObject({ reason: 'breakdown', projectedFinish: l.projectedFinish });
    }
    // Every plan works on the new calendars; the published late orders are exactly those listed.
    const { published, late: publishedLate } = await checkedPlan();
    expect(new Set(publishedLate)).toEqual(new Set(late.map((l) => l.orderId)));
    for (const l of late) {
      const plan = published.orders.find((o) => o.orderId === l.orderId)!;
      expect(plan.operations.at(-1)!.end).toBe(l.projectedFinish);
    }
    const events = await c.events();
    // In the fact's own version: one order.at-risk per late order.
    expect(
      events
        .filter((x) => x.type === 'order.at-risk' && x.scheduleVersion === v + 1)
        .map((x) => x.orderId)
        .sort(),
    ).toEqual(late.map((l) => l.orderId).sort());
    expect(events.at(-1)).toMatchObject({
      type: 'breakdown.recorded',
      scheduleVersion: v + 1,
      data: { id: body.breakdown.id, resource: 'heat', lateOrders: late.map((l) => l.orderId) },
    });
    // New promises come after the lost time; a fresh process (cold build) gives the same answer.
    const quoteAfter = await ok('POST', 'quotes', 'sales', { sku: 'H', quantity: 3 });
    expect(quoteAfter.earliestPromiseDate > quoteBefore.earliestPromiseDate).toBe(true);
    const cold = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      const again = await cold.inject({ method: 'POST', url: `${P}/quotes`, headers: t.as('sales'), payload: { sku: 'H', quantity: 3 } });
      expect(quoteAnswer(again.json())).toEqual(quoteAnswer(quoteAfter));
    } finally {
      await cold.close();
    }
    // The downtime is listed with the capacity changes, naming the breakdown, and cannot be revoked on its own.
    const changes = (await ok('GET', 'capacity-changes', 'planner')).items as { id: string; date: string; breakdownId: string | null }[];
    expect(changes.map((x) => [x.date, x.breakdownId])).toEqual([
      ['2026-11-23', body.breakdown.id],
      ['2026-11-24', body.breakdown.id],
    ]);
    const revoke = await call('DELETE', `capacity-changes/${changes[0]!.id}`, 'planner', {});
    expect(revoke.statusCode).toBe(409);
    expect(revoke.json()).toMatchObject({ breakdownId: body.breakdown.id });
  });

  it('is extended and closed with PATCH; a closed breakdown cannot change', async () => {
    await plant();
    await ordersAtEarliest(2);
    const created = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T08:00:00Z',
      expectedEnd: '2026-11-23T10:00:00Z',
      reason: 'quench oil leak',
    });
    const id = created.breakdown.id as string;
    // Longer than expected: until Wednesday noon.
    const extended = await ok('PATCH', `breakdowns/${id}`, 'planner', { expectedEnd: '2026-11-25T11:00:00Z' });
    expect(extended.breakdown.expectedEnd).toBe('2026-11-25T11:00:00.000Z');
    calendars.heat = {
      ...monThu,
      exceptions: [
        downtime('2026-11-23', '09:00', '24:00'),
        downtime('2026-11-24', '00:00', '24:00'),
        downtime('2026-11-25', '00:00', '12:00'),
      ],
    };
    const { late } = await checkedPlan();
    expect(new Set(late)).toEqual(new Set([...created.lateOrders, ...extended.lateOrders].map((l: { orderId: string }) => l.orderId)));
    expect(late.length).toBeGreaterThan(0);

    // Back at 11:00 on Monday: closed, the rest of the downtime leaves the calendar.
    const now = '2026-11-23T10:00:00Z';
    t.clock.set(now);
    const closed = await ok('PATCH', `breakdowns/${id}`, 'planner', { endedAt: now });
    expect(closed.breakdown.endedAt).toBe('2026-11-23T10:00:00.000Z');
    expect(closed.lateOrders).toEqual([]);
    calendars.heat = { ...monThu, exceptions: [downtime('2026-11-23', '09:00', '11:00')] };
    await checkedPlan(now);
    expect((await ok('GET', 'breakdowns?open=true', 'planner')).items).toEqual([]);
    expect((await ok('GET', 'breakdowns', 'planner')).items).toHaveLength(1);
    const changes = (await ok('GET', 'capacity-changes', 'planner')).items as { date: string; start: string; end: string }[];
    expect(changes.map((x) => [x.date, x.start, x.end])).toEqual([['2026-11-23', '09:00', '11:00']]);

    const again = await call('PATCH', `breakdowns/${id}`, 'planner', { expectedEnd: '2026-11-26T11:00:00Z' });
    expect(again.statusCode).toBe(409);
  });

  it('on the drum: the order on it keeps its place and is listed late; the orders behind it are planned again', async () => {
    await plant();
    await ok('PUT', `${P}/products/D`, 'admin', { name: 'D', routing: [{ resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 60 }] });
    const quote = async () => (await ok('POST', 'quotes', 'sales', { sku: 'D', quantity: 2 })).earliestPromiseDate as string;
    const first = await ok('POST', 'orders', 'sales', { sku: 'D', quantity: 2, promiseDate: await quote(), customer: 'a' });
    const second = await ok('POST', 'orders', 'sales', { sku: 'D', quantity: 2, promiseDate: await quote(), customer: 'b' });
    await ok('POST', `orders/${first.id}/release`, 'planner', { reason: 'on the drum now' });
    await ok('POST', `orders/${first.id}/progress`, 'planner', { drumMinutesDone: 30 });
    // The drum down from Monday 08:00 to Wednesday 22:00: nothing is worked before Thursday.
    const res = await ok('POST', 'breakdowns', 'planner', {
      resource: 'drum',
      start: '2026-11-23T07:00:00Z',
      expectedEnd: '2026-11-25T21:00:00Z',
      reason: 'spindle bearing',
    });
    calendars.drum = {
      ...twoShifts,
      exceptions: [
        downtime('2026-11-23', '08:00', '24:00'),
        downtime('2026-11-24', '00:00', '24:00'),
        downtime('2026-11-25', '00:00', '22:00'),
      ],
    };
    const late = new Map((res.lateOrders as { orderId: string; projectedFinish: string }[]).map((l) => [l.orderId, l]));
    expect([...late.keys()].sort()).toEqual([first.id, second.id].sort());
    const { published, late: publishedLate } = await checkedPlan();
    expect(new Set(publishedLate)).toEqual(new Set(late.keys()));
    const onDrum = published.orders.find((o) => o.orderId === first.id)!;
    expect(onDrum.status).toBe('in_progress');
    // Its remaining 90 minutes first thing on Thursday, before the order behind it.
    expect(onDrum.operations[0]!.start).toBe('2026-11-26T05:00:00.000Z');
    expect(late.get(first.id)!.projectedFinish).toBe('2026-11-26T06:30:00.000Z');
    const behind = published.orders.find((o) => o.orderId === second.id)!;
    expect(Date.parse(behind.operations[0]!.start)).toBeGreaterThanOrEqual(Date.parse('2026-11-26T06:30:00.000Z'));
  });

  it('refuses bad input with a problem naming the field and writes nothing', async () => {
    await plant();
    const v = await c.version();
    const cases: [Role, unknown, number, string?][] = [
      [
        'planner',
        { resource: 'heat', start: '2026-11-23T10:00:00Z', expectedEnd: '2026-11-23T09:00:00Z', reason: 'x' },
        400,
        'body.expectedEnd',
      ],
      ['planner', { resource: 'heat', start: '2024-11-23T10:00:00Z', expectedEnd: '2026-11-23T12:00:00Z', reason: 'x' }, 400, 'body.start'],
      [
        'planner',
        { resource: 'heat', start: '2026-11-23T10:00:00Z', expectedEnd: '2028-11-23T12:00:00Z', reason: 'x' },
        400,
        'body.expectedEnd',
      ],
      [
        'planner',
        { resource: 'oven', start: '2026-11-23T10:00:00Z', expectedEnd: '2026-11-23T12:00:00Z', reason: 'x' },
        400,
        'body.resource',
      ],
      ['planner', { resource: 'heat', start: '2026-11-23T10:00:00Z', reason: 'x' }, 400],
      ['planner', { resource: 'heat', start: 'monday', expectedEnd: '2026-11-23T12:00:00Z', reason: 'x' }, 400],
      ['sales', { resource: 'heat', start: '2026-11-23T10:00:00Z', expectedEnd: '2026-11-23T12:00:00Z', reason: 'x' }, 403],
    ];
    for (const [role, payload, status, field] of cases) {
      const res = await call('POST', 'breakdowns', role, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      if (field) expect(JSON.stringify(res.json().errors)).toContain(field);
    }
    const created = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T08:00:00Z',
      expectedEnd: '2026-11-23T09:00:00Z',
      reason: 'x',
    });
    const future = await call('PATCH', `breakdowns/${created.breakdown.id}`, 'planner', { endedAt: '2026-11-23T12:00:00Z' });
    expect(future.statusCode).toBe(400);
    expect(JSON.stringify(future.json().errors)).toContain('body.endedAt');
    const unknown = await call('PATCH', `breakdowns/00000000-0000-4000-8000-000000000000`, 'planner', {
      expectedEnd: '2026-11-23T12:00:00Z',
    });
    expect(unknown.statusCode).toBe(404);
    expect(await c.version()).toBe(v + 1);
  });
});
