import type { QuoteLogInsert } from '../../src/db/repos/quote-log.ts';
import { timeOrderedId } from '../../src/domain/promising/quotes.ts';
import type { TestApp } from './app.ts';

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;

export const twoShiftWeek = weekdays.flatMap((day) => [
  { day, start: '06:00', end: '14:00' },
  { day, start: '14:00', end: '22:00' },
]);

export const aPlant = (overrides: Partial<{ id: string; name: string; timeZone: string }> = {}) => ({
  id: 'plant-1',
  name: 'Plant one',
  timeZone: 'Europe/Berlin',
  ...overrides,
});

/** Creates a plant with a two-shift drum "cnc", a non-drum "saw", product "P1" (drum only, 30 + 10/unit) and "SAWN" (saw 5 + 1/unit, then P1's drum work). */
export async function seedPlant(
  t: TestApp,
  id = 'plant-1',
  policy: Record<string, number> = { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2 },
) {
  const admin = t.as('admin');
  const send = async (method: 'POST' | 'PUT', url: string, payload: unknown) => {
    const res = await t.app.inject({ method, url, headers: admin, payload: payload as object });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  await send('POST', '/v1/plants', aPlant({ id }));
  await send('PUT', `/v1/plants/${id}/resources/cnc`, { name: 'CNC', drum: true, calendar: { weekly: twoShiftWeek, exceptions: [] } });
  await send('PUT', `/v1/plants/${id}/resources/saw`, { name: 'Saw', drum: false, calendar: { weekly: twoShiftWeek, exceptions: [] } });
  // P1 works on the drum only, so drum-level tests can count drum minutes exactly; SAWN saws first
  // (its saw work moves its drum start: whole-route planning, test/http/whole-route.test.ts).
  await send('PUT', `/v1/plants/${id}/products/P1`, {
    name: 'Product one',
    routing: [{ resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 }],
  });
  await send('PUT', `/v1/plants/${id}/products/SAWN`, {
    name: 'Sawn product',
    routing: [
      { resource: 'saw', setupMinutes: 5, runMinutesPerUnit: 1 },
      { resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 },
    ],
  });
  await send('PUT', `/v1/plants/${id}/buffer-policy`, policy);
}

/** A quote record as the recorder writes it (plant-1, product P1, a sales key's quote), answered at `at`. */
export const aQuoteRecord = (at: Date, over: Partial<QuoteLogInsert> = {}): QuoteLogInsert => ({
  plantId: 'plant-1',
  id: timeOrderedId(at),
  at,
  actor: 'sales key (sales)',
  sku: 'P1',
  quantity: 3,
  requestedDate: null,
  earliestPromiseDate: '2026-12-01',
  requestedFeasible: null,
  drumLoadMinutes: 30,
  scheduleVersion: 1,
  owner: 'key:sales',
  customer: null,
  ...over,
});
