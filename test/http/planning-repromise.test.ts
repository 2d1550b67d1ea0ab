import { beforeEach, describe, expect, it } from 'vitest';
import { client, databaseKinds, plantPerTest } from '../helpers/planning.ts';

describe.each(databaseKinds())('re-promising an order on %s', (kind) => {
  // PB 2 so that Wednesday (LT 2) is at the floor: the floor is max(LT, PB) (issue 12 item 8).
  const plant = plantPerTest(kind, 'repromise', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
  let c: ReturnType<typeof client>;
  beforeEach(() => ({ c } = plant));

  it('moves a promise only to a date the schedule can keep, and says so in the feed', async () => {
    const big = await c.order({ quantity: 60, promiseDate: '2026-11-25' }); // 630 of Monday's 780
    const small = await c.order({ quantity: 10, promiseDate: '2026-12-04' }); // 130
    const v = await c.version();

    // A Tuesday promise would need its drum work done before today (SB = 2 working days): refused with the earliest date.
    const infeasible = await c.call('POST', `orders/${big.id}/repromise`, 'planner', {
      promiseDate: '2026-11-24',
      reason: 'customer asks',
    });
    expect(infeasible.statusCode).toBe(409);
    expect(infeasible.json()).toMatchObject({
      type: 'https://drumbeat.dev/problems/schedule-infeasible',
      earliestPromiseDate: '2026-11-25',
    });
    expect(await c.version()).toBe(v);

    // Pulling the small one (130 minutes) into Monday fits the 150 minutes Monday has left.
    const ok = await c.call('POST', `orders/${small.id}/repromise`, 'planner', {
      promiseDate: '2026-11-25',
      reason: 'customer asked for earlier',
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ promiseDate: '2026-11-25', scheduleVersion: v + 1 });
    expect((await c.events()).at(-1)).toMatchObject({
      type: 'order.repromised',
      orderId: small.id,
      scheduleVersion: v + 1,
      data: { from: '2026-12-04', to: '2026-11-25', reason: 'customer asked for earlier' },
    });
    // Monday is now full: the big one cannot come earlier, and a new Wednesday order is refused.
    const third = await c.call('POST', 'orders', 'sales', { sku: 'P1', quantity: 2, promiseDate: '2026-11-25', customer: 'X' });
    expect(third.statusCode).toBe(409);
  });

  it('refuses re-promises by sales and erp, of closed orders, and without a reason', async () => {
    const o = await c.order({ quantity: 1, promiseDate: '2026-12-10' });
    for (const role of ['sales', 'erp', 'admin'] as const) {
      expect((await c.call('POST', `orders/${o.id}/repromise`, role, { promiseDate: '2026-12-11', reason: 'r' })).statusCode).toBe(403);
    }
    expect((await c.call('POST', `orders/${o.id}/repromise`, 'planner', { promiseDate: '2026-12-11' })).statusCode).toBe(400);
    await c.call('POST', `orders/${o.id}/cancel`, 'planner', {});
    expect((await c.call('POST', `orders/${o.id}/repromise`, 'planner', { promiseDate: '2026-12-11', reason: 'r' })).statusCode).toBe(409);
  });
});
