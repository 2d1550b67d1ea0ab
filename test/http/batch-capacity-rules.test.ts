import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { twoShiftWeek } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { inOneBatch, seedBatchPlant } from '../helpers/write-batch.ts';

// A write that changes capacity rules (a capacity change, its revocation, a drum calendar)
// inside a group-commit batch must be seen by every later write of the same batch: they are
// decided on the new calendar, never on the one the batch started with.
describe.each(realPostgresAvailable() ? (['postgres', 'pglite'] as const) : (['pglite'] as const))(
  'capacity rules inside one batch on %s',
  (kind) => {
    let t: TestApp;
    let plants = 0;
    beforeAll(async () => {
      t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
    });
    afterAll(async () => t.close());

    // PB 2 so that Wednesday (LT 2) is at the floor: the floor is max(LT, PB) (issue 12 item 8).
    const newPlant = () => seedBatchPlant(t, `batch-${++plants}`);
    const call = (
      plant: string,
      method: 'GET' | 'POST' | 'PUT' | 'DELETE',
      path: string,
      role: 'planner' | 'sales' | 'admin',
      payload?: object,
      headers = {},
    ) =>
      t.app.inject({ method, url: `/v1/plants/${plant}/${path}`, headers: { ...t.as(role), ...headers }, ...(payload ? { payload } : {}) });

    async function expectFeasibleAndWarmEqualsCold(plant: string) {
      const schedule = (await call(plant, 'GET', 'schedule', 'planner')).json();
      expect(schedule.feasible).toBe(true);
      const fresh = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
      try {
        const cold = await fresh.inject({ method: 'GET', url: `/v1/plants/${plant}/schedule`, headers: t.as('planner') });
        expect(cold.json()).toEqual(schedule);
      } finally {
        await fresh.close();
      }
    }

    // 2,500 drum minutes promised for Friday: drum deadline Wednesday night, 780 + 960 + 960 minutes away.
    const bigOrder = { sku: 'P1', quantity: 247, promiseDate: '2026-11-27', customer: 'big' };

    it('refuses an order decided after a whole-day drum downtime in the same batch', async () => {
      const plant = await newPlant();
      const before = (await call(plant, 'POST', 'quotes', 'sales', { sku: 'P1', quantity: 247, requestedDate: '2026-11-27' })).json();
      expect(before.requestedDateFeasible).toBe(true);

      const [down, order] = await inOneBatch(t, plant, [
        () =>
          call(plant, 'POST', 'capacity-changes', 'planner', { resource: 'cnc', kind: 'downtime', date: '2026-11-24', reason: 'repair' }),
        () => call(plant, 'POST', 'orders', 'sales', bigOrder),
      ]);
      expect(down!.statusCode).toBe(201);
      expect(order!.statusCode).toBe(409);
      expect(order!.json().type).toBe('https://drumbeat.dev/problems/schedule-infeasible');
      await expectFeasibleAndWarmEqualsCold(plant);
    });

    it('refuses an order decided after a smaller drum calendar in the same batch', async () => {
      const plant = await newPlant();
      const oneShift = twoShiftWeek.filter((s) => s.start === '06:00');
      const [put, order] = await inOneBatch(t, plant, [
        () => call(plant, 'PUT', 'resources/cnc', 'admin', { name: 'CNC', drum: true, calendar: { weekly: oneShift, exceptions: [] } }),
        () => call(plant, 'POST', 'orders', 'sales', bigOrder),
      ]);
      expect(put!.statusCode).toBe(200);
      expect(order!.statusCode).toBe(409);
      await expectFeasibleAndWarmEqualsCold(plant);
    });

    it('refuses an order that needs overtime revoked earlier in the same batch', async () => {
      const plant = await newPlant();
      const overtime = await call(plant, 'POST', 'capacity-changes', 'planner', {
        resource: 'cnc',
        kind: 'overtime',
        date: '2026-11-23',
        start: '22:00',
        end: '24:00',
        reason: 'rush',
      });
      expect(overtime.statusCode).toBe(201);
      // 880 minutes by Monday night: only with the overtime (780 + 120).
      const rush = { sku: 'P1', quantity: 85, promiseDate: '2026-11-25', customer: 'rush' };
      expect((await call(plant, 'POST', 'quotes', 'sales', { sku: 'P1', quantity: 85, requestedDate: '2026-11-25' })).json()).toMatchObject(
        {
          requestedDateFeasible: true,
        },
      );
      const [revoke, order] = await inOneBatch(t, plant, [
        () => call(plant, 'DELETE', `capacity-changes/${overtime.json().change.id}`, 'planner', { reason: 'not needed' }),
        () => call(plant, 'POST', 'orders', 'sales', rush),
      ]);
      expect(revoke!.statusCode).toBe(200);
      expect(order!.statusCode).toBe(409);
      await expectFeasibleAndWarmEqualsCold(plant);
    });

    it('decides an order after a new buffer policy in the same batch on the new standard lead time', async () => {
      const plant = await newPlant();
      const small = { sku: 'P1', quantity: 1, promiseDate: '2026-11-27', customer: 'small' };
      const [policy, order] = await inOneBatch(t, plant, [
        () => call(plant, 'PUT', 'buffer-policy', 'admin', { productionBufferDays: 8, shippingBufferDays: 2, standardLeadTimeDays: 8 }),
        () => call(plant, 'POST', 'orders', 'sales', small),
      ]);
      expect(policy!.statusCode).toBe(200);
      expect(order!.statusCode).toBe(409);
      expect(order!.json().capacityNeeded?.bindingLimit ?? order!.json().detail).toMatch(/lead-time-floor|standard lead time/);
      await expectFeasibleAndWarmEqualsCold(plant);
    });

    it('answers 412 to a second capacity change in the batch that names the revision the first one replaced', async () => {
      const plant = await newPlant();
      const list = await call(plant, 'GET', 'capacity-changes', 'planner');
      const ifMatch = { 'if-match': list.headers.etag as string };
      const change = (date: string) => ({ resource: 'cnc', kind: 'overtime', date, start: '22:00', end: '23:00', reason: 'rush' });
      const [first, second] = await inOneBatch(t, plant, [
        () => call(plant, 'POST', 'capacity-changes', 'planner', change('2026-11-24'), ifMatch),
        () => call(plant, 'POST', 'capacity-changes', 'planner', change('2026-11-25'), ifMatch),
      ]);
      expect(first!.statusCode).toBe(201);
      expect(second!.statusCode).toBe(412);
    });
  },
);
