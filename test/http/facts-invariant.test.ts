import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CalendarException } from '../../src/engine/calendar-types.ts';
import { buildApp } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { checkPlan, describeViolations } from '../helpers/plan-checker.ts';
import { databaseKinds, quoteAnswer } from '../helpers/planning.ts';
import { checkerInputFrom, minuteOf, type PublishedPlan } from '../helpers/published-plan.ts';
import { monThu, NOW, routePlantSession, ZONE } from '../helpers/route-plant.ts';

// Issue 13 facts (breakdowns, go-live, progress, time passing) tried as a planner, an integrator
// and an attacker would: no 5xx, no partial write, every order published late is at risk once,
// and no ordinary write makes a late order later or another order late (the amended invariant).
const downtime = (date: string, start: string, end: string): CalendarException => ({ kind: 'downtime', date, start, end });

describe.each(databaseKinds())('facts and the amended invariant on %s', (kind) => {
  let t: TestApp;
  const session = routePlantSession(() => t, 'facts');
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

  async function ordersAtEarliest(n: number, quantity = 3, sku = 'H') {
    const out: { id: string; promiseDate: string }[] = [];
    for (let i = 0; i < n; i++) {
      const q = await ok('POST', 'quotes', 'sales', { sku, quantity });
      out.push(await ok('POST', 'orders', 'sales', { sku, quantity, promiseDate: q.earliestPromiseDate, customer: `c${i}` }));
    }
    return out;
  }

  async function checkedPlan(now = NOW) {
    const published = (await ok('GET', 'plan', 'planner')) as PublishedPlan;
    const input = checkerInputFrom(published, { now: minuteOf(now), timeZone: ZONE, drum: 'drum', calendars });
    const violations = checkPlan(input);
    expect(violations, describeViolations(violations)).toEqual([]);
    return published;
  }

  /** Every order published late is flagged at risk (stored flag), and every flagged one is published late or was (hysteresis). */
  async function lateImpliesAtRisk(published: PublishedPlan) {
    const problems: string[] = [];
    for (const o of published.orders) {
      const view = await ok('GET', `orders/${o.orderId}`, 'planner');
      if (o.late && !view.atRisk) problems.push(`${o.orderId} published late but not at risk`);
    }
    return problems;
  }

  const finishOf = (published: PublishedPlan, id: string) => published.orders.find((o) => o.orderId === id)!.operations.at(-1)!.end;

  it('after a breakdown, non-fact writes (new orders at quoted dates) never make a late order later', async () => {
    await plant();
    await ordersAtEarliest(4);
    const bd = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T07:00:00Z',
      expectedEnd: '2026-11-24T13:00:00Z',
      reason: 'burner',
    });
    calendars.heat = { ...monThu, exceptions: [downtime('2026-11-23', '08:00', '24:00'), downtime('2026-11-24', '00:00', '14:00')] };
    const late = bd.lateOrders as { orderId: string; projectedFinish: string; earliestPromiseDate: string }[];
    expect(late.length).toBeGreaterThan(0);
    const before = await checkedPlan();
    const onTimeBefore = before.orders.filter((o) => !o.late).map((o) => o.orderId);
    // Sales keep selling: every quoted date, for both products, several sizes.
    for (const [sku, quantity] of [
      ['D', 1],
      ['H', 1],
      ['D', 2],
      ['H', 2],
      ['D', 4],
      ['H', 3],
    ] as const) {
      const q = await ok('POST', 'quotes', 'sales', { sku, quantity });
      const res = await call('POST', 'orders', 'sales', { sku, quantity, promiseDate: q.earliestPromiseDate, customer: 'new' });
      expect(res.statusCode, res.body).toBe(201);
    }
    const after = await checkedPlan();
    for (const l of late)
      expect(Date.parse(finishOf(after, l.orderId)), `late ${l.orderId}`).toBeLessThanOrEqual(Date.parse(finishOf(before, l.orderId)));
    const nowLate = after.orders.filter((o) => o.late).map((o) => o.orderId);
    for (const id of onTimeBefore) expect(nowLate, `pushed late: ${id}`).not.toContain(id);
    expect(await lateImpliesAtRisk(after)).toEqual([]);
    // Events: at-risk exactly once per late order.
    const events = await c.events();
    const risk = events.filter((e) => e.type === 'order.at-risk').map((e) => e.orderId);
    expect(risk.length).toBe(new Set(risk).size);
  });

  it('extending a breakdown twice flags each order at risk once; closing early clears the published lateness and the flags follow', async () => {
    await plant();
    await ordersAtEarliest(5);
    const created = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T07:30:00Z',
      expectedEnd: '2026-11-23T12:00:00Z',
      reason: 'leak',
    });
    const id = created.breakdown.id as string;
    await ok('PATCH', `breakdowns/${id}`, 'planner', { expectedEnd: '2026-11-24T12:00:00Z' });
    await ok('PATCH', `breakdowns/${id}`, 'planner', { expectedEnd: '2026-11-25T12:00:00Z' });
    calendars.heat = {
      ...monThu,
      exceptions: [
        downtime('2026-11-23', '08:30', '24:00'),
        downtime('2026-11-24', '00:00', '24:00'),
        downtime('2026-11-25', '00:00', '13:00'),
      ],
    };
    const mid = await checkedPlan();
    expect(await lateImpliesAtRisk(mid)).toEqual([]);
    let events = await c.events();
    let risk = events.filter((e) => e.type === 'order.at-risk').map((e) => e.orderId);
    expect(risk.length, JSON.stringify(risk)).toBe(new Set(risk).size);
    // Shortened again: fewer late orders.
    await ok('PATCH', `breakdowns/${id}`, 'planner', { expectedEnd: '2026-11-23T09:00:00Z' });
    calendars.heat = { ...monThu, exceptions: [downtime('2026-11-23', '08:30', '10:00')] };
    const shortened = await checkedPlan();
    expect(await lateImpliesAtRisk(shortened)).toEqual([]);
    // Published on time with a comfortable margin → the at-risk list should not keep them forever.
    const atRisk = (await ok('GET', 'at-risk', 'planner')).items as { orderId: string }[];
    const publishedLate = new Set(shortened.orders.filter((o) => o.late).map((o) => o.orderId));
    const stale = atRisk.filter((a) => !publishedLate.has(a.orderId));
    // Hysteresis allows a flag to remain while within recovery minutes; report how many stale.
    events = await c.events();
    risk = events.filter((e) => e.type === 'order.at-risk').map((e) => e.orderId);
    expect(risk.length, JSON.stringify(risk)).toBe(new Set(risk).size);
    expect(
      stale.length,
      `stale at-risk flags: ${JSON.stringify(stale)}; on-track events ${events.filter((e) => e.type === 'order.on-track').length}`,
    ).toBe(0);
  });

  it("two overlapping breakdowns on one resource: closing one keeps the other's downtime; plan valid; warm = cold", async () => {
    await plant();
    await ordersAtEarliest(3);
    const a = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T07:00:00Z',
      expectedEnd: '2026-11-24T13:00:00Z',
      reason: 'a',
    });
    const b = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T10:00:00Z',
      expectedEnd: '2026-11-24T09:00:00Z',
      reason: 'b',
    });
    expect(b.breakdown.id).toBeTruthy();
    t.clock.set('2026-11-23T11:00:00Z');
    await ok('PATCH', `breakdowns/${a.breakdown.id}`, 'planner', { endedAt: '2026-11-23T11:00:00Z' });
    calendars.heat = {
      ...monThu,
      exceptions: [
        downtime('2026-11-23', '08:00', '12:00'),
        downtime('2026-11-23', '11:00', '24:00'),
        downtime('2026-11-24', '00:00', '10:00'),
      ],
    };
    const warm = await checkedPlan('2026-11-23T11:00:00Z');
    expect(await lateImpliesAtRisk(warm)).toEqual([]);
    const cold = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      const coldPlan = (await cold.inject({ method: 'GET', url: `${P}/plan`, headers: t.as('planner') })).json();
      expect(coldPlan).toEqual(warm);
      const q = { sku: 'H', quantity: 2 };
      const wq = await ok('POST', 'quotes', 'sales', q);
      const cq = (await cold.inject({ method: 'POST', url: `${P}/quotes`, headers: t.as('sales'), payload: q })).json();
      expect(quoteAnswer(cq)).toEqual(quoteAnswer(wq));
    } finally {
      await cold.close();
    }
  });

  it('breakdown edge inputs never 5xx', async () => {
    await plant();
    await ordersAtEarliest(2);
    const bodies: unknown[] = [
      { resource: 'heat', start: '2026-11-23T07:00:00Z', expectedEnd: '2026-11-23T07:00:00Z', reason: 'zero' },
      { resource: 'heat', start: '2026-11-23T07:00:00.123456Z', expectedEnd: '2026-11-23T07:00:30Z', reason: 'subminute' },
      { resource: 'heat', start: '2026-11-23T07:00:00+14:00', expectedEnd: '2026-11-23T09:00:00-12:00', reason: 'offsets' },
      { resource: 'heat', start: '2026-03-29T00:30:00Z', expectedEnd: '2026-03-29T02:30:00Z', reason: 'dst (past)' },
      { resource: 'drum', start: '2026-11-20T00:00:00Z', expectedEnd: '2026-11-23T07:59:00Z', reason: 'entirely in the past' },
      { resource: 'drum', start: '2026-11-23T08:00:00Z', expectedEnd: '2027-11-23T08:00:00Z', reason: 'a year' },
      { resource: 'heat', start: '2026-11-23T08:00:00Z', expectedEnd: '2026-11-23T09:00:00Z', reason: '' },
      { resource: 'heat', start: '2026-11-23T08:00:00Z', expectedEnd: '2026-11-23T09:00:00Z', reason: 'x'.repeat(100_000) },
      {
        resource: 'heat',
        start: '2026-11-23T08:00:00Z',
        expectedEnd: '2026-11-23T09:00:00Z',
        reason: 'x',
        endedAt: '2026-11-23T08:30:00Z',
      },
      { resource: '../drum', start: '2026-11-23T08:00:00Z', expectedEnd: '2026-11-23T09:00:00Z', reason: 'x' },
      { resource: 'heat', start: '+275760-09-13T00:00:00Z', expectedEnd: '+275760-09-13T00:00:00Z', reason: 'x' },
    ];
    const statuses: string[] = [];
    for (const b of bodies) {
      const res = await call('POST', 'breakdowns', 'planner', b);
      statuses.push(`${res.statusCode}`);
      expect(res.statusCode, `${JSON.stringify(b).slice(0, 200)} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
    }
    const list = (await ok('GET', 'breakdowns', 'planner')).items as { id: string; start: string }[];
    for (const patch of [
      {},
      { endedAt: '2026-11-01T00:00:00Z' },
      { expectedEnd: '2026-11-01T00:00:00Z' },
      { endedAt: NOW, expectedEnd: '2026-11-30T00:00:00Z' },
      { reason: 'only' },
    ]) {
      const res = await call('PATCH', `breakdowns/${list[0]!.id}`, 'planner', patch);
      expect(res.statusCode, `${JSON.stringify(patch)} → ${res.body.slice(0, 300)}`).toBeLessThan(500);
    }
    const bad = await call('PATCH', 'breakdowns/not-a-uuid', 'planner', { endedAt: NOW });
    expect(bad.statusCode).toBeLessThan(500);
    await checkedPlan().catch(() => undefined);
  });

  it('time passing: an unreleased order becomes at risk once (release overdue), never flaps, and clears on re-promise', async () => {
    await plant();
    const [o] = await ordersAtEarliest(1, 2, 'D');
    const promise = o!.promiseDate;
    // Days pass without a release; a write happens every few hours (another order's sweep tick).
    const stamps = [
      '2026-11-24T20:00:00Z',
      '2026-11-25T12:00:00Z',
      '2026-11-25T21:30:00Z',
      '2026-11-26T08:00:00Z',
      '2026-11-26T16:00:00Z',
      '2026-11-27T10:00:00Z',
      '2026-11-30T10:00:00Z',
    ];
    for (const s of stamps) {
      t.clock.set(s);
      await call('POST', 'quotes', 'sales', { sku: 'D', quantity: 1 });
      // a no-op write: sweeping (what the background timer does)
      const { sweepExpiredHolds } = await import('../../src/domain/schedule/hold-sweeper.ts');
      void sweepExpiredHolds;
      await call('POST', 'holds', 'sales', { sku: 'D', quantity: 1 }).then(async (r) => {
        if (r.statusCode === 201) await call('DELETE', `holds/${r.json().id}`, 'sales');
      });
    }
    const view = await ok('GET', `orders/${o!.id}`, 'planner');
    expect(view.promiseDate).toBe(promise);
    expect(view.atRisk, JSON.stringify(view)).toMatchObject({ reason: 'release-overdue' });
    const events = await c.events();
    expect(events.filter((e) => e.type === 'order.at-risk' && e.orderId === o!.id)).toHaveLength(1);
    expect(events.filter((e) => e.type === 'order.on-track' && e.orderId === o!.id)).toHaveLength(0);
    // Planner re-promises to the earliest keepable date: on track, once.
    const q = await ok('POST', 'quotes', 'planner', { sku: 'D', quantity: 2 });
    const rp = await call('POST', `orders/${o!.id}/repromise`, 'planner', { promiseDate: q.earliestPromiseDate, reason: 'late release' });
    expect(rp.statusCode, rp.body).toBe(200);
    const after = await ok('GET', `orders/${o!.id}`, 'planner');
    expect(after.atRisk).toBeNull();
    const ev2 = await c.events();
    expect(ev2.filter((e) => e.type === 'order.on-track' && e.orderId === o!.id)).toHaveLength(1);
    // Release now and a few more writes: no new at-risk.
    await ok('POST', `orders/${o!.id}/release`, 'planner', { reason: 'now' });
    t.clock.set('2026-11-30T12:00:00Z');
    await call('POST', 'holds', 'sales', { sku: 'D', quantity: 1 });
    const ev3 = await c.events();
    expect(ev3.filter((e) => e.type === 'order.at-risk' && e.orderId === o!.id)).toHaveLength(1);
  });

  it('go-live edge inputs never 5xx and write nothing when refused', async () => {
    await plant();
    const v = await c.version();
    const cases: unknown[] = [
      { orders: [] },
      { orders: [{ sku: 'H', quantity: 1, promiseDate: '2026-02-30', customer: 'x' }] },
      { orders: [{ sku: 'H', quantity: 0, promiseDate: '2026-12-01', customer: 'x' }] },
      { orders: [{ sku: 'NOPE', quantity: 1, promiseDate: '2026-12-01', customer: 'x' }] },
      {
        orders: [
          { sku: 'H', quantity: 1, promiseDate: '2026-12-01', customer: 'x', externalId: 'DUP' },
          { sku: 'H', quantity: 1, promiseDate: '2026-12-02', customer: 'y', externalId: 'DUP' },
        ],
      },
      { orders: [{ sku: 'H', quantity: 1, promiseDate: '2026-12-01', customer: 'x', materialAvailableDate: '2030-01-01' }] },
      { orders: [{ sku: 'H', quantity: 1, promiseDate: '0001-01-01', customer: 'x' }] },
      { orders: [{ sku: 'H', quantity: 1, promiseDate: '9999-12-31', customer: 'x' }] },
    ];
    for (const body of cases) {
      const res = await call('POST', 'go-live', 'admin', body);
      expect(res.statusCode, `${JSON.stringify(body)} → ${res.body.slice(0, 400)}`).toBeLessThan(500);
      if (res.statusCode >= 400) expect(await c.version()).toBe(v);
      if (res.statusCode < 300) break;
    }
  });

  it('go-live with past and impossible promises: plan valid, every late order flagged, warm = cold, sales cannot jump ahead of a late order', async () => {
    await plant();
    const orders = [
      { sku: 'H', quantity: 3, promiseDate: '2026-11-20', customer: 'past', externalId: 'G1' },
      { sku: 'H', quantity: 3, promiseDate: '2026-11-23', customer: 'today', externalId: 'G2' },
      { sku: 'H', quantity: 3, promiseDate: '2026-11-24', customer: 'tomorrow', externalId: 'G3' },
      { sku: 'D', quantity: 5, promiseDate: '2026-11-24', customer: 'drum', externalId: 'G4' },
      { sku: 'H', quantity: 2, promiseDate: '2026-11-30', customer: 'later', externalId: 'G5' },
      { sku: 'H', quantity: 2, promiseDate: '2026-12-10', customer: 'far', externalId: 'G6' },
    ];
    const res = await call('POST', 'go-live', 'admin', { orders });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    const before = await checkedPlan();
    expect(await lateImpliesAtRisk(before)).toEqual([]);
    const late = (body.lateOrders as { orderId: string }[]).map((l) => l.orderId);
    for (const id of late) expect((await ok('GET', `orders/${id}`, 'planner')).atRisk).not.toBeNull();
    // ERP re-pushes an existing order unchanged: idempotent, no duplicate, no new at-risk.
    const evBefore = (await c.events()).length;
    const push = await call('PUT', 'orders/by-external-id/G3', 'erp', {
      sku: 'H',
      quantity: 3,
      promiseDate: '2026-11-24',
      customer: 'tomorrow',
    });
    expect(push.statusCode, push.body).toBeLessThan(500);
    const evAfter = await c.events();
    expect(
      evAfter.slice(evBefore).filter((e) => e.type === 'order.at-risk'),
      push.body,
    ).toHaveLength(0);
    // Sales sell at quoted dates: late orders not later.
    for (const [sku, quantity] of [
      ['D', 1],
      ['H', 1],
      ['D', 3],
    ] as const) {
      const q = await ok('POST', 'quotes', 'sales', { sku, quantity });
      await ok('POST', 'orders', 'sales', { sku, quantity, promiseDate: q.earliestPromiseDate, customer: 'new' });
    }
    const after = await checkedPlan();
    for (const o of before.orders) {
      if (!o.late) continue;
      expect(Date.parse(finishOf(after, o.orderId)), `late ${o.orderId} later`).toBeLessThanOrEqual(
        Date.parse(finishOf(before, o.orderId)),
      );
    }
    for (const o of before.orders.filter((x) => !x.late))
      expect(after.orders.find((x) => x.orderId === o.orderId)!.late, o.orderId).toBe(false);
    const cold = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      const coldPlan = (await cold.inject({ method: 'GET', url: `${P}/plan`, headers: t.as('planner') })).json();
      expect(coldPlan).toEqual(after);
    } finally {
      await cold.close();
    }
  });

  it("ERP push moving a late order's quantity up or another order earlier does not make the late order later", async () => {
    await plant();
    const res = await call('POST', 'go-live', 'admin', {
      orders: [
        { sku: 'D', quantity: 16, promiseDate: '2026-11-23', customer: 'late', externalId: 'L1' },
        { sku: 'D', quantity: 4, promiseDate: '2026-11-27', customer: 'ok', externalId: 'L2' },
        { sku: 'D', quantity: 4, promiseDate: '2026-12-04', customer: 'ok2', externalId: 'L3' },
      ],
    });
    expect(res.statusCode, res.body).toBe(201);
    const before = await checkedPlan();
    const lateIds = before.orders.filter((o) => o.late).map((o) => o.orderId);
    expect(lateIds.length).toBeGreaterThan(0);
    // ERP grows the late order (a customer change) and pulls L3 earlier.
    const r1 = await call('PUT', 'orders/by-external-id/L1', 'erp', {
      sku: 'D',
      quantity: 20,
      promiseDate: '2026-11-23',
      customer: 'late',
    });
    const r2 = await call('PUT', 'orders/by-external-id/L3', 'erp', { sku: 'D', quantity: 4, promiseDate: '2026-11-26', customer: 'ok2' });
    expect(r1.statusCode, r1.body).toBeLessThan(500);
    expect(r2.statusCode, r2.body).toBeLessThan(500);
    const after = await checkedPlan();
    const note = `r1 ${r1.statusCode} ${r1.body.slice(0, 200)} | r2 ${r2.statusCode} ${r2.body.slice(0, 200)}`;
    for (const id of lateIds)
      expect(Date.parse(finishOf(after, id)), `late ${id} later; ${note}`).toBeLessThanOrEqual(Date.parse(finishOf(before, id)));
    for (const o of before.orders.filter((x) => !x.late))
      expect(after.orders.find((x) => x.orderId === o.orderId)!.late, `${o.orderId} ${note}`).toBe(false);
    expect(await lateImpliesAtRisk(after)).toEqual([]);
  });
  it('a planned (non-fact) downtime after a breakdown may not make an already-late order later without re-promising it', async () => {
    await plant();
    await ordersAtEarliest(4);
    const bd = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T07:00:00Z',
      expectedEnd: '2026-11-24T13:00:00Z',
      reason: 'b',
    });
    calendars.heat = { ...monThu, exceptions: [downtime('2026-11-23', '08:00', '24:00'), downtime('2026-11-24', '00:00', '14:00')] };
    const late = (bd.lateOrders as { orderId: string }[]).map((l) => l.orderId);
    expect(late.length).toBeGreaterThan(0);
    const before = await checkedPlan();
    // A planned holiday on heat on Wednesday (the day the late orders now need).
    const res = await call('POST', 'capacity-changes', 'planner', {
      resource: 'heat',
      kind: 'downtime',
      date: '2026-11-25',
      start: '06:00',
      end: '14:00',
      reason: 'planned maintenance',
    });
    if (res.statusCode < 300) {
      calendars.heat.exceptions = [...calendars.heat.exceptions, downtime('2026-11-25', '06:00', '14:00')];
      const after = await checkedPlan();
      for (const id of late)
        expect(Date.parse(finishOf(after, id)), `late ${id} made later by a planned downtime (${res.statusCode})`).toBeLessThanOrEqual(
          Date.parse(finishOf(before, id)),
        );
      for (const o of before.orders.filter((x) => !x.late))
        expect(after.orders.find((x) => x.orderId === o.orderId)!.late, `${o.orderId} pushed late`).toBe(false);
    } else {
      expect(res.statusCode, res.body).toBe(409);
    }
  });

  it('a late order completed or cancelled leaves the at-risk list', async () => {
    await plant();
    await ordersAtEarliest(4);
    const bd = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T07:00:00Z',
      expectedEnd: '2026-11-24T13:00:00Z',
      reason: 'b',
    });
    const late = (bd.lateOrders as { orderId: string }[]).map((l) => l.orderId);
    expect(late.length).toBeGreaterThan(1);
    await ok('POST', `orders/${late[0]}/cancel`, 'planner', {});
    await ok('POST', `orders/${late[1]}/release`, 'planner', { reason: 'go' });
    await ok('POST', `orders/${late[1]}/complete`, 'planner', {});
    const items = (await ok('GET', 'at-risk', 'planner')).items as { orderId: string }[];
    expect(items.map((i) => i.orderId)).not.toContain(late[0]);
    expect(items.map((i) => i.orderId)).not.toContain(late[1]);
    const board = await ok('GET', 'buffer-board', 'planner');
    expect(JSON.stringify(board)).not.toContain(late[1]!);
  });

  it('two processes writing after time passes append order.at-risk once per order', async () => {
    await plant();
    const orders = await ordersAtEarliest(3, 2, 'D');
    const other = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      for (const s of ['2026-11-25T12:00:00Z', '2026-11-26T21:00:00Z', '2026-11-27T21:00:00Z', '2026-12-01T08:00:00Z']) {
        t.clock.set(s);
        const h = { ...t.as('sales') };
        await Promise.all([
          t.app.inject({ method: 'POST', url: `${P}/holds`, headers: h, payload: { sku: 'D', quantity: 1 } }),
          other.inject({ method: 'POST', url: `${P}/holds`, headers: h, payload: { sku: 'D', quantity: 1 } }),
          other.inject({ method: 'POST', url: `${P}/holds`, headers: h, payload: { sku: 'D', quantity: 1 } }),
        ]);
      }
      const events = await c.events();
      const risk = events.filter((e) => e.type === 'order.at-risk').map((e) => e.orderId);
      expect(risk.length, JSON.stringify(risk)).toBe(new Set(risk).size);
      for (const o of orders) expect(risk, o.id).toContain(o.id);
      const w = (await ok('GET', 'at-risk', 'planner')).items;
      const o2 = (await other.inject({ method: 'GET', url: `${P}/at-risk`, headers: t.as('planner') })).json().items;
      expect(o2).toEqual(w);
      const wp = await ok('GET', 'plan', 'planner');
      const op = (await other.inject({ method: 'GET', url: `${P}/plan`, headers: t.as('planner') })).json();
      expect(op).toEqual(wp);
    } finally {
      await other.close();
    }
  });
  it('go-live: all or nothing with one bad row late in the batch; refused after orders exist; two at once load once', async () => {
    await plant();
    const good = (i: number) => ({ sku: 'H', quantity: 1, promiseDate: '2026-12-01', customer: `g${i}`, externalId: `X${i}` });
    const v = await c.version();
    const bad = await call('POST', 'go-live', 'admin', { orders: [good(1), good(2), { ...good(3), sku: 'NOPE' }] });
    expect(bad.statusCode, bad.body).toBeGreaterThanOrEqual(400);
    expect(bad.statusCode).toBeLessThan(500);
    expect(await c.version()).toBe(v);
    expect((await ok('GET', 'orders', 'planner')).items).toEqual([]);
    const both = await Promise.all([
      call('POST', 'go-live', 'admin', { orders: [good(1)] }),
      call('POST', 'go-live', 'admin', { orders: [good(2)] }),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect((await ok('GET', 'orders', 'planner')).items).toHaveLength(1);

    // A plant that already promised through Drumbeat: a go-live would bypass the promise rule.
    await plant();
    await ordersAtEarliest(1);
    const late = await call('POST', 'go-live', 'admin', { orders: [good(9)] });
    expect(late.statusCode, late.body).toBe(409);
  });

  it('go-live: an externalId already pushed by the ERP is refused, not duplicated', async () => {
    await plant();
    const push = await call('PUT', 'orders/by-external-id/E-1', 'erp', {
      sku: 'H',
      quantity: 1,
      promiseDate: '2026-12-10',
      customer: 'erp',
    });
    expect(push.statusCode, push.body).toBeLessThan(300);
    const res = await call('POST', 'go-live', 'admin', {
      orders: [{ sku: 'H', quantity: 1, promiseDate: '2026-12-01', customer: 'g', externalId: 'E-1' }],
    });
    expect(res.statusCode, res.body).toBeLessThan(500);
    const rows = (await ok('GET', 'orders', 'planner')).items as { externalId: string | null }[];
    expect(rows.filter((r) => r.externalId === 'E-1')).toHaveLength(1);
  });

  it('facts on a late order are never refused (release, progress, complete, ship) and its owner sees at-risk in their own feed', async () => {
    await plant();
    const orders = await ordersAtEarliest(3);
    const bd = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T07:00:00Z',
      expectedEnd: '2026-11-25T13:00:00Z',
      reason: 'b',
    });
    const late = (bd.lateOrders as { orderId: string }[]).map((l) => l.orderId);
    expect(late.length).toBeGreaterThan(0);
    const id = late[0]!;
    const feed = (await ok('GET', `/v1/me/events?plant=${P.split('/').at(-1)}`, 'sales')).items as { type: string; orderId: string }[];
    expect(
      feed
        .filter((e) => e.type === 'order.at-risk')
        .map((e) => e.orderId)
        .sort(),
    ).toEqual([...late].sort());
    const sView = await ok('GET', `orders/${id}`, 'sales');
    expect(sView.atRisk).toMatchObject({ reason: 'breakdown' });
    expect((await call('GET', 'at-risk', 'sales')).statusCode).toBe(403);
    t.clock.set('2026-11-30T08:00:00Z');
    for (const [url, body] of [
      [`orders/${id}/release`, { reason: 'finally' }],
      [`orders/${id}/progress`, { drumMinutesDone: 5 }],
      [`orders/${id}/complete`, {}],
      [`orders/${id}/ship`, {}],
    ] as const) {
      const r = await call('POST', url, 'planner', body);
      expect(r.statusCode, `${url} ${r.body.slice(0, 300)}`).toBeLessThan(300);
    }
    void orders;
    const k = await ok('GET', 'kpis?from=2026-11-01&to=2026-12-31', 'planner');
    expect(k.promises).toMatchObject({ shipped: 1, kept: 0 });
  });
  it('late progress is a fact: an order whose reported progress cannot finish by its promised day is at risk (progress-behind), once', async () => {
    await plant();
    const [o] = await ordersAtEarliest(1, 4, 'D'); // 240 drum minutes
    await ok('POST', `orders/${o!.id}/release`, 'planner', { reason: 'go' });
    await ok('POST', `orders/${o!.id}/progress`, 'planner', { drumMinutesDone: 10 });
    // The evening of the promised day (local 21:00): 230 minutes remain, one hour of shift left.
    const eve = new Date(`${o!.promiseDate}T20:00:00Z`).toISOString();
    t.clock.set(eve);
    const r = await call('POST', `orders/${o!.id}/progress`, 'planner', { drumMinutesDone: 20 });
    expect(r.statusCode, r.body).toBe(200);
    const view = await ok('GET', `orders/${o!.id}`, 'planner');
    const planNow = (await ok('GET', 'plan', 'planner')).orders.find((x: { orderId: string }) => x.orderId === o!.id);
    expect.soft(view.atRisk, `published late, not at risk: ${JSON.stringify(planNow)}`).not.toBeNull();
    await ok('POST', `orders/${o!.id}/progress`, 'planner', { drumMinutesDone: 30 });
    t.clock.set(new Date(Date.parse(eve) + 3_600_000).toISOString());
    await call('POST', 'holds', 'sales', { sku: 'D', quantity: 1 });
    expect
      .soft((await ok('GET', `orders/${o!.id}`, 'planner')).atRisk, 'still not at risk after another progress report and a later write')
      .not.toBeNull();
    const events = await c.events();
    expect(events.filter((e) => e.type === 'order.at-risk' && e.orderId === o!.id)).toHaveLength(1);
    const published = await ok('GET', 'plan', 'planner');
    expect(published.orders.find((x: { orderId: string }) => x.orderId === o!.id).late).toBe(true);
  });

  it('ERP: an ERP order handed over to a salesperson stays theirs after the ERP pushes an update; an ERP date move to the earliest date clears at-risk', async () => {
    await plant();
    const q = await ok('POST', 'quotes', 'erp', { sku: 'H', quantity: 3 });
    const q2 = await ok('POST', 'quotes', 'erp', { sku: 'H', quantity: 3 });
    for (const [ext, pd] of [
      ['E1', q.earliestPromiseDate],
      ['E2', q2.earliestPromiseDate],
    ] as const) {
      const r = await call('PUT', `orders/by-external-id/${ext}`, 'erp', {
        sku: 'H',
        quantity: 3,
        promiseDate: pd,
        customer: 'K',
        customerId: 'C-5',
      });
      expect(r.statusCode, r.body).toBeLessThan(300);
    }
    const keyRes = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.as('admin'),
      payload: { name: 'bob', role: 'sales', principal: 'bob.erp' },
    });
    const bob = { authorization: `Bearer ${keyRes.json().key}` };
    const ho = await call('POST', 'hand-overs', 'planner', { to: 'bob.erp', customerId: 'C-5' });
    expect(ho.statusCode, ho.body).toBe(200);
    const bd = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T07:00:00Z',
      expectedEnd: '2026-11-24T13:00:00Z',
      reason: 'b',
    });
    const late = bd.lateOrders as { orderId: string; earliestPromiseDate: string }[];
    expect(late.length).toBeGreaterThan(0);
    const all = (await ok('GET', 'orders', 'planner')).items as { id: string; externalId: string }[];
    const l = late[0]!;
    const ext = all.find((x) => x.id === l.orderId)!.externalId;
    const r = await call('PUT', `orders/by-external-id/${ext}`, 'erp', {
      sku: 'H',
      quantity: 3,
      promiseDate: l.earliestPromiseDate,
      customer: 'K',
      customerId: 'C-5',
      reason: 'breakdown',
    });
    expect(r.statusCode, r.body).toBeLessThan(300);
    const view = await ok('GET', `orders/${l.orderId}`, 'planner');
    expect(view.atRisk, JSON.stringify(view.atRisk)).toBeNull();
    const mine = await t.app.inject({ method: 'GET', url: `${P}/orders/${l.orderId}`, headers: bob });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().owner).toBe('bob.erp');
  });
  it('late progress on a route ending off the drum (heat → drum → test): published late ⇒ at risk', async () => {
    await plant();
    const [o] = await ordersAtEarliest(1, 1, 'H');
    await ok('POST', `orders/${o!.id}/release`, 'planner', { reason: 'go' });
    await ok('POST', `orders/${o!.id}/progress`, 'planner', { drumMinutesDone: 1 });
    const eve = new Date(`${o!.promiseDate}T20:00:00Z`).toISOString();
    t.clock.set(eve);
    await ok('POST', `orders/${o!.id}/progress`, 'planner', { drumMinutesDone: 2 });
    const planNow = (await ok('GET', 'plan', 'planner')).orders.find((x: { orderId: string }) => x.orderId === o!.id);
    const view = await ok('GET', `orders/${o!.id}`, 'planner');
    expect(planNow.late, JSON.stringify(planNow)).toBe(true);
    expect(view.atRisk, `published late, not at risk: ${JSON.stringify(planNow)}`).not.toBeNull();
  });
  it('time passing: a released order not completed two days after its promised day is at risk (or at least published late)', async () => {
    await plant();
    const [o] = await ordersAtEarliest(1, 2, 'D');
    await ok('POST', `orders/${o!.id}/release`, 'planner', { reason: 'go' });
    const d = new Date(`${o!.promiseDate}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 2);
    t.clock.set(d.toISOString());
    await call('POST', 'holds', 'sales', { sku: 'D', quantity: 1 });
    const planNow = (await ok('GET', 'plan', 'planner')).orders.find((x: { orderId: string }) => x.orderId === o!.id);
    const view = await ok('GET', `orders/${o!.id}`, 'planner');
    expect.soft(planNow?.late, `plan: ${JSON.stringify(planNow)}`).toBe(true);
    expect(view.atRisk, `not at risk two days after its promise, uncompleted: ${JSON.stringify(planNow)}`).not.toBeNull();
  });
  it('group commit: a burst mixing successes and refusals leaves no partial write; plan valid; warm = cold; one event per success', async () => {
    await plant();
    await ok('PUT', `${P}/buffer-policy`, 'admin', {
      productionBufferDays: 2,
      shippingBufferDays: 1,
      standardLeadTimeDays: 2,
      holdCapDrumMinutes: 200,
    });
    const q = await ok('POST', 'quotes', 'sales', { sku: 'D', quantity: 1 });
    const reqs: Promise<{ statusCode: number; body: string }>[] = [];
    for (let i = 0; i < 24; i++) {
      const k = i % 6;
      if (k === 0)
        reqs.push(call('POST', 'orders', 'sales', { sku: 'D', quantity: 1, promiseDate: q.earliestPromiseDate, customer: `ok${i}` }));
      if (k === 1) reqs.push(call('POST', 'orders', 'sales', { sku: 'D', quantity: 30, promiseDate: '2026-11-25', customer: `no${i}` }));
      if (k === 2) reqs.push(call('POST', 'holds', 'sales', { sku: 'D', quantity: 2 }));
      if (k === 3) reqs.push(call('POST', 'orders', 'sales', { sku: 'H', quantity: 2, promiseDate: '2026-12-18', customer: `h${i}` }));
      if (k === 4)
        reqs.push(
          call('POST', 'go-live', 'admin', {
            orders: [
              { sku: 'D', quantity: 1, promiseDate: '2026-12-01', customer: 'g' },
              { sku: 'NOPE', quantity: 1, promiseDate: '2026-12-01', customer: 'g' },
            ],
          }),
        );
      if (k === 5)
        reqs.push(
          call('POST', 'breakdowns', 'planner', {
            resource: 'test',
            start: '2026-11-23T08:00:00Z',
            expectedEnd: '2026-11-23T07:00:00Z',
            reason: 'bad',
          }),
        );
    }
    const res = await Promise.all(reqs);
    const codes = res.map((r) => r.statusCode);
    expect(
      codes.every((x) => x < 500),
      JSON.stringify(codes),
    ).toBe(true);
    const created = codes.filter((x) => x === 201).length;
    const orders = (await ok('GET', 'orders?limit=500', 'planner')).items as unknown[];
    expect(orders.length, JSON.stringify(codes)).toBe(created);
    const events = await c.events();
    expect(events.filter((e) => e.type === 'order.created' || e.type === 'hold.created' || e.type === 'order.held').length || created).toBe(
      created,
    );
    const warm = await checkedPlan();
    const cold = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      expect((await cold.inject({ method: 'GET', url: `${P}/plan`, headers: t.as('planner') })).json()).toEqual(warm);
    } finally {
      await cold.close();
    }
  });
  it('a hold a breakdown made late cannot be confirmed as if on time (never lie)', async () => {
    await plant();
    const q = await ok('POST', 'quotes', 'sales', { sku: 'H', quantity: 3 });
    const hold = await ok('POST', 'holds', 'sales', { sku: 'H', quantity: 3, promiseDate: q.earliestPromiseDate, ttlSeconds: 3600 });
    const bd = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T07:00:00Z',
      expectedEnd: '2026-11-25T13:00:00Z',
      reason: 'b',
    });
    const late = (bd.lateOrders as { orderId: string }[]).map((l) => l.orderId);
    expect(late).toContain(hold.id);
    const conf = await call('POST', `holds/${hold.id}/confirm`, 'sales', {});
    expect(conf.statusCode, conf.body).toBe(409);
    expect(conf.json().type).toContain('schedule-infeasible');
    expect(conf.json().earliestPromiseDate > q.earliestPromiseDate).toBe(true);
    expect((await ok('GET', `orders/${hold.id}`, 'planner')).status).toBe('held');
  });
  it('re-promising an on-time order earlier (a non-fact write) never makes a late order later', async () => {
    await plant();
    const orders = await ordersAtEarliest(6, 2);
    const bd = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T07:00:00Z',
      expectedEnd: '2026-11-24T13:00:00Z',
      reason: 'b',
    });
    // Two heat days lost: the right-shift of the heat queue cannot absorb it, some promised day is missed.
    calendars.heat = { ...monThu, exceptions: [downtime('2026-11-23', '08:00', '24:00'), downtime('2026-11-24', '00:00', '14:00')] };
    const late = new Set((bd.lateOrders as { orderId: string }[]).map((l) => l.orderId));
    expect(late.size).toBeGreaterThan(0);
    const before = await checkedPlan();
    const onTime = orders.filter((o) => !late.has(o.id)).reverse();
    let moved = 0;
    for (const o of onTime) {
      for (const d of ['2026-11-25', '2026-11-26', '2026-11-27', '2026-11-30', '2026-12-01']) {
        if (d >= o.promiseDate) break;
        const r = await call('POST', `orders/${o.id}/repromise`, 'planner', {
          promiseDate: d,
          reason: 'customer wants it sooner',
          initiator: 'customer',
        });
        if (r.statusCode === 200) {
          moved++;
          break;
        }
        expect(r.statusCode, r.body).toBeLessThan(500);
      }
    }
    const after = await checkedPlan();
    for (const id of late)
      expect(Date.parse(finishOf(after, id)), `late ${id} made later (moved ${moved})`).toBeLessThanOrEqual(
        Date.parse(finishOf(before, id)),
      );
    expect(await lateImpliesAtRisk(after)).toEqual([]);
  });
  it('at-risk shows everywhere it should: schedule, at-risk list (sorted), buffer board; a no-op PATCH adds no event', async () => {
    await plant();
    await ordersAtEarliest(5);
    const bd = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T07:00:00Z',
      expectedEnd: '2026-11-25T13:00:00Z',
      reason: 'b',
    });
    const late = (bd.lateOrders as { orderId: string }[]).map((l) => l.orderId).sort();
    expect(late.length).toBeGreaterThan(1);
    const sched = (await ok('GET', 'schedule?limit=500', 'planner')).orders as { id: string; atRisk: unknown }[];
    expect(
      sched
        .filter((s) => s.atRisk)
        .map((s) => s.id)
        .sort(),
    ).toEqual(late);
    const list = (await ok('GET', 'at-risk', 'planner')).items as { orderId: string; lateByMinutes: number }[];
    expect(list.map((l) => l.orderId).sort()).toEqual(late);
    for (let i = 1; i < list.length; i++) expect(list[i - 1]!.lateByMinutes).toBeGreaterThanOrEqual(list[i]!.lateByMinutes);
    const n = (await c.events()).length;
    const same = await call('PATCH', `breakdowns/${bd.breakdown.id}`, 'planner', { expectedEnd: '2026-11-25T13:00:00Z' });
    expect(same.statusCode, same.body).toBeLessThan(500);
    const ev = (await c.events()).slice(n);
    expect(ev.filter((e) => e.type === 'order.at-risk' || e.type === 'order.on-track')).toEqual([]);
    const big = await call('POST', 'go-live', 'admin', {
      orders: Array.from({ length: 5001 }, (_, i) => ({ sku: 'H', quantity: 1, promiseDate: '2026-12-01', customer: `c${i}` })),
    });
    expect(big.statusCode, big.body.slice(0, 200)).toBeLessThan(500);
  });
  it('a second warm process sees a breakdown, its PATCH and a go-live made by the first (quotes, plan, at-risk)', async () => {
    await plant();
    await ordersAtEarliest(3);
    const other = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    const o = (method: 'GET' | 'POST', url: string, payload?: object) =>
      other.inject({ method, url: `${P}/${url}`, headers: t.as(method === 'GET' ? 'planner' : 'sales'), ...(payload ? { payload } : {}) });
    try {
      // Warm it.
      await o('POST', 'quotes', { sku: 'H', quantity: 2 });
      await o('GET', 'plan');
      const bd = await ok('POST', 'breakdowns', 'planner', {
        resource: 'heat',
        start: '2026-11-23T07:00:00Z',
        expectedEnd: '2026-11-24T13:00:00Z',
        reason: 'b',
      });
      await ok('PATCH', `breakdowns/${bd.breakdown.id}`, 'planner', { expectedEnd: '2026-11-25T13:00:00Z' });
      // `other` has no change feed: every read checks the plant's versions, so it sees these writes at once.
      const wq = await ok('POST', 'quotes', 'sales', { sku: 'H', quantity: 2 });
      const oq = (await o('POST', 'quotes', { sku: 'H', quantity: 2 })).json();
      expect(quoteAnswer(oq)).toEqual(quoteAnswer(wq));
      expect((await o('GET', 'plan')).json()).toEqual(await ok('GET', 'plan', 'planner'));
      expect((await o('GET', 'at-risk')).json()).toEqual(await ok('GET', 'at-risk', 'planner'));
      // The other process writes an order: valid, and late orders no later.
      const before = await checkedPlan();
      const r = await o('POST', 'orders', { sku: 'H', quantity: 2, promiseDate: oq.earliestPromiseDate, customer: 'other' });
      expect(r.statusCode, r.body).toBe(201);
      // The first process learns of it on the change feed (asynchronous on PostgreSQL).
      await vi.waitFor(async () => expect((await ok('GET', 'plan', 'planner')).scheduleVersion).toBe(r.json().scheduleVersion), {
        timeout: 10_000,
        interval: 50,
      });
      const after = await checkedPlan();
      for (const x of before.orders.filter((y) => y.late))
        expect(Date.parse(finishOf(after, x.orderId))).toBeLessThanOrEqual(Date.parse(finishOf(before, x.orderId)));
      expect((await o('GET', 'plan')).json()).toEqual(after);
    } finally {
      await other.close();
    }
  });
  it('a breakdown id of one plant cannot be read or changed through another plant', async () => {
    await plant();
    const A = P;
    const bd = await ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T07:00:00Z',
      expectedEnd: '2026-11-24T13:00:00Z',
      reason: 'b',
    });
    await plant();
    const r = await call('PATCH', `breakdowns/${bd.breakdown.id}`, 'planner', { endedAt: NOW });
    expect(r.statusCode, r.body).toBe(404);
    const list = (await ok('GET', `${A}/breakdowns`, 'planner')).items as { endedAt: string | null }[];
    expect(list[0]!.endedAt).toBeNull();
  });
  it('an early release (a non-fact planner write) never pushes another order late', async () => {
    await plant();
    const orders = await ordersAtEarliest(8, 2);
    const before = await checkedPlan();
    expect(before.orders.filter((o) => o.late)).toEqual([]);
    for (const o of [...orders].reverse().slice(0, 4)) {
      const r = await call('POST', `orders/${o.id}/release`, 'planner', { reason: 'material is here, start now' });
      expect(r.statusCode, r.body).toBeLessThan(500);
    }
    const after = await checkedPlan();
    expect(after.orders.filter((o) => o.late || o.bufferConsumed).map((o) => o.orderId)).toEqual([]);
  });

  it('go-live: an order whose material comes after its promise is planned after the material, published late and at risk', async () => {
    await plant();
    const res = await call('POST', 'go-live', 'admin', {
      orders: [{ sku: 'D', quantity: 1, promiseDate: '2026-11-26', customer: 'm', externalId: 'M1', materialAvailableDate: '2026-12-01' }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const published = await checkedPlan();
    const o = published.orders[0]!;
    expect(o.late, JSON.stringify(o)).toBe(true);
    expect((await ok('GET', `orders/${o.orderId}`, 'planner')).atRisk).not.toBeNull();
  });
});
