import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant, twoShiftWeek } from '../helpers/builders.ts';
import { checkPlan, describeViolations } from '../helpers/plan-checker.ts';
import { client, databaseKinds } from '../helpers/planning.ts';
import { checkerInputFrom, minuteOf, type PublishedPlan } from '../helpers/published-plan.ts';

// Issue 13 item 5: at go-live an admin loads the plant's existing open orders once, with the
// dates already promised. Those the schedule cannot keep are loaded anyway (they are facts),
// planned at their earliest date with the promise unchanged and published late (at risk):
// never silently accepted as on time. Monday 2026-11-23 09:00 in Berlin; the drum "cnc" works
// two shifts; P1 takes 30 + 10 minutes per unit on it.
const NOW = '2026-11-23T08:00:00Z';

describe.each(databaseKinds())('go-live on %s', (kind) => {
  let t: TestApp;
  let plants = 0;

  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  afterAll(async () => t.close());

  async function plant() {
    const id = `go-live-${++plants}`;
    await seedPlant(t, id);
    return client(() => t, id);
  }

  it('loads every order; the promises the schedule cannot keep are listed, planned at their earliest date and published late', async () => {
    const c = await plant();
    // Wednesday night is the drum deadline of a Friday promise (SB 2): 780 + 960 + 960 minutes
    // from now. The past promise is planned first (230 minutes, at its earliest), then three
    // orders of 780 minutes fit and the fourth does not.
    const orders = [
      { sku: 'P1', quantity: 20, promiseDate: '2026-11-20', customer: 'late already', externalId: 'SO-1' },
      { sku: 'P1', quantity: 10, promiseDate: '2026-12-15', customer: 'far out', externalId: 'SO-2' },
      ...[3, 4, 5, 6].map((n) => ({ sku: 'P1', quantity: 75, promiseDate: '2026-11-27', customer: `friday ${n}`, externalId: `SO-${n}` })),
    ];
    const v = await c.version();
    const res = await c.call('POST', 'go-live', 'admin', { orders });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.scheduleVersion).toBe(v + 1);
    expect(body.loaded.map((l: { index: number }) => l.index)).toEqual([0, 1, 2, 3, 4, 5]);
    const idOf = (i: number) => body.loaded[i].orderId as string;
    expect(body.lateOrders.map((l: { externalId: string }) => l.externalId)).toEqual(['SO-1', 'SO-6']);
    for (const l of body.lateOrders) expect(l.earliestPromiseDate > l.promiseDate).toBe(true);
    // The customer's promise is kept as given; the plan is honest about it.
    const sixth = (await c.call('GET', `orders/${idOf(5)}`, 'planner')).json();
    expect(sixth.promiseDate).toBe('2026-11-27');
    expect(sixth.originalPromiseDate).toBe('2026-11-27');
    expect(sixth.atRisk).toBeNull(); // only its shipping buffer is used up
    expect((await c.call('GET', `orders/${idOf(0)}`, 'planner')).json().atRisk).toMatchObject({ reason: 'initial-load' });
    const published = (await c.call('GET', 'plan', 'planner')).json() as PublishedPlan;
    const input = checkerInputFrom(published, {
      now: minuteOf(NOW),
      timeZone: 'Europe/Berlin',
      drum: 'cnc',
      calendars: { cnc: { weekly: twoShiftWeek, exceptions: [] }, saw: { weekly: twoShiftWeek, exceptions: [] } },
    });
    const violations = checkPlan(input);
    expect(violations, describeViolations(violations)).toEqual([]);
    // The past promise ends after its day: late. The fourth Friday order ends on Thursday,
    // inside its shipping buffer: its buffer is consumed, the promise itself still holds.
    const flags = Object.fromEntries(published.orders.map((o) => [o.orderId, [o.late, o.bufferConsumed]]));
    expect(flags[idOf(0)]).toEqual([true, false]);
    expect(flags[idOf(5)]).toEqual([false, true]);
    expect(published.orders.filter((o) => o.late || o.bufferConsumed)).toHaveLength(2);
    const events = await c.events();
    expect(events.filter((e) => e.type === 'order.created')).toHaveLength(6);
    expect(events.at(-1)).toMatchObject({ type: 'plant.went-live', data: { loaded: 6, lateOrderIds: [idOf(0), idOf(5)] } });
    // A new order cannot take the capacity the loaded ones hold.
    const quote = (await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 80 })).json();
    expect(quote.earliestPromiseDate > '2026-11-27').toBe(true);
    // Once only.
    const again = await c.call('POST', 'go-live', 'admin', { orders: [orders[1]] });
    expect(again.statusCode).toBe(409);
  });

  it('refuses the whole load on a bad order, naming it, and is for admins only', async () => {
    const c = await plant();
    const good = { sku: 'P1', quantity: 2, promiseDate: '2026-12-01', customer: 'a' };
    const bad = await c.call('POST', 'go-live', 'admin', {
      orders: [good, { ...good, sku: 'NOPE' }, { ...good, externalId: 'X' }, { ...good, externalId: 'X' }],
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(bad.json().errors)).toContain('body.orders[1].sku');
    const dup = await c.call('POST', 'go-live', 'admin', { orders: [good, { ...good, externalId: 'X' }, { ...good, externalId: 'X' }] });
    expect(dup.statusCode).toBe(400);
    expect(JSON.stringify(dup.json().errors)).toContain('body.orders[2].externalId');
    expect((await c.call('GET', 'orders', 'planner')).json().items).toEqual([]);
    expect((await c.call('POST', 'go-live', 'planner', { orders: [good] })).statusCode).toBe(403);
    expect((await c.call('POST', 'go-live', 'admin', { orders: [] })).statusCode).toBe(400);
  });
});
