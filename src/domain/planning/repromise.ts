import { COMMITTED, findOrder, type OrderRow } from '../../db/repos/orders.ts';
import type { RouteCommit } from '../../engine/index.ts';
import type { Actor } from '../actor.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { assertNotPast, engineOf, storedDemand } from '../promising/evaluate.ts';
import { orderView } from '../promising/order-view.ts';
import { guardPinned, persistPlan, planColumns, recommitRoute } from '../promising/reserve.ts';
import { type ScheduleDeps, type WriteContext } from '../schedule/schedule-writer.ts';

/**
 * Writes a new promise for an order already checked to be keepable, moves it on the drum
 * and tells everyone: the ERP and the salesperson learn of it from `order.repromised`.
 */
export async function applyRepromise(
  ctx: WriteContext,
  a: { row: OrderRow; promiseDate: string; plan: RouteCommit; reason: string },
  cause: Record<string, unknown> = {},
) {
  await ctx.orders.update(a.row.id, { promise_date: a.promiseDate, ...planColumns(a.plan) });
  await persistPlan(ctx, a.row.id, a.plan);
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
    const { route } = engineOf(ctx.state);
    if (!route.has(id)) throw conflict(`Order ${id} is not on the drum.`);
    const guard = guardPinned(ctx, row);
    const what = `Re-promising order ${id} for ${input.promiseDate}`;
    const demand = storedDemand(ctx.state, row);
    const { plan, evaluation } = recommitRoute(ctx, row, demand, input.promiseDate, what);
    await applyRepromise(ctx, { row, promiseDate: input.promiseDate, plan, reason: input.reason });
    // A pinned order keeps its place at the front; the check above treated it as unpinned, so confirm the whole set.
    guard?.(evaluation, what);
    return (await findOrder(ctx.tx, plantId, id))!;
  });
  return orderView(result, version);
}
