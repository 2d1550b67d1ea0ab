import { beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds, plantPerTest } from '../helpers/planning.ts';

// Monday 2026-11-23 09:00 Europe/Berlin; drum "cnc" 06:00–22:00 Mon–Fri, so 780 drum minutes
// are left today. P1 = 30 + 10 × qty drum minutes; PB 2, SB 2, standard lead time 2.
// A promise for Wednesday 11-25 has its drum deadline at the end of Monday. PB 2, not
// seedPlant's 4: the floor is max(LT, PB) (issue 12 item 8), and Wednesday must be at it.
const WEDNESDAY_AT_FLOOR = { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 };
describe.each(databaseKinds())('capacity changes on %s', (kind) => {
  const plant = plantPerTest(kind, 'capacity', WEDNESDAY_AT_FLOOR);
  let t: TestApp;
  let c: ReturnType<typeof client>;
  beforeEach(() => ({ t, c } = plant));

  const downtime = { resource: 'cnc', kind: 'downtime', date: '2026-11-23', start: '14:00', end: '22:00', reason: 'spindle repair' };

  it('refuses a downtime that would make an order late, then accepts it with an explicit re-promise; the feed shows both', async () => {
    const a = await c.order({ quantity: 60, promiseDate: '2026-11-25' }); // 630 of Monday's 780 minutes

    const preview = await c.call('POST', 'capacity-changes?preview=true', 'planner', downtime);
    expect(preview.statusCode).toBe(200);
    // 300 minutes left on Monday: 330 spill into Tuesday, so the drum deadline is Tuesday night and the promise Thursday.
    expect(preview.json()).toMatchObject({
      preview: true,
      drum: true,
      minutesDelta: -480,
      late: [{ orderId: a.id, promiseDate: '2026-11-25', earliestPromiseDate: '2026-11-26', lateByMinutes: 330 }],
    });

    const v = await c.version();
    const refused = await c.call('POST', 'capacity-changes', 'planner', downtime);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      type: 'https://drumbeat.dev/problems/schedule-infeasible',
      lateOrders: [{ orderId: a.id, earliestPromiseDate: '2026-11-26' }],
    });
    const tooEarly = await c.call('POST', 'capacity-changes', 'planner', {
      ...downtime,
      repromises: [{ orderId: a.id, promiseDate: '2026-11-25', reason: 'x' }],
    });
    expect(tooEarly.statusCode).toBe(400); // the same date is not a re-promise
    expect(await c.version()).toBe(v);

    const accepted = await c.call('POST', 'capacity-changes', 'planner', {
      ...downtime,
      repromises: [{ orderId: a.id, promiseDate: '2026-11-26', reason: 'spindle repair; customer informed' }],
    });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json()).toMatchObject({
      preview: false,
      scheduleVersion: v + 1,
      repromised: [{ orderId: a.id, from: '2026-11-25', to: '2026-11-26' }],
    });
    expect((await c.call('GET', `orders/${a.id}`, 'planner')).json()).toMatchObject({ promiseDate: '2026-11-26' });

    const feed = (await c.events()).filter((e) => e.scheduleVersion === v + 1);
    expect(feed.map((e) => e.type).sort()).toEqual(['capacity.changed', 'order.repromised']);
    expect(feed.find((e) => e.type === 'order.repromised')).toMatchObject({
      orderId: a.id,
      data: {
        from: '2026-11-25',
        to: '2026-11-26',
        reason: 'spindle repair; customer informed',
        capacityChangeId: accepted.json().change.id,
      },
    });
    const schedule = (await c.call('GET', 'schedule', 'planner')).json();
    expect(schedule.feasible).toBe(true);
  });

  it('refuses a re-promise earlier than the earliest feasible one, naming the earliest', async () => {
    // Order A (630 minutes) moved to Thursday by Monday afternoon's downtime, as in the test above.
    const a = await c.order({ quantity: 60, promiseDate: '2026-11-25' });
    const accepted = await c.call('POST', 'capacity-changes', 'planner', {
      ...downtime,
      repromises: [{ orderId: a.id, promiseDate: '2026-11-26', reason: 'spindle repair' }],
    });
    expect(accepted.statusCode).toBe(201);
    // Tuesday has 630 minutes left after order A; B (1030) needs Wednesday too.
    const b = await c.order({ quantity: 100, promiseDate: '2026-11-27' });
    const wednesday = { resource: 'cnc', kind: 'holiday', date: '2026-11-25', reason: 'works outing' };
    const preview = (await c.call('POST', 'capacity-changes?preview=true', 'planner', wednesday)).json();
    // 400 minutes move to Thursday: drum deadline Thursday night, promise two working days later (Monday).
    // A stays done by Tuesday, but the holiday leaves one working day of its two-day shipping buffer
    // before Thursday's promise: the holiday would take half its buffer, so it is listed too.
    expect(preview.late).toEqual([
      expect.objectContaining({ orderId: b.id, earliestPromiseDate: '2026-11-30' }),
      expect.objectContaining({ orderId: a.id, earliestPromiseDate: '2026-12-01' }),
    ]);
    const res = await c.call('POST', 'capacity-changes', 'planner', {
      ...wednesday,
      repromises: [
        { orderId: a.id, promiseDate: '2026-12-01', reason: 'works outing' },
        { orderId: b.id, promiseDate: '2026-11-28', reason: 'too early' },
      ],
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().lateOrders).toEqual([expect.objectContaining({ orderId: b.id, earliestPromiseDate: '2026-11-30' })]);
    const cancel = await c.call('POST', `orders/${b.id}/cancel`, 'planner', { reason: 'test cleanup' });
    expect(cancel.statusCode).toBe(200);
  });

  it('records a non-drum change without moving any promise, versioned and evented', async () => {
    const v = await c.version();
    const res = await c.call('POST', 'capacity-changes', 'planner', {
      resource: 'saw',
      kind: 'downtime',
      date: '2026-11-24',
      reason: 'blade change',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ drum: false, moved: [], late: [], minutesDelta: -960, scheduleVersion: v + 1 });
    expect((await c.events()).at(-1)).toMatchObject({ type: 'capacity.changed', data: { resource: 'saw', drum: false } });
  });

  it('lists changes with the capacity revision as ETag, and refuses a stale If-Match with 412', async () => {
    const saw = { resource: 'saw', kind: 'downtime', date: '2026-11-24', reason: 'blade change' };
    expect((await c.call('POST', 'capacity-changes', 'planner', saw)).statusCode).toBe(201);
    const list = await c.call('GET', 'capacity-changes', 'planner');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((i: { kind: string }) => i.kind)).toEqual(expect.arrayContaining(['downtime']));
    const etag = list.headers.etag as string;
    expect(etag).toBe(`"${list.json().capacityRevision}"`);
    const overtime = { resource: 'saw', kind: 'overtime', date: '2026-11-26', start: '22:00', end: '23:00', reason: 'catch up' };
    const ok = await c.call('POST', 'capacity-changes', 'planner', overtime, { 'if-match': etag });
    expect(ok.statusCode).toBe(201);
    expect(ok.headers.etag).not.toBe(etag);
    const stale = await c.call('POST', 'capacity-changes', 'planner', overtime, { 'if-match': etag });
    expect(stale.statusCode).toBe(412);
    const staleRevoke = await c.call('DELETE', `capacity-changes/${ok.json().change.id}`, 'planner', undefined, { 'if-match': etag });
    expect(staleRevoke.statusCode).toBe(412);
    const revoke = await c.call(
      'DELETE',
      `capacity-changes/${ok.json().change.id}`,
      'planner',
      { reason: 'not needed' },
      { 'if-match': ok.headers.etag as string },
    );
    expect(revoke.statusCode).toBe(200);
    expect(revoke.json().change).toMatchObject({ revokedAt: expect.any(String), revokeReason: 'not needed' });
    expect((await c.call('DELETE', `capacity-changes/${ok.json().change.id}`, 'planner')).statusCode).toBe(409);
  });

  it('validates the change: unknown resource, overtime without times, a past date', async () => {
    const bad = async (body: object, field: string) => {
      const res = await c.call('POST', 'capacity-changes', 'planner', {
        resource: 'cnc',
        kind: 'overtime',
        date: '2026-11-24',
        start: '22:00',
        end: '23:00',
        reason: 'r',
        ...body,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    };
    await bad({ resource: 'lathe' }, 'body.resource');
    await bad({ start: undefined, end: undefined }, 'body.start');
    await bad({ date: '2026-11-20' }, 'body.date');
  });

  it('gives each late order its earliest promise with its own shipping buffer (a product override)', async () => {
    await seedPlant(t, `${plant.plant}-short`, { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 1 });
    const c2 = client(() => t, `${plant.plant}-short`);
    const put = await c2.call('PUT', 'products/P2', 'admin', {
      name: 'Short shipping',
      shippingBufferDays: 1,
      // Its own PB 1 makes Tuesday its floor (max(LT 1, PB 1), issue 12 item 8).
      productionBufferDays: 1,
      routing: [
        { resource: 'saw', setupMinutes: 5, runMinutesPerUnit: 1 },
        { resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 },
      ],
    });
    expect(put.statusCode).toBeLessThan(300);
    const o = await c2.order({ sku: 'P2', quantity: 60, promiseDate: '2026-11-24' }); // one working day after Monday night
    const preview = (await c2.call('POST', 'capacity-changes?preview=true', 'planner', downtime)).json();
    // The work now ends on Tuesday: one working day later is Wednesday (the plant's two would say Thursday).
    expect(preview.late).toEqual([expect.objectContaining({ orderId: o.id, earliestPromiseDate: '2026-11-25' })]);
  });

  it('lets only planners change capacity', async () => {
    const body = { resource: 'saw', kind: 'overtime', date: '2026-11-26', start: '22:00', end: '23:00', reason: 'r' };
    for (const role of ['sales', 'erp', 'admin'] as const)
      expect((await c.call('POST', 'capacity-changes', role, body)).statusCode).toBe(403);
    expect((await c.call('GET', 'capacity-changes', 'sales')).statusCode).toBe(403);
  });
});
