import { quoteAnswer } from '../helpers/planning.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

// Concurrent writes to one plant in one process are committed together, each in its own
// savepoint. Refused writes inside a batch must roll back only themselves, in the database
// and in the in-memory engine state.
describe.each(realPostgresAvailable() ? (['pglite', 'postgres'] as const) : (['pglite'] as const))('group commit on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
    // PB 2 so that Wednesday (LT 2) is at the floor: the floor is max(LT, PB) (issue 12 item 8).
    await seedPlant(t, 'plant-1', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
  });
  afterAll(async () => t.close());

  it('grants exactly the holds that fit among 20 concurrent ones and keeps the engine state equal to the database', async () => {
    // 780 drum minutes left on Monday; each hold needs 230 by Monday night: 3 fit.
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/plants/plant-1/holds',
          headers: t.as('sales'),
          payload: { sku: 'P1', quantity: 20, promiseDate: '2026-11-25', customer: `c${i}` },
        }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 409)).toHaveLength(17);
    const versions = responses
      .filter((r) => r.statusCode === 201)
      .map((r) => r.json().scheduleVersion)
      .sort();
    expect(new Set(versions).size).toBe(3);

    const rows = await t.db.db.selectFrom('orders').select('id').where('status', '=', 'held').execute();
    expect(rows).toHaveLength(3);

    // A fresh process (empty cache) must answer exactly like the one that ran the batch.
    const fresh: App = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      for (const quantity of [1, 5, 6, 7, 20]) {
        const payload = { sku: 'P1', quantity, requestedDate: '2026-11-25' };
        const a = await t.app.inject({ method: 'POST', url: '/v1/plants/plant-1/quotes', headers: t.as('sales'), payload });
        const b = await fresh.inject({ method: 'POST', url: '/v1/plants/plant-1/quotes', headers: t.as('sales'), payload });
        expect(quoteAnswer(a.json())).toEqual(quoteAnswer(b.json()));
      }
    } finally {
      await fresh.close();
    }
    const events = (await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/events?limit=100', headers: t.as('planner') })).json()
      .items;
    expect(events.filter((e: { type: string }) => e.type === 'hold.created')).toHaveLength(3);
    expect(events.map((e: { seq: number }) => e.seq)).toEqual(events.map((_: unknown, i: number) => i + 1));
  });
});
