import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';

// Monday 09:00 Berlin; the drum works 06:00–22:00 on weekdays. With a 4-hour frozen window,
// the order planned to start now keeps its place even when a more urgent order arrives. The
// orders are due within their production buffer, so the rope releases them now. Born green
// (issue 12 item 8) floors each at max(LT, PB), so each has the buffer that makes its date the
// floor: P1 the plant's 4 days (Friday), P3 its own 3 (Thursday), P2 its own 2 (Wednesday).
describe('the frozen window', () => {
  let t: TestApp;
  // A plant per test and the clock at Monday 09:00, so the tests run in any order.
  let P = '';
  let plants = 0;
  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-23T08:00:00Z' });
  });
  beforeEach(async () => {
    t.clock.set('2026-11-23T08:00:00Z');
    const id = `frozen-${++plants}`;
    await seedPlant(t, id, { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2, frozenWindowMinutes: 240 });
    P = `/v1/plants/${id}`;
    for (const [sku, productionBufferDays] of [
      ['P2', 2],
      ['P3', 3],
    ] as const) {
      const res = await t.app.inject({
        method: 'PUT',
        url: `${P}/products/${sku}`,
        headers: t.as('admin'),
        payload: { name: sku, routing: [{ resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 }], productionBufferDays },
      });
      expect(res.statusCode).toBe(201);
    }
  });
  afterAll(async () => t.close());

  /** P1 (PB 4) unless the date needs a shorter buffer: P3 (3) for Thursday, P2 (2) for Wednesday. */
  const skuFor = (promiseDate: string) => ({ '2026-11-25': 'P2', '2026-11-26': 'P3' })[promiseDate] ?? 'P1';
  const order = (quantity: number, promiseDate: string, customer: string) =>
    t.app.inject({
      method: 'POST',
      url: `${P}/orders`,
      headers: t.as('planner'),
      payload: { sku: skuFor(promiseDate), quantity, promiseDate, customer },
    });
  const sequence = async () =>
    (await t.app.inject({ method: 'GET', url: `${P}/schedule`, headers: t.as('planner') }))
      .json()
      .orders.map((o: { customer: string }) => o.customer);

  it('keeps the orders planned inside the window at the head of the drum, in their order', async () => {
    expect((await order(20, '2026-11-27', 'late-due A')).statusCode).toBe(201);
    expect((await order(20, '2026-11-26', 'late-due B')).statusCode).toBe(201);
    // B's write froze A (planned to start now), so B, although due earlier, queues behind it.
    expect(await sequence()).toEqual(['late-due A', 'late-due B']);
    // C's write freezes B (planned to start at 12:50, inside the 4 hours): C goes after both.
    expect((await order(5, '2026-11-25', 'urgent C')).statusCode).toBe(201);
    expect(await sequence()).toEqual(['late-due A', 'late-due B', 'urgent C']);
    const events = (await t.app.inject({ method: 'GET', url: `${P}/events`, headers: t.as('planner') })).json().items;
    expect(
      events
        .filter((e: { type: string }) => e.type === 'schedule.frozen')
        .map((e: { data: { orderIds: string[] } }) => e.data.orderIds.length),
    ).toEqual([1, 1]);
  });

  it('lets an urgent order ahead of orders planned after the window', async () => {
    // A and B frozen at the head, as in the test above.
    expect((await order(20, '2026-11-27', 'late-due A')).statusCode).toBe(201);
    expect((await order(20, '2026-11-26', 'late-due B')).statusCode).toBe(201);
    expect((await order(5, '2026-11-25', 'urgent C')).statusCode).toBe(201);
    t.clock.set('2026-11-23T08:05:00Z');
    expect((await order(10, '2027-01-20', 'far D')).statusCode).toBe(201);
    expect((await order(10, '2026-12-01', 'soon E')).statusCode).toBe(201);
    const seq = await sequence();
    expect(seq.indexOf('soon E')).toBeLessThan(seq.indexOf('far D'));
    expect(seq.slice(0, 2)).toEqual(['late-due A', 'late-due B']);
  });

  it('a quote sees the frozen window the next write applies, so a hold at the quoted date is kept (quote and hold agree)', async () => {
    // A fills Monday from 09:00 (730 drum minutes) and is planned to start now, but nothing froze it yet.
    expect((await order(70, '2026-11-27', 'A')).statusCode).toBe(201);
    const ask = (url: string, payload: object) => t.app.inject({ method: 'POST', url: `${P}/${url}`, headers: t.as('sales'), payload });
    // Without the window, C (80 minutes) would go ahead of A and be done Monday morning (promise Wednesday);
    // the next write freezes A first, so C is done Tuesday at the earliest: promise Thursday.
    const quote = (await ask('quotes', { sku: 'P2', quantity: 5 })).json();
    expect(quote.earliestPromiseDate).toBe('2026-11-26');
    const hold = await ask('holds', { sku: 'P2', quantity: 5, promiseDate: quote.earliestPromiseDate, customer: 'C' });
    expect(hold.statusCode).toBe(201);
    expect((await ask('holds', { sku: 'P2', quantity: 5, customer: 'D' })).json().promiseDate >= quote.earliestPromiseDate).toBe(true);
  });
});
