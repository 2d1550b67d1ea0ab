import { anyOrderOf } from '../../db/repos/orders.ts';
import { drumDeadlineFor } from '../../engine/index.ts';
import type { Actor } from '../actor.ts';
import { conflict, DomainError, invalid, type FieldError } from '../errors.ts';
import { engineOf, evaluate, resolveDemand, type DemandLimits, type ResolvedDemand } from '../promising/evaluate.ts';
import { orderEventData, reserve } from '../promising/reserve.ts';
import { fromMinute, toMinute } from '../schedule/plant-cache.ts';
import { flagOrdersMadeLate } from '../schedule/at-risk.ts';
import type { ScheduleDeps } from '../schedule/schedule-writer.ts';

export interface GoLiveOrder {
  sku: string;
  quantity: number;
  promiseDate: string;
  customer: string;
  externalId?: string | undefined;
  materialAvailableDate?: string | undefined;
}

/**
 * Go-live (issue 13 item 5): a plant's existing open orders, with the dates already promised
 * to customers, are loaded once as facts. In promise order each is planned at its own date
 * when the schedule can keep it (no lead-time floor: these promises were given before), else
 * at the earliest date it can keep, with its promise unchanged and its plan's drum deadline as
 * its effective one: late, at risk from the first version, never silently on time. One
 * write: all or nothing. Refused once the plant has any order.
 */
export async function goLive(deps: ScheduleDeps & DemandLimits, plantId: string, actor: Actor, orders: GoLiveOrder[]) {
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    if (await anyOrderOf(ctx.tx, plantId))
      throw conflict(`Plant "${plantId}" already has orders: its open orders are loaded once, before the first promise.`);
    const demands = orders.map((o, i) => demandOf(ctx.state, o, i, deps));
    const errors = demands.flatMap((d) => (d instanceof Array ? d : []));
    if (errors.length) throw invalid(errors, 'Some orders are invalid; nothing was loaded.');
    const { wt } = engineOf(ctx.state);
    const externalIds = new Set<string>();
    orders.forEach((o, i) => {
      if (o.externalId && externalIds.has(o.externalId))
        errors.push({ field: `body.orders[${i}].externalId`, message: `"${o.externalId}" is given twice` });
      if (o.externalId) externalIds.add(o.externalId);
    });
    if (errors.length) throw invalid(errors, 'Some orders are invalid; nothing was loaded.');
    const byPromise = orders.map((o, i) => i).sort((a, b) => orders[a]!.promiseDate.localeCompare(orders[b]!.promiseDate) || a - b);
    const loaded: { index: number; orderId: string }[] = [];
    const late: { orderId: string; externalId: string | null; promiseDate: string; earliestPromiseDate: string }[] = [];
    for (const i of byPromise) {
      const o = orders[i]!;
      const d = demands[i] as ResolvedDemand;
      const e = evaluate(ctx.state, d, ctx.nowMinute, o.promiseDate, { proposals: false });
      const keepable = e.requestedDateFeasible === true;
      const input = { ...o, status: 'confirmed' as const, externalIdChecked: true };
      let row = await reserve(ctx, d, keepable ? input : { ...input, promiseDate: e.earliestPromiseDate });
      if (!keepable) {
        // The promise stays the customer's; the plan is the earliest the schedule can keep (D̂ > D).
        const promised = drumDeadlineFor(wt, o.promiseDate, d.policy.shippingBufferDays);
        row = await ctx.orders.update(row.id, {
          promise_date: o.promiseDate,
          requested_date: o.promiseDate,
          original_promise_date: o.promiseDate,
          drum_deadline: fromMinute(promised),
          effective_deadline: fromMinute(Math.max(toMinute(row.drum_deadline), promised)),
        });
        late.push({ orderId: row.id, externalId: row.external_id, promiseDate: o.promiseDate, earliestPromiseDate: e.earliestPromiseDate });
      }
      ctx.emit({ type: 'order.created', orderId: row.id, data: orderEventData(row) });
      loaded.push({ index: i, orderId: row.id });
    }
    // At risk from the first version, with the load as the reason (issue 13 item 1).
    await flagOrdersMadeLate(
      ctx,
      late.map((l) => l.orderId),
      'initial-load',
    );
    ctx.emit({ type: 'plant.went-live', data: { loaded: loaded.length, lateOrderIds: late.map((l) => l.orderId) } });
    return { loaded: loaded.sort((a, b) => a.index - b.index), lateOrders: late };
  });
  return { ...result, scheduleVersion: version };
}

/** The order's demand with its own buffers and no lead-time floor, or its field errors under `body.orders[i]`. */
function demandOf(
  state: Parameters<typeof resolveDemand>[0],
  o: GoLiveOrder,
  i: number,
  limits: DemandLimits,
): ResolvedDemand | FieldError[] {
  try {
    const d = resolveDemand(state, o, limits);
    return { ...d, policy: { ...d.policy, standardLeadTimeDays: 0 } };
  } catch (e) {
    if (!(e instanceof DomainError) || e.errors.length === 0) throw e;
    return e.errors.map((err) => ({ ...err, field: err.field.replace(/^body\./, `body.orders[${i}].`) }));
  }
}
