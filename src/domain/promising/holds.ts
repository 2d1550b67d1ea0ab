import { plantTimeZone } from '../plant-time-zone.ts';
import type { OrderRow } from '../../db/repos/orders.ts';
import type { Actor } from '../actor.ts';
import { idempotencyHooks, type IdempotentRequest } from '../idempotency-keys.ts';
import { conflict, DomainError, invalid } from '../errors.ts';
import { findOrderFor } from './order-access.ts';
import { assertHoldCap, assertHoldTtl } from './hold-policy.ts';
import { assertNotPast, engineOf, evaluate, resolveDemand, storedDemand } from './evaluate.ts';
import { orderView } from './order-view.ts';
import type { PromisingDeps } from './quotes.ts';
import type { WriteContext } from '../schedule/write-context.ts';
import { assertExternalIdFree, orderEventData, reserve } from './reserve.ts';
import { recoverAtRisk } from '../planning/recover-at-risk.ts';

export interface HoldInput {
  sku: string;
  quantity: number;
  promiseDate?: string | undefined;
  customer?: string | undefined;
  customerId?: string | undefined;
  ttlSeconds?: number | undefined;
  materialAvailableDate?: string | undefined;
  quoteId?: string | undefined;
}

export async function placeHold(deps: PromisingDeps, plantId: string, actor: Actor, input: HoldInput, idem?: IdempotentRequest) {
  const timeZone = await plantTimeZone(deps, plantId);
  const { result, version } = await deps.writer.write(
    plantId,
    actor,
    async (ctx) => {
      assertHoldTtl(ctx, input.ttlSeconds);
      const d = resolveDemand(ctx.state, input, deps);
      if (input.promiseDate) assertNotPast(ctx.state, input.promiseDate, ctx.nowMinute, 'body.promiseDate');
      await assertHoldCap(ctx, actor, d.load);
      const row = await reserve(ctx, d, {
        promiseDate: input.promiseDate,
        status: 'held',
        customer: input.customer,
        customerId: input.customerId,
        holdTtlSeconds: input.ttlSeconds,
        quoteId: input.quoteId,
      });
      ctx.emit({ type: 'hold.created', orderId: row.id, data: { ...orderEventData(row), expiresAt: row.hold_expires_at?.toISOString() } });
      return row;
    },
    idempotencyHooks<OrderRow>(idem, (o) => orderView(o.result, o.version, timeZone)),
  );
  return orderView(result, version, timeZone);
}

/** Confirming keeps the hold's place on the drum: no capacity moves, only its status. */
export async function confirmHold(
  deps: PromisingDeps,
  plantId: string,
  actor: Actor,
  holdId: string,
  input: { customer?: string | undefined; customerId?: string | undefined; externalId?: string | undefined },
  idem?: IdempotentRequest,
) {
  const timeZone = await plantTimeZone(deps, plantId);
  const { result, version } = await deps.writer.write(
    plantId,
    actor,
    async (ctx) => {
      const row = await findOrderFor(ctx.tx, plantId, holdId, actor, 'Hold');
      if (row.status === 'expired') {
        const d = resolveDemand(ctx.state, row, { ...deps, maxOrderQuantity: Number.MAX_SAFE_INTEGER });
        const e = evaluate(ctx.state, d, ctx.nowMinute);
        throw new DomainError(
          'schedule-infeasible',
          `Hold ${holdId} expired at ${row.updated_at.toISOString()} and its capacity was returned. The earliest date the schedule can keep now is ${e.earliestPromiseDate}; place a new hold.`,
          { earliestPromiseDate: e.earliestPromiseDate, heldPromiseDate: row.promise_date },
        );
      }
      if (row.status !== 'held') throw conflict(`Order ${holdId} is ${row.status}, not a hold.`, { orderStatus: row.status });
      assertHoldStillKeepable(ctx, row);
      if (input.externalId) await assertExternalIdFree(ctx, input.externalId);
      const updated = await ctx.orders.update(holdId, {
        status: 'confirmed',
        hold_expires_at: null,
        customer: input.customer ?? row.customer,
        customer_id: input.customerId ?? row.customer_id,
        external_id: input.externalId ?? row.external_id,
        original_promise_date: row.promise_date,
        confirmed_at: ctx.now,
      });
      ctx.emit({ type: 'order.confirmed', orderId: holdId, data: orderEventData(updated) });
      return updated;
    },
    idempotencyHooks<OrderRow>(idem, (o) => orderView(o.result, o.version, timeZone)),
  );
  return orderView(result, version, timeZone);
}

/** Releasing a hold returns its capacity at once. */
export async function releaseHold(deps: PromisingDeps, plantId: string, actor: Actor, holdId: string) {
  await deps.writer.write(plantId, actor, async (ctx) => {
    const row = await findOrderFor(ctx.tx, plantId, holdId, actor, 'Hold');
    if (row.status !== 'held')
      throw conflict(`Order ${holdId} is ${row.status}, not a hold; cancel orders with POST .../orders/{id}/cancel.`, {
        orderStatus: row.status,
      });
    await ctx.orders.update(holdId, { status: 'cancelled', hold_expires_at: null });
    ctx.emit({ type: 'hold.released', orderId: holdId, data: { promiseDate: row.promise_date, drumLoadMinutes: row.drum_load_minutes } });
    await recoverAtRisk(ctx, `Order planning after the release of hold ${holdId}`);
  });
}

const MAX_EXTENSION_MS = 30 * 24 * 3600 * 1000;

/**
 * A planner's explicit extension of a live hold to a new expiry (the hold policy's maximum TTL
 * binds what sales ask for, not this recorded decision). Only the expiry moves: the hold keeps
 * its place on the drum, and an expired hold stays expired (its capacity went back).
 */
export async function extendHold(
  deps: PromisingDeps,
  plantId: string,
  actor: Actor,
  holdId: string,
  input: { expiresAt: string; reason: string },
) {
  const timeZone = await plantTimeZone(deps, plantId);
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const row = await findOrderFor(ctx.tx, plantId, holdId, actor, 'Hold');
    if (row.status !== 'held')
      throw conflict(`Order ${holdId} is ${row.status}, not a live hold; place a new hold.`, { orderStatus: row.status });
    const expiresAt = new Date(input.expiresAt);
    const notBefore = Math.max(ctx.now.getTime(), row.hold_expires_at?.getTime() ?? 0);
    if (expiresAt.getTime() <= notBefore || expiresAt.getTime() > ctx.now.getTime() + MAX_EXTENSION_MS)
      throw invalid([
        {
          field: 'body.expiresAt',
          message: `Must be after the hold's current expiry (${new Date(notBefore).toISOString()}) and within 30 days of now`,
        },
      ]);
    const updated = await ctx.orders.update(holdId, { hold_expires_at: expiresAt });
    ctx.emit({
      type: 'hold.extended',
      orderId: holdId,
      data: {
        from: row.hold_expires_at?.toISOString() ?? null,
        to: expiresAt.toISOString(),
        reason: input.reason,
        owner: row.owner_principal,
        drumLoadMinutes: row.drum_load_minutes,
      },
    });
    return updated;
  });
  return orderView(result, version, timeZone);
}

/**
 * A hold a fact made late (a breakdown, time passing: planned at a later date than its
 * promise, or flagged at risk) is not confirmed as if on time: the confirmation would turn a
 * date the schedule knows it cannot keep into a firm promise. 409 with the earliest date the
 * schedule can keep for it now; sales places a new hold (or a planner re-promises it).
 */
function assertHoldStillKeepable(ctx: WriteContext, row: OrderRow) {
  const rec = engineOf(ctx.state).route.get(row.id);
  if (!rec || (rec.risk === undefined && (rec.effectiveDeadline ?? rec.drumDeadline) <= rec.drumDeadline)) return;
  // Its own capacity counts as free for the earliest date: quoted as if the hold were placed again now.
  const d = storedDemand(ctx.state, row);
  const cp = ctx.state.checkpoint();
  let earliest: string;
  try {
    engineOf(ctx.state).route.remove(row.id);
    engineOf(ctx.state).book.remove(row.id);
    earliest = evaluate(ctx.state, d, ctx.nowMinute).earliestPromiseDate;
  } finally {
    ctx.state.rollback(cp);
  }
  throw new DomainError(
    'schedule-infeasible',
    `Hold ${row.id} can no longer be kept for ${row.promise_date} (a recorded fact, such as a breakdown, made it late). The earliest date the schedule can keep for it now is ${earliest}; place a new hold or ask a planner to re-promise it.`,
    { earliestPromiseDate: earliest, heldPromiseDate: row.promise_date },
  );
}
