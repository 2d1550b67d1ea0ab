import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// A constructed December: four quotes, three orders from quotes, a customer's re-promise, an ERP
// order moved later and changed by the customer, three shipments (one on time against the
// original promise, two against the latest). Berlin is UTC+1; the drum works 06:00–22:00 Mon–Fri;
// PB 4, SB 2, standard lead time 2.
describe.each(databaseKinds())('KPIs over a constructed month on %s', (kind) => {
  let t: TestApp;
  const c = client(() => t);
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-30T08:00:00Z', kind });
    await seedPlant(t);
  });
  afterAll(async () => t.close());

  const at = (instant: string) => t.clock.set(instant);
  const ok = async (p: Promise<{ statusCode: number; body: string; json: () => any }>) => {
    const r = await p;
    if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
    return r.json();
  };
  const quoteId = async (body: object = {}) =>
    (await ok(c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 1, ...body }))).quoteId as string;
  const order = async (promiseDate: string, quote: string) =>
    (await ok(c.call('POST', 'orders', 'sales', { sku: 'P1', quantity: 1, customer: 'ACME', promiseDate, quoteId: quote }))).id as string;
  const push = (body: object) =>
    ok(
      c.call('PUT', 'orders/by-external-id/SO-9', 'erp', { sku: 'P1', quantity: 1, customer: 'Bolt', promiseDate: '2026-12-22', ...body }),
    );

  beforeAll(async () => {
    ids.november = await quoteId(); // November: outside the month
    at('2026-12-01T08:00:00Z'); // Tuesday 09:00
    ids.q1 = await quoteId();
    ids.q2 = await quoteId();
    ids.q3 = await quoteId();
    // 2030 minutes: the promise is Monday 12-07, 6 calendar days (capacity and the floor agree on it).
    const big = await ok(c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 200, customer: 'Bolt' }));
    expect(big.earliestPromiseDate).toBe('2026-12-07');

    // One quote converted twice (two orders name it): it converts once.
    ids.a = await order('2026-12-10', ids.november);
    ids.b = await order('2026-12-10', ids.november);
    ids.o = await order('2026-12-15', ids.q1);
    // A hold names q2 but is released: no confirmed order, no conversion.
    const hold = await ok(c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 1, quoteId: ids.q2 }));
    expect(hold.quoteId).toBe(ids.q2);
    expect(hold.originalPromiseDate).toBe(null); // a hold is not a promise yet
    expect((await c.call('DELETE', `holds/${hold.id}`, 'sales')).statusCode).toBe(204);
    // A hold naming q3, confirmed: q3 converted, and the order's original promise is the date it was confirmed for.
    const held = await ok(c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 1, quoteId: ids.q3, promiseDate: '2026-12-21' }));
    const confirmed = await ok(c.call('POST', `holds/${held.id}/confirm`, 'sales', {}));
    expect(confirmed).toMatchObject({ status: 'confirmed', quoteId: ids.q3, originalPromiseDate: '2026-12-21' });
    // An id that names no recorded quote is accepted and never counted.
    await order('2026-12-22', randomUUID());

    await ok(
      c.call('POST', `orders/${ids.o}/repromise`, 'planner', {
        promiseDate: '2026-12-18',
        reason: 'customer asked',
        initiator: 'customer',
      }),
    );
    for (const x of [ids.a, ids.b, ids.o]) await ok(c.call('POST', `orders/${x}/release`, 'planner'));

    // The ERP: an order, then a later date (a re-promise by the ERP), a new quantity and an earlier date (the customer's changes).
    await push({});
    at('2026-12-02T08:00:00Z');
    await push({ promiseDate: '2026-12-23', reason: 'customer plant shutdown' });
    await push({ promiseDate: '2026-12-23', quantity: 2 });
    await push({ promiseDate: '2026-12-21', quantity: 2 });

    at('2026-12-04T09:00:00Z'); // a: more than its buffer (Mon 12-07..Thu 12-10) left → green
    await ok(c.call('POST', `orders/${ids.a}/complete`, 'erp'));
    at('2026-12-07T09:00:00Z');
    await ok(c.call('POST', `orders/${ids.a}/ship`, 'erp')); // kept
    at('2026-12-10T14:00:00Z'); // b: 15:00 Thursday, 420 of 3840 minutes left → 89 % red
    await ok(c.call('POST', `orders/${ids.b}/complete`, 'erp'));
    at('2026-12-11T09:00:00Z');
    await ok(c.call('POST', `orders/${ids.b}/ship`, 'erp')); // a day late
    at('2026-12-17T09:00:00Z');
    // o: two days after its original promise (12-15), a day before the re-promised 12-18.
    const shipped = await ok(c.call('POST', `orders/${ids.o}/ship`, 'erp'));
    expect(shipped).toMatchObject({
      promiseDate: '2026-12-18',
      originalPromiseDate: '2026-12-15',
      promiseKept: true,
      originalPromiseKept: false,
    });
    at('2027-01-05T09:00:00Z');
  });

  it('counts kept against the original promise and the latest, re-promises by initiator, conversions by quote id, flow times', async () => {
    const res = await c.call('GET', 'kpis?from=2026-12-01&to=2026-12-31', 'planner');
    expect(res.statusCode).toBe(200);
    const k = res.json();
    expect(k).toMatchObject({
      promises: { shipped: 3, kept: 1, keptPercent: 33.33, keptAgainstLatest: 2, keptAgainstLatestPercent: 66.67 },
      quotedLeadTimeDays: { quotes: 4, mean: 6, p90: 6 },
      repromises: 2,
      repromisesByInitiator: { plant: 0, customer: 1, erp: 1 },
      customerChanges: 2,
      // q1 (order o) and q3 (a confirmed hold) converted; q2's hold was never confirmed; the big quote was not taken.
      quotes: { answered: 4, converted: 2, conversionPercent: 50 },
      completedByZone: { green: 1, red: 1, black: 0 },
      wip: { orders: 0 },
      flowTimeDays: {
        // entry 12-01 08:00Z → shipped 12-07, 12-11, 12-17 at 09:00Z
        entryToShipment: { orders: 3, mean: 10.71, p50: 10.04, p90: 16.04 },
        // released 12-01 08:00Z → completed 12-04 09:00Z, 12-10 14:00Z, 12-17 09:00Z
        releaseToCompletion: { orders: 3, mean: 9.44, p50: 9.25, p90: 16.04 },
      },
    });
    expect(k.breakdown).toBeUndefined();
    expect((await c.call('GET', 'kpis?from=2026-12-01&to=2026-12-31', 'sales')).statusCode).toBe(403);
  });

  it('shows a quote converted by two orders as 100 %, never 200 %', async () => {
    const november = (await c.call('GET', 'kpis?from=2026-11-01&to=2026-11-30', 'planner')).json();
    expect(november).toMatchObject({
      quotes: { answered: 1, converted: 1, conversionPercent: 100 },
      promises: { shipped: 0, keptPercent: null },
    });
  });

  it('records an ERP push that moves a date later as a re-promise by the ERP, and earlier or new quantities as customer changes', async () => {
    const events = (await c.events()).filter((e) => ['order.updated', 'order.repromised'].includes(e.type));
    expect(events.map((e) => [e.type, e.data.change ?? e.data.initiator, e.data.reason ?? null])).toEqual([
      ['order.repromised', 'customer', 'customer asked'],
      ['order.updated', 'repromise', 'customer plant shutdown'],
      ['order.repromised', 'erp', 'customer plant shutdown'],
      ['order.updated', 'customer-change', null],
      ['order.updated', 'customer-change', null],
    ]);
    const o = await c.call('POST', `orders/${ids.o}/repromise`, 'planner', { promiseDate: '2026-12-21', reason: 'x', initiator: 'erp' });
    expect(o.statusCode).toBe(400); // the ERP re-promises by pushing, not through this route
    const erp = events.find((e) => e.data.initiator === 'erp')!;
    expect(erp.data).toMatchObject({ from: '2026-12-22', to: '2026-12-23' });
    const last = events.at(-1)!.data;
    expect([last.before.promiseDate, last.after.promiseDate, last.before.quantity, last.after.quantity]).toEqual([
      '2026-12-23',
      '2026-12-21',
      2,
      2,
    ]);
  });

  it('counts WIP at the end of each week: released and not yet completed', async () => {
    const weeks = (await c.call('GET', 'kpis?from=2026-12-01&to=2026-12-20&granularity=week', 'planner')).json();
    expect(weeks.breakdown.map((w: any) => [w.period, w.from, w.to, w.wip.orders, w.promises.shipped])).toEqual([
      ['2026-W49', '2026-12-01', '2026-12-06', 2, 0], // a completed on the 4th; b and o in process
      ['2026-W50', '2026-12-07', '2026-12-13', 1, 2], // b completed on the 10th
      ['2026-W51', '2026-12-14', '2026-12-20', 0, 1],
    ]);
    expect(weeks.wip.orders).toBe(0);
  });

  it('breaks the month down per customer and per salesperson (the key that owns the order or asked the quote)', async () => {
    const byCustomer = (await c.call('GET', 'kpis?from=2026-12-01&to=2026-12-31&groupBy=customer', 'planner')).json();
    expect(byCustomer.breakdown.map((b: any) => [b.key, b.quotes.answered, b.promises.shipped, b.repromises, b.customerChanges])).toEqual([
      [null, 3, 0, 0, 0],
      ['ACME', 0, 3, 1, 0],
      ['Bolt', 1, 0, 1, 2],
    ]);
    const bySales = (await c.call('GET', 'kpis?from=2026-12-01&to=2026-12-31&groupBy=salesperson&granularity=month', 'planner')).json();
    const salesKey = (await c.call('GET', 'quotes?from=2026-12-01&to=2026-12-31', 'planner')).json().items[0].salesperson;
    const mine = bySales.breakdown.find((b: any) => b.key === salesKey);
    expect(mine).toMatchObject({ period: '2026-12', quotes: { answered: 4, converted: 2 }, promises: { shipped: 3 } });
    expect(bySales.breakdown.filter((b: any) => b.key !== salesKey).map((b: any) => b.repromisesByInitiator)).toEqual([
      { plant: 0, customer: 0, erp: 1 },
    ]);
  });

  it('lists the recorded quotes to planners, filtered and paged', async () => {
    const list = async (q: string) => (await c.call('GET', `quotes?from=2026-12-01&to=2026-12-31${q}`, 'planner')).json();
    const all = await list('');
    // Answered at the same instant: ordered by id within it.
    expect(all.items).toHaveLength(4);
    expect(all.items.map((q: any) => q.id)).toEqual(expect.arrayContaining([ids.q1, ids.q2, ids.q3]));
    expect(all.items.find((q: any) => q.id === ids.q1)).toMatchObject({
      sku: 'P1',
      quantity: 1,
      earliestPromiseDate: '2026-12-07',
      converted: true,
      customer: null,
    });
    expect((await list('&converted=true')).items.map((q: any) => q.id).sort()).toEqual([ids.q1, ids.q3].sort());
    expect((await list('&converted=false')).items.map((q: any) => q.id)).toContain(ids.q2);
    expect((await list('&converted=false')).items).toHaveLength(2);
    expect((await list('&customer=Bolt')).items.map((q: any) => q.quantity)).toEqual([200]);
    expect((await list('&sku=SAWN')).items).toEqual([]);
    expect((await list(`&salesperson=${all.items[0].salesperson}`)).items).toHaveLength(4);
    const first = await list('&limit=3');
    expect(first.items).toHaveLength(3);
    const second = await list(`&limit=3&cursor=${first.nextCursor}`);
    expect([...first.items, ...second.items].map((q: any) => q.id)).toEqual(all.items.map((q: any) => q.id));
    expect(second.nextCursor).toBe(null);
    expect((await list('&cursor=nonsense')).status).toBe(400);
    expect((await c.call('GET', 'quotes?from=2026-12-01&to=2026-12-31', 'sales')).statusCode).toBe(403);
  });
});
