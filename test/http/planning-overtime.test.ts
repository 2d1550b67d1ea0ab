import { beforeEach, describe, expect, it } from 'vitest';
import { client, databaseKinds, plantPerTest } from '../helpers/planning.ts';

// Monday 2026-11-23 09:00 Berlin: 780 drum minutes left today; a promise for Wednesday
// needs its drum work done by Monday night.
describe.each(databaseKinds())('overtime buys exactly the price of a date on %s', (kind) => {
  // PB 2 so that Wednesday (LT 2) is at the floor: the floor is max(LT, PB) (issue 12 item 8).
  const plant = plantPerTest(kind, 'overtime', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
  let c: ReturnType<typeof client>;
  beforeEach(() => ({ c } = plant));

  const quote = async () => (await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 20, requestedDate: '2026-11-25' })).json();

  it('one minute less than the price is not enough; the suggested overtime makes the requested date keepable', async () => {
    await c.order({ quantity: 60, promiseDate: '2026-11-25' }); // 630 minutes
    const priced = await quote(); // 230 more: 80 short
    expect(priced).toMatchObject({
      requestedDateFeasible: false,
      earliestPromiseDate: '2026-11-26',
      capacityNeeded: { minutes: 80, bindingLimit: 'capacity' },
    });
    const days = priced.capacityNeeded.suggestion.days as {
      date: string;
      kind: 'overtime' | 'extra_shift';
      start: string;
      end: string;
      minutes: number;
    }[];
    expect(days.reduce((s, d) => s + d.minutes, 0)).toBe(80);
    expect(days[0]).toMatchObject({ date: '2026-11-23', kind: 'overtime', start: '22:00', end: '23:20' });

    // 79 minutes: still one short.
    const short = await c.call('POST', 'capacity-changes', 'planner', {
      resource: 'cnc',
      kind: 'overtime',
      date: '2026-11-23',
      start: '22:00',
      end: '23:19',
      reason: 'try',
    });
    expect(short.statusCode).toBe(201);
    expect(short.json()).toMatchObject({ minutesDelta: 79, late: [] });
    expect(await quote()).toMatchObject({ requestedDateFeasible: false, capacityNeeded: { minutes: 1 } });
    const revoke = await c.call(
      'DELETE',
      `capacity-changes/${short.json().change.id}`,
      'planner',
      { reason: 'one minute short' },
      { 'if-match': short.headers.etag as string },
    );
    expect(revoke.statusCode).toBe(200);
    expect(await quote()).toMatchObject({ requestedDateFeasible: false, capacityNeeded: { minutes: 80 } });

    for (const d of days) {
      const res = await c.call('POST', 'capacity-changes', 'planner', {
        resource: 'cnc',
        kind: d.kind,
        date: d.date,
        start: d.start,
        end: d.end,
        reason: 'rush order for ACME',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().minutesDelta).toBe(d.minutes);
    }
    expect(await quote()).toMatchObject({ requestedDateFeasible: true, earliestPromiseDate: '2026-11-25' });
    const order = await c.call('POST', 'orders', 'sales', { sku: 'P1', quantity: 20, promiseDate: '2026-11-25', customer: 'ACME' });
    expect(order.statusCode).toBe(201);
  });

  it('refuses to revoke overtime that orders now rely on, unless they are re-promised', async () => {
    // 630 minutes, then 80 minutes of Monday overtime, then 230 minutes that need it.
    await c.order({ quantity: 60, promiseDate: '2026-11-25' });
    const added = await c.call('POST', 'capacity-changes', 'planner', {
      resource: 'cnc',
      kind: 'overtime',
      date: '2026-11-23',
      start: '22:00',
      end: '23:20',
      reason: 'rush order for ACME',
    });
    expect(added.statusCode).toBe(201);
    await c.order({ quantity: 20, promiseDate: '2026-11-25' });
    const [overtime] = (await c.call('GET', 'capacity-changes', 'planner')).json().items;
    const preview = await c.call('DELETE', `capacity-changes/${overtime.id}?preview=true`, 'planner');
    expect(preview.statusCode).toBe(200);
    const late = preview.json().late as { orderId: string; earliestPromiseDate: string }[];
    expect(late.length).toBeGreaterThan(0);
    const refused = await c.call('DELETE', `capacity-changes/${overtime.id}`, 'planner', { reason: 'no staff' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().lateOrders.map((l: { orderId: string }) => l.orderId)).toEqual(late.map((l) => l.orderId));
    const ok = await c.call('DELETE', `capacity-changes/${overtime.id}`, 'planner', {
      reason: 'no staff',
      repromises: late.map((l) => ({ orderId: l.orderId, promiseDate: l.earliestPromiseDate, reason: 'overtime cancelled' })),
    });
    expect(ok.statusCode).toBe(200);
    expect((await c.call('GET', 'schedule', 'planner')).json().feasible).toBe(true);
    expect((await c.events()).filter((e) => e.type === 'order.repromised')).toHaveLength(late.length);
  });
});
