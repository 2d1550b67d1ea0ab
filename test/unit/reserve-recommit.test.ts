import { describe, expect, it } from 'vitest';
import { findOrder, type OrderRow } from '../../src/db/repos/orders.ts';
import { putBufferPolicy } from '../../src/domain/buffer-policy.ts';
import { releaseOrder, reportProgress } from '../../src/domain/planning/floor.ts';
import { storedDemand } from '../../src/domain/promising/evaluate.ts';
import { guardPinned, recommitRoute } from '../../src/domain/promising/reserve.ts';
import { PlantCache, toMinute } from '../../src/domain/schedule/plant-cache.ts';
import { ScheduleWriter, type WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { QueryCounter } from '../helpers/query-counter.ts';
import { planner, plantMaker, reserveIn, START, useWriter, writerKinds } from '../helpers/writer-plant.ts';

// recommitRoute for orders with work begun (promising/reserve.ts): a released or in-progress
// order of a product with work before the drum (SAWN: saw, then the drum), with its stored
// plan or without it; the pinned-order guard for an order frozen at the head; refusals in the
// order they are checked; and a new order's operations written without a delete first.

describe.each(writerKinds())('recommitRoute with work begun on %s', (kind) => {
  const h = useWriter(kind);

  const newPlant = plantMaker(h, 'rr');
  const write = <T>(plant: string, fn: (ctx: WriteContext) => Promise<T>) => h.writer.write(plant, planner, fn);
  /** A SAWN order released at its rope time, `minutes` later now. */
  async function released(plant: string, quantity = 2, minutes = 180) {
    h.clock.set(START);
    const o = (await write(plant, (ctx) => reserveIn(ctx, { quantity, sku: 'SAWN' }, { promiseDate: '2026-12-01' }))).result;
    const plan = h.cache.peek(plant)!.route!.get(o.id)!;
    h.clock.set(new Date(Math.max(toMinute(new Date(START)), plan.plannedRelease!) * 60_000));
    await releaseOrder(h.deps, plant, planner, o.id);
    h.clock.advance(minutes * 60_000);
    return { o, plan: h.cache.peek(plant)!.route!.get(o.id)! };
  }
  /** Re-plans the order for `date` in a write; `forget`: without its stored plan (a capacity change took it). */
  const replan = (plant: string, id: string, date: string, forget = false) =>
    write(plant, async (ctx) => {
      const row = (await findOrder(ctx.tx, plant, id))!;
      const d = storedDemand(ctx.state, row);
      if (forget) ctx.state.route!.remove(id);
      const { plan } = recommitRoute(ctx, row, d, date, 'test');
      return { row, d, plan, rec: ctx.state.route!.get(id)!, load: ctx.state.book!.get(id)?.load };
    });

  it('released with its plan: the saw work stays as planned, the drum and after are placed from its end', async () => {
    const plant = await newPlant();
    const { plan: before } = await released(plant);
    const saw = before.ops[0]!;
    expect(saw.end).not.toBeNull();
    const { plan, rec } = (await replan(plant, before.id, '2026-12-08')).result;
    expect(rec.ops[0]).toEqual(saw);
    expect(rec.ops[1]).toMatchObject({ position: 1, resource: 'cnc', minutes: 50 });
    expect(plan.ops).toEqual(rec.ops);
    expect(rec.ready).toBe(saw.end);
    expect(plan.ready).toBe(saw.end);
    expect(rec.plannedRelease).toBe(before.plannedRelease);
    expect(plan.plannedRelease).toBe(before.plannedRelease);
    expect(rec.promiseDate).toBe('2026-12-08');
  });

  it('released without its plan: planned again as a whole, from now, with the release it had', async () => {
    const plant = await newPlant();
    const { o, plan: before } = await released(plant);
    const { plan, rec, row } = (await replan(plant, o.id, '2026-12-08', true)).result;
    expect(rec.ops.map((op) => [op.position, op.resource, op.minutes])).toEqual([
      [0, 'saw', 7],
      [1, 'cnc', 50],
    ]);
    expect(rec.ops[0]!.start).toBeGreaterThanOrEqual(toMinute(h.clock.now()));
    expect(rec.plannedRelease).toBe(toMinute(row.planned_release_at!));
    expect(rec.plannedRelease).toBe(before.plannedRelease);
    expect(plan.plannedRelease).toBe(rec.plannedRelease);
    expect(plan.ops).toEqual(rec.ops.map((op) => expect.objectContaining({ resource: op.resource, minutes: op.minutes })));
  });

  it('in progress with its plan: only the drum minutes left are booked; the saw work kept, the drum op whole', async () => {
    const plant = await newPlant();
    const { o, plan: before } = await released(plant, 4, 60);
    await reportProgress(h.deps, plant, planner, o.id, 30);
    const { plan, rec, row, load } = (await replan(plant, o.id, '2026-12-08')).result;
    expect(row.status).toBe('in_progress');
    expect(load).toBe(70 - 30);
    expect(rec.ops[0]).toEqual(before.ops[0]);
    expect(rec.ops[1]).toEqual({ position: 1, resource: 'cnc', minutes: 70, start: null, end: null });
    expect(plan.ops).toEqual(rec.ops);
    expect(rec.ready).toBe(before.ops[0]!.end);
  });

  it('in progress without its plan: the saw work is done (zero minutes), the drum op whole', async () => {
    const plant = await newPlant();
    const { o } = await released(plant, 4, 60);
    await reportProgress(h.deps, plant, planner, o.id, 30);
    const { rec, load } = (await replan(plant, o.id, '2026-12-08', true)).result;
    expect(load).toBe(40);
    expect(rec.ops[0]).toEqual({ position: 0, resource: 'saw', minutes: 0, start: null, end: null });
    expect(rec.ops[1]).toEqual({ position: 1, resource: 'cnc', minutes: 70, start: null, end: null });
  });

  it('a date the re-plan cannot keep is refused, and the order keeps its place on the drum', async () => {
    const plant = await newPlant();
    const o = (await write(plant, (ctx) => reserveIn(ctx, { quantity: 2 }, { promiseDate: '2026-12-01' }))).result;
    const load = h.cache.peek(plant)!.book!.get(o.id)!;
    await expect(replan(plant, o.id, '2026-11-23')).rejects.toMatchObject({ kind: 'schedule-infeasible', message: /^test cannot be kept/ });
    expect(h.cache.peek(plant)!.book!.get(o.id)).toEqual(load);
  });

  it('an order frozen at the head (pinned, not in progress) is guarded too', async () => {
    const plant = await newPlant();
    await putBufferPolicy(h.deps, null, plant, {
      productionBufferDays: 2,
      shippingBufferDays: 1,
      standardLeadTimeDays: 2,
      frozenWindowMinutes: 480,
    });
    h.clock.set(START);
    const o = (await write(plant, (ctx) => reserveIn(ctx, { quantity: 2 }))).result;
    h.clock.set(new Date(Math.max(o.planned_release_at!.getTime(), new Date(START).getTime())));
    const out = await write(plant, async (ctx) => {
      const row = (await findOrder(ctx.tx, plant, o.id)) as OrderRow;
      return { pinned: row.pinned, status: row.status, guard: guardPinned(ctx, row) };
    });
    h.clock.set(START);
    expect(out.result.pinned).toBe(true);
    expect(out.result.status).toBe('confirmed');
    expect(out.result.guard).toBeTypeOf('function');
  });

  it('the guard refuses what makes another order late, with the evaluation it was given', async () => {
    const plant = await newPlant();
    h.clock.set(START);
    const o = (await write(plant, (ctx) => reserveIn(ctx, { quantity: 2 }, { promiseDate: '2026-12-10' }))).result;
    await reportProgress(h.deps, plant, planner, o.id, 10);
    await write(plant, (ctx) => reserveIn(ctx, { quantity: 1 }));
    const e = { earliestPromiseDate: '2027-01-04', requestedDate: null, requestedDateFeasible: true } as never;
    await expect(
      write(plant, async (ctx) => {
        const row = (await findOrder(ctx.tx, plant, o.id))!;
        const guard = guardPinned(ctx, row)!;
        expect(guard(e, 'before')).toBeUndefined();
        // The order in progress grows at the head of the drum: the next one is late now.
        await ctx.orders.update(row.id, {
          drum_load_minutes: 3000,
          promise_date: '2027-01-29',
          drum_deadline: new Date('2027-01-28T22:00:00Z'),
        });
        guard(e, 'growing');
      }),
    ).rejects.toMatchObject({
      kind: 'schedule-infeasible',
      message: /^growing cannot be kept/,
      extensions: { earliestPromiseDate: '2027-01-04' },
    });
  });

  it('an external id taken and a date that cannot be kept: the date is refused first', async () => {
    const plant = await newPlant();
    h.clock.set(START);
    await write(plant, (ctx) => reserveIn(ctx, { quantity: 1 }, { externalId: 'T-1' }));
    await expect(
      write(plant, (ctx) => reserveIn(ctx, { quantity: 1 }, { externalId: 'T-1', promiseDate: '2026-11-23' })),
    ).rejects.toMatchObject({
      kind: 'schedule-infeasible',
    });
  });

  it("a new order's operations are inserted without deleting any first", async () => {
    const plant = await newPlant();
    h.clock.set(START);
    const counter = new QueryCounter('order_operations');
    const w = new ScheduleWriter({ db: h.db.db.withPlugin(counter), clock: h.clock, cache: new PlantCache() });
    const o = (await w.write(plant, planner, (ctx) => reserveIn(ctx, { quantity: 1, sku: 'SAWN' }))).result;
    expect(counter.count).toBe(0);
    expect(await h.db.db.selectFrom('order_operations').select('position').where('order_id', '=', o.id).execute()).toHaveLength(2);
  });
});
