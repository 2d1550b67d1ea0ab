import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aPlant } from '../helpers/builders.ts';

// A drum calendar with no working day ahead (an empty week with one dated extra shift): the
// fuzz harness found quotes and DBM answering 500 from an engine RangeError here.
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
  const admin = t.as('admin');
  const put = (url: string, payload: object) => t.app.inject({ method: 'PUT', url, headers: admin, payload });
  expect((await t.app.inject({ method: 'POST', url: '/v1/plants', headers: admin, payload: aPlant({ id: 'idle' }) })).statusCode).toBe(201);
  const calendar = { weekly: [], exceptions: [{ date: '2026-11-24', kind: 'extra_shift', start: '06:00', end: '14:00' }] };
  expect((await put('/v1/plants/idle/resources/drum', { name: 'Drum', drum: true, calendar })).statusCode).toBeLessThan(300);
  expect(
    (await put('/v1/plants/idle/products/P', { name: 'P', routing: [{ resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 1 }] }))
      .statusCode,
  ).toBeLessThan(300);
});
afterAll(async () => t.close());

describe('a drum calendar that runs out of working days', () => {
  it('answers a quote with 409 no-capacity-within-horizon, not 500', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/idle/quotes',
      headers: t.as('sales'),
      payload: { sku: 'P', quantity: 10 },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().type).toBe('https://drumbeat.dev/problems/no-capacity-within-horizon');
  });

  it('has no buffer suggestion to make, rather than a 500', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/plants/idle/buffer-suggestions', headers: t.as('planner') });
    expect(res.statusCode).toBe(200);
    expect(
      res
        .json()
        .items.every(
          (s: { suggestedDays: number | null; currentDays: number }) => s.suggestedDays === null || s.suggestedDays === s.currentDays,
        ),
    ).toBe(true);
  });
});
