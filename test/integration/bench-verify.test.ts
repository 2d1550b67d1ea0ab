import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStoredSchedule } from '../../bench/verify.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';
import { minuteOf } from '../helpers/published-plan.ts';

// The benchmark's check of a stored schedule (issue 13 item 4): infeasible only where a
// recorded fact explains it. Orders a breakdown made late carry an effective drum deadline
// past their own, and the check holds them to it; anything else late fails it.
const NOW = '2026-11-23T08:00:00Z';

describe.each(databaseKinds())('stored schedule check on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
    await seedPlant(t, 'plant-1', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
  });
  afterAll(async () => t.close());

  it('accepts the lateness a breakdown explains, and nothing else', async () => {
    const c = client(() => t);
    for (let i = 0; i < 3; i++) {
      const q = (await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 20 })).json();
      await c.order({ quantity: 20, promiseDate: q.earliestPromiseDate });
    }
    expect(await checkStoredSchedule(t.db.db, 'plant-1', minuteOf(NOW))).toMatchObject({
      committed: 3,
      feasible: true,
      explainedByFacts: 0,
    });
    const bd = await c.call('POST', 'breakdowns', 'planner', {
      resource: 'cnc',
      start: '2026-11-23T07:00:00Z',
      expectedEnd: '2026-11-26T21:00:00Z',
      reason: 'spindle',
    });
    expect(bd.statusCode, bd.body).toBe(201);
    // lateOrders names the orders that miss their promised day; the fact also explains those it
    // only pushed into their shipping buffer (D̂ > D, finishing by the promised day).
    const late = bd.json().lateOrders.length as number;
    expect(late).toBeGreaterThan(0);
    const checked = await checkStoredSchedule(t.db.db, 'plant-1', minuteOf(NOW));
    expect(checked).toMatchObject({ feasible: true });
    expect(checked.explainedByFacts).toBeGreaterThanOrEqual(late);
    // The same lateness without its fact is a failure.
    expect(await checkStoredSchedule(t.db.db, 'plant-1', minuteOf(NOW), { factsExplain: false })).toMatchObject({
      feasible: false,
      explainedByFacts: 0,
    });
  });
});
