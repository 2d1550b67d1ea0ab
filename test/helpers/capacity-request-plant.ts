import { beforeAll, beforeEach, expect } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { plantPerTest } from './planning.ts';

/** 100 units for Friday 2026-11-27: 160 drum minutes more than the plant of capacityRequestPlant has before it. */
export const SHORT_ASK = { sku: 'P1', quantity: 100, requestedDate: '2026-11-27' };

/**
 * The plant the capacity-request tests ask for capacity in, fresh for each test (plantPerTest):
 * Monday 2026-11-23 09:00 Berlin, the drum (cnc) works 06:00–22:00 Monday to Friday, overtime
 * costs 60 EUR an hour, and three orders of 90 units (930 minutes each) promised for Friday
 * leave 870 minutes before it, so SHORT_ASK is refused. `bob` is a second salesperson.
 */
export function capacityRequestPlant(kind: 'postgres' | 'pglite', prefix: string) {
  const plant = plantPerTest(kind, prefix, { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 2 });
  let bob: { authorization: string };
  beforeAll(async () => {
    bob = { authorization: `Bearer ${(await createApiKey(plant.t.db.db, { name: 'Bob', role: 'sales', plantIds: null })).key}` };
  });
  beforeEach(async () => {
    await plant.c.call('PUT', 'capacity-policy', 'planner', { currency: 'EUR', defaults: { overtime: { costPerHour: 60 } } });
    for (let i = 0; i < 3; i++) await plant.c.order({ quantity: 90, promiseDate: '2026-11-27' });
  });
  return {
    plant,
    bob: () => bob,
    /** A request as Bob; `url` relative to the plant unless it starts with a slash. */
    asBob: (method: 'GET' | 'POST', url: string, payload?: object) =>
      plant.t.app.inject({ method, url: url.startsWith('/') ? url : `${plant.c.P}/${url}`, headers: bob, ...(payload ? { payload } : {}) }),
    /** Files a request (201 expected) and answers it. */
    file: async (body: object = SHORT_ASK, role: 'sales' | 'planner' = 'sales') => {
      const res = await plant.c.call('POST', 'capacity-requests', role, body);
      expect(res.statusCode, res.body).toBe(201);
      return res.json();
    },
  };
}
