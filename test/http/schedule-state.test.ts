import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// The in-memory schedule must equal the database whatever path changed it: another process,
// a configuration change, the background sweep. Each test has a plant of its own.
// Monday 2026-11-23 09:00 Berlin: 780 drum minutes left today; P1 × 75 fills them.
const NOW = '2026-11-23T08:00:00Z';
const FILL_MONDAY = { sku: 'P1', quantity: 75, requestedDate: '2026-11-25' };

describe.each(databaseKinds())('schedule state on %s', (kind) => {
  let t: TestApp;
  let plants = 0;
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  afterAll(async () => t.close());
  beforeEach(() => t.clock.set(NOW));

  const newPlant = async () => {
    const id = `state-${++plants}`;
    // PB 2 so that Wednesday (LT 2) is at the floor: the floor is max(LT, PB) (issue 12 item 8).
    await seedPlant(t, id, { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    return client(() => t, id);
  };

  it('a second process catching up drops an order another process cancelled', async () => {
    // B shares the database but has its own engine cache, and no change feed: every read
    // compares versions with the database and catches up from the changed rows.
    const b: App = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    await b.ready();
    try {
      const a = await newPlant();
      const onB = client(() => ({ ...t, app: b }), a.P.split('/').at(-1));
      expect((await onB.call('POST', 'quotes', 'sales', FILL_MONDAY)).json().requestedDateFeasible).toBe(true); // B's cache is warm

      const x = await a.order({ quantity: 75, promiseDate: '2026-11-25' }, 'sales');
      expect((await onB.call('POST', 'quotes', 'sales', FILL_MONDAY)).json().requestedDateFeasible).toBe(false);
      expect((await a.call('POST', `orders/${x.id}/cancel`, 'sales', {})).statusCode).toBe(200);

      const quote = await onB.call('POST', 'quotes', 'sales', FILL_MONDAY);
      expect(quote.json()).toMatchObject({ requestedDateFeasible: true, scheduleVersion: await a.version() });
      const order = await onB.call('POST', 'orders', 'sales', {
        ...FILL_MONDAY,
        requestedDate: undefined,
        promiseDate: '2026-11-25',
        customer: 'B',
      });
      expect(order.statusCode).toBe(201);
    } finally {
      await b.close();
    }
  });

  it('a hold still expires on time after a configuration change rebuilt the drum', async () => {
    const c = await newPlant();
    const hold = await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 75, promiseDate: '2026-11-25', ttlSeconds: 60 });
    expect(hold.statusCode).toBe(201);
    // A new revision of the buffer policy is a configuration change: the next read rebuilds
    // the engine state on it.
    expect(
      (await c.call('PUT', 'buffer-policy', 'planner', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 }))
        .statusCode,
    ).toBe(200);
    // 700 minutes fit beside nothing but not beside the hold (time passing eats 2 of the 780).
    const almostFull = { ...FILL_MONDAY, quantity: 67 };
    expect((await c.call('POST', 'quotes', 'sales', almostFull)).json().requestedDateFeasible).toBe(false);

    t.clock.advance(2 * 60_000);
    expect((await c.call('POST', 'quotes', 'sales', almostFull)).json().requestedDateFeasible).toBe(true);
    const taken = await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 67, promiseDate: '2026-11-25' });
    expect(taken.statusCode).toBe(201);
    expect((await c.call('GET', `orders/${hold.json().id}`, 'sales')).json().status).toBe('expired');
  });
});

describe.each(databaseKinds())('the background hold sweeper on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind, holdSweepMs: 20 });
    await seedPlant(t, 'swept');
  });
  afterAll(async () => t.close());

  it('expires a hold past its TTL with nobody reading the plant', async () => {
    const c = client(() => t, 'swept');
    const hold = await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 1, ttlSeconds: 10 });
    expect(hold.statusCode).toBe(201);
    t.clock.advance(11_000);
    // Only the audit feed is polled: reading it does not expire holds, the sweeper must.
    await vi.waitFor(
      async () => {
        const events = await c.events();
        expect(events.filter((e) => e.type === 'hold.expired').map((e) => e.orderId)).toEqual([hold.json().id]);
      },
      { timeout: 15_000, interval: 50 },
    );
  });
});
