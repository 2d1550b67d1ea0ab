import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findOrder } from '../../src/db/repos/orders.ts';
import type { Actor } from '../../src/domain/actor.ts';
import { repromiseOrder } from '../../src/domain/planning/repromise.ts';
import { releaseOrder, reportProgress } from '../../src/domain/planning/floor.ts';
import { engineOf, evaluate, resolveDemand, storedDemand } from '../../src/domain/promising/evaluate.ts';
import { guardPinned, orderEventData, planColumns, recommitRoute, reserve } from '../../src/domain/promising/reserve.ts';
import { fromMinute, toMinute } from '../../src/domain/schedule/plant-cache.ts';
import type { WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { planner, plantMaker, reserveIn, sales, START, useWriter, writerKinds } from '../helpers/writer-plant.ts';

// promising/reserve.ts without HTTP: the row a new order is stored as (every column reserve
// sets), holds and their expiry, refusals that write nothing, and re-planning an order
// (recommitRoute) that is confirmed, released or in progress, with the pinned-order guard.

describe.each(writerKinds())('reserve and recommitRoute on %s', (kind) => {
  const h = useWriter(kind);

  const newPlant = plantMaker(h, 'r');
  const write = <T>(plant: string, fn: (ctx: WriteContext) => Promise<T>, actor: Actor | null = planner) =>
    h.writer.write(plant, actor, fn);
  const opsOf = (plant: string, id: string) =>
    h.db.db
      .selectFrom('order_operations')
      .select(['position', 'resource_id', 'minutes', 'start_at', 'end_at'])
      .where('plant_id', '=', plant)
      .where('order_id', '=', id)
      .orderBy('position')
      .execute();
  const demandOf = (ctx: WriteContext, quantity: number, sku = 'P1', materialAvailableDate?: string) =>
    resolveDemand(ctx.state, { sku, quantity, materialAvailableDate }, { maxOrderQuantity: 1000 });

  it('a confirmed order asked for a date: every column as the plan and the input set it, its operations stored', async () => {
    const plant = await newPlant();
    const quoteId = randomUUID();
    const out = await write(
      plant,
      async (ctx) => {
        const d = demandOf(ctx, 3, 'SAWN', '2026-11-24');
        const row = await reserve(ctx, d, {
          status: 'confirmed',
          promiseDate: '2026-12-04',
          customer: 'acme',
          customerId: 'C-1',
          externalId: 'E-1',
          quoteId,
        });
        ctx.emit({ type: 'order.created', orderId: row.id, data: orderEventData(row) });
        return { row, plan: ctx.state.route!.get(row.id)!, seq: row.seq, nextSeq: ctx.nextSeq() };
      },
      sales,
    );
    const { row, plan } = out.result;
    expect(out.result.nextSeq).toBe(row.seq + 1);
    expect(row).toMatchObject({
      status: 'confirmed',
      sku: 'SAWN',
      quantity: 3,
      customer: 'acme',
      customer_id: 'C-1',
      external_id: 'E-1',
      requested_date: '2026-12-04',
      promise_date: '2026-12-04',
      original_promise_date: '2026-12-04',
      drum_load_minutes: 60,
      effective_deadline: null,
      drum_key: plan.key,
      production_buffer_days: 2,
      shipping_buffer_days: 1,
      hold_expires_at: null,
      quote_id: quoteId,
      created_by: 'sales:sam (k-sa)',
      created_by_key: 'k-sa',
      owner_principal: 'sam',
    });
    expect(row.confirmed_at!.getTime()).toBe(new Date(START).getTime());
    expect(row.material_available_at!.toISOString()).toBe('2026-11-24T00:00:00.000Z');
    expect(row.drum_deadline.getTime()).toBe(fromMinute(plan.drumDeadline).getTime());
    expect(toMinute(row.ready_at!)).toBe(plan.ready);
    expect(toMinute(row.planned_release_at!)).toBe(plan.plannedRelease);
    expect(plan.ready).toBeGreaterThanOrEqual(toMinute(new Date('2026-11-24T00:00:00Z')));
    const stored = await findOrder(h.db.db, plant, row.id);
    expect(stored).toMatchObject({ external_id: 'E-1', drum_key: plan.key, status: 'confirmed' });
    expect((await opsOf(plant, row.id)).map((o) => [o.position, o.resource_id, o.minutes])).toEqual([
      [0, 'saw', 8],
      [1, 'cnc', 60],
    ]);
    expect(orderEventData(row)).toEqual({
      sku: 'SAWN',
      quantity: 3,
      customer: 'acme',
      customerId: 'C-1',
      externalId: 'E-1',
      promiseDate: '2026-12-04',
      drumDeadline: row.drum_deadline.toISOString(),
      drumLoadMinutes: 60,
      status: 'confirmed',
    });
    expect(
      planColumns({ ...plan, drumDeadline: plan.drumDeadline, plannedRelease: plan.plannedRelease!, rekeyed: [], ops: [] } as never),
    ).toEqual({
      drum_deadline: fromMinute(plan.drumDeadline),
      effective_deadline: null,
      drum_key: plan.key,
      ready_at: fromMinute(plan.ready),
      planned_release_at: fromMinute(plan.plannedRelease!),
    });
  });

  it('a hold without a date: the earliest date, no request, no confirmation, its expiry after its TTL or the policy', async () => {
    const plant = await newPlant();
    const out = await write(
      plant,
      async (ctx) => {
        const d = demandOf(ctx, 2);
        const earliest = evaluate(ctx.state, d, ctx.nowMinute).earliestPromiseDate;
        const ttl = await reserve(ctx, d, { status: 'held', holdTtlSeconds: 120 });
        const byPolicy = await reserve(ctx, d, { status: 'held' });
        ctx.emit({ type: 'bench.seeded', data: { orders: 2, total: 2 } });
        return { earliest, ttl, byPolicy, policyTtl: ctx.state.config.policy.holdTtlSeconds };
      },
      null,
    );
    const { earliest, ttl, byPolicy, policyTtl } = out.result;
    expect(ttl).toMatchObject({
      status: 'held',
      promise_date: earliest,
      requested_date: null,
      original_promise_date: null,
      confirmed_at: null,
      customer: null,
      customer_id: null,
      external_id: null,
      quote_id: null,
      material_available_at: null,
      created_by: 'system',
      created_by_key: null,
      owner_principal: null,
    });
    expect(ttl.hold_expires_at!.getTime()).toBe(new Date(START).getTime() + 120_000);
    expect(byPolicy.hold_expires_at!.getTime()).toBe(new Date(START).getTime() + policyTtl * 1000);
    expect(policyTtl).not.toBe(120);
    expect(orderEventData(ttl)).not.toHaveProperty('customerId');
    expect(out.state.holdExpiry.get(ttl.id)).toBe(toMinute(ttl.hold_expires_at!));
  });

  it('a date the schedule cannot keep is refused with the earliest one, and nothing is planned', async () => {
    const plant = await newPlant();
    let refused: unknown;
    const out = await write(plant, async (ctx) => {
      const d = demandOf(ctx, 2);
      const earliest = evaluate(ctx.state, d, ctx.nowMinute).earliestPromiseDate;
      const before = ctx.state.route!.size;
      try {
        await reserve(ctx, d, { status: 'confirmed', promiseDate: '2026-11-23' });
      } catch (e) {
        refused = e;
      }
      return { earliest, grew: ctx.state.route!.size - before };
    });
    expect(refused).toMatchObject({ kind: 'schedule-infeasible', extensions: { earliestPromiseDate: out.result.earliest } });
    expect(out.result.grew).toBe(0);
    expect(await h.db.db.selectFrom('orders').select('id').where('plant_id', '=', plant).execute()).toEqual([]);
  });

  it('an external id already taken is a conflict naming its order, unless the caller checked it', async () => {
    const plant = await newPlant();
    const first = (await write(plant, (ctx) => reserveIn(ctx, { quantity: 1 }, { externalId: 'X-1' }))).result;
    await expect(write(plant, (ctx) => reserveIn(ctx, { quantity: 1 }, { externalId: 'X-1' }))).rejects.toMatchObject({
      kind: 'conflict',
      extensions: { orderId: first.id },
    });
    // Checked by the caller: reserve does not look again (here the database's unique index refuses it, not a 409).
    await expect(
      write(plant, (ctx) => reserveIn(ctx, { quantity: 1 }, { externalId: 'X-1', externalIdChecked: true })),
    ).rejects.not.toMatchObject({
      kind: 'conflict',
    });
    const free = (await write(plant, (ctx) => reserveIn(ctx, { quantity: 1 }, { externalId: 'X-2' }))).result;
    expect(free.external_id).toBe('X-2');
  });

  it('orders squeezed into one gap of sequence keys: the keys they move are stored too', async () => {
    const plant = await newPlant();
    await write(plant, (ctx) => reserveIn(ctx, { quantity: 1 }, { promiseDate: '2027-03-01' }));
    const out = await write(plant, async (ctx) => {
      const first: Record<string, number | null> = {};
      for (let i = 0; i < 40; i++) {
        const row = await reserveIn(ctx, { quantity: 1 }, { promiseDate: '2027-02-01' });
        first[row.id] = row.drum_key;
      }
      return first;
    });
    const live = h.cache.peek(plant)!.route!;
    const moved = Object.entries(out.result).filter(([id, key]) => live.get(id)!.key !== key);
    expect(moved.length).toBeGreaterThan(0);
    const stored = await h.db.db.selectFrom('orders').select(['id', 'drum_key']).where('plant_id', '=', plant).execute();
    expect(stored).toHaveLength(41);
    for (const row of stored) expect(row.drum_key).toBe(live.get(row.id)!.key);
  });

  it('re-promising a confirmed order moves its plan, its stored columns and its operations', async () => {
    const plant = await newPlant();
    const o = (await write(plant, (ctx) => reserveIn(ctx, { quantity: 2, sku: 'SAWN' }, { promiseDate: '2026-12-01' }))).result;
    const before = h.cache.peek(plant)!.route!.get(o.id)!;
    await repromiseOrder(h.deps, plant, planner, o.id, { promiseDate: '2026-12-10', reason: 'customer asked' });
    const after = h.cache.peek(plant)!.route!.get(o.id)!;
    expect(after.promiseDate).toBe('2026-12-10');
    expect(after.drumDeadline).toBeGreaterThan(before.drumDeadline);
    const stored = (await findOrder(h.db.db, plant, o.id))!;
    expect(stored.promise_date).toBe('2026-12-10');
    expect(toMinute(stored.drum_deadline)).toBe(after.drumDeadline);
    expect(stored.drum_key).toBe(after.key);
    expect(toMinute(stored.planned_release_at!)).toBe(after.plannedRelease);
    const ops = await opsOf(plant, o.id);
    expect(ops.map((op) => [op.resource_id, op.minutes])).toEqual([
      ['saw', 7],
      ['cnc', 50],
    ]);
    expect(ops.map((op) => op.start_at && toMinute(op.start_at))).toEqual(after.ops.map((op) => op.start));
    // A date it cannot keep: refused, the old plan stays.
    await expect(repromiseOrder(h.deps, plant, planner, o.id, { promiseDate: '2026-11-23', reason: 'too soon' })).rejects.toMatchObject({
      kind: 'schedule-infeasible',
    });
    expect(h.cache.peek(plant)!.route!.get(o.id)).toEqual(after);
    expect(h.cache.peek(plant)!.book!.get(o.id)).toBeDefined();
  });

  it('a released order keeps its release and the work before the drum as planned; only the rest moves', async () => {
    const plant = await newPlant();
    const o = (await write(plant, (ctx) => reserveIn(ctx, { quantity: 2, sku: 'SAWN' }, { promiseDate: '2026-12-01' }))).result;
    const planned = h.cache.peek(plant)!.route!.get(o.id)!;
    h.clock.set(fromMinute(planned.plannedRelease!));
    await releaseOrder(h.deps, plant, planner, o.id);
    h.clock.advance(3 * 3600_000);
    const released = h.cache.peek(plant)!.route!.get(o.id)!;
    const out = await write(plant, async (ctx) => {
      const row = (await findOrder(ctx.tx, plant, o.id))!;
      const d = storedDemand(ctx.state, row);
      const { plan } = recommitRoute(ctx, row, d, '2026-12-09', 'test');
      return { plan, rec: ctx.state.route!.get(o.id)! };
    });
    h.clock.set(START);
    const { plan, rec } = out.result;
    expect(plan.plannedRelease).toBe(released.plannedRelease);
    expect(rec.plannedRelease).toBe(released.plannedRelease);
    expect(rec.ops[0]).toEqual(released.ops[0]);
    expect(plan.ops[0]).toEqual(released.ops[0]);
    expect(rec.ops.map((op) => [op.position, op.resource, op.minutes])).toEqual([
      [0, 'saw', 7],
      [1, 'cnc', 50],
    ]);
    expect(rec.ready).toBeLessThanOrEqual(released.ops[0]!.end!);
    expect(rec.promiseDate).toBe('2026-12-09');
    expect(plan.ready).toBe(rec.ready);
  });

  it('an order in progress on the drum re-planned: only its remaining drum minutes, its place kept by the guard', async () => {
    const plant = await newPlant();
    const o = (await write(plant, (ctx) => reserveIn(ctx, { quantity: 6 }, { promiseDate: '2026-12-01' }))).result;
    const other = (await write(plant, (ctx) => reserveIn(ctx, { quantity: 2 }, { promiseDate: '2026-12-02' }))).result;
    await reportProgress(h.deps, plant, planner, o.id, 40);
    const out = await write(plant, async (ctx) => {
      const row = (await findOrder(ctx.tx, plant, o.id))!;
      const otherRow = (await findOrder(ctx.tx, plant, other.id))!;
      const guard = guardPinned(ctx, row);
      const none = guardPinned(ctx, otherRow);
      const d = storedDemand(ctx.state, row);
      const { plan, evaluation } = recommitRoute(ctx, row, d, '2026-12-03', 'test');
      guard!(evaluation, 'test');
      return { status: row.status, none, plan, rec: ctx.state.route!.get(o.id)!, load: ctx.state.book!.get(o.id) };
    });
    const { plan, rec, none } = out.result;
    expect(out.result.status).toBe('in_progress');
    expect(none).toBeNull();
    expect(rec.ops.map((op) => [op.resource, op.minutes])).toEqual([['cnc', 90]]);
    expect(plan.ops.map((op) => [op.resource, op.minutes])).toEqual([['cnc', 90]]);
    expect(rec.promiseDate).toBe('2026-12-03');
    expect(engineOf(out.state).book.get(o.id)).toBeDefined();
  });

  it('the pinned-order guard refuses a re-plan that makes another order late', async () => {
    const plant = await newPlant();
    const o = (await write(plant, (ctx) => reserveIn(ctx, { quantity: 2 }, { promiseDate: '2026-12-10' }))).result;
    await reportProgress(h.deps, plant, planner, o.id, 10);
    const tight = (await write(plant, (ctx) => reserveIn(ctx, { quantity: 1 }))).result;
    await expect(
      write(plant, async (ctx) => {
        const row = (await findOrder(ctx.tx, plant, o.id))!;
        const guard = guardPinned(ctx, row)!;
        // The order in progress grows past the tight one's slack: that one is late now.
        const d = { ...storedDemand(ctx.state, row), load: 2000, steps: [{ resource: 'cnc', minutes: 2000 }] };
        const { plan, evaluation } = recommitRoute(ctx, row, d, '2027-01-29', 'test');
        // Stored, the order in progress goes back to the head of the drum (PlantState.apply pins it).
        await ctx.orders.update(row.id, { promise_date: '2027-01-29', drum_load_minutes: 2000, ...planColumns(plan) });
        guard(evaluation, 'growing');
      }),
    ).rejects.toMatchObject({ kind: 'schedule-infeasible' });
    expect(h.cache.peek(plant)!.route!.get(tight.id)).toBeDefined();
  });
});
