import { describe, expect, it } from 'vitest';
import { workingTimeFromIntervals } from '../../src/engine/index.ts';
import { workingIntervals } from '../../src/domain/planning/timeline.ts';
import { databaseKinds, plantPerTest } from '../helpers/planning.ts';

interface Interval {
  orderId: string;
  status: string;
  holdExpiresAt: string | null;
  start: string;
  end: string | null;
  minutes: number;
  position: number;
}
interface Resource {
  id: string;
  name: string;
  isDrum: boolean;
  calendar: { start: string; end: string }[];
  intervals: Interval[];
  overloadedDays: unknown[];
}

// Monday 2026-11-23 09:00 Berlin; both resources work 06:00–22:00 Mon–Fri (two shifts); PB 4, SB 2.
describe.each(databaseKinds())('the timeline on %s', (kind) => {
  const ctx = plantPerTest(kind, 'timeline', { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2 });

  it('shows every resource’s working stretches and the planned intervals of open orders, as their plans say', async () => {
    const { c } = ctx;
    const sawn = await c.order({ quantity: 3, promiseDate: '2026-12-11', sku: 'SAWN' });
    const hold = await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 2, customer: 'ACME' });
    expect(hold.statusCode).toBe(201);
    const res = await c.call('GET', 'timeline', 'planner');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ plant: ctx.plant, from: '2026-11-23', to: '2026-12-21', frozenUntil: expect.any(String) });
    expect(body.plantVersion).toBe(await c.version());
    const byId = new Map<string, Resource>(body.resources.map((r: Resource) => [r.id, r]));
    expect([...byId.keys()].sort()).toEqual(['cnc', 'saw']);
    expect(byId.get('cnc')).toMatchObject({ name: 'CNC', isDrum: true, overloadedDays: [] });
    expect(byId.get('saw')!.isDrum).toBe(false);
    // The two shifts are one stretch a weekday: 06:00–22:00 Berlin, 21 weekdays in the range.
    const cal = byId.get('saw')!.calendar;
    expect(cal).toHaveLength(21);
    expect(cal[0]).toEqual({ start: '2026-11-23T05:00:00.000Z', end: '2026-11-23T21:00:00.000Z' });
    expect(cal.at(-1)).toEqual({ start: '2026-12-21T05:00:00.000Z', end: '2026-12-21T21:00:00.000Z' });

    const plan = (await c.call('GET', `orders/${sawn.id}/plan`, 'planner')).json();
    const shown = [...byId.values()].flatMap((r) =>
      r.intervals.filter((i) => i.orderId === sawn.id).map((i) => ({ ...i, resource: r.id })),
    );
    expect(shown.sort((a, b) => a.position - b.position)).toEqual(
      plan.operations.map((op: { position: number; resource: string; minutes: number; start: string; end: string }) => ({
        orderId: sawn.id,
        status: 'confirmed',
        holdExpiresAt: null,
        start: op.start,
        end: op.end,
        minutes: op.minutes,
        position: op.position,
        resource: op.resource,
      })),
    );
    const held = byId.get('cnc')!.intervals.find((i) => i.orderId === hold.json().id)!;
    expect(held).toMatchObject({ status: 'held', holdExpiresAt: hold.json().expiresAt });
    const starts = byId.get('cnc')!.intervals.map((i) => i.start);
    expect(starts).toEqual([...starts].sort());
  });

  it('keeps to the requested range and refuses ranges out of bounds', async () => {
    const { c } = ctx;
    await c.order({ quantity: 1, promiseDate: '2026-12-11' });
    const one = (await c.call('GET', 'timeline?from=2026-11-28&to=2026-11-29', 'floor')).json();
    // A weekend: no working stretch, nothing planned.
    for (const r of one.resources as Resource[]) expect([r.calendar, r.intervals]).toEqual([[], []]);
    expect((await c.call('GET', 'timeline?from=2026-11-24', 'admin')).json().to).toBe('2026-12-22');
    expect((await c.call('GET', 'timeline?from=2026-11-23&to=2027-02-22', 'planner')).statusCode).toBe(200); // 92 days
    const long = await c.call('GET', 'timeline?from=2026-11-23&to=2027-02-23', 'planner');
    expect(long.statusCode).toBe(400);
    expect(long.json().errors[0]).toMatchObject({ field: 'querystring.to' });
    expect((await c.call('GET', 'timeline?from=2026-12-02&to=2026-12-01', 'planner')).statusCode).toBe(400);
    expect((await c.call('GET', 'timeline?from=2026-02-30', 'planner')).statusCode).toBe(400);
    expect((await c.call('GET', 'timeline?from=2040-01-01&to=2040-01-02', 'planner')).statusCode).toBe(400);
    expect((await c.call('GET', '/v1/plants/nowhere/timeline', 'planner')).statusCode).toBe(404);
  });

  it('is for planners, the floor and admins', async () => {
    const { c } = ctx;
    for (const [role, status] of [
      ['planner', 200],
      ['floor', 200],
      ['admin', 200],
      ['sales', 403],
      ['erp', 403],
    ] as const) {
      expect((await c.call('GET', 'timeline', role)).statusCode, role).toBe(status);
    }
  });

  it('answers 304 to an unchanged schedule version and range, 200 once the schedule changes', async () => {
    const { c } = ctx;
    const first = await c.call('GET', 'timeline', 'planner');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"\d+-2026-11-23-2026-12-21"$/);
    expect((await c.call('GET', 'timeline', 'planner', undefined, { 'if-none-match': etag })).statusCode).toBe(304);
    expect((await c.call('GET', 'timeline?to=2026-12-22', 'planner', undefined, { 'if-none-match': etag })).statusCode).toBe(200);
    await c.order({ quantity: 1, promiseDate: '2026-12-11' });
    const after = await c.call('GET', 'timeline', 'planner', undefined, { 'if-none-match': etag });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
  });
});

describe('working stretches of a calendar', () => {
  it('merges adjacent intervals, splits at gaps and clips to the range', () => {
    const wt = workingTimeFromIntervals([
      [100, 110],
      [110, 130],
      [150, 160],
      [200, 300],
    ]);
    expect(workingIntervals(wt, 0, 1000)).toEqual([
      [100, 130],
      [150, 160],
      [200, 300],
    ]);
    expect(workingIntervals(wt, 105, 250)).toEqual([
      [105, 130],
      [150, 160],
      [200, 250],
    ]);
    expect(workingIntervals(wt, 130, 150)).toEqual([]);
    expect(workingIntervals(wt, 400, 500)).toEqual([]);
  });
});
