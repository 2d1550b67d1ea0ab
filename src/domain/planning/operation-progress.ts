import { plantTimeZone } from '../plant-time-zone.ts';
import { findOrder, type OrderRow } from '../../db/repos/orders.ts';
import type { Actor } from '../actor.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { DEFAULT_PLANNING_HORIZON_DAYS } from '../planning-horizon.ts';
import { engineOf, storedDemandWithMaterial } from '../promising/evaluate.ts';
import { orderView } from '../promising/order-view.ts';
import type { PromisingDeps } from '../promising/quotes.ts';
import { persistPlan, planColumns, recommitAfterLateMaterial } from '../promising/reserve.ts';
import { flagOrdersMadeLate, reviewAtRisk } from '../schedule/at-risk.ts';
import { fromMinute, toMinute } from '../schedule/plant-cache.ts';
import { persistTicked, tickOverdueWork } from '../schedule/release-tick.ts';
import type { OrderChange, WriteContext } from '../schedule/schedule-writer.ts';
import { drumProgress, releaseFacts, settleDrumReport } from './floor.ts';

/** The floor's report on one operation: cumulative minutes done and/or that it started or is completed. */
export interface OperationReport {
  minutesDone?: number | undefined;
  status?: 'started' | 'completed' | undefined;
}

const OPEN = ['confirmed', 'released', 'in_progress'] as const;

/**
 * Progress per operation (issue 13 item 2), a fact from the floor: the operation's remaining
 * minutes are planned from the report on; when it ends later than planned, what waits behind
 * it on its resource and later in its route moves later, drum orders made late are
 * re-positioned and every order now ending after its promised day is at risk in this version
 * (reason `progress-behind`). Never refused because an order is late; a completed operation
 * frees its capacity. A report on the drum position is the drum's own report (drum minutes
 * done). An operation reported means its material was released: a confirmed order becomes
 * released (with its `order.released` event), and one whose material was expected later is
 * planned from the report (materialHereByReport).
 */
export async function reportOperationProgress(
  deps: PromisingDeps,
  plantId: string,
  actor: Actor,
  id: string,
  position: number,
  report: OperationReport,
) {
  const timeZone = await plantTimeZone(deps, plantId);
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const row = await findOrder(ctx.tx, plantId, id);
    if (!row) throw notFound(`Order "${id}"`);
    if (!(OPEN as readonly string[]).includes(row.status)) {
      throw conflict(`Order ${id} is ${row.status}; progress applies to ${OPEN.join(', ')} orders.`, { orderStatus: row.status });
    }
    const { route } = engineOf(ctx.state);
    const op = route.get(id)?.ops.find((o) => o.position === position);
    if (!op) throw invalid([{ field: 'params.position', message: `Order ${id} has no operation at position ${position}` }]);
    if (op.resource === route.drumId) {
      await ctx.orders.update(id, drumProgress(ctx, row, drumMinutesOf(row, report), 'body.minutesDone'));
      return settleDrumReport(ctx, id);
    }
    const here = await materialHereByReport(ctx, deps, row);
    return ctx.orders.update(id, await ledgerProgress(ctx, here.row, position, report, here.expected));
  });
  return orderView(result, version, timeZone);
}

function drumMinutesOf(row: OrderRow, report: OperationReport): number {
  if (report.status === 'completed') {
    if (report.minutesDone !== undefined && report.minutesDone !== row.drum_load_minutes) throw notAll(row.drum_load_minutes);
    return row.drum_load_minutes;
  }
  return report.minutesDone ?? row.drum_done_minutes;
}

const notAll = (minutes: number) =>
  invalid([{ field: 'body.minutesDone', message: `A completed operation has all its ${minutes} minutes done` }]);

/**
 * Work reported on an order whose material the plant expected later (a confirmed order whose
 * release was refused for it, or a released one given a late date before any work began) is
 * the floor's fact that the material is here: its material date becomes today and it is
 * planned again from now, like any material fact (at its own promise when that holds), before
 * the report applies. Without this the report's operation stayed planned after the expected
 * date. An order with work reported before keeps its plan (the material was there already).
 */
async function materialHereByReport(ctx: WriteContext, deps: PromisingDeps, row: OrderRow) {
  const expected = row.material_available_at;
  const { route, wt } = engineOf(ctx.state);
  const worked = route.get(row.id)?.ops.some((op) => op.progress !== undefined) ?? true;
  if (!expected || toMinute(expected) <= ctx.nowMinute || worked || (row.status !== 'confirmed' && row.status !== 'released')) {
    return { row, expected: null };
  }
  // The order as promised (its snapshot), not today's product: the fact changes when its work may start, not what it is.
  const today = wt.startOfLocalDate(wt.localDateOf(ctx.nowMinute));
  const d = storedDemandWithMaterial(ctx.state, row, today, deps.planningHorizonDays);
  const { plan, lateUntil } = recommitAfterLateMaterial(ctx, row, d, `The report on order ${row.id}`);
  const updated = await ctx.orders.update(row.id, {
    material_available_at: fromMinute(today),
    ...planColumns(plan),
    // Still late for another cause: its promise and drum deadline stay, the plan's is its effective one (as erp-push).
    ...(lateUntil === null
      ? {}
      : { drum_deadline: row.drum_deadline, effective_deadline: fromMinute(Math.max(plan.drumDeadline, toMinute(row.drum_deadline))) }),
  });
  await persistPlan(ctx, row.id, plan);
  if (lateUntil !== null) await tickOverdueWork(ctx);
  if (row.at_risk || lateUntil !== null) await reviewAtRisk(ctx, [row.id]);
  return { row: updated, expected };
}

async function ledgerProgress(
  ctx: WriteContext,
  row: OrderRow,
  position: number,
  report: OperationReport,
  materialExpected: Date | null,
): Promise<OrderChange> {
  const { route } = engineOf(ctx.state);
  const op = route.get(row.id)!.ops.find((o) => o.position === position)!;
  if (op.progress?.completedAt != null) {
    throw conflict(`Operation ${position} of order ${row.id} is completed; it takes no further report.`, { position });
  }
  const done = op.progress?.done ?? 0;
  const total = done + op.minutes;
  let minutesDone = report.minutesDone ?? done;
  if (report.status === 'completed') {
    if (report.minutesDone !== undefined && report.minutesDone !== total) throw notAll(total);
    minutesDone = total;
  }
  if (minutesDone > total) {
    throw invalid([{ field: 'body.minutesDone', message: `Operation ${position} of order ${row.id} has ${total} minutes in all` }]);
  }
  if (minutesDone < done) {
    throw invalid([
      { field: 'body.minutesDone', message: `Already ${done} minutes were reported; progress is cumulative and never goes back` },
    ]);
  }
  const out = route.reportOperation(ctx.nowMinute, row.id, position, minutesDone, ctx.nowMinute + DEFAULT_PLANNING_HORIZON_DAYS * 1440);
  for (const rec of out.changed) await persistTicked(ctx, rec);
  const madeLate = out.atRisk.map((r) => r.id);
  await flagOrdersMadeLate(
    ctx,
    out.changed.map((o) => o.id),
    'progress-behind',
  );
  ctx.emit({
    type: 'order.operation-progress',
    orderId: row.id,
    data: {
      position,
      resource: op.resource,
      minutesDone,
      minutes: total,
      completed: minutesDone === total,
      movedOrderIds: out.changed.map((o) => o.id),
      madeLate,
      ...(materialExpected ? { materialExpectedAt: materialExpected.toISOString() } : {}),
    },
  });
  if (row.status !== 'confirmed') return {};
  // Work on an operation means its material was released: a fact, never refused for being early.
  ctx.emit({ type: 'order.released', orderId: row.id, data: releaseFacts(ctx, row, `operation ${position} reported`) });
  return { status: 'released', released_at: ctx.now };
}
