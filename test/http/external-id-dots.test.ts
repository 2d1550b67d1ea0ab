import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drumbeatClient } from '../../client/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';

// External ids the API accepts are read back through the typed client (issue 16 item 2); "." and
// ".." are dot segments every URL client removes, so they are refused when an order is created.
describe('the typed client reading by external id', () => {
  let t: TestApp;
  let baseUrl: string;
  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-23T08:00:00Z' });
    await seedPlant(t, 'ids', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    baseUrl = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => t.close());

  it.each(['SO/7', 'SO?x=1', 'SO#1', 'SO%1'])('an order with external id %j is read back as that order', async (externalId) => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/ids/orders',
      headers: t.as('planner'),
      payload: { sku: 'P1', quantity: 1, promiseDate: '2027-02-01', customer: 'c', externalId },
    });
    expect(created.statusCode).toBe(201);
    const client = drumbeatClient(baseUrl, t.keys.erp);
    const got = await client.GET('/v1/plants/{plant}/orders/by-external-id/{externalId}', {
      params: { path: { plant: 'ids', externalId } },
    });
    expect(`${got.response.status} ${got.response.url}`).toBe(
      `200 ${baseUrl}/v1/plants/ids/orders/by-external-id/${encodeURIComponent(externalId)}`,
    );
    // Typed as Order: it must be that order, not another operation's answer.
    expect(got.data?.externalId).toBe(externalId);
  });

  it.each(['..', '.', '...'])('refuses external id %j (a dot segment no URL can address) and writes nothing', async (externalId) => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/ids/orders',
      headers: t.as('planner'),
      payload: { sku: 'P1', quantity: 1, promiseDate: '2027-02-01', customer: 'c', externalId },
    });
    expect(created.statusCode).toBe(400);
    expect(created.json().errors).toEqual([expect.objectContaining({ field: 'body.externalId' })]);
    const rows = await t.db.db
      .selectFrom('orders')
      .select('id')
      .where('plant_id', '=', 'ids')
      .where('external_id', '=', externalId)
      .execute();
    expect(rows).toHaveLength(0);
  });
});
