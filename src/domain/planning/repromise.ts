import { plantTimeZone } from '../plant-time-zone.ts';
import { COMMITTED, findOrder, type OrderRow } from '../../db/repos/orders.ts';
import type { RouteCommit } from '../../engine/index.ts';
import type { RepromiseInitiator } from '../../planning-rules/kpis.ts';
import type { Actor } from '../actor.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { assertNotPast, engineOf, storedDemand, type ResolvedDemand } from '../promising/evaluate.ts';
import { drumLoadMinutes } from '../drum-load.ts';
import { drumOpsConsecutive, routeSteps } from '../schedule/route-state.ts';
import { orderView } from '../promising/order-view.ts';
import { guardPinned, persistPlan, planColumns, recommitRoute } from '../promising/reserve.ts';
import { reviewAtRisk } from '../schedule/at-risk.ts';
import { type ScheduleDeps, type WriteContext } from '../schedule/schedule-writer.ts';
import { recoverAtRisk } from './recover-at-risk.ts';

/**
 * Writes a new promise for an order already checked to be keepable, moves it on the drum
 * and tells everyone: the ERP and the salesperson learn of it from `order.repromised`.
 */
export async function applyRepromise(
  ctx: WriteContext,
  a: { row: OrderRow; promiseDate: string; plan: RouteCommit; reason: string; initiator?: RepromiseInitiator },
  cause: Record<string, unknown> = {},
) {
  const load = (cause.appliedRouting as { drumLoadMinutesAfter?: number } | undefined)?.drumLoadMinutesAfter;
  await ctx.orders.update(a.row.id, {
    promise_date: a.promiseDate,
    ...planColumns(a.plan),
    ...(load === undefined ? {} : { drum_load_minutes: load }),
  });
  await persistPlan(ctx, a.row.id, a.plan);
  const data = {
    from: a.row.promise_date,
    to: a.promiseDate,
    reason: a.reason,
    initiator: a.initiator ?? 'plant',
    customer: a.row.customer,
    externalId: a.row.external_id,
    ...cause,
  };
  ctx.emit({ type: 'order.repromised', orderId: a.row.id, data });
  // Judged on the new promise in this write (after the re-promise in the feed), so the answer shows the flag as stored.
  await reviewAtRisk(ctx, [a.row.id]);
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
  input: { promiseDate: string; reason: string; initiator?: 'plant' | 'customer' | undefined; applyCurrentRouting?: boolean | undefined },
) {
  const timeZone = await plantTimeZone(deps, plantId);
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const row = await findOrder(ctx.tx, plantId, id);
    if (!row) throw notFound(`Order "${id}"`);
    if (!COMMITTED.includes(row.status))
      throw conflict(`Order ${id} is ${row.status}; only open orders can be re-promised.`, { orderStatus: row.status });
    if (row.promise_date === input.promiseDate && !input.applyCurrentRouting)
      throw invalid([{ field: 'body.promiseDate', message: `${input.promiseDate} is already the promise date` }]);
    assertNotPast(ctx.state, input.promiseDate, ctx.nowMinute, 'body.promiseDate');
    const { route } = engineOf(ctx.state);
    if (!route.has(id)) throw conflict(`Order ${id} is not on the drum.`);
    const guard = guardPinned(ctx, row);
    const what = `Re-promising order ${id} for ${input.promiseDate}`;
    const stored = storedDemand(ctx.state, row);
    const demand = input.applyCurrentRouting ? onCurrentRouting(ctx, row, stored) : stored;
    const { plan, evaluation } = recommitRoute(ctx, row, demand, input.promiseDate, what);
    const cause = input.applyCurrentRouting
      ? { appliedRouting: { drumLoadMinutesBefore: row.drum_load_minutes, drumLoadMinutesAfter: demand.load } }
      : {};
    await applyRepromise(ctx, { row, promiseDate: input.promiseDate, plan, reason: input.reason, initiator: input.initiator }, cause);
    // A pinned order keeps its place at the front; the check above treated it as unpinned, so confirm the whole set.
    guard?.(evaluation, what);
    // A promise moved later gives the capacity it held sooner to the orders at risk.
    await recoverAtRisk(ctx, what);
    return (await findOrder(ctx.tx, plantId, id))!;
  });
  return orderView(result, version, timeZone);
}

/** The order's demand on its product's routing as it is today (the explicit step that lets new standards reach an open order). */
function onCurrentRouting(ctx: WriteContext, row: OrderRow, stored: ResolvedDemand): ResolvedDemand {
  const drumId = engineOf(ctx.state).route.drumId;
  const routing = ctx.state.config.products.get(row.sku)?.routing;
  if (!routing) throw conflict(`Product "${row.sku}" no longer exists; the order keeps the minutes it was promised on.`);
  if (!drumOpsConsecutive(routing, drumId))
    throw conflict(`Product "${row.sku}" visits the drum in more than one block of operations; no plan can be made on its routing.`);
  const load = drumLoadMinutes(routing, drumId, row.quantity);
  return { ...stored, load, steps: routeSteps(routing, drumId, row.quantity, load) };
}
