import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

// An ERP push that changes a frozen or in-progress order keeps its place at the head of the
// drum and its product's own buffer: the process that made the change answers exactly like
// a process that reads everything afresh from the same database.
describe.each(realPostgresAvailable() ? (['postgres', 'pglite'] as const) : (['pglite'] as const))(
  'an ERP push changing a pinned order on %s',
  (kind) => {
    let t: TestApp;
    let plants = 0;
    const SKU_BUFFERS = { P2: 2, P3: 3, P4: 4 };
    beforeAll(async () => {
      t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
    });
    afterAll(async () => t.close());

    /**
     * A plant with a 4-hour frozen window and products with their own production buffers, so
     * that each order is released now: P4 (4 days) for Friday, P3 (3) for Thursday, P2 (2) for
     * Wednesday. (Each date is its product's floor: the floor is max(LT, PB), issue 12 item 8;
     * one product with a 6-day buffer, as before, could not promise any of them.)
     */
    async function newPlant() {
      const plant = `erp-${++plants}`;
      await seedPlant(t, plant, { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2, frozenWindowMinutes: 240 });
      for (const [sku, productionBufferDays] of Object.entries(SKU_BUFFERS)) {
        const res = await t.app.inject({
          method: 'PUT',
          url: `/v1/plants/${plant}/products/${sku}`,
          headers: t.as('admin'),
          payload: { name: sku, routing: [{ resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 }], productionBufferDays },
        });
        expect(res.statusCode).toBe(201);
      }
      return plant;
    }
    const skuFor = (promiseDate: string) => ({ '2026-11-25': 'P2', '2026-11-26': 'P3' })[promiseDate] ?? 'P4';
    const push = (plant: string, externalId: string, quantity: number, promiseDate: string) =>
      t.app.inject({
        method: 'PUT',
        url: `/v1/plants/${plant}/orders/by-external-id/${externalId}`,
        headers: t.as('erp'),
        payload: { sku: skuFor(promiseDate), quantity, promiseDate, customer: externalId },
      });
    const schedule = (app: TestApp['app'], plant: string) =>
      app.inject({ method: 'GET', url: `/v1/plants/${plant}/schedule`, headers: t.as('planner') }).then((r) => r.json());

    async function expectWarmEqualsCold(plant: string) {
      const warm = await schedule(t.app, plant);
      const fresh = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
      try {
        expect(await schedule(fresh, plant)).toEqual(warm);
      } finally {
        await fresh.close();
      }
      return warm.orders.map((o: { customer: string }) => o.customer);
    }

    /** X is frozen first, then Y; Z is urgent but queues behind both. */
    async function frozenXY(plant: string) {
      expect((await push(plant, 'X', 20, '2026-11-27')).statusCode).toBe(201);
      expect((await push(plant, 'Y', 20, '2026-11-26')).statusCode).toBe(201);
      expect((await push(plant, 'Z', 5, '2026-11-25')).statusCode).toBe(201);
      expect(await expectWarmEqualsCold(plant)).toEqual(['X', 'Y', 'Z']);
    }

    it('keeps a changed frozen order at its frozen rank', async () => {
      const plant = await newPlant();
      await frozenXY(plant);
      expect((await push(plant, 'X', 25, '2026-11-27')).statusCode).toBe(200);
      expect(await expectWarmEqualsCold(plant)).toEqual(['X', 'Y', 'Z']);
    });

    it('keeps a changed order in progress at the front of the drum', async () => {
      const plant = await newPlant();
      await frozenXY(plant);
      const y = (await push(plant, 'Y', 20, '2026-11-26')).json();
      const progress = await t.app.inject({
        method: 'POST',
        url: `/v1/plants/${plant}/orders/${y.id}/progress`,
        headers: t.as('planner'),
        payload: { drumMinutesDone: 30 },
      });
      expect(progress.statusCode).toBe(200);
      expect(await expectWarmEqualsCold(plant)).toEqual(['Y', 'X', 'Z']);
      expect((await push(plant, 'Y', 22, '2026-11-26')).statusCode).toBe(200);
      expect(await expectWarmEqualsCold(plant)).toEqual(['Y', 'X', 'Z']);
    });

    it('refuses to grow a frozen order so much that the orders behind it go late', async () => {
      const plant = await newPlant();
      await frozenXY(plant);
      // X alone could take 1,530 minutes before its own drum deadline (Wednesday night), but frozen at the head it would make Z late (Z is due on the drum by Monday night).
      const grown = await push(plant, 'X', 150, '2026-11-27');
      expect(grown.statusCode).toBe(409);
      expect(grown.json().type).toBe('https://drumbeat.dev/problems/schedule-infeasible');
      const after = await schedule(t.app, plant);
      expect(after.feasible).toBe(true);
      expect(after.orders.find((o: { customer: string }) => o.customer === 'X').quantity).toBe(20);
      expect(await expectWarmEqualsCold(plant)).toEqual(['X', 'Y', 'Z']);
    });
  },
);
