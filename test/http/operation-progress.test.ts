import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src/domain/actor.ts';
import { buildApp } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { checkPlan, describeViolations } from '../helpers/plan-checker.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { checkerInputFrom, minuteOf, type PublishedPlan } from '../helpers/published-plan.ts';
import { NOW, routePlantSession, ZONE } from '../helpers/route-plant.ts';

// Issue 13 item 2: the floor reports progress per operation and the projection uses it. The
// plant: heat treatment (Mon–Thu 06:00–14:00) → drum (two shifts) → test (one shift); product
// H: 96, 6 and 3 minutes per unit. Monday 2026-11-23 09:00 in Europe/Berlin (NOW).

describe.each(databaseKinds())('progress per operation on %s', (kind) => {
  let t: TestApp;
  const session = routePlantSession(() => t, 'op-progress');
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

  async function orderAtEarliest(quantity: number, customer: string) {
    const q = await ok('POST', 'quotes', 'sales', { sku: 'H', quantity });
    return (await ok('POST', 'orders', 'sales', { sku: 'H', quantity, promiseDate: q.earliestPromiseDate, customer })) as {
      id: string;
      promiseDate: string;
    };
  }

  async function checkedPlan(now: string) {
    const published = (await ok('GET', 'plan', 'planner')) as PublishedPlan;
    const violations = checkPlan(checkerInputFrom(published, { now: minuteOf(now), timeZone: ZONE, drum: 'drum', calendars }));
    expect(violations, describeViolations(violations)).toEqual([]);
    return published;
  }
  const opOf = (published: PublishedPlan, id: string, resource: string) =>
    published.orders.find((o) => o.orderId === id)!.operations.find((op) => op.resource === resource)!;

  const late = (published: PublishedPlan) => published.orders.filter((o) => o.late).map((o) => o.orderId);

  it('an operation reported behind moves its order and the one queued behind it later; those now late are at risk in its version', async () => {
    await plant();
    const a = await orderAtEarliest(3, 'a'); // heat Mon 09:00–13:48
    const b = await orderAtEarliest(3, 'b'); // heat queued behind a, into Tuesday
    for (const o of [a, b]) await ok('POST', `orders/${o.id}/release`, 'planner', {});
    const before = await checkedPlan(NOW);
    expect(late(before)).toEqual([]);

    // Another process, warm before the report, catches up after it.
    const other = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    const planOn = async (app: typeof other) => (await app.inject({ method: 'GET', url: `${P}/plan`, headers: t.as('planner') })).json();
    expect(await planOn(other)).toEqual(before);

    // Tuesday 13:00 local: a's heat treatment, planned for Monday, has 30 of its 288 minutes done.
    const now = '2026-11-24T12:00:00Z';
    t.clock.set(now);
    const v = await c.version();
    const res = await call('POST', `orders/${a.id}/operations/0/progress`, 'erp', { minutesDone: 30 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: a.id, status: 'released', scheduleVersion: v + 1 });

    const after = await checkedPlan(now);
    // The remaining 258 minutes from now: one hour on Tuesday, the rest on Wednesday; b waits behind it.
    expect(opOf(after, a.id, 'heat')).toMatchObject({ minutes: 258, start: '2026-11-24T12:00:00.000Z', end: '2026-11-25T08:18:00.000Z' });
    expect(opOf(after, b.id, 'heat').start).toBe('2026-11-25T08:18:00.000Z');
    expect(Date.parse(opOf(after, b.id, 'test').end)).toBeGreaterThan(Date.parse(opOf(before, b.id, 'test').end));
    const lateNow = late(after);
    expect(lateNow).toContain(b.id);

    // A fact: at risk in the report's own version, once each, reason progress-behind.
    const events = (await c.events()).filter((e) => e.scheduleVersion === v + 1);
    const atRisk = events.filter((e) => e.type === 'order.at-risk');
    expect(atRisk.map((e) => e.orderId).sort()).toEqual([...lateNow].sort());
    for (const e of atRisk) expect(e.data.reason).toBe('progress-behind');
    const report = events.find((e) => e.type === 'order.operation-progress')!;
    expect(report).toMatchObject({
      orderId: a.id,
      data: { position: 0, resource: 'heat', minutesDone: 30, minutes: 288, completed: false },
    });
    expect([...report.data.madeLate].sort()).toEqual([...lateNow].sort());
    expect([...report.data.movedOrderIds].sort()).toEqual([a.id, b.id].sort());
    expect((await ok('GET', `orders/${b.id}`, 'planner')).atRisk).toMatchObject({ reason: 'progress-behind' });

    // A process that catches up and a fresh one (cold build from the stored reports) publish the same plan.
    const cold = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      expect(await planOn(other)).toEqual(after);
      expect(await planOn(cold)).toEqual(after);
    } finally {
      await cold.close();
      await other.close();
    }
    expect((await c.events()).filter((e) => e.type === 'order.at-risk' && e.scheduleVersion > v)).toHaveLength(atRisk.length);
  });

  it('a completed upstream operation frees its capacity: a new quote uses it', async () => {
    await plant();
    const a = await orderAtEarliest(10, 'a'); // 960 minutes of heat, from Monday noon to Wednesday noon
    await orderAtEarliest(10, 'b'); // then b's, until next Monday: a new order's heat treatment waits for both
    const quoteBefore = await ok('POST', 'quotes', 'sales', { sku: 'H', quantity: 3 });
    t.clock.set('2026-11-23T08:30:00Z');
    // The floor says a's heat treatment is done (it ran elsewhere): its reservation goes.
    const res = await call('POST', `orders/${a.id}/operations/0/progress`, 'planner', { status: 'completed' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().status).toBe('released');
    const published = await checkedPlan('2026-11-23T08:30:00Z');
    expect(opOf(published, a.id, 'heat').minutes).toBe(0);
    const quoteAfter = await ok('POST', 'quotes', 'sales', { sku: 'H', quantity: 3 });
    const cold = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      expect((await cold.inject({ method: 'GET', url: `${P}/plan`, headers: t.as('planner') })).json()).toEqual(published);
    } finally {
      await cold.close();
    }
    expect(quoteAfter.earliestPromiseDate < quoteBefore.earliestPromiseDate).toBe(true);
    // A completed operation takes no further report.
    const again = await call('POST', `orders/${a.id}/operations/0/progress`, 'planner', { minutesDone: 960 });
    expect(again.statusCode).toBe(409);
    const events = await c.events();
    expect(events.filter((e) => e.orderId === a.id).map((e) => e.type)).toEqual(
      expect.arrayContaining(['order.operation-progress', 'order.released']),
    );
  });

  it('a report on the drum position is the drum report', async () => {
    await plant();
    const a = await orderAtEarliest(3, 'a');
    const res = await call('POST', `orders/${a.id}/operations/1/progress`, 'erp', { minutesDone: 6 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'in_progress', drumDoneMinutes: 6 });
    const done = await ok('POST', `orders/${a.id}/operations/1/progress`, 'erp', { status: 'completed' });
    expect(done.drumDoneMinutes).toBe(18);
    const drumEvents = (await c.events()).filter((e) => e.type === 'order.progress');
    expect(drumEvents.map((e) => e.data.drumMinutesDone)).toEqual([6, 18]);
    // Same as the drum's own endpoint: it cannot go back.
    expect((await call('POST', `orders/${a.id}/progress`, 'erp', { drumMinutesDone: 10 })).statusCode).toBe(400);
  });

  it('a drum report behind plan moves the work after the drum behind it; late, the order is at risk in its version', async () => {
    await plant();
    const a = await orderAtEarliest(3, 'a'); // drum Mon 13:48–14:06, test Tue 13:51–14:00 (local)
    await ok('POST', `orders/${a.id}/release`, 'planner', {});
    t.clock.set('2026-11-23T12:50:00Z');
    await ok('POST', `orders/${a.id}/operations/1/progress`, 'erp', { minutesDone: 6 }); // on the drum: pinned
    // Tuesday 14:00 local: 6 more minutes done, 6 remain from now, past test's planned start (the drum's own endpoint).
    t.clock.set('2026-11-24T13:00:00Z');
    await ok('POST', `orders/${a.id}/progress`, 'erp', { drumMinutesDone: 12 });
    let published = await checkedPlan('2026-11-24T13:00:00Z');
    expect(opOf(published, a.id, 'drum')).toMatchObject({ minutes: 6, start: '2026-11-24T13:00:00.000Z', end: '2026-11-24T13:06:00.000Z' });
    expect(opOf(published, a.id, 'test')).toMatchObject({ start: '2026-11-25T05:00:00.000Z', end: '2026-11-25T05:09:00.000Z' });
    // Late on its drum deadline (shipping buffer used), not past its promised day: not at risk.
    expect((await ok('GET', `orders/${a.id}`, 'planner')).atRisk).toBeNull();

    // Wednesday 13:55 local, still 6 drum minutes to go: test moves to Thursday, after the promised day.
    const now = '2026-11-25T12:55:00Z';
    t.clock.set(now);
    const v = await c.version();
    const res = await call('POST', `orders/${a.id}/operations/1/progress`, 'erp', { minutesDone: 12 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().atRisk).toMatchObject({ reason: 'progress-behind' });
    published = await checkedPlan(now);
    expect(opOf(published, a.id, 'test').start).toBe('2026-11-26T05:00:00.000Z');
    expect(late(published)).toEqual([a.id]);
    const atRisk = (await c.events()).filter((e) => e.type === 'order.at-risk');
    expect(atRisk.map((e) => [e.orderId, e.scheduleVersion, e.data.reason])).toEqual([[a.id, v + 1, 'progress-behind']]);
  });

  it('refuses bad reports with a problem and changes nothing', async () => {
    await plant();
    const a = await orderAtEarliest(3, 'a');
    await ok('POST', `orders/${a.id}/operations/0/progress`, 'erp', { minutesDone: 100 });
    const shipped = await orderAtEarliest(1, 's');
    await ok('POST', `orders/${shipped.id}/ship`, 'planner', {});
    const v = await c.version();
    const plan = await ok('GET', 'plan', 'planner');
    const cases: [string, Role, unknown, number][] = [
      [`orders/${a.id}/operations/7/progress`, 'erp', { minutesDone: 1 }, 400], // unknown position
      [`orders/${a.id}/operations/0/progress`, 'erp', { minutesDone: 289 }, 400], // above the operation's minutes
      [`orders/${a.id}/operations/0/progress`, 'erp', { minutesDone: 99 }, 400], // cumulative minutes never go back
      [`orders/${a.id}/operations/0/progress`, 'erp', { status: 'completed', minutesDone: 200 }, 400],
      [`orders/${a.id}/operations/0/progress`, 'erp', {}, 400],
      [`orders/${a.id}/operations/x/progress`, 'erp', { minutesDone: 1 }, 400],
      [`orders/${a.id}/operations/0/progress`, 'sales', { minutesDone: 120 }, 403], // wrong role
      [`orders/${shipped.id}/operations/0/progress`, 'erp', { minutesDone: 1 }, 409], // a closed order
      [`orders/00000000-0000-4000-8000-000000000000/operations/0/progress`, 'erp', { minutesDone: 1 }, 404],
    ];
    for (const [url, role, body, status] of cases) {
      const res = await call('POST', url, role, body);
      expect(res.statusCode, `${url} ${JSON.stringify(body)}: ${res.body}`).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect(await c.version()).toBe(v);
    expect(await ok('GET', 'plan', 'planner')).toEqual(plan);
  });
});
