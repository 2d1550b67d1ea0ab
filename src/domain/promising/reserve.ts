import { randomUUID } from 'node:crypto';
import { findOrderByExternalId, updateDrumKeys, type OrderRow } from '../../db/repos/orders.ts';
import type { RouteCommit, StoredRouteOp } from '../../engine/index.ts';
import { actorLabel } from '../actor.ts';
import { conflict, DomainError } from '../errors.ts';
import { fromMinute, toMinute } from '../schedule/plant-cache.ts';
import { operationRows } from '../schedule/route-state.ts';
import type { WriteContext } from '../schedule/write-context.ts';
import { engineOf, evaluate, horizonOf, infeasible, routeDemandOf, type Evaluation, type ResolvedDemand } from './evaluate.ts';

export interface ReserveInput {
  /** The date to hold; undefined: the earliest feasible one. */
  promiseDate?: string | undefined;
  status: 'held' | 'confirmed';
  customer?: string | null | undefined;
  customerId?: string | null | undefined;
  externalId?: string | null | undefined;
  holdTtlSeconds?: number | undefined;
  /** The quote the order came from (conversion KPI). */
  quoteId?: string | undefined;
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
  const e = evaluate(state, d, ctx.nowMinute, input.promiseDate);
  if (input.promiseDate !== undefined && !e.requestedDateFeasible) throw infeasible(e, `Promise date ${input.promiseDate}`, ctx.actor);
  if (input.externalId && !input.externalIdChecked) await assertExternalIdFree(ctx, input.externalId);

  const id = randomUUID();
  const promiseDate = input.promiseDate ?? e.earliestPromiseDate;
  const plan = commitRoute(ctx, id, d, promiseDate, e, `Promise date ${promiseDate}`);
  const expires =
    input.status === 'held' ? new Date(now.getTime() + (input.holdTtlSeconds ?? state.config.policy.holdTtlSeconds) * 1000) : null;
  // The row goes onto the drum and into the hold expiries through apply(row); the route book already holds its plan.
  const row = await ctx.orders.insert({
    id,
    status: input.status,
    sku: d.sku,
    quantity: d.quantity,
    customer: input.customer ?? null,
    customer_id: input.customerId ?? null,
    external_id: input.externalId ?? null,
    requested_date: input.promiseDate ?? null,
    promise_date: promiseDate,
    drum_load_minutes: d.load,
    material_available_at: d.materialAvailable == null ? null : fromMinute(d.materialAvailable),
    // The plan's columns (planColumns) and the confirmation written out, not spread: a spread
    // per order costs microseconds in V8's object-cloning path, and every new row takes it.
    drum_deadline: fromMinute(plan.drumDeadline),
    effective_deadline: null,
    drum_key: plan.key,
    ready_at: fromMinute(plan.ready),
    planned_release_at: fromMinute(plan.plannedRelease),
    production_buffer_days: d.productionBufferDays,
    shipping_buffer_days: d.policy.shippingBufferDays,
    seq: ctx.nextSeq(),
    hold_expires_at: expires,
    // A hold is not a promise yet: its original promise and entry are set when it is confirmed.
    original_promise_date: input.status === 'confirmed' ? promiseDate : null,
    confirmed_at: input.status === 'confirmed' ? now : null,
    quote_id: input.quoteId ?? null,
    created_by: ctx.actor ? actorLabel(ctx.actor) : 'system',
    created_by_key: ctx.actor?.keyId ?? null,
    owner_principal: ctx.actor?.principal ?? null,
  });
  await persistPlan(ctx, id, plan, true);
  return row;
}

/**
 * Commits a demand's plan in the route book (design note §5.3): its drum position, its
 * rope release and its reservations on every resource of its route. The caller checked the
 * date against the quote; a refusal here means the two disagree, which the property tests
 * rule out, so it is reported as the same honest 409.
 */
function commitRoute(ctx: WriteContext, id: string, d: ResolvedDemand, promiseDate: string, e: Evaluation, what: string): RouteCommit {
  const { route } = engineOf(ctx.state);
  const plan = route.commit(ctx.nowMinute, id, routeDemandOf(d), promiseDate, horizonOf(d, ctx.nowMinute));
  // Stryker disable next-line ConditionalExpression,BooleanLiteral: the commit refuses only where the quote refused first (property tests); infeasible() does not read requestedDateFeasible
  if (!plan) throw infeasible({ ...e, requestedDateFeasible: false }, what, ctx.actor);
  return plan;
}

/** The order columns a committed plan sets. */
export const planColumns = (plan: RouteCommit) => ({
  drum_deadline: fromMinute(plan.drumDeadline),
  effective_deadline: null,
  drum_key: plan.key,
  ready_at: fromMinute(plan.ready),
  planned_release_at: fromMinute(plan.plannedRelease),
});

/**
 * Plans an open order again at its own promise on the schedule as it now stands, when the
 * quote's rule on its stored demand says that date holds (every other order keeps its plan),
 * and stores the plan through the write path. Otherwise nothing changes, and the answer is
 * the earliest date the schedule can keep for it (null when there is none within reach).
 */
export async function replanAtOwnPromise(
  ctx: WriteContext,
  row: OrderRow,
  d: ResolvedDemand,
  what: string,
): Promise<{ plan: RouteCommit } | { earliest: string | null; refusal: DomainError }> {
  const cp = ctx.state.checkpoint();
  let plan: RouteCommit;
  try {
    plan = recommitRoute(ctx, row, d, row.promise_date, what).plan;
  } catch (error) {
    ctx.state.rollback(cp);
    if (!(error instanceof DomainError)) throw error;
    const earliest = error.extensions.earliestPromiseDate;
    return { earliest: typeof earliest === 'string' ? earliest : null, refusal: error };
  }
  ctx.state.release(cp);
  await ctx.orders.update(row.id, planColumns(plan));
  await persistPlan(ctx, row.id, plan);
  return { plan };
}

/**
 * Plans an order that cannot keep its promise at the earliest date the schedule can keep
 * (the quote's rule: every other order keeps its plan), keeping its promise and drum deadline;
 * the plan's drum deadline becomes its effective one (D̂ > D), so it stays late until a planner
 * re-promises it. The caller runs the tick next, which lowers D̂ to the drum finish and pulls
 * the work after the drum back (design note §8.3). Stored through the write path.
 */
export async function replanAtEarliest(ctx: WriteContext, row: OrderRow, d: ResolvedDemand, earliest: string, what: string) {
  const { plan } = recommitRoute(ctx, row, d, earliest, what);
  await storeAtEarliest(ctx, row, plan);
  return plan;
}

/** Stores a plan committed at a later date than the order's promise: promise and drum deadline kept, D̂ = the plan's drum deadline. */
export async function storeAtEarliest(ctx: WriteContext, row: OrderRow, plan: RouteCommit) {
  await ctx.orders.update(row.id, {
    ...planColumns(plan),
    drum_deadline: row.drum_deadline,
    effective_deadline: fromMinute(Math.max(plan.drumDeadline, toMinute(row.drum_deadline))),
  });
  await persistPlan(ctx, row.id, plan);
}

/** Stores a committed plan's operation snapshot and the sequence keys it moved. */
export async function persistPlan(ctx: WriteContext, id: string, plan: RouteCommit, fresh = false) {
  ctx.operations.replace(id, operationRows(id, plan.ops), fresh);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: updateDrumKeys sends nothing for no keys
  if (plan.rekeyed.length > 0) await updateDrumKeys(ctx.tx, ctx.state.config.plantId, plan.rekeyed, ctx.nextVersion);
}

export async function assertExternalIdFree(ctx: WriteContext, externalId: string) {
  const existing = await findOrderByExternalId(ctx.tx, ctx.state.config.plantId, externalId);
  if (existing) throw conflict(`External id "${externalId}" already belongs to order ${existing.id}.`, { orderId: existing.id });
}

export const orderEventData = (row: OrderRow) => ({
  sku: row.sku,
  quantity: row.quantity,
  customer: row.customer,
  ...(row.customer_id === null ? {} : { customerId: row.customer_id }),
  externalId: row.external_id,
  promiseDate: row.promise_date,
  drumDeadline: row.drum_deadline.toISOString(),
  drumLoadMinutes: row.drum_load_minutes,
  status: row.status,
});

/**
 * Moves an open order to a new promise through the same rule as a new order: it gives up its
 * plan, the new date is checked as if it were new and the order is planned again. A refusal
 * throws, and the write path's rollback restores the old plan.
 *
 * Work begun stays as it is (design note §5.3, "an order with work done"). A released or in
 * progress order keeps its release (`plannedRelease` as released: never moved into the future)
 * and, once some of it has begun per plan, its work before the drum keeps its planned intervals
 * (under way or done per plan, still booked on its resources while the rest is placed); only its remaining drum minutes and its
 * work after the drum are planned again, from the end of that work (or its ready time). The
 * snapshot keeps every operation at its routing position. Without stored intervals (a
 * capacity change took the order's plan away because the new calendar breaks it) a released
 * order's work before the drum is placed again from now, and an in-progress order's is done
 * (zero minutes left). So is a released order's when `materialFact` (a material date just
 * learnt) puts its material after the start of that work.
 */
export function recommitRoute(
  ctx: WriteContext,
  row: OrderRow,
  d: ResolvedDemand,
  promiseDate: string,
  what: string,
  opts: { materialFact?: boolean } = {},
) {
  const { book, route } = engineOf(ctx.state);
  const drumId = route.drumId;
  const begun = row.status === 'released' || row.status === 'in_progress';
  const left = Math.max(0, d.load - row.drum_done_minutes);
  const drumAt = d.steps.findIndex((s) => s.resource === drumId);
  const steps = d.steps.map((s) => (s.resource === drumId ? { ...s, minutes: left } : s));
  const stored = route.get(row.id);
  const material = d.materialAvailable;
  // A material date learnt after release: its work before the drum planned before the material cannot be under way.
  const beforeMaterial =
    opts.materialFact === true &&
    row.status === 'released' &&
    material != null &&
    stored !== undefined &&
    stored.ops.slice(0, drumAt).some((op) => op.start !== null && op.start < material);
  // A released order none of whose work before the drum has begun per its plan (each starts after now) is planned
  // again as a whole, so capacity freed ahead of it reaches it; an in-progress order's is done.
  const underWay =
    row.status === 'in_progress' ||
    drumAt === 0 ||
    stored?.ops.slice(0, drumAt).some((op) => op.start !== null && op.start <= ctx.nowMinute);
  const aligned =
    underWay === true &&
    !beforeMaterial &&
    stored !== undefined &&
    stored.ops.length === d.steps.length &&
    stored.ops[drumAt]?.resource === drumId;
  // Work before the drum that stays as planned: booked for a begun order with its plan, done for an order on the drum.
  const kept: StoredRouteOp[] | null =
    begun && aligned
      ? stored.ops.slice(0, drumAt).map((op) => ({ ...op }))
      : row.status === 'in_progress'
        ? // Stryker disable next-line MethodExpression: only the positions before the drum are read from `kept` (no ends, no starts)
          d.steps.slice(0, drumAt).map((s, position) => ({ position, resource: s.resource, minutes: 0, start: null, end: null }))
        : null;
  const keptEnd = kept?.reduce<number | null>((m, op) => (op.end === null ? m : Math.max(m ?? op.end, op.end)), null) ?? null;
  const readyAt = keptEnd ?? stored?.ready ?? null;
  const remaining: ResolvedDemand = {
    ...d,
    load: left,
    steps: kept ? steps.slice(drumAt) : steps,
    ...(kept && readyAt !== null ? { materialAvailable: Math.max(d.materialAvailable ?? readyAt, readyAt) } : {}),
  };
  const before = book.get(row.id);
  book.remove(row.id);
  route.remove(row.id);
  // The kept work holds its place on its resources while the rest is placed (pinned, no drum load: it delays no one).
  const holder = `${row.id}\u0000kept`;
  if (kept?.some((op) => op.start !== null))
    route.upsert({
      ...stored!,
      id: holder,
      ops: [...kept, { position: drumAt, resource: drumId, minutes: 0, start: null, end: null }],
      drumLoad: 0,
      ready: 0,
      pinned: true,
      pinRank: Number.MAX_SAFE_INTEGER,
      plannedRelease: null,
    });
  let e: Evaluation;
  let plan: RouteCommit;
  try {
    e = evaluate(ctx.state, remaining, ctx.nowMinute, promiseDate);
    if (before) book.insert(before);
    if (!e.requestedDateFeasible) throw infeasible(e, what, ctx.actor);
    plan = commitRoute(ctx, row.id, remaining, promiseDate, e, what);
  } finally {
    route.remove(holder);
  }
  if (!begun) return { plan, evaluation: e };
  const plannedRelease = stored?.plannedRelease ?? (row.planned_release_at ? toMinute(row.planned_release_at) : plan.plannedRelease);
  if (!kept) {
    // A released order planned again as a whole: its release stays the one it was released against.
    route.upsert({ ...route.get(row.id)!, plannedRelease });
    return { plan: { ...plan, plannedRelease }, evaluation: e };
  }
  // Back to the whole snapshot at the routing positions: the kept work, the drum op (its full minutes), the new work after it.
  const ops: StoredRouteOp[] = d.steps.map((s, position) => {
    if (position < drumAt) return kept[position]!;
    if (position === drumAt) return { position, resource: drumId, minutes: s.minutes, start: null, end: null };
    return { ...plan.ops[position - drumAt]!, position };
  });
  const ready = Math.min(plan.ready, readyAt ?? plan.ready);
  route.upsert({ ...route.get(row.id)!, ops, ready, plannedRelease });
  return { plan: { ...plan, ops, ready, plannedRelease }, evaluation: e };
}

/** Orders whose published plan is late at `now` (O(n): only for the pinned-order check below). */
function lateOrderIds(ctx: WriteContext): Set<string> {
  return new Set(
    engineOf(ctx.state)
      .route.plan(ctx.nowMinute)
      .filter((p) => p.late)
      .map((p) => p.id),
  );
}

/**
 * A pinned order (frozen or on the drum) is planned again as if it were new, then goes back
 * to its place at the head of the drum: the plan of every other order must still hold.
 * Returns the check to run after the write; none for an unpinned order, whose commit is
 * exact (it delays no one).
 */
export function guardPinned(ctx: WriteContext, row: OrderRow): ((e: Evaluation, what: string) => void) | null {
  if (!row.pinned && row.status !== 'in_progress') return null;
  const before = lateOrderIds(ctx);
  return (e, what) => {
    const made = [...lateOrderIds(ctx)].filter((id) => !before.has(id));
    // Stryker disable next-line BooleanLiteral: infeasible() does not read requestedDateFeasible
    if (made.length > 0) throw infeasible({ ...e, requestedDateFeasible: false }, what, ctx.actor);
  };
}

/**
 * Plans the order again on a new material date (later, or earlier: the floor's report that it is here): at its own promise when that holds
 * (`lateUntil` null), else at the earliest date the schedule can keep, which leaves every
 * other order as it was (the quote's guarantee). Only the answer's earliest date is taken
 * from a refusal; any other error is the caller's.
 */
export function recommitAfterLateMaterial(ctx: WriteContext, row: OrderRow, d: ResolvedDemand, what: string) {
  const cp = ctx.state.checkpoint();
  try {
    const r = recommitRoute(ctx, row, d, row.promise_date, what, { materialFact: true });
    ctx.state.release(cp);
    return { ...r, lateUntil: null };
  } catch (error) {
    ctx.state.rollback(cp);
    if (!(error instanceof DomainError) || typeof error.extensions.earliestPromiseDate !== 'string') throw error;
    const earliest = error.extensions.earliestPromiseDate;
    return { ...recommitRoute(ctx, row, d, earliest, what, { materialFact: true }), lateUntil: earliest };
  }
}
