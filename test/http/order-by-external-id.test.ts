import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

// The ERP reads by the key it pushes with; sales read their own orders only, and another
// owner's order is exactly as absent as an unknown external id.
describe.each(realPostgresAvailable() ? (['postgres', 'pglite'] as const) : (['pglite'] as const))(
  'GET orders/by-external-id on %s',
  (kind) => {
    let t: TestApp;
    let other: { authorization: string };
    const plant = `ext-${kind}`;
    const base = `/v1/plants/${plant}`;
    const get = (externalId: string, headers: { authorization: string }) =>
      t.app.inject({ method: 'GET', url: `${base}/orders/by-external-id/${encodeURIComponent(externalId)}`, headers });

    beforeAll(async () => {
      t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
      await seedPlant(t, plant);
      other = { authorization: `Bearer ${(await createApiKey(t.db.db, { name: 'Bob', role: 'sales', plantIds: null })).key}` };
    });
    afterAll(async () => t.close());

    it('answers the pushed order to the ERP and to planners, the same view as by id', async () => {
      const push = await t.app.inject({
        method: 'PUT',
        url: `${base}/orders/by-external-id/SO-7`,
        headers: t.as('erp'),
        payload: { sku: 'P1', quantity: 3, promiseDate: '2026-12-15', customer: 'K' },
      });
      expect(push.statusCode).toBe(201);
      const byId = await t.app.inject({ method: 'GET', url: `${base}/orders/${push.json().id}`, headers: t.as('planner') });
      for (const role of ['erp', 'planner'] as const) {
        const res = await get('SO-7', t.as(role));
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual(byId.json());
        expect(res.json()).toMatchObject({ externalId: 'SO-7', quantity: 3, promiseDate: '2026-12-15', status: 'confirmed' });
      }
      // The ERP's order was not placed by this sales key: absent to it.
      expect((await get('SO-7', t.as('sales'))).statusCode).toBe(404);
    });

    it("lets a salesperson read their own order by external id, and not another's", async () => {
      const created = await t.app.inject({
        method: 'POST',
        url: `${base}/orders`,
        headers: t.as('sales'),
        payload: { sku: 'P1', quantity: 2, promiseDate: '2026-12-16', customer: 'ACME', externalId: 'SO-8/a b' },
      });
      expect(created.statusCode).toBe(201);
      const mine = await get('SO-8/a b', t.as('sales'));
      expect(mine.statusCode).toBe(200);
      expect(mine.json().id).toBe(created.json().id);

      const theirs = await get('SO-8/a b', other);
      const unknown = await get('SO-404', t.as('erp'));
      expect(theirs.statusCode).toBe(404);
      expect(theirs.json().detail).toBe(`Order with external id "SO-8/a b" in plant "${plant}" does not exist.`);
      expect(unknown.statusCode).toBe(404);
      expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(unknown.json()).toMatchObject({ status: 404, detail: `Order with external id "SO-404" in plant "${plant}" does not exist.` });
      expect(unknown.json().type).toMatch(/not-found$/);
    });

    it('answers an unknown plant with 404', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/v1/plants/no-such-plant/orders/by-external-id/SO-7', headers: t.as('erp') });
      expect(res.statusCode).toBe(404);
      expect(res.json().detail).toMatch(/Plant "no-such-plant"/);
    });
  },
);
