import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { QueryCounter } from '../helpers/query-counter.ts';

// Confirm throughput on one plant is bounded by the statements a batch sends while it holds
// the plant lock. A new order is a row in memory until the batch ends: its row and its
// operation rows (one statement), the events and the version (another) go out once per batch,
// and a write that sends no statement of its own opens no savepoint (a complexity guard:
// statements, not milliseconds).
describe.each(databaseKinds())('statements per batch on %s', (kind) => {
  let t: TestApp;
  const counter = new QueryCounter();
  let day = 0;

  beforeAll(async () => {
    t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z', plugin: counter });
    await seedPlant(t, 'plant-1', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
  });
  afterAll(async () => t.close());

  async function batchOf(n: number, sku: string): Promise<number> {
    const release = t.writer.hold('plant-1');
    const pending = Array.from({ length: n }, () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/plants/plant-1/orders',
        headers: t.as('sales'),
        // A day each, far out: every order fits.
        payload: {
          sku,
          quantity: 2,
          promiseDate: `2027-0${3 + Math.floor(day / 28)}-${String(1 + (day++ % 28)).padStart(2, '0')}`,
          customer: 'c',
        },
      }),
    );
    while (t.writer.queued('plant-1') < n) await new Promise((r) => setTimeout(r, 5));
    counter.count = 0;
    release();
    const statuses = (await Promise.all(pending)).map((r) => r.statusCode);
    expect(statuses).toEqual(Array(n).fill(201));
    return counter.count;
  }

  it.each(['P1', 'SAWN'])('an order of %s adds no statement to its batch', async (sku) => {
    await batchOf(1, sku); // warm: the plant state is built
    const five = await batchOf(5, sku);
    const fifteen = await batchOf(15, sku);
    expect(fifteen - five).toBe(0);
    // lock, the orders with their operations (one INSERT with a CTE), the events with the version
    expect(five).toBeLessThanOrEqual(3);
  });
});
