import { describe, expect, it } from 'vitest';
import { findOrder } from '../../src/db/repos/orders.ts';
import { releaseOrder, reportProgress } from '../../src/domain/planning/floor.ts';
import { repromiseOrder } from '../../src/domain/planning/repromise.ts';
import { putProduct } from '../../src/domain/products.ts';
import { storedDemand } from '../../src/domain/promising/evaluate.ts';
import { recommitRoute } from '../../src/domain/promising/reserve.ts';
import { toMinute } from '../../src/domain/schedule/plant-cache.ts';
import { planner, plantMaker, reserveIn, START, useWriter, writerKinds } from '../helpers/writer-plant.ts';

// recommitRoute on a routing with two operations before the drum and one after (PRE2: saw,
// saw, cnc, saw): the kept work ends at the later of its two ends, the drum op comes back whole
// at its position, the work after the drum is planned again at its own; and a confirmed order
// re-promised later is planned again as a whole (nothing kept, its release moves).

describe.each(writerKinds())('recommitRoute on a longer routing on %s', (kind) => {
  const h = useWriter(kind);

  const newPlant = plantMaker(h, 'rl', async (id) => {
    await putProduct(h.deps, null, id, 'PRE2', {
      name: 'Two saw cuts, the drum, a last cut',
      routing: [
        { resource: 'saw', setupMinutes: 5, runMinutesPerUnit: 1 },
        { resource: 'saw', setupMinutes: 30, runMinutesPerUnit: 2 },
        { resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 },
        { resource: 'saw', setupMinutes: 2, runMinutesPerUnit: 1 },
      ],
    });
  });
  async function released(plant: string, quantity: number) {
    h.clock.set(START);
    const o = (await h.writer.write(plant, planner, (ctx) => reserveIn(ctx, { quantity, sku: 'PRE2' }, { promiseDate: '2026-12-04' })))
      .result;
    const plan = h.cache.peek(plant)!.route!.get(o.id)!;
    h.clock.set(new Date(Math.max(toMinute(new Date(START)), plan.plannedRelease!) * 60_000));
    await releaseOrder(h.deps, plant, planner, o.id);
    h.clock.advance(30 * 60_000);
    return { o, before: h.cache.peek(plant)!.route!.get(o.id)! };
  }
  const replan = (plant: string, id: string, date: string, forget = false) =>
    h.writer.write(plant, planner, async (ctx) => {
      const row = (await findOrder(ctx.tx, plant, id))!;
      const d = storedDemand(ctx.state, row);
      if (forget) {
        ctx.state.route!.remove(id);
        ctx.state.book!.remove(id);
      }
      const { plan } = recommitRoute(ctx, row, d, date, 'test');
      return { plan, rec: ctx.state.route!.get(id)! };
    });

  it('released: both cuts kept, ready at the later end, the drum op whole, the last cut planned again', async () => {
    const plant = await newPlant();
    const { o, before } = await released(plant, 3);
    const [cut1, cut2] = before.ops;
    expect(cut2!.end).toBeGreaterThan(cut1!.end!);
    const { plan, rec } = (await replan(plant, o.id, '2026-12-10')).result;
    expect(rec.ops.slice(0, 2)).toEqual([cut1, cut2]);
    expect(rec.ops[2]).toEqual({ position: 2, resource: 'cnc', minutes: 60, start: null, end: null });
    expect(rec.ops[3]).toMatchObject({ position: 3, resource: 'saw', minutes: 5 });
    expect(rec.ops[3]!.start).not.toBeNull();
    expect(rec.ready).toBe(cut2!.end);
    expect(plan.ops).toEqual(rec.ops);
    expect(plan.ready).toBe(cut2!.end);
    expect(rec.drumLoad).toBe(60);
  });

  it('in progress: the drum minutes left are planned, the kept cuts and the last cut at their positions', async () => {
    const plant = await newPlant();
    const { o, before } = await released(plant, 3);
    await reportProgress(h.deps, plant, planner, o.id, 20);
    const { plan, rec } = (await replan(plant, o.id, '2026-12-10')).result;
    expect(rec.drumLoad).toBe(40);
    expect(rec.ops.slice(0, 2)).toEqual(before.ops.slice(0, 2));
    expect(rec.ops[2]).toEqual({ position: 2, resource: 'cnc', minutes: 60, start: null, end: null });
    expect(rec.ops[3]).toMatchObject({ position: 3, resource: 'saw', minutes: 5 });
    expect(plan.ops.map((op) => op.position)).toEqual([0, 1, 2, 3]);
  });

  it('released and off both books: planned again as a whole from now', async () => {
    const plant = await newPlant();
    const { o, before } = await released(plant, 3);
    const { rec } = (await replan(plant, o.id, '2026-12-10', true)).result;
    expect(rec.ops.map((op) => [op.position, op.resource, op.minutes])).toEqual([
      [0, 'saw', 8],
      [1, 'saw', 36],
      [2, 'cnc', 60],
      [3, 'saw', 5],
    ]);
    expect(rec.ops[0]!.start).toBeGreaterThanOrEqual(toMinute(h.clock.now()));
    expect(rec.plannedRelease).toBe(before.plannedRelease);
  });

  it('a confirmed order re-promised much later is planned again as a whole: its cuts and release move', async () => {
    const plant = await newPlant();
    h.clock.set(START);
    const o = (await h.writer.write(plant, planner, (ctx) => reserveIn(ctx, { quantity: 3, sku: 'PRE2' }, { promiseDate: '2026-12-01' })))
      .result;
    const before = h.cache.peek(plant)!.route!.get(o.id)!;
    await repromiseOrder(h.deps, plant, planner, o.id, { promiseDate: '2027-01-20', reason: 'later' });
    const after = h.cache.peek(plant)!.route!.get(o.id)!;
    expect(after.plannedRelease).toBeGreaterThan(before.plannedRelease!);
    expect(after.ops[0]!.start).toBeGreaterThan(before.ops[0]!.start!);
    expect(after.ops[2]).toMatchObject({ resource: 'cnc', minutes: 60 });
    expect(toMinute((await findOrder(h.db.db, plant, o.id))!.planned_release_at!)).toBe(after.plannedRelease);
  });
});
