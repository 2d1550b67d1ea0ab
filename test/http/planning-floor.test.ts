import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// Monday 2026-11-23 09:00 Berlin; the drum works 06:00–22:00 Mon–Fri; PB 4, SB 2.
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

  // The rope is the route plan's planned release (design note whole-route.md §7), stored at
  // commit: PB working days before the promise at the drum's first shift (06:00), earlier
  // when the drum work must start earlier to finish by the drum deadline. Under the old rule
  // (drum start − ⌈PB/2⌉ working days) X went out today and Y on Tuesday; now:
  // - X (2910 minutes, drum deadline end of Wed 12-09) must start by Fri 12-04 21:30 Berlin
  //   (Wed + Tue + Mon 2880 + the last 30 minutes of Friday), before Mon 12-07 06:00;
  // - Y (40 minutes, promise Fri 12-18) goes out at Mon 12-14 06:00 Berlin (05:00Z).
  it('lists material to release by the rope date, in release order', async () => {
    const today = await c.call('GET', 'release-list', 'planner');
    expect(today.statusCode).toBe(200);
    expect(today.json()).toMatchObject({ date: '2026-11-23', items: [] });
    const friday = (await c.call('GET', 'release-list?date=2026-12-04', 'erp')).json();
    expect(friday.items).toMatchObject([
      {
        priority: 1,
        orderId: x.id,
        plannedRelease: '2026-12-04T20:30:00.000Z',
        releaseDate: '2026-12-04',
        queueMinutes: 0,
        plannedDrumStart: '2026-12-04T20:30:00.000Z',
        projectedFinish: '2026-12-09T21:00:00.000Z',
        drumLoadMinutes: 2910,
        overdue: false,
      },
    ]);
    const monday = (await c.call('GET', 'release-list?date=2026-12-14', 'erp')).json();
    expect(monday.items.map((i: { orderId: string; releaseDate: string }) => [i.orderId, i.releaseDate])).toEqual([
      [x.id, '2026-12-04'],
      [y.id, '2026-12-14'],
    ]);
    expect(monday.items[1]).toMatchObject({ plannedRelease: '2026-12-14T05:00:00.000Z', projectedFinish: '2026-12-14T05:40:00.000Z' });
    expect((await c.call('GET', 'release-list?date=2026-11-20', 'planner')).statusCode).toBe(400);
    expect((await c.call('GET', 'release-list', 'sales')).statusCode).toBe(403);
  });

  it('pages the release list in release order on request', async () => {
    const ids = async (query: string) => {
      const res = await c.call('GET', `release-list?date=2026-12-14&${query}`, 'floor');
      expect(res.statusCode).toBe(200);
      const body = res.json() as { total: number; nextOffset: number | null; items: { orderId: string; priority: number }[] };
      return { total: body.total, nextOffset: body.nextOffset, items: body.items.map((i) => [i.orderId, i.priority]) };
    };
    expect(await ids('')).toEqual({
      total: 2,
      nextOffset: null,
      items: [
        [x.id, 1],
        [y.id, 2],
      ],
    });
    expect(await ids('limit=1')).toEqual({ total: 2, nextOffset: 1, items: [[x.id, 1]] });
    expect(await ids('limit=1&offset=1')).toEqual({ total: 2, nextOffset: null, items: [[y.id, 2]] });
    expect(await ids('offset=2')).toEqual({ total: 2, nextOffset: null, items: [] });
    for (const bad of ['limit=0', 'limit=1001', 'offset=-1'])
      expect((await c.call('GET', `release-list?${bad}`, 'floor')).statusCode, bad).toBe(400);
  });

  it('shows the rope and the projected finish on the schedule', async () => {
    const schedule = (await c.call('GET', 'schedule', 'planner')).json();
    expect(
      schedule.orders.map((o: { id: string; plannedRelease: string; releaseDate: string; projectedFinish: string }) => [
        o.id,
        o.plannedRelease,
        o.releaseDate,
        o.projectedFinish,
      ]),
    ).toEqual([
      [x.id, '2026-12-04T20:30:00.000Z', '2026-12-04', '2026-12-09T21:00:00.000Z'],
      [y.id, '2026-12-14T05:00:00.000Z', '2026-12-14', '2026-12-14T05:40:00.000Z'],
    ]);
  });

  it('keeps far orders off today’s list; one due within its buffer is on it, and overdue the next day', async () => {
    // Wed 2027-01-20, PB 4: Thu 01-14 at the drum's 06:00 Berlin shift start (05:00Z).
    const far = await c.order({ quantity: 10, promiseDate: '2027-01-20' });
    // Fri 11-27 is within PB 4 of now: its rope (Mon 11-23 06:00) has passed, so it is now. (The
    // nearest date there is: the floor is max(LT 2, PB 4) = 4 working days, issue 12 item 8.)
    const near = await c.order({ quantity: 10, promiseDate: '2026-11-27' });
    const today = (await c.call('GET', 'release-list', 'planner')).json();
    expect(today.items.map((i: { orderId: string }) => i.orderId)).toEqual([near.id]);
    expect(today.items[0]).toMatchObject({ plannedRelease: '2026-11-23T08:00:00.000Z', releaseDate: '2026-11-23', overdue: false });
    const farEntry = (await c.call('GET', 'release-list?date=2027-01-14', 'planner'))
      .json()
      .items.find((i: { orderId: string }) => i.orderId === far.id);
    expect(farEntry).toMatchObject({ plannedRelease: '2027-01-14T05:00:00.000Z', releaseDate: '2027-01-14', overdue: false });
    expect(
      (await c.call('GET', 'release-list?date=2027-01-13', 'planner')).json().items.map((i: { orderId: string }) => i.orderId),
    ).not.toContain(far.id);

    // A day later, still not released: overdue, and its projected finish has not moved earlier.
    t.clock.set('2026-11-24T08:00:00Z');
    const tuesday = (await c.call('GET', 'release-list', 'planner')).json();
    const late = tuesday.items.find((i: { orderId: string }) => i.orderId === near.id);
    expect(late).toMatchObject({ plannedRelease: '2026-11-23T08:00:00.000Z', overdue: true });
    expect(Date.parse(late.projectedFinish)).toBeGreaterThanOrEqual(Date.parse(today.items[0].projectedFinish));
    expect(late.queueMinutes).toBeGreaterThanOrEqual(24 * 60);
  });

  // Releasing on the rope date needs the clock there now (under the old rule it was today for X).
  it('releases on the rope date for anyone on the floor; earlier only for a planner, flagged in the event', async () => {
    t.clock.set('2026-12-04T08:00:00Z');
    const onTime = await c.call('POST', `orders/${x.id}/release`, 'erp');
    expect(onTime.statusCode).toBe(200);
    expect(onTime.json()).toMatchObject({ status: 'released', releasedAt: '2026-12-04T08:00:00.000Z' });
    expect((await c.events()).at(-1)).toMatchObject({ type: 'order.released', orderId: x.id, data: { early: false } });

    expect((await c.call('POST', `orders/${y.id}/release`, 'erp')).statusCode).toBe(403);
    const early = await c.call('POST', `orders/${y.id}/release`, 'planner', { reason: 'material on hand' });
    expect(early.statusCode).toBe(200);
    // Y's rope is Mon 12-14: Fri 12-04 and Mon–Fri 12-07..12-11 are six working days early.
    expect((await c.events()).at(-1)).toMatchObject({
      type: 'order.released',
      orderId: y.id,
      data: { early: true, ropeReleaseDate: '2026-12-14', releasedOn: '2026-12-04', workingDaysEarly: 6, reason: 'material on hand' },
    });
    expect((await c.call('POST', `orders/${y.id}/release`, 'planner')).statusCode).toBe(409);
    expect((await c.call('GET', 'release-list?date=2026-12-14', 'planner')).json().items).toEqual([]);
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
