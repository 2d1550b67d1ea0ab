import { randomUUID } from 'node:crypto';
import { findOrderByExternalId, type OrderRow } from '../../db/repos/orders.ts';
import { drumDeadlineFor } from '../../engine/index.ts';
import { actorLabel } from '../actor.ts';
import { conflict } from '../errors.ts';
import { fromMinute } from '../schedule/plant-cache.ts';
import type { WriteContext } from '../schedule/schedule-writer.ts';
import { engineOf, evaluate, infeasible, type ResolvedDemand } from './evaluate.ts';

export interface ReserveInput {
  /** The date to hold; undefined: the earliest feasible one. */
  promiseDate?: string | undefined;
  status: 'held' | 'confirmed';
  customer?: string | null | undefined;
  externalId?: string | null | undefined;
  holdTtlSeconds?: number | undefined;
  /** The caller already knows the external id is free (it looked it up under the same lock). */
  externalIdChecked?: boolean;
}

/**
 * Puts a new order on the drum through a reschedule: the engine's quote decides whether the
 * date can be kept with every existing order still on time; if not, nothing is written and
 * the caller gets the earliest date and the capacity that would make the asked one keepable.
 */
export async function reserve(ctx: WriteContext, d: ResolvedDemand, input: ReserveInput): Promise<OrderRow> {
  const { state, now } = ctx;
  const { wt } = engineOf(state);
  const e = evaluate(state, d, ctx.nowMinute, input.promiseDate);
  if (input.promiseDate !== undefined && !e.requestedDateFeasible) throw infeasible(e, `Promise date ${input.promiseDate}`);
  if (input.externalId && !input.externalIdChecked) await assertExternalIdFree(ctx, input.externalId);

  const promiseDate = input.promiseDate ?? e.earliestPromiseDate;
  const deadline = drumDeadlineFor(wt, promiseDate, d.policy.shippingBufferDays);
  const expires =
    input.status === 'held' ? new Date(now.getTime() + (input.holdTtlSeconds ?? state.config.policy.holdTtlSeconds) * 1000) : null;
  // The row goes onto the drum and into the hold expiries through apply(row).
  return ctx.orders.insert({
    id: randomUUID(),
    status: input.status,
    sku: d.sku,
    quantity: d.quantity,
    customer: input.customer ?? null,
    external_id: input.externalId ?? null,
    requested_date: input.promiseDate ?? null,
    promise_date: promiseDate,
    drum_deadline: fromMinute(deadline),
    drum_load_minutes: d.load,
    production_buffer_days: d.productionBufferDays,
    shipping_buffer_days: d.policy.shippingBufferDays,
    seq: ctx.nextSeq(),
    hold_expires_at: expires,
    created_by: ctx.actor ? actorLabel(ctx.actor) : 'system',
    created_by_key: ctx.actor?.keyId ?? null,
  });
}

export async function assertExternalIdFree(ctx: WriteContext, externalId: string) {
  const existing = await findOrderByExternalId(ctx.tx, ctx.state.config.plantId, externalId);
  if (existing) throw conflict(`External id "${externalId}" already belongs to order ${existing.id}.`, { orderId: existing.id });
}

export const orderEventData = (row: OrderRow) => ({
  sku: row.sku,
  quantity: row.quantity,
  customer: row.customer,
  externalId: row.external_id,
  promiseDate: row.promise_date,
  drumDeadline: row.drum_deadline.toISOString(),
  drumLoadMinutes: row.drum_load_minutes,
  status: row.status,
});
