import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';

// DOMAIN roles: sales confirm *their* holds and read *their* orders; planners see everything.
describe('sales keys act on their own holds and orders', () => {
  let t: TestApp;
  let other: { authorization: string };
  let holdId: string;
  // Each test has a plant of its own with one hold of the first salesperson's.
  let base = '';
  let plants = 0;

  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-23T08:00:00Z' });
    other = { authorization: `Bearer ${(await createApiKey(t.db.db, { name: 'Bob', role: 'sales', plantIds: null })).key}` };
  });
  beforeEach(async () => {
    const id = `sales-${++plants}`;
    await seedPlant(t, id);
    base = `/v1/plants/${id}`;
    const hold = await t.app.inject({ method: 'POST', url: `${base}/holds`, headers: t.as('sales'), payload: { sku: 'P1', quantity: 2 } });
    holdId = hold.json().id;
  });
  afterAll(async () => t.close());

  it("answers another salesperson's confirm, release, cancel and read with 404, as if it did not exist, changing nothing", async () => {
    const attempts = [
      t.app.inject({ method: 'POST', url: `${base}/holds/${holdId}/confirm`, headers: other, payload: {} }),
      t.app.inject({ method: 'DELETE', url: `${base}/holds/${holdId}`, headers: other }),
      t.app.inject({ method: 'POST', url: `${base}/orders/${holdId}/cancel`, headers: other, payload: {} }),
      t.app.inject({ method: 'GET', url: `${base}/orders/${holdId}`, headers: other }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.statusCode).toBe(404);
      expect(res.json().detail).toMatch(new RegExp(`^(Hold|Order) "${holdId}" in plant "${base.split('/').pop()}" does not exist\\.$`));
    }
    const mine = await t.app.inject({ method: 'GET', url: `${base}/orders/${holdId}`, headers: t.as('sales') });
    expect(mine.json().status).toBe('held');
  });

  it("lists only the caller's orders for sales, all of them for planners", async () => {
    const list = async (headers: { authorization: string }) =>
      (await t.app.inject({ method: 'GET', url: `${base}/orders`, headers })).json().items.map((o: { id: string }) => o.id);
    expect(await list(other)).toEqual([]);
    expect(await list(t.as('sales'))).toEqual([holdId]);
    expect(await list(t.as('planner'))).toEqual([holdId]);
    const confirm = await t.app.inject({
      method: 'POST',
      url: `${base}/holds/${holdId}/confirm`,
      headers: t.as('sales'),
      payload: {},
    });
    expect(confirm.statusCode).toBe(201);
  });
});
