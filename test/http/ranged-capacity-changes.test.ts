import { beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { client, databaseKinds, plantPerTest } from '../helpers/planning.ts';

// Monday 2026-11-23 09:00 Europe/Berlin. seedPlant's drum "cnc" works 06:00–22:00 Mon–Fri;
// most tests cut it to one shift (06:00–14:00: 480 minutes a day, 300 left today), so a
// second shift 14:00–22:00 doubles it. P1 = 30 + 10 × qty drum minutes; PB 2, SB 2, LT 2.
const POLICY = { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 };
const oneShift = ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '06:00', end: '14:00' }));
// Six weeks, Monday 11-30 to Friday 01-08: 30 weekdays.
const secondShift = {
  resource: 'cnc',
  kind: 'extra_shift',
  from: '2026-11-30',
  to: '2027-01-08',
  weekdays: [1, 2, 3, 4, 5],
  start: '14:00',
  end: '22:00',
  reason: 'second shift for the winter backlog',
};

describe.each(databaseKinds())('ranged capacity changes on %s', (kind) => {
  const plant = plantPerTest(kind, 'ranged', POLICY);
  let t: TestApp;
  let c: ReturnType<typeof client>;
  beforeEach(() => ({ t, c } = plant));

  const cutToOneShift = async () => {
    const res = await c.call('PUT', 'resources/cnc', 'admin', { name: 'CNC', drum: true, calendar: { weekly: oneShift, exceptions: [] } });
    expect(res.statusCode).toBeLessThan(300);
  };
  const earliest = async (quantity: number) =>
    (await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity })).json().earliestPromiseDate as string;
  const list = async (query = '') => (await c.call('GET', `capacity-changes${query}`, 'planner')).json().items as any[];

  it('adds a second shift Mon–Fri for six weeks in one call: previewed without a change, then one change, one event, earlier promises', async () => {
    await cutToOneShift();
    // 8030 drum minutes: 2220 this week, then 12.1 one-shift days or 6.05 two-shift days.
    const before = await earliest(800);
    const v = await c.version();

    const preview = await c.call('POST', 'capacity-changes?preview=true', 'planner', secondShift);
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ preview: true, drum: true, minutesDelta: 30 * 480, skippedDays: [] });
    expect(preview.json().days).toHaveLength(30);
    expect(preview.json().days[0]).toEqual({ date: '2026-11-30', start: '14:00', end: '22:00', minutesDelta: 480, clockChangeMinutes: 0 });
    expect(await c.version()).toBe(v);
    expect(await list()).toEqual([]);
    expect(await earliest(800)).toBe(before);

    const created = await c.call('POST', 'capacity-changes', 'planner', secondShift);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ preview: false, scheduleVersion: v + 1, minutesDelta: 30 * 480 });
    const after = await earliest(800);
    expect(after < before).toBe(true);
    // Two shifts from 11-30: 5810 minutes take five days and 50 minutes of Tuesday 12-08 (one shift: to Wednesday 12-16).
    expect(after).toBe('2026-12-10');
    expect(before).toBe('2026-12-18');

    const events = (await c.events()).filter((e) => e.scheduleVersion === v + 1);
    expect(events.map((e) => e.type)).toEqual(['capacity.changed']);
    expect(events[0]!.data).toMatchObject({
      id: created.json().change.id,
      range: { from: '2026-11-30', to: '2027-01-08', weekdays: [1, 2, 3, 4, 5], except: [] },
      minutesDelta: 30 * 480,
    });
    expect(events[0]!.data.days).toHaveLength(30);

    const items = await list();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      id: created.json().change.id,
      kind: 'extra_shift',
      date: '2026-11-30',
      start: '14:00',
      end: '22:00',
      range: { from: '2026-11-30', to: '2027-01-08', weekdays: [1, 2, 3, 4, 5] },
      endedFrom: null,
    });
    expect(items[0].days.map((d: { date: string }) => d.date).slice(0, 6)).toEqual([
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
      '2026-12-07',
    ]);
  });

  it('refuses a ranged downtime that makes an order late, naming it, then takes it with the re-promise', async () => {
    // Two shifts: Monday has 780 minutes left; the order takes 630 of them (drum deadline Monday night).
    const a = await c.order({ quantity: 60, promiseDate: '2026-11-25' });
    const downtime = {
      resource: 'cnc',
      kind: 'downtime',
      from: '2026-11-23',
      to: '2026-11-24',
      start: '14:00',
      end: '22:00',
      reason: 'spindle overhaul in two halves',
    };
    const v = await c.version();
    const refused = await c.call('POST', 'capacity-changes', 'planner', downtime);
    expect(refused.statusCode).toBe(409);
    // Monday keeps 300 minutes: 330 spill into Tuesday morning, so the earliest promise is Thursday.
    expect(refused.json()).toMatchObject({
      type: 'https://drumbeat.dev/problems/schedule-infeasible',
      lateOrders: [{ orderId: a.id, earliestPromiseDate: '2026-11-26' }],
    });
    expect(await c.version()).toBe(v);

    const accepted = await c.call('POST', 'capacity-changes', 'planner', {
      ...downtime,
      repromises: [{ orderId: a.id, promiseDate: '2026-11-26', reason: 'overhaul; customer informed' }],
    });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json()).toMatchObject({ minutesDelta: -960, repromised: [{ orderId: a.id, from: '2026-11-25', to: '2026-11-26' }] });
    const feed = (await c.events()).filter((e) => e.scheduleVersion === v + 1);
    expect(feed.map((e) => e.type).sort()).toEqual(['capacity.changed', 'order.repromised']);
    expect(feed.find((e) => e.type === 'order.repromised')!.data.capacityChangeId).toBe(accepted.json().change.id);
    expect((await c.call('GET', `orders/${a.id}`, 'planner')).json()).toMatchObject({ promiseDate: '2026-11-26' });
  });

  it('ends early under the capacity rule: 409 naming the order it makes late, then only the remaining days are revoked', async () => {
    await cutToOneShift();
    const created = (await c.call('POST', 'capacity-changes', 'planner', secondShift)).json();
    const id = created.change.id as string;
    // 5030 minutes: 2220 this week, then 960 + 960 + 890 by Wednesday 12-02: promised Friday 12-04.
    const date = await earliest(500);
    expect(date).toBe('2026-12-04');
    const a = await c.order({ quantity: 500, promiseDate: date });

    const v = await c.version();
    const preview = await c.call('POST', `capacity-changes/${id}/end?preview=true`, 'planner', { from: '2026-12-01' });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ preview: true, minutesDelta: -29 * 480 });
    expect(preview.json().late).toEqual([expect.objectContaining({ orderId: a.id, earliestPromiseDate: '2026-12-08' })]);
    expect(await c.version()).toBe(v);

    const refused = await c.call('POST', `capacity-changes/${id}/end`, 'planner', { from: '2026-12-01', reason: 'budget' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().lateOrders).toEqual([expect.objectContaining({ orderId: a.id, earliestPromiseDate: '2026-12-08' })]);
    expect(await c.version()).toBe(v);

    const etag = (await c.call('GET', 'capacity-changes', 'planner')).headers.etag as string;
    const ended = await c.call(
      'POST',
      `capacity-changes/${id}/end`,
      'planner',
      { from: '2026-12-01', reason: 'budget', repromises: [{ orderId: a.id, promiseDate: '2026-12-08', reason: 'second shift cut' }] },
      { 'if-match': etag },
    );
    expect(ended.statusCode).toBe(200);
    expect(ended.json()).toMatchObject({
      preview: false,
      scheduleVersion: v + 1,
      minutesDelta: -29 * 480,
      repromised: [{ orderId: a.id, to: '2026-12-08' }],
    });
    expect(ended.json().days).toHaveLength(29);
    const feed = (await c.events()).filter((e) => e.scheduleVersion === v + 1);
    expect(feed.map((e) => e.type).sort()).toEqual(['capacity.ended', 'order.repromised']);
    const event = feed.find((e) => e.type === 'capacity.ended')!;
    expect(event.data).toMatchObject({ id, endedFrom: '2026-12-01', endReason: 'budget' });
    expect(event.data.revokedDays).toHaveLength(29);
    expect(event.data.revokedDays[0]).toBe('2026-12-01');

    // Monday 11-30 keeps its second shift; the change stays in force with it.
    const [item] = await list();
    expect(item).toMatchObject({ id, endedFrom: '2026-12-01', revokedAt: null });
    expect(item.days.filter((d: { revokedAt: string | null }) => d.revokedAt === null).map((d: { date: string }) => d.date)).toEqual([
      '2026-11-30',
    ]);
    expect(item.days).toHaveLength(30);
    // The stale revision is refused; nothing is left after 12-01; a day-by-day change has nothing to end.
    expect((await c.call('POST', `capacity-changes/${id}/end`, 'planner', { from: '2026-11-30' }, { 'if-match': etag })).statusCode).toBe(
      412,
    );
    expect((await c.call('POST', `capacity-changes/${id}/end`, 'planner', { from: '2026-12-01' })).statusCode).toBe(409);

    // Revoking the whole change takes back Monday's shift too: on one shift the order needs to 12-09.
    const refusedRevoke = await c.call('DELETE', `capacity-changes/${id}`, 'planner', { reason: 'not needed after all' });
    expect(refusedRevoke.statusCode).toBe(409);
    expect(refusedRevoke.json().lateOrders).toEqual([expect.objectContaining({ orderId: a.id, earliestPromiseDate: '2026-12-09' })]);
    const revoked = await c.call('DELETE', `capacity-changes/${id}`, 'planner', {
      reason: 'not needed after all',
      repromises: [{ orderId: a.id, promiseDate: '2026-12-09', reason: 'second shift cancelled' }],
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ minutesDelta: -480, change: { revokedAt: expect.any(String) } });
    expect((await c.events()).at(-1)).toMatchObject({ type: 'capacity.revoked', data: { id } });
    expect(await list()).toEqual([]);
    expect(await list('?includeRevoked=true')).toEqual([expect.objectContaining({ id, revokeReason: 'not needed after all' })]);
  });

  it('does not duplicate a change retried with the same Idempotency-Key', async () => {
    await cutToOneShift();
    const v = await c.version();
    const key = { 'idempotency-key': `second-shift-${plant.plant}` };
    const first = await c.call('POST', 'capacity-changes', 'planner', secondShift, key);
    expect(first.statusCode).toBe(201);
    const retry = await c.call('POST', 'capacity-changes', 'planner', secondShift, key);
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json().change.id).toBe(first.json().change.id);
    expect(await c.version()).toBe(v + 1);
    expect(await list()).toHaveLength(1);
    expect((await c.events()).filter((e) => e.type === 'capacity.changed')).toHaveLength(1);
    const other = await c.call('POST', 'capacity-changes', 'planner', { ...secondShift, reason: 'another' }, key);
    expect(other.statusCode).toBe(422);
  });

  it('leaves out the days an extra shift would add nothing on, and says why; none left is a 409', async () => {
    // Mon–Fri already work 06:00–14:00 on seedPlant's drum; only Saturday and Sunday gain the shift.
    const body = {
      resource: 'cnc',
      kind: 'extra_shift',
      from: '2026-11-23',
      to: '2026-11-29',
      start: '06:00',
      end: '14:00',
      reason: 'weekend',
    };
    // Saturday is closed for an inventory count: downtime there takes away what the shift would add.
    const inventory = { resource: 'cnc', kind: 'downtime', date: '2026-11-28', reason: 'inventory count' };
    expect((await c.call('POST', 'capacity-changes', 'planner', inventory)).statusCode).toBe(201);
    const res = await c.call('POST', 'capacity-changes', 'planner', body);
    expect(res.statusCode).toBe(201);
    expect(res.json().days.map((d: { date: string }) => d.date)).toEqual(['2026-11-29']);
    expect(res.json().minutesDelta).toBe(480);
    expect(res.json().skippedDays).toHaveLength(6);
    expect(res.json().skippedDays[0]).toMatchObject({ date: '2026-11-23', why: expect.stringContaining('already works') });
    expect(res.json().skippedDays[5]).toMatchObject({ date: '2026-11-28', why: expect.stringContaining('downtime on that date') });
    expect((await list()).find((i) => i.id === res.json().change.id).skippedDays).toHaveLength(6);

    const v = await c.version();
    const none = await c.call('POST', 'capacity-changes', 'planner', { ...body, weekdays: [1, 2, 3, 4, 5] });
    expect(none.statusCode).toBe(409);
    expect(none.json().skippedDays).toHaveLength(5);
    expect(await c.version()).toBe(v);
  });

  it('applies a list of blocks as one change; a block the clocks change inside lasts an hour less', async () => {
    const v = await c.version();
    // Europe/Berlin springs forward at 02:00 on Sunday 2027-03-28: 00:00–06:00 on the wall is five hours.
    const res = await c.call('POST', 'capacity-changes', 'planner', {
      resource: 'saw',
      kind: 'extra_shift',
      blocks: [
        { date: '2027-03-27', start: '22:00', end: '24:00' },
        { date: '2027-03-28', start: '00:00', end: '06:00' },
      ],
      reason: 'night shift over the weekend',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ drum: false, minutesDelta: 120 + 300, scheduleVersion: v + 1 });
    expect(res.json().days).toEqual([
      { date: '2027-03-27', start: '22:00', end: '24:00', minutesDelta: 120, clockChangeMinutes: 0 },
      { date: '2027-03-28', start: '00:00', end: '06:00', minutesDelta: 300, clockChangeMinutes: -60 },
    ]);
    const [item] = await list();
    expect(item).toMatchObject({
      date: '2027-03-27',
      start: null,
      blocks: [
        { date: '2027-03-27', start: '22:00', end: '24:00' },
        { date: '2027-03-28', start: '00:00', end: '06:00' },
      ],
    });
    expect(item.days).toHaveLength(2);
  });

  it('off the drum: a ranged downtime that takes the planned work of an order names it, and goes through with its re-promise', async () => {
    // SAWN saws first (105 minutes from Monday 09:00), then 1030 drum minutes.
    const date = (await c.call('POST', 'quotes', 'sales', { sku: 'SAWN', quantity: 100 })).json().earliestPromiseDate as string;
    const a = await c.order({ sku: 'SAWN', quantity: 100, promiseDate: date });
    const week = { resource: 'saw', kind: 'downtime', from: '2026-11-23', to: '2026-11-27', reason: 'saw rebuilt this week' };
    const preview = await c.call('POST', 'capacity-changes?preview=true', 'planner', week);
    expect(preview.json()).toMatchObject({ drum: false, minutesDelta: -5 * 960 });
    expect(preview.json().late).toEqual([expect.objectContaining({ orderId: a.id, promiseDate: date })]);
    const later = preview.json().late[0].earliestPromiseDate as string;
    expect(later > date).toBe(true);
    const refused = await c.call('POST', 'capacity-changes', 'planner', week);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().ordersLosingCapacity).toEqual([a.id]);
    const accepted = await c.call('POST', 'capacity-changes', 'planner', {
      ...week,
      repromises: [{ orderId: a.id, promiseDate: later, reason: 'saw rebuilt' }],
    });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json().repromised).toEqual([expect.objectContaining({ orderId: a.id, to: later })]);
    expect(accepted.json().days).toHaveLength(5);
  });

  it('keeps its days to itself: one of them cannot be revoked alone, and an end retried with its key is ended once', async () => {
    await cutToOneShift();
    const id = (await c.call('POST', 'capacity-changes', 'planner', secondShift)).json().change.id as string;
    const day = await t.db.db
      .selectFrom('capacity_changes')
      .select('id')
      .where('ranged_change_id', '=', id)
      .where('date', '=', '2026-12-01')
      .executeTakeFirstOrThrow();
    const alone = await c.call('DELETE', `capacity-changes/${day.id}`, 'planner');
    expect(alone.statusCode).toBe(409);
    expect(alone.json()).toMatchObject({ rangedChangeId: id });

    const v = await c.version();
    const key = { 'idempotency-key': `end-${plant.plant}` };
    const end = { from: '2026-12-28', reason: 'backlog cleared' };
    const first = await c.call('POST', `capacity-changes/${id}/end`, 'planner', end, key);
    expect(first.statusCode).toBe(200);
    expect(first.json().days).toHaveLength(10);
    const retry = await c.call('POST', `capacity-changes/${id}/end`, 'planner', end, key);
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toEqual(first.json());
    expect(await c.version()).toBe(v + 1);
    expect((await c.events()).filter((e) => e.type === 'capacity.ended')).toHaveLength(1);
  });

  it('answers bad ranges and blocks with 400 naming the field, and writes nothing', async () => {
    await cutToOneShift();
    const v = await c.version();
    const bad = async (body: object, field: string) => {
      const res = await c.call('POST', 'capacity-changes', 'planner', { ...secondShift, ...body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    };
    await bad({ to: '2026-11-29' }, 'body.to'); // before from
    await bad({ to: '2027-12-01' }, 'body.to'); // 367 days
    await bad({ from: '2026-11-20' }, 'body.from'); // in the past
    await bad({ from: '2026-11-28', to: '2026-11-29' }, 'body.weekdays'); // a weekend, Mon–Fri only
    await bad({ weekdays: [0] }, 'body.weekdays[0]');
    await bad({ weekdays: [1, 1] }, 'body.weekdays');
    await bad({ except: ['2027-02-01'] }, 'body.except[0]');
    await bad({ start: undefined, end: undefined }, 'body.start'); // an extra shift needs its times
    await bad({ end: '13:00' }, 'body.end');
    await bad({ to: undefined }, 'body.to');
    await bad({ date: '2026-11-30' }, 'body');
    await bad({ resource: 'lathe' }, 'body.resource');
    const blocks = async (list: object[], field: string) =>
      bad({ from: undefined, to: undefined, weekdays: undefined, start: undefined, end: undefined, blocks: list }, field);
    await blocks([{ date: '2026-11-20', start: '14:00', end: '22:00' }], 'body.blocks[0].date');
    await blocks(
      [
        { date: '2026-11-30', start: '14:00', end: '22:00' },
        { date: '2026-11-30', start: '20:00', end: '23:00' },
      ],
      'body.blocks[1]',
    );
    await blocks(
      [
        { date: '2026-11-30', start: '14:00', end: '22:00' },
        { date: '2027-12-01', start: '14:00', end: '22:00' },
      ],
      'body.blocks',
    );
    await blocks([{ date: '2026-11-30', start: '14:00' }], 'body.blocks[0].end');
    const stale = await c.call('POST', 'capacity-changes', 'planner', secondShift, { 'if-match': '"0"' });
    expect(stale.statusCode).toBe(412);
    expect(await c.version()).toBe(v);
    expect(await list()).toEqual([]);

    const id = (await c.call('POST', 'capacity-changes', 'planner', secondShift)).json().change.id as string;
    const end = async (body: object) => c.call('POST', `capacity-changes/${id}/end`, 'planner', body);
    expect((await end({ from: '2026-11-20' })).statusCode).toBe(400);
    expect((await end({})).statusCode).toBe(400);
    expect((await end({ from: '2027-01-11' })).statusCode).toBe(409); // no day left after the range
    const single = await c.call('POST', 'capacity-changes', 'planner', {
      resource: 'saw',
      kind: 'overtime',
      date: '2026-11-26',
      start: '22:00',
      end: '23:00',
      reason: 'catch up',
    });
    expect(single.statusCode).toBe(201);
    expect((await c.call('POST', `capacity-changes/${single.json().change.id}/end`, 'planner', { from: '2026-11-26' })).statusCode).toBe(
      409,
    );
    for (const role of ['sales', 'erp', 'admin'] as const)
      expect((await c.call('POST', `capacity-changes/${id}/end`, role, { from: '2026-12-01' })).statusCode).toBe(403);
  });
});
