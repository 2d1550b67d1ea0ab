import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';

// The benchmark's HTTP floor (POST …/noop) is a measuring instrument: absent from the service
// and its contract unless BENCH_FLOOR=on (build option benchFloor), then a quote's
// authentication and validation without its work.
describe('the benchmark floor route', () => {
  let plain: TestApp;
  let bench: TestApp;
  const body = { sku: 'P1', quantity: 2, requestedDate: '2026-12-01' };
  beforeAll(async () => {
    plain = await buildTestApp({ kind: 'pglite' });
    bench = await buildTestApp({ kind: 'pglite', build: { benchFloor: true } });
    await seedPlant(bench);
  });
  afterAll(async () => {
    await plain.close();
    await bench.close();
  });

  it('is not served, nor in the contract, by default', async () => {
    const res = await plain.app.inject({ method: 'POST', url: '/v1/plants/plant-1/noop', headers: plain.as('sales'), payload: body });
    expect(res.statusCode).toBe(404);
    const doc = (await plain.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths).some((p) => p.endsWith('/noop'))).toBe(false);
  });

  it('with the bench option: validates like a quote and answers the request', async () => {
    const ok = await bench.app.inject({ method: 'POST', url: '/v1/plants/plant-1/noop', headers: bench.as('sales'), payload: body });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual(body);
    const bad = await bench.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/noop',
      headers: bench.as('sales'),
      payload: { ...body, quantity: -1 },
    });
    expect(bad.statusCode).toBe(400);
    expect((await bench.app.inject({ method: 'POST', url: '/v1/plants/plant-1/noop', payload: body })).statusCode).toBe(401);
  });
});
