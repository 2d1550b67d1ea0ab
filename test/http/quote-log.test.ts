import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';

describe('quote records', () => {
  it('records who asked what and what was answered, written in a batch off the request path', async () => {
    const t = await buildTestApp({ now: '2026-11-23T08:00:00Z' });
    try {
      await seedPlant(t);
      for (const requestedDate of [undefined, '2026-11-25', '2026-12-01']) {
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/plants/plant-1/quotes',
          headers: t.as('sales'),
          payload: { sku: 'P1', quantity: 3, requestedDate },
        });
        expect(res.statusCode).toBe(200);
      }
      await t.app.close(); // flushes the buffer
      const rows = await t.db.db.selectFrom('quote_log').selectAll().orderBy('requested_date').execute();
      expect(rows).toHaveLength(3);
      // The earliest date is the floor, Friday: max(LT 2, PB 4) = 4 working days (issue 12 item 8),
      // so Wednesday is not feasible.
      expect(rows.map((r) => [r.requested_date, r.earliest_promise_date, r.requested_feasible, r.drum_load_minutes])).toEqual([
        ['2026-11-25', '2026-11-27', false, 60],
        ['2026-12-01', '2026-11-27', true, 60],
        [null, '2026-11-27', null, 60],
      ]);
      expect(rows[0]!.actor).toContain('sales');
    } finally {
      await t.db.close();
    }
  });
});
