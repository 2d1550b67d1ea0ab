import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// A constructed December: four quotes, three orders, one re-promise, three shipments (one on time).
// Berlin is UTC+1; the drum works 06:00–22:00 Mon–Fri; PB 4, SB 2, standard lead time 2.
describe.each(databaseKinds())('KPIs over a constructed month on %s', (kind) => {
  let t: TestApp;
  const c = client(() => t);
  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-30T08:00:00Z', kind });
    await seedPlant(t);
  });
  afterAll(async () => t.close());

  const at = (instant: string) => t.clock.set(instant);
  const ok = async (p: Promise<{ statusCode: number; body: string }>) => {
    const r = await p;
    if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
  };

  it('counts promises kept, quoted lead time, re-promises, conversions and zones at completion', async () => {
    await ok(c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 1 })); // November: outside the month
    at('2026-12-01T08:00:00Z'); // Tuesday 09:00
    // The floor is the effective lead time max(LT 2, PB 4) = 4 working days (issue 12 item 8): Monday 12-07, 6 calendar days.
    for (let i = 0; i < 3; i++) await ok(c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 1 }));
    // 2030 minutes: Tuesday 780 + Wednesday 960 + 290 on Thursday → promise two working days later, Monday 12-07: 6 days
    // (capacity and the floor agree on it).
    const big = await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 200 });
    expect(big.json().earliestPromiseDate).toBe('2026-12-07');

    const a = await c.order({ quantity: 1, promiseDate: '2026-12-10' });
    const b = await c.order({ quantity: 1, promiseDate: '2026-12-10' });
    const o = await c.order({ quantity: 1, promiseDate: '2026-12-15' });
    await ok(c.call('POST', `orders/${o.id}/repromise`, 'planner', { promiseDate: '2026-12-16', reason: 'customer moved the delivery' }));
    for (const x of [a, b, o]) await ok(c.call('POST', `orders/${x.id}/release`, 'planner'));

    at('2026-12-04T09:00:00Z'); // a: more than its buffer (Mon 12-07..Thu 12-10) left → green
    await ok(c.call('POST', `orders/${a.id}/complete`, 'erp'));
    at('2026-12-07T09:00:00Z');
    await ok(c.call('POST', `orders/${a.id}/ship`, 'erp')); // kept
    at('2026-12-10T14:00:00Z'); // b: 15:00 Thursday, 420 of 3840 minutes left → 89 % red
    await ok(c.call('POST', `orders/${b.id}/complete`, 'erp'));
    at('2026-12-11T09:00:00Z');
    await ok(c.call('POST', `orders/${b.id}/ship`, 'erp')); // a day late
    at('2026-12-17T09:00:00Z');
    await ok(c.call('POST', `orders/${o.id}/ship`, 'erp')); // completed on shipping, past due: black, late
    at('2027-01-05T09:00:00Z');

    const res = await c.call('GET', 'kpis?from=2026-12-01&to=2026-12-31', 'planner');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      promises: { shipped: 3, kept: 1, keptPercent: 33.33 },
      quotedLeadTimeDays: { quotes: 4, mean: 6, p90: 6 },
      repromises: 1,
      quotes: { answered: 4, converted: 3, conversionPercent: 75 },
      completedByZone: { green: 1, yellow: 0, red: 1, black: 1 },
    });
    const november = (await c.call('GET', 'kpis?from=2026-11-01&to=2026-11-30', 'planner')).json();
    expect(november).toMatchObject({ quotes: { answered: 1, converted: 0 }, promises: { shipped: 0, keptPercent: null } });
    expect((await c.call('GET', 'kpis?from=2026-12-01&to=2026-12-31', 'sales')).statusCode).toBe(403);
  });
});
