import { quoteAnswer } from '../helpers/planning.ts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant, twoShiftWeek } from '../helpers/builders.ts';

let t: TestApp;
// A plant per test, so the tests run in any order.
let P = '';
let plants = 0;
beforeAll(async () => {
  t = await buildTestApp({ now: '2026-11-23T08:00:00Z' });
});
beforeEach(async () => {
  const id = `plant-${++plants}`;
  // PB 2 so that Wednesday (LT 2) is at the floor: the floor is max(LT, PB) (issue 12 item 8).
  await seedPlant(t, id, { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
  P = `/v1/plants/${id}`;
});
afterAll(async () => t.close());

/** 700 drum minutes due by Monday night; Monday has 780 left. */
const commitMondayOrder = async () => {
  const order = await t.app.inject({
    method: 'POST',
    url: `${P}/orders`,
    headers: t.as('sales'),
    payload: { sku: 'P1', quantity: 67, promiseDate: '2026-11-25', customer: 'A' },
  });
  expect(order.statusCode).toBe(201);
  return order.json() as { id: string };
};
const longerShifts = twoShiftWeek.map((s) => (s.end === '22:00' ? { ...s, end: '23:00' } : s));

const putDrum = (weekly: unknown[]) =>
  t.app.inject({
    method: 'PUT',
    url: `${P}/resources/cnc`,
    headers: t.as('admin'),
    payload: { name: 'CNC', drum: true, calendar: { weekly, exceptions: [] } },
  });

describe('changing the drum calendar is a reschedule', () => {
  it('refuses a calendar that would make a committed order late, and accepts one that keeps every promise', async () => {
    const order = await commitMondayOrder();
    const before = (await t.app.inject({ method: 'GET', url: P, headers: t.as('admin') })).json().scheduleVersion;

    const oneShift = twoShiftWeek.filter((s) => s.start === '06:00');
    const refused = await putDrum(oneShift);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().lateOrders).toEqual([expect.objectContaining({ orderId: order.id })]);
    expect(refused.json().detail).toContain('re-promise them first');
    expect((await t.app.inject({ method: 'GET', url: P, headers: t.as('admin') })).json().scheduleVersion).toBe(before);

    expect((await putDrum(longerShifts)).statusCode).toBe(200);
    const events = (await t.app.inject({ method: 'GET', url: `${P}/events?limit=100`, headers: t.as('planner') })).json().items;
    expect(events.at(-1)).toMatchObject({ type: 'drum.calendar.changed', scheduleVersion: before + 1 });
    const quote = await t.app.inject({
      method: 'POST',
      url: `${P}/quotes`,
      headers: t.as('sales'),
      payload: { sku: 'P1', quantity: 14, requestedDate: '2026-11-25' },
    });
    // 840 - 700 = 140 minutes left on Monday: 30 + 10 × 11 = 140 fits, 14 units (170) do not.
    expect(quote.json().requestedDateFeasible).toBe(false);
    expect(quote.json().capacityNeeded.minutes).toBe(30);
  });

  it("counts the planners' active capacity changes: a calendar that is only feasible without them is refused", async () => {
    // Monday: 700 committed by Monday night; the drum now works until 23:00 (840 left from 09:00).
    // A planner's 2-hour downtime leaves 720: accepted.
    await commitMondayOrder();
    expect((await putDrum(longerShifts)).statusCode).toBe(200);
    const down = await t.app.inject({
      method: 'POST',
      url: `${P}/capacity-changes`,
      headers: t.as('planner'),
      payload: { resource: 'cnc', kind: 'downtime', date: '2026-11-23', start: '17:00', end: '19:00', reason: 'maintenance' },
    });
    expect(down.statusCode).toBe(201);
    // Back to 22:00: 780 left without the downtime would pass; with it 660 < 700 does not.
    const refused = await putDrum(twoShiftWeek);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().lateOrders).toHaveLength(1);
  });

  it('answers after capacity changes exactly like a process that reads everything afresh', async () => {
    const overtime = await t.app.inject({
      method: 'POST',
      url: `${P}/capacity-changes`,
      headers: t.as('planner'),
      payload: { resource: 'cnc', kind: 'overtime', date: '2026-11-24', start: '22:00', end: '24:00', reason: 'rush' },
    });
    expect(overtime.statusCode).toBe(201);
    const fresh = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      for (const [quantity, requestedDate] of [
        [1, '2026-11-25'],
        [20, '2026-11-26'],
        [90, '2026-11-27'],
        [300, '2026-12-02'],
      ] as const) {
        const payload = { sku: 'P1', quantity, requestedDate };
        const cached = await t.app.inject({ method: 'POST', url: `${P}/quotes`, headers: t.as('sales'), payload });
        const reread = await fresh.inject({ method: 'POST', url: `${P}/quotes`, headers: t.as('sales'), payload });
        expect(quoteAnswer(cached.json())).toEqual(quoteAnswer(reread.json()));
      }
    } finally {
      await fresh.close();
    }
  });
});
