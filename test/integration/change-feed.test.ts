import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

// Two processes' caches on one database: a quote served from process B's cache must learn of
// process A's hold through the change notification, without polling the database per quote.
describe.skipIf(!realPostgresAvailable())('quotes across processes', () => {
  let a: TestApp;
  let b: App;

  beforeAll(async () => {
    a = await buildTestApp({ kind: 'postgres', now: '2026-11-23T08:00:00Z' });
    // Production buffer 2 days: the effective lead time (max of LT and PB) still allows Wednesday.
    await seedPlant(a, 'plant-1', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    b = await buildApp({ db: a.db.db, clock: a.clock, maxOrderQuantity: 100_000, listen: a.db.listen });
    await b.ready();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const quoteOnB = async () =>
    (
      await b.inject({
        method: 'POST',
        url: '/v1/plants/plant-1/quotes',
        headers: a.as('sales'),
        payload: { sku: 'P1', quantity: 70, requestedDate: '2026-11-25' },
      })
    ).json();

  it('sees a hold placed in another process once its commit is announced', async () => {
    const before = await quoteOnB();
    expect(before.requestedDateFeasible).toBe(true);
    const hold = await a.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/holds',
      headers: a.as('sales'),
      payload: { sku: 'P1', quantity: 70, promiseDate: '2026-11-25' },
    });
    expect(hold.statusCode).toBe(201);
    // The notification arrives asynchronously: poll until B answers from a newer version
    // (no bound on how fast, only a generous timeout).
    const after = await vi.waitFor(
      async () => {
        const q = await quoteOnB();
        expect(q.scheduleVersion).not.toBe(before.scheduleVersion);
        return q;
      },
      { timeout: 15_000, interval: 20 },
    );
    expect(after.scheduleVersion).toBe(before.scheduleVersion + 1);
    expect(after.requestedDateFeasible).toBe(false);
  });
});
