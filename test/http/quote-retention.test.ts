import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyQuoteRetention, foldQuotesBefore } from '../../src/domain/retention/quote-retention.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// Quote records past the retention are folded into per-day counts; every KPI that reads quotes
// (answered, converted, quoted lead time mean and p90, per day/week and per customer,
// salesperson and product) must answer the same before and after. Berlin is UTC+1, so a quote at
// 23:30Z counts on the next local day: the fold must use the plant's day, not UTC's.
describe.each(databaseKinds())('quote retention on %s', (kind) => {
  let t: TestApp;
  const c = client(() => t);
  const queries = [
    'from=2026-11-25&to=2026-12-31',
    'from=2026-11-25&to=2026-12-31&granularity=day&groupBy=customer',
    'from=2026-11-25&to=2026-12-31&granularity=week&groupBy=salesperson',
    'from=2026-12-02&to=2026-12-02&groupBy=product',
  ];
  const kpis = async () =>
    Promise.all(
      queries.map(async (q) => {
        const res = await c.call('GET', `kpis?${q}`, 'planner');
        expect(res.statusCode).toBe(200);
        const { computedAt: _computedAt, ...rest } = res.json();
        return rest;
      }),
    );
  const quote = async (at: string, body: object) => {
    t.clock.set(at);
    const res = await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 1, ...body });
    expect(res.statusCode).toBe(200);
    return res.json().quoteId as string;
  };
  const logged = async () => (await t.db.db.selectFrom('quote_log').select('id').execute()).length;

  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-30T08:00:00Z', kind });
    await seedPlant(t);
    const q1 = await quote('2026-12-01T09:00:00Z', { customer: 'ACME' });
    await quote('2026-12-01T09:05:00Z', { customer: 'ACME', quantity: 200 });
    await quote('2026-12-01T23:30:00Z', { customer: 'Bolt' }); // Berlin: 12-02 00:30
    const q4 = await quote('2026-12-02T10:00:00Z', {});
    await quote('2026-12-02T10:00:00Z', { sku: 'SAWN', customer: 'Bolt' });
    await quote('2026-12-08T10:00:00Z', { customer: 'ACME', quantity: 50 });
    t.clock.set('2026-12-09T08:00:00Z');
    for (const quoteId of [q1, q1, q4]) {
      const res = await c.call('POST', 'orders', 'sales', { sku: 'P1', quantity: 1, customer: 'ACME', promiseDate: '2026-12-22', quoteId });
      expect(res.statusCode).toBe(201);
    }
    t.clock.set('2026-12-20T08:00:00Z');
  });
  afterAll(async () => t.close());

  it('gives the same KPIs after folding part of a day, and after folding every record', async () => {
    const before = await kpis(); // also flushes the buffered records
    expect(before[0].quotes).toEqual({ answered: 6, converted: 2, conversionPercent: 33.33 });
    expect(await logged()).toBe(6);

    // Midnight UTC splits Berlin's 12-02: its 00:30 quote is folded, its 11:00 ones stay rows.
    expect(await foldQuotesBefore(t.db.db, 'plant-1', new Date('2026-12-02T00:00:00Z'))).toBe(3);
    expect(await logged()).toBe(3);
    expect(await kpis()).toEqual(before);

    // The retention job: records older than 5 days before 12-20 are all of them.
    expect(await applyQuoteRetention(t.db.db, t.clock.now(), 5)).toBe(3);
    expect(await logged()).toBe(0);
    expect(await kpis()).toEqual(before);
    expect(await applyQuoteRetention(t.db.db, t.clock.now(), 5)).toBe(0);
  });
});
