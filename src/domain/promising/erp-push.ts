import { plantTimeZone } from '../plant-time-zone.ts';
import { COMMITTED, findOrder, findOrderByExternalId, type OrderRow } from '../../db/repos/orders.ts';
import type { RouteCommit } from '../../engine/index.ts';
import { fromMinute, toMinute, type PlantState } from '../schedule/plant-cache.ts';
import { classifyErpChange } from '../../planning-rules/kpis.ts';
import type { Actor } from '../actor.ts';
import { conflict } from '../errors.ts';
import { assertWithinHorizon } from '../planning-horizon.ts';
import { flagOrdersMadeLate, reviewAtRisk } from '../schedule/at-risk.ts';
import { tickOverdueWork } from '../schedule/release-tick.ts';
import type { OrderChange } from '../schedule/schedule-writer.ts';
import type { WriteContext } from '../schedule/write-context.ts';
import { assertNotPast, engineOf, resolveDemand, storedDemandWithMaterial, type Evaluation, type ResolvedDemand } from './evaluate.ts';
import { orderView } from './order-view.ts';
import type { PromisingDeps } from './quotes.ts';
import { guardPinned, orderEventData, persistPlan, planColumns, recommitAfterLateMaterial, recommitRoute, reserve } from './reserve.ts';

export interface PushInput {
  sku: string;
  quantity: number;
  promiseDate: string;
  customer: string;
  customerId?: string | undefined;
  materialAvailableDate?: string | undefined;
  /** Why the date moves; recorded on the re-promise a later date writes. */
  reason?: string | undefined;
}

/**
 * Idempotent ERP push keyed by external id. The same body again changes nothing (no new
 * version). A changed order is rescheduled under the same rule as a new one: its old place
 * is given up only if the new demand fits, so a refused change leaves the order as it was.
 *
 * One change is a fact, not a request: a new material date alone (the same product, quantity
 * and promise; DOMAIN.md "Facts and time"), later or earlier: when the material arrives is not
 * the ERP's request but news. It is recorded,
 * never refused: the order is planned again at its own promise when that still holds, else
 * at its earliest keepable date with its promise and drum deadline unchanged (late, as after
 * a breakdown) and flagged at risk with reason `material-late` in the same version. A frozen
 * order whose material now comes after now is no longer ready, so it leaves the frozen window
 * and is planned like the others; an order whose drum work is under way records the date and
 * keeps its plan (materialFactOn). A released order's work before the drum that its plan
 * put before the material is planned again after it (recommitRoute's `materialFact`).
 */
export async function pushOrder(deps: PromisingDeps, plantId: string, actor: Actor, externalId: string, input: PushInput) {
  // Every push, a new material date included, reaches the engine's calendars: none beyond the planning window.
  assertWithinHorizon(deps, [['body.materialAvailableDate', input.materialAvailableDate]]);
  const timeZone = await plantTimeZone(deps, plantId);
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const existing = await findOrderByExternalId(ctx.tx, plantId, externalId);
    if (!existing) {
      const d = resolveDemand(ctx.state, input, deps);
      assertNotPast(ctx.state, input.promiseDate, ctx.nowMinute, 'body.promiseDate');
      assertWithinHorizon(deps, [['body.promiseDate', input.promiseDate]]);
      const row = await reserve(ctx, d, { ...input, externalId, externalIdChecked: true, status: 'confirmed' });
      ctx.emit({ type: 'order.pushed', orderId: row.id, data: orderEventData(row) });
      return { row, created: true };
    }
    const same =
      existing.sku === input.sku &&
      existing.quantity === input.quantity &&
      existing.promise_date === input.promiseDate &&
      existing.customer === input.customer &&
      existing.customer_id === (input.customerId ?? null) &&
      sameMaterialDate(ctx.state, existing.material_available_at, input.materialAvailableDate);
    if (same) return { row: existing, created: false };
    if (!COMMITTED.includes(existing.status)) {
      throw conflict(`Order ${existing.id} (external id "${externalId}") is ${existing.status} and can no longer change.`, {
        orderStatus: existing.status,
      });
    }

    const scheduleChanges =
      existing.sku !== input.sku ||
      existing.quantity !== input.quantity ||
      existing.promise_date !== input.promiseDate ||
      !sameMaterialDate(ctx.state, existing.material_available_at, input.materialAvailableDate);
    let updates: OrderChange = { customer: input.customer, customer_id: input.customerId ?? null };
    let guard: ReturnType<typeof guardPinned> = null;
    let e: Evaluation | undefined;
    let plan: RouteCommit | undefined;
    /** Set when late material made the order late: the date its plan now keeps. */
    let lateUntil: string | null = null;
    /** Where the plan of an order already at risk ended before a material fact: the fact is its cause only if it ends later now. */
    let wasEnd: number | null = null;
    const what = `The change of order ${existing.id} (external id "${externalId}")`;
    if (scheduleChanges) {
      // Only a new date is checked: an order promised within an earlier, longer horizon stays valid.
      if (input.promiseDate !== existing.promise_date) {
        assertNotPast(ctx.state, input.promiseDate, ctx.nowMinute, 'body.promiseDate');
        assertWithinHorizon(deps, [['body.promiseDate', input.promiseDate]]);
      }
      // The same product, quantity and promise: only the material date moved (scheduleChanges).
      const fact = existing.sku === input.sku && existing.quantity === input.quantity && existing.promise_date === input.promiseDate;
      // A material fact plans the order as promised; a new quantity or product is a new snapshot on today's product.
      const material = input.materialAvailableDate ? engineOf(ctx.state).wt.startOfLocalDate(input.materialAvailableDate) : null;
      const d = fact
        ? storedDemandWithMaterial(ctx.state, existing, material, deps.planningHorizonDays)
        : resolveDemand(ctx.state, input, deps);
      const pin = fact ? materialFactOn(ctx, existing, d) : 'keep';
      if (pin === 'record') {
        // Its work is under way (on the drum, or reported before it): the material was there; the date is recorded, its plan stays.
        const row = await ctx.orders.update(existing.id, {
          ...updates,
          material_available_at: d.materialAvailable == null ? null : fromMinute(d.materialAvailable),
        });
        emitUpdated(ctx, existing, row, 'other', input.reason ?? null);
        return { row, created: false };
      }
      // A frozen order whose material is not there is not ready: it leaves the frozen window (freezeHead's rule).
      if (pin === 'unpin') updates = { ...updates, pinned: false, pin_rank: null };
      else guard = guardPinned(ctx, existing);
      // A new quantity or product is a new snapshot: the order is planned again on today's routing.
      if (fact && !guard) {
        wasEnd = existing.at_risk ? planEndOf(ctx, existing.id) : null;
        ({ plan, evaluation: e, lateUntil } = recommitAfterLateMaterial(ctx, existing, d, what));
      } else ({ plan, evaluation: e } = recommitRoute(ctx, existing, d, input.promiseDate, what));
      updates = {
        ...updates,
        sku: input.sku,
        quantity: input.quantity,
        promise_date: input.promiseDate,
        requested_date: input.promiseDate,
        drum_load_minutes: Math.max(d.load, existing.drum_done_minutes),
        production_buffer_days: d.productionBufferDays,
        shipping_buffer_days: d.policy.shippingBufferDays,
        material_available_at: d.materialAvailable == null ? null : fromMinute(d.materialAvailable),
        ...planColumns(plan),
        // Late by a fact: its promise and drum deadline stay as given, the plan's is its effective one (D̂ > D).
        ...(lateUntil === null
          ? {}
          : {
              drum_deadline: existing.drum_deadline,
              effective_deadline: fromMinute(Math.max(plan.drumDeadline, toMinute(existing.drum_deadline))),
            }),
      };
    }
    // Through apply(row): the order keeps its pin (frozen rank or in progress) and its product's buffer.
    let row = await ctx.orders.update(existing.id, updates);
    if (plan) await persistPlan(ctx, existing.id, plan);
    if (lateUntil !== null) {
      // As after a breakdown (replanAfterFact): the tick pulls its work after the drum back behind
      // its drum finish, then the order is at risk in this same version, the late material its reason.
      await tickOverdueWork(ctx);
      if (wasEnd !== null && planEndOf(ctx, existing.id) <= wasEnd) await reviewAtRisk(ctx, [existing.id]);
      else await flagOrdersMadeLate(ctx, [existing.id], 'material-late');
    } else if (existing.at_risk) {
      // Judged now rather than after the write (the writer's review), so the answer shows the order's flag as stored.
      await reviewAtRisk(ctx, [existing.id]);
    }
    if (lateUntil !== null || existing.at_risk) row = (await findOrder(ctx.tx, plantId, existing.id)) ?? row;
    // A frozen or started order keeps its place at the head; the check above treated it as a new one, so confirm the whole set.
    if (e && guard) guard(e, what);
    const change = classifyErpChange(
      { promiseDate: existing.promise_date, quantity: existing.quantity, sku: existing.sku },
      { promiseDate: row.promise_date, quantity: row.quantity, sku: row.sku },
    );
    const reason = input.reason ?? null;
    emitUpdated(ctx, existing, row, change, reason);
    // A later date from the ERP is a re-promise like a planner's: the KPIs count it, the salesperson's feed shows it.
    if (change === 'repromise')
      ctx.emit({
        type: 'order.repromised',
        orderId: row.id,
        data: {
          from: existing.promise_date,
          to: row.promise_date,
          reason: reason ?? 'moved by the ERP (no reason given)',
          initiator: 'erp',
          customer: row.customer,
          externalId: row.external_id,
        },
      });
    return { row, created: false };
  });
  return { order: orderView(result.row, version, timeZone), created: result.created };
}

function emitUpdated(
  ctx: WriteContext,
  before: OrderRow,
  after: OrderRow,
  change: ReturnType<typeof classifyErpChange>,
  reason: string | null,
) {
  ctx.emit({
    type: 'order.updated',
    orderId: after.id,
    data: { before: orderEventData(before), after: orderEventData(after), via: 'erp-push', change, reason },
  });
}

/** Where the order's plan ends now (its last operation; Infinity when it has none within reach). */
function planEndOf(ctx: WriteContext, id: string): number {
  return engineOf(ctx.state).route.planOf(ctx.nowMinute, id)?.operations.at(-1)?.end ?? Infinity;
}

/**
 * What a new material date does to an order: `record` for one whose work is under way (in
 * progress on the drum, or with progress reported before it: the date is news; the work it gates has begun), `unpin` for a frozen one whose material
 * now comes after now (no longer ready by now, so not frozen: it is planned like any other),
 * `keep` otherwise (the commit's rule for pinned orders, guardPinned).
 */
function materialFactOn(ctx: WriteContext, row: OrderRow, d: ResolvedDemand): 'record' | 'unpin' | 'keep' {
  if (row.status === 'in_progress') return 'record';
  // The floor reported work on it: a fact that the material was there (its plan keeps the reported progress).
  if (
    engineOf(ctx.state)
      .route.get(row.id)
      ?.ops.some((op) => op.progress !== undefined)
  )
    return 'record';
  if (row.pinned && d.materialAvailable != null && d.materialAvailable > ctx.nowMinute) return 'unpin';
  return 'keep';
}

/** The stored material date (start of its local day) and the pushed one name the same day, or neither is set. */
function sameMaterialDate(state: PlantState, stored: Date | null, pushed: string | undefined): boolean {
  if (!stored || !pushed) return !stored && !pushed;
  return engineOf(state).wt.startOfLocalDate(pushed) === toMinute(stored);
}
