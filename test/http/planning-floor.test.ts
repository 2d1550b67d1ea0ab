import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// Monday 2026-11-23 09:00 Berlin; the drum works 06:00–22:00 Mon–Fri; PB 4 → rope ⌈4/2⌉ = 2 working days.
describe.each(databaseKinds())('the floor and the rope on %s', (kind) => {
  let t: TestApp;
  // Each test has a plant of its own with the same two orders, and starts at Monday 09:00.
  let c: ReturnType<typeof client>;
  let plants = 0;
  let x: { id: string };
  let y: { id: string };
  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-23T08:00:00Z', kind });
  });
  beforeEach(async () => {
    t.clock.set('2026-11-23T08:00:00Z');
    const id = `floor-${++plants}`;
    await seedPlant(t, id);
    c = client(() => t, id);
    // X (2910 minutes) fills Monday 780 + Tuesday + Wednesday 1920 + 210 on Thursday; Y starts on Thursday.
    x = await c.order({ quantity: 288, promiseDate: '2026-12-11' });
    y = await c.order({ quantity: 1, promiseDate: '2026-12-18' });
  });
  afterAll(async () => t.close());

  it('lists material to release by the rope date, in drum order', async () => {
    const today = await c.call('GET', 'release-list', 'planner');
    expect(today.statusCode).toBe(200);
    expect(today.json()).toMatchObject({
      date: '2026-11-23',
      items: [{ priority: 1, orderId: x.id, releaseDate: '2026-11-23', overdue: false }],
    });
    // Y's drum start is Thursday: its material goes out two working days before, on Tuesday.
    const tuesday = (await c.call('GET', 'release-list?date=2026-11-24', 'erp')).json();
    expect(tuesday.items.map((i: { orderId: string; releaseDate: string }) => [i.orderId, i.releaseDate])).toEqual([
      [x.id, '2026-11-23'],
      [y.id, '2026-11-24'],
    ]);
    expect((await c.call('GET', 'release-list?date=2026-11-20', 'planner')).statusCode).toBe(400);
    expect((await c.call('GET', 'release-list', 'sales')).statusCode).toBe(403);
  });

  it('releases on the rope date for anyone on the floor; earlier only for a planner, flagged in the event', async () => {
    const onTime = await c.call('POST', `orders/${x.id}/release`, 'erp');
    expect(onTime.statusCode).toBe(200);
    expect(onTime.json()).toMatchObject({ status: 'released', releasedAt: '2026-11-23T08:00:00.000Z' });
    expect((await c.events()).at(-1)).toMatchObject({ type: 'order.released', orderId: x.id, data: { early: false } });

    expect((await c.call('POST', `orders/${y.id}/release`, 'erp')).statusCode).toBe(403);
    const early = await c.call('POST', `orders/${y.id}/release`, 'planner', { reason: 'material on hand' });
    expect(early.statusCode).toBe(200);
    expect((await c.events()).at(-1)).toMatchObject({
      type: 'order.released',
      orderId: y.id,
      data: { early: true, ropeReleaseDate: '2026-11-24', releasedOn: '2026-11-23', workingDaysEarly: 1, reason: 'material on hand' },
    });
    expect((await c.call('POST', `orders/${y.id}/release`, 'planner')).statusCode).toBe(409);
    expect((await c.call('GET', 'release-list?date=2026-11-24', 'planner')).json().items).toEqual([]);
  });

  it('progress shrinks the remaining drum load and reschedules; completion and shipping close the order', async () => {
    const v = await c.version();
    const done = await c.call('POST', `orders/${x.id}/progress`, 'erp', { drumMinutesDone: 910 });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ status: 'in_progress', drumDoneMinutes: 910, scheduleVersion: v + 1 });
    const schedule = (await c.call('GET', 'schedule', 'planner')).json();
    expect(schedule.orders[0]).toMatchObject({ id: x.id, drumLoadMinutes: 2000 });
    // 2000 minutes from Monday 09:00: Monday 780 + Tuesday 960 + 260 on Wednesday → 10:20 Berlin.
    expect(schedule.orders[0].plannedFinish).toBe('2026-11-25T09:20:00.000Z');
    expect((await c.call('POST', `orders/${x.id}/progress`, 'planner', { drumMinutesDone: 900 })).statusCode).toBe(400);
    expect((await c.call('POST', `orders/${x.id}/progress`, 'planner', { drumMinutesDone: 2911 })).statusCode).toBe(400);
    expect((await c.call('POST', `orders/${x.id}/progress`, 'sales', { drumMinutesDone: 1000 })).statusCode).toBe(403);

    const quoteBefore = (await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 100 })).json().earliestPromiseDate;
    t.clock.set('2026-12-10T10:00:00Z');
    const completed = await c.call('POST', `orders/${x.id}/complete`, 'planner');
    expect(completed.json()).toMatchObject({ status: 'completed', drumDoneMinutes: 2910 });
    // Due end of Friday 12-11; buffer Tue 12-08..Fri 12-11 = 3840; left Thu 11:00–22:00 + Fri = 660 + 960.
    expect((await c.events()).at(-1)).toMatchObject({
      type: 'order.completed',
      data: { zone: 'yellow', penetration: ((3840 - 1620) / 3840) * 100 },
    });
    t.clock.set('2026-11-23T08:00:00Z');
    expect((await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 100 })).json().earliestPromiseDate <= quoteBefore).toBe(true);

    t.clock.set('2026-12-11T15:00:00Z');
    const shipped = await c.call('POST', `orders/${x.id}/ship`, 'erp');
    expect(shipped.json()).toMatchObject({ status: 'shipped' });
    expect((await c.events()).at(-1)).toMatchObject({ type: 'order.shipped', data: { shippedDate: '2026-12-11', promiseKept: true } });
    expect((await c.call('POST', `orders/${x.id}/ship`, 'erp')).statusCode).toBe(409);

    // Y ships late, without a separate completion report.
    t.clock.set('2026-12-21T09:00:00Z');
    await c.call('POST', `orders/${y.id}/ship`, 'planner');
    expect((await c.events()).at(-1)).toMatchObject({ type: 'order.shipped', orderId: y.id, data: { promiseKept: false } });
    t.clock.set('2026-11-23T08:00:00Z');
  });
});
