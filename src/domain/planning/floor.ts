import { plantTimeZone } from '../plant-time-zone.ts';
import { fromMinute, IN_PROGRESS_RANK, toMinute } from '../schedule/plant-cache.ts';
import { findOrder, type OrderRow } from '../../db/repos/orders.ts';
import type { OrderStatus } from '../../db/database.ts';
import { endOfLocalDate, penetration } from '../../engine/index.ts';
import { promiseKept } from '../../planning-rules/kpis.ts';
import type { Actor } from '../actor.ts';
import { DEFAULT_PLANNING_HORIZON_DAYS } from '../planning-horizon.ts';
import { flagOrdersMadeLate } from '../schedule/at-risk.ts';
import { persistTicked } from '../schedule/release-tick.ts';
import { conflict, forbidden, invalid, notFound } from '../errors.ts';
import { engineOf } from '../promising/evaluate.ts';
import { orderView } from '../promising/order-view.ts';
import type { OrderChange, ScheduleDeps, WriteContext } from '../schedule/schedule-writer.ts';

type Step = (ctx: WriteContext, row: OrderRow) => Promise<OrderChange | null>;

/** Every floor report is a reschedule of one order: locked, versioned, evented. */
async function floorStep(deps: ScheduleDeps, plantId: string, actor: Actor, id: string, allowed: readonly OrderStatus[], step: Step) {
  const timeZone = await plantTimeZone(deps, plantId);
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const row = await findOrder(ctx.tx, plantId, id);
    if (!row) throw notFound(`Order "${id}"`);
    if (!allowed.includes(row.status)) {
      throw conflict(`Order ${id} is ${row.status}; this report applies to ${allowed.join(', ')} orders.`, { orderStatus: row.status });
    }
    const set = await step(ctx, row);
    if (!set) return row;
    return ctx.orders.update(id, set);
  });
  return orderView(result, version, timeZone);
}

/**
 * Drum minutes done so far (cumulative). The order is on the drum now, so it is pinned at
 * the front and only its remaining minutes load the drum. A fact from the floor is never
 * refused for making others late; the event lists any order it pushes past its deadline.
 */
export async function reportProgress(deps: ScheduleDeps, plantId: string, actor: Actor, id: string, drumMinutesDone: number) {
  const timeZone = await plantTimeZone(deps, plantId);
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const row = await findOrder(ctx.tx, plantId, id);
    if (!row) throw notFound(`Order "${id}"`);
    if (!OPEN.includes(row.status)) {
      throw conflict(`Order ${id} is ${row.status}; this report applies to ${OPEN.join(', ')} orders.`, { orderStatus: row.status });
    }
    await ctx.orders.update(id, drumProgress(ctx, row, drumMinutesDone, 'body.drumMinutesDone'));
    return settleDrumReport(ctx, id);
  });
  return orderView(result, version, timeZone);
}

const OPEN: readonly OrderStatus[] = ['confirmed', 'released', 'in_progress'];

/**
 * After a drum report is stored: the order's work after the drum moves behind its projected
 * drum finish when it would start earlier (and what waits behind it), drum orders made late
 * are re-positioned, and every order the report moved that now ends after its promised day is
 * at risk in this version (reason `progress-behind`). Returns the order as now stored.
 */
export async function settleDrumReport(ctx: WriteContext, id: string): Promise<OrderRow> {
  const { route } = engineOf(ctx.state);
  const out = route.settleDrumReport(ctx.nowMinute, id, ctx.nowMinute + DEFAULT_PLANNING_HORIZON_DAYS * 1440);
  for (const rec of out.changed) await persistTicked(ctx, rec);
  await flagOrdersMadeLate(
    ctx,
    out.changed.map((o) => o.id),
    'progress-behind',
  );
  return (await findOrder(ctx.tx, ctx.state.config.plantId, id))!;
}

/** The drum's cumulative report (also a per-operation report on the drum position): the order change it makes. */
export function drumProgress(ctx: WriteContext, row: OrderRow, drumMinutesDone: number, field: string): OrderChange {
  const id = row.id;
  if (drumMinutesDone > row.drum_load_minutes) {
    throw invalid([{ field, message: `Order ${id} needs ${row.drum_load_minutes} drum minutes in all` }]);
  }
  if (drumMinutesDone < row.drum_done_minutes) {
    throw invalid([
      {
        field,
        message: `Already ${row.drum_done_minutes} minutes were reported; progress is cumulative and never goes back`,
      },
    ]);
  }
  const { book } = engineOf(ctx.state);
  const current = book.get(id);
  const wasLate = new Set(lateIds(ctx));
  if (current) book.update({ ...current, load: row.drum_load_minutes - drumMinutesDone, pinned: true, pinRank: IN_PROGRESS_RANK });
  const madeLate = lateIds(ctx).filter((o) => !wasLate.has(o));
  ctx.emit({
    type: 'order.progress',
    orderId: id,
    data: {
      drumMinutesDone,
      drumLoadMinutes: row.drum_load_minutes,
      drumOperationDone: drumMinutesDone === row.drum_load_minutes,
      madeLate,
    },
  });
  return { drum_done_minutes: drumMinutesDone, status: 'in_progress', pinned: true, released_at: row.released_at ?? ctx.now };
}

function lateIds(ctx: WriteContext): string[] {
  const { book } = engineOf(ctx.state);
  if (book.feasible(ctx.nowMinute)) return [];
  return book
    .schedule(ctx.nowMinute, ctx.state.config.policy.productionBufferDays)
    .filter((s) => s.late)
    .map((s) => s.id);
}

/** The buffer penetration the order finished with: the history DBM learns from. */
function completion(ctx: WriteContext, row: OrderRow) {
  const { wt } = engineOf(ctx.state);
  const p = penetration(wt, { id: row.id, promiseDate: row.promise_date, productionBufferDays: row.production_buffer_days }, ctx.nowMinute);
  return { percent: p.percent, zone: p.zone };
}

/** Finished and ready to ship: the order leaves the drum and its capacity returns. */
export function completeOrder(deps: ScheduleDeps, plantId: string, actor: Actor, id: string) {
  return floorStep(deps, plantId, actor, id, ['confirmed', 'released', 'in_progress'], async (ctx, row) => {
    const c = completion(ctx, row);
    ctx.emit({ type: 'order.completed', orderId: id, data: { promiseDate: row.promise_date, penetration: c.percent, zone: c.zone } });
    return {
      status: 'completed',
      completed_at: ctx.now,
      drum_done_minutes: row.drum_load_minutes,
      penetration_at_completion: c.percent,
      pinned: false,
    };
  });
}

/**
 * Shipping closes the order and records whether the promise was kept (shipped by the end of
 * the promised local day), against the latest promise and against the original one.
 */
export function shipOrder(deps: ScheduleDeps, plantId: string, actor: Actor, id: string) {
  return floorStep(deps, plantId, actor, id, ['confirmed', 'released', 'in_progress', 'completed'], async (ctx, row) => {
    const { wt } = engineOf(ctx.state);
    const shippedDate = wt.localDateOf(ctx.nowMinute);
    const keptBy = (d: string) => promiseKept(ctx.now.getTime(), fromMinute(endOfLocalDate(wt, d)).getTime());
    const kept = keptBy(row.promise_date);
    const original = row.original_promise_date ?? row.promise_date;
    const keptOriginal = keptBy(original);
    const completing = row.status !== 'completed';
    const c = completing ? completion(ctx, row) : null;
    ctx.emit({
      type: 'order.shipped',
      orderId: id,
      data: {
        promiseDate: row.promise_date,
        shippedDate,
        promiseKept: kept,
        originalPromiseDate: original,
        originalPromiseKept: keptOriginal,
      },
    });
    return {
      status: 'shipped',
      shipped_at: ctx.now,
      promise_kept: kept,
      original_promise_kept: keptOriginal,
      pinned: false,
      ...(c ? { completed_at: ctx.now, drum_done_minutes: row.drum_load_minutes, penetration_at_completion: c.percent } : {}),
    };
  });
}

/**
 * Marks material released; not before the material is available (409). Before the local date of the rope's planned release (stored at
 * commit, the release list's `plannedRelease`) it builds WIP the drum does not need yet:
 * only a planner may do that, and the event says it was early and by how much. Legacy
 * orders without a stored release keep the old rule (drum start − ⌈PB/2⌉ working days).
 */
export function releaseOrder(deps: ScheduleDeps, plantId: string, actor: Actor, id: string, reason?: string) {
  return floorStep(deps, plantId, actor, id, ['confirmed'], async (ctx, row) => {
    // Material cannot go to the floor before it is there; its arrival is the ERP's fact to report.
    if (row.material_available_at && row.material_available_at.getTime() > ctx.now.getTime()) {
      throw conflict(
        `The material of order ${id} is available only from ${row.material_available_at.toISOString()}; it cannot be released before.`,
        {
          materialAvailableAt: row.material_available_at.toISOString(),
        },
      );
    }
    const data = releaseFacts(ctx, row, reason ?? null);
    if (data.early && actor.role !== 'planner') {
      throw forbidden(
        `The rope releases order ${id} on ${data.ropeReleaseDate}; releasing it earlier (today, ${data.releasedOn}) is a planner's decision.`,
      );
    }
    ctx.emit({ type: 'order.released', orderId: id, data });
    return { status: 'released', released_at: ctx.now };
  });
}

/** The `order.released` event's data for a release now: the rope's date and whether (and by how much) it is early. */
export function releaseFacts(ctx: WriteContext, row: OrderRow, reason: string | null) {
  const { book, wt } = engineOf(ctx.state);
  const today = wt.localDateOf(ctx.nowMinute);
  const ropeDate = row.planned_release_at
    ? wt.localDateOf(toMinute(row.planned_release_at))
    : (book.schedule(ctx.nowMinute, ctx.state.config.policy.productionBufferDays).find((s) => s.id === row.id)?.releaseDate ?? today);
  const early = today < ropeDate;
  return {
    ropeReleaseDate: ropeDate,
    releasedOn: today,
    early,
    workingDaysEarly: early ? countWorkingDays(wt, today, ropeDate) : 0,
    reason,
  };
}

function countWorkingDays(wt: ReturnType<typeof engineOf>['wt'], from: string, to: string): number {
  let n = 0;
  for (let d = wt.addWorkingDays(from, 0); d < to && n < 1000; d = wt.addWorkingDays(d, 1)) n++;
  return n;
}
