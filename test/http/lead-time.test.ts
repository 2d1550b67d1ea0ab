import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// Issue 12 item 8: a product's effective lead time = max(its lead time, else the plant's; its
// production buffer, else the plant's). seedPlant's policy is PB 4, LT 2: effective 4.
// Monday 2026-11-23 09:00 Berlin; + 4 working days = Friday 11-27. Tests run shuffled: only
// the one that changes the plant policy needs a plant of its own.
describe.each(databaseKinds())('effective lead time on %s', (kind) => {
  let t: TestApp;
  const plants = ['plant-1', 'plant-2'];
  const routing = [{ resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 }];
  const on = (plant: string) => {
    const c = client(() => t, plant);
    return {
      c,
      putProduct: (sku: string, body: object) => c.call('PUT', `products/${sku}`, 'admin', { name: sku, routing, ...body }),
      quote: async (sku: string) => (await c.call('POST', 'quotes', 'sales', { sku, quantity: 1 })).json(),
    };
  };

  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-23T08:00:00Z', kind });
    for (const p of plants) await seedPlant(t, p);
  });
  afterAll(async () => t.close());

  it('a plant lead time below its production buffer is kept, and the effective one is the buffer', async () => {
    const { c, quote } = on('plant-1');
    expect((await c.call('GET', 'buffer-policy', 'planner')).json()).toMatchObject({
      productionBufferDays: 4,
      standardLeadTimeDays: 2,
      effectiveLeadTimeDays: 4,
    });
    expect((await c.call('GET', 'products/P1', 'sales')).json()).toMatchObject({ standardLeadTimeDays: null, effectiveLeadTimeDays: 4 });
    expect(await quote('P1')).toMatchObject({ earliestPromiseDate: '2026-11-27', bindingLimit: 'lead-time-floor' });
  });

  it('refuses a product lead time below its production buffer with a 400 naming the field', async () => {
    const { c, putProduct } = on('plant-1');
    const below = await putProduct('LT3', { standardLeadTimeDays: 3 });
    expect(below.statusCode).toBe(400);
    expect(below.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(below.json().errors).toEqual([expect.objectContaining({ field: 'body.standardLeadTimeDays' })]);
    expect(below.json().errors[0].message).toMatch(/production buffer \(4, the plant's\)/);
    // Against the product's own buffer when it has one.
    expect((await putProduct('LT3', { standardLeadTimeDays: 3, productionBufferDays: 5 })).statusCode).toBe(400);
    expect((await c.call('GET', 'products/LT3', 'sales')).statusCode).toBe(404);
  });

  it("floors quotes at the product's own lead time, or its own buffer, whichever is longer", async () => {
    const { putProduct, quote } = on('plant-1');
    const own = await putProduct('LT6', { standardLeadTimeDays: 6 });
    expect(own.statusCode).toBe(201);
    expect(own.json()).toMatchObject({ standardLeadTimeDays: 6, effectiveLeadTimeDays: 6, effectiveLeadTimeChanges: [] });
    expect(await quote('LT6')).toMatchObject({ earliestPromiseDate: '2026-12-01', bindingLimit: 'lead-time-floor' });

    const short = await putProduct('PB2', { standardLeadTimeDays: 3, productionBufferDays: 2 });
    expect(short.json()).toMatchObject({ effectiveLeadTimeDays: 3 });
    expect(await quote('PB2')).toMatchObject({ earliestPromiseDate: '2026-11-26' });

    const fat = await putProduct('PB7', { productionBufferDays: 7 });
    expect(fat.json()).toMatchObject({ standardLeadTimeDays: null, effectiveLeadTimeDays: 7 });
    expect(await quote('PB7')).toMatchObject({ earliestPromiseDate: '2026-12-02', bindingLimit: 'lead-time-floor' });
  });

  it('a product buffer change that raises its lead time says so', async () => {
    const { putProduct } = on('plant-1');
    const res = await putProduct('GROW', {});
    expect(res.json()).toMatchObject({ effectiveLeadTimeDays: 4, effectiveLeadTimeChanges: [] });
    const grown = await putProduct('GROW', { productionBufferDays: 8 });
    expect(grown.statusCode).toBe(200);
    expect(grown.json()).toMatchObject({ effectiveLeadTimeDays: 8, effectiveLeadTimeChanges: [{ sku: 'GROW', from: 4, to: 8 }] });
    // Replacing the product without the override returns it to the plant's buffer.
    expect((await putProduct('GROW', {})).json().effectiveLeadTimeChanges).toEqual([{ sku: 'GROW', from: 8, to: 4 }]);
  });

  it('a plant policy change lists the products whose effective lead time it moves', async () => {
    const { c, putProduct, quote } = on('plant-2');
    expect((await putProduct('LT6', { standardLeadTimeDays: 6 })).statusCode).toBe(201);
    expect((await putProduct('PB7', { productionBufferDays: 7 })).statusCode).toBe(201);
    const res = await c.call('PUT', 'buffer-policy', 'planner', {
      productionBufferDays: 6,
      shippingBufferDays: 2,
      standardLeadTimeDays: 2,
    });
    expect(res.statusCode).toBe(200);
    // LT6 (own lead time 6) and PB7 (own buffer 7) do not move.
    expect(res.json()).toMatchObject({
      productionBufferDays: 6,
      effectiveLeadTimeDays: 6,
      effectiveLeadTimeChanges: [
        { sku: 'P1', from: 4, to: 6 },
        { sku: 'SAWN', from: 4, to: 6 },
      ],
    });
    expect((await c.call('GET', 'buffer-policy', 'planner')).json()).not.toHaveProperty('effectiveLeadTimeChanges');
    expect(await quote('P1')).toMatchObject({ earliestPromiseDate: '2026-12-01', bindingLimit: 'lead-time-floor' });
    // A product whose own lead time is below the new plant buffer: the buffer wins, and says so.
    const raised = await c.call('PUT', 'buffer-policy', 'planner', {
      productionBufferDays: 7,
      shippingBufferDays: 2,
      standardLeadTimeDays: 2,
    });
    expect(raised.json().effectiveLeadTimeChanges).toEqual([
      { sku: 'LT6', from: 6, to: 7 },
      { sku: 'P1', from: 6, to: 7 },
      { sku: 'SAWN', from: 6, to: 7 },
    ]);
  });
});
