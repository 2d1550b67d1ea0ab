import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp({ now: '2026-11-23T08:00:00Z' });
  await seedPlant(t);
  for (let i = 0; i < 7; i++) {
    await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/orders',
      headers: t.as('sales'),
      payload: { sku: 'P1', quantity: 1, promiseDate: '2026-12-15', customer: i % 2 ? 'Odd' : 'Even' },
    });
    t.clock.advance(1000);
  }
  await t.app.inject({ method: 'POST', url: '/v1/plants/plant-1/holds', headers: t.as('sales'), payload: { sku: 'P1', quantity: 1 } });
});
afterAll(async () => t.close());

const page = async (query: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/plants/plant-1/orders?${query}`, headers: t.as('sales') })).json();

describe('listing orders', () => {
  it('walks every order once with cursor pagination', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const p: { items: { id: string }[]; nextCursor: string | null } = await page(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...p.items.map((o) => o.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
  });

  it('filters by status and customer', async () => {
    expect((await page('status=held')).items).toHaveLength(1);
    const odd = (await page('customer=Odd&status=confirmed')).items;
    expect(odd).toHaveLength(3);
    expect(odd.every((o: { customer: string }) => o.customer === 'Odd')).toBe(true);
  });

  it('refuses a forged cursor with a 400 naming it', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/orders?cursor=garbage', headers: t.as('sales') });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('querystring.cursor');
  });
});
