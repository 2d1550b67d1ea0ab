import { COMMITTED, findOrder, type OrderRow } from '../../db/repos/orders.ts';
import { drumDeadlineFor } from '../../engine/index.ts';
import type { Actor } from '../actor.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { assertNotPast, engineOf, evaluate, infeasible, type ResolvedDemand } from '../promising/evaluate.ts';
import { orderView } from '../promising/order-view.ts';
import { fromMinute } from '../schedule/plant-cache.ts';
import { type ScheduleDeps, type WriteContext } from '../schedule/schedule-writer.ts';

/**
 * Writes a new promise for an order already checked to be keepable, moves it on the drum
 * and tells everyone: the ERP and the salesperson learn of it from `order.repromised`.
 */
export async function applyRepromise(
  ctx: WriteContext,
  a: { row: OrderRow; promiseDate: string; deadline: number; reason: string },
  cause: Record<string, unknown> = {},
) {
  await ctx.orders.update(a.row.id, { promise_date: a.promiseDate, drum_deadline: fromMinute(a.deadline) });
  const data = {
    from: a.row.promise_date,
    to: a.promiseDate,
    reason: a.reason,
    customer: a.row.customer,
    externalId: a.row.external_id,
    ...cause,
  };
  ctx.emit({ type: 'order.repromised', orderId: a.row.id, data });
  return { orderId: a.row.id, from: a.row.promise_date, to: a.promiseDate, reason: a.reason };
}

/**
 * A planner moves one promise, to a date the schedule can keep with every other order still
 * on time: the order leaves the drum, the new date is checked as if it were a new order
 * (without the lead-time floor, which guards new promises only), and it goes back in.
 */
export async function repromiseOrder(
  deps: ScheduleDeps,
  plantId: string,
  actor: Actor,
  id: string,
  input: { promiseDate: string; reason: string },
) {
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const row = await findOrder(ctx.tx, plantId, id);
    if (!row) throw notFound(`Order "${id}"`);
    if (!COMMITTED.includes(row.status))
      throw conflict(`Order ${id} is ${row.status}; only open orders can be re-promised.`, { orderStatus: row.status });
    if (row.promise_date === input.promiseDate)
      throw invalid([{ field: 'body.promiseDate', message: `${input.promiseDate} is already the promise date` }]);
    assertNotPast(ctx.state, input.promiseDate, ctx.nowMinute, 'body.promiseDate');
    const { book, wt } = engineOf(ctx.state);
    const before = book.get(id);
    if (!before) throw conflict(`Order ${id} is not on the drum.`);
    const wasFeasible = book.feasible(ctx.nowMinute);
    const demand: ResolvedDemand = {
      sku: row.sku,
      quantity: row.quantity,
      load: before.load,
      productionBufferDays: row.production_buffer_days,
      policy: { productionBufferDays: row.production_buffer_days, shippingBufferDays: row.shipping_buffer_days, standardLeadTimeDays: 0 },
    };
    book.remove(id);
    const e = evaluate(ctx.state, demand, ctx.nowMinute, input.promiseDate);
    book.insert(before);
    if (!e.requestedDateFeasible) throw infeasible(e, `Re-promising order ${id} for ${input.promiseDate}`);
    const deadline = drumDeadlineFor(wt, input.promiseDate, row.shipping_buffer_days);
    await applyRepromise(ctx, { row, promiseDate: input.promiseDate, deadline, reason: input.reason });
    // A pinned order keeps its place at the front; the check above treated it as unpinned, so confirm the whole set.
    if (wasFeasible && !book.feasible(ctx.nowMinute))
      throw infeasible({ ...e, requestedDateFeasible: false }, `Re-promising order ${id} for ${input.promiseDate}`);
    return (await findOrder(ctx.tx, plantId, id))!;
  });
  return orderView(result, version);
}
