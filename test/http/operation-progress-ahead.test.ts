import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { checkPlan, describeViolations } from '../helpers/plan-checker.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { checkerInputFrom, minuteOf, type PublishedPlan } from '../helpers/published-plan.ts';
import { NOW, routePlantSession, ZONE } from '../helpers/route-plant.ts';

// Found by the simulator (issue 18): an order the floor works AHEAD of its rope kept the ready
// time it was committed with, days out. On the drum it is pinned, and pinned orders are
// worked first, so it held the drum idle until that stale ready time and every new quote
// queued behind it. The plant: heat treatment (Mon–Thu 06:00–14:00) → drum (two shifts) →
// test (one shift); product H: 96, 6 and 3 minutes per unit. Monday 2026-11-23 in Berlin.

describe.each(databaseKinds())('work reported ahead of the rope on %s', (kind) => {
  let t: TestApp;
  const session = routePlantSession(() => t, 'op-ahead');
  const { call, ok } = session;

  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  afterAll(async () => t.close());

  it('an order started early does not hold the drum until its planned ready time: a new quote is not queued behind it', async () => {
    await session.create();
    const P = session.P;
    const now = '2026-11-23T09:00:00Z'; // Monday 10:00 local
    t.clock.set(now);
    const reference = await ok('POST', 'quotes', 'sales', { sku: 'H', quantity: 1 });
    // Promised three weeks out: its heat treatment and drum work are planned days from now.
    const a = (await ok('POST', 'orders', 'sales', { sku: 'H', quantity: 3, promiseDate: '2026-12-11', customer: 'a' })) as { id: string };
    const planned = ((await ok('GET', 'plan', 'planner')) as PublishedPlan).orders.find((o) => o.orderId === a.id)!;
    const drumPlanned = planned.operations.find((op) => op.resource === 'drum')!;
    expect(Date.parse(drumPlanned.start)).toBeGreaterThan(Date.parse('2026-11-30T00:00:00Z'));

    // The floor did it today: the heat treatment is done and 6 of the 18 drum minutes are.
    t.clock.set('2026-11-23T09:30:00Z');
    let res = await call('POST', `orders/${a.id}/operations/0/progress`, 'erp', { status: 'completed' });
    expect(res.statusCode, res.body).toBe(200);
    res = await call('POST', `orders/${a.id}/operations/1/progress`, 'erp', { minutesDone: 6 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'in_progress', drumDoneMinutes: 6 });

    const at = '2026-11-23T09:30:00Z';
    const published = (await ok('GET', 'plan', 'planner')) as PublishedPlan;
    const violations = checkPlan(
      checkerInputFrom(published, { now: minuteOf(at), timeZone: ZONE, drum: 'drum', calendars: session.calendars }),
    );
    expect(violations, describeViolations(violations)).toEqual([]);
    // Its remaining 12 drum minutes are worked now, not at the planned start days out.
    const drum = published.orders.find((o) => o.orderId === a.id)!.operations.find((op) => op.resource === 'drum')!;
    expect(drum).toMatchObject({ minutes: 12, start: '2026-11-23T09:30:00.000Z', end: '2026-11-23T09:42:00.000Z' });

    // A new order is quoted as if the early order were not in its way (its heat is free, the drum is after 10:42).
    const after = await ok('POST', 'quotes', 'sales', { sku: 'H', quantity: 1 });
    expect(after.earliestPromiseDate).toBe(reference.earliestPromiseDate);
    expect(after.earliestPromiseDate < planned.operations.at(-1)!.end.slice(0, 10)).toBe(true);

    // Drum done: the order no longer loads the drum and still holds nothing.
    t.clock.set('2026-11-23T09:45:00Z');
    await ok('POST', `orders/${a.id}/operations/1/progress`, 'erp', { status: 'completed' });
    expect((await ok('POST', 'quotes', 'sales', { sku: 'H', quantity: 1 })).earliestPromiseDate).toBe(reference.earliestPromiseDate);

    // The stored ready time is the reported one: a fresh process (cold build) publishes the same plan and quote.
    const warm = await ok('GET', 'plan', 'planner');
    const cold = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      const plan = await cold.inject({ method: 'GET', url: `${P}/plan`, headers: t.as('planner') });
      expect(plan.json()).toEqual(warm);
      const quote = await cold.inject({
        method: 'POST',
        url: `${P}/quotes`,
        headers: { ...t.as('sales'), 'content-type': 'application/json' },
        payload: { sku: 'H', quantity: 1 },
      });
      expect(quote.json().earliestPromiseDate).toBe(reference.earliestPromiseDate);
    } finally {
      await cold.close();
    }
  });
});
