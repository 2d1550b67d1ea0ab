import type { RouteBook, RoutePlan, RoutePlanOp, StoredRouteOrder, WorkingTime } from '../../engine/index.ts';
import { drumDeadlineFor, endOfLocalDate, projectedFinishOf } from '../../engine/index.ts';
import { DomainError } from '../errors.ts';
import { DEFAULT_PLANNING_HORIZON_DAYS } from '../planning-horizon.ts';
import { fromMinute } from '../schedule/plant-cache.ts';
import { loadPlantConfig } from '../schedule/plant-config.ts';
import { persistTicked } from '../schedule/release-tick.ts';
import { TICK_STEP_MINUTES } from '../schedule/tick-step.ts';
import type { WriteContext } from '../schedule/write-context.ts';

/** A calendar change off the drum, as the right-shift repair applies it: the resource and its new working time. */
export interface OffDrumChange {
  resource: string;
  wt: WorkingTime;
}

/**
 * What makes an order late after a repair. `promise-day` (a fact: a breakdown): its plan ends
 * after the end of its promised day, or misses its drum deadline as the plan says (`late`).
 * `ship-ready` (a planner's change, which may not silently take an order's shipping buffer):
 * also when its plan ends after its ship-ready time S or its drum finish is past its drum
 * deadline (D̂ > D), as a re-commit at its promise would refuse.
 */
export type LateRule = 'promise-day' | 'ship-ready';

function lateInPlan(route: RouteBook, nowMinute: number, id: string, rule: LateRule): boolean {
  const rec = route.get(id);
  const p = route.planOf(nowMinute, id);
  if (!rec || !p) return false;
  const end = planEnd(route, rec, p);
  const drumWt = route.workingTime(route.drumId);
  if (p.late || end > endOfLocalDate(drumWt, rec.promiseDate)) return true;
  if (rule === 'promise-day') return false;
  const consumed = rec.effectiveDeadline !== undefined && rec.effectiveDeadline > rec.drumDeadline;
  return consumed || end > drumDeadlineFor(drumWt, rec.promiseDate, rec.shippingBufferDays);
}

/**
 * Orders a new drum calendar leaves past their ship-ready time S (the `ship-ready` rule) that
 * were not before: a holiday or downtime on the drum can move S earlier (the promised day no
 * longer a working day) while the plan stays where it was, which would take the order's
 * shipping buffer without a word. Only orders whose S moved are planned (S is computed once per
 * promise date and buffer): O(n) arithmetic, `planOf` for the few whose S moved.
 */
export function shipBufferTaken(before: RouteBook, after: RouteBook, nowMinute: number, skip: ReadonlySet<string>): string[] {
  const [was, now] = [before.workingTime(before.drumId), after.workingTime(after.drumId)];
  const moved = new Map<string, boolean>();
  const out: string[] = [];
  for (const o of after.orders()) {
    if (skip.has(o.id)) continue;
    const key = `${o.promiseDate}/${o.shippingBufferDays}`;
    let m = moved.get(key);
    if (m === undefined) {
      m = drumDeadlineFor(now, o.promiseDate, o.shippingBufferDays) < drumDeadlineFor(was, o.promiseDate, o.shippingBufferDays);
      moved.set(key, m);
    }
    if (m && lateInPlan(after, nowMinute, o.id, 'ship-ready') && !lateInPlan(before, nowMinute, o.id, 'ship-ready')) out.push(o.id);
  }
  return out;
}

/**
 * Applies a calendar change off the drum to `route` in place by the right-shift repair
 * (RouteBook.recalendar, design note §8.1/§8.4): every order keeps its place in every queue
 * and moves by the least amount. Returns the orders it changed, as stored now, and those of
 * them late after the repair by `rule`, in drum order. The caller holds a checkpoint when
 * this is a what-if, and switches to the new rules next when it is a write.
 */
export function repairOffDrum(
  route: RouteBook,
  nowMinute: number,
  change: OffDrumChange,
  rule: LateRule,
): { changed: StoredRouteOrder[]; late: string[] } {
  // A planner's change is judged by what it does: an order already late by the rule that the
  // repair leaves no later is not made late by it (overtime added for an order at risk would
  // otherwise be refused for that very order).
  const lateBefore = rule === 'ship-ready' ? finishesOfLate(route, nowMinute) : new Map<string, number>();
  const t = route.recalendar(nowMinute, change.resource, change.wt, TICK_STEP_MINUTES, nowMinute + DEFAULT_PLANNING_HORIZON_DAYS * 1440);
  const changed = new Set(t.changed.map((r) => r.id));
  const late = route
    .orders()
    .filter(
      (o) =>
        changed.has(o.id) &&
        lateInPlan(route, nowMinute, o.id, rule) &&
        !(finishOf(route, nowMinute, o.id) <= (lateBefore.get(o.id) ?? -Infinity)),
    )
    .map((o) => o.id);
  return { changed: t.changed, late };
}

/** Where an order's plan ends, as lateInPlan reads it. */
function finishOf(route: RouteBook, nowMinute: number, id: string): number {
  return planEnd(route, route.get(id)!, route.planOf(nowMinute, id));
}

/** A pinned order is never re-positioned: its plan says where its drum work ends; else its record's projected finish. */
function planEnd(route: RouteBook, rec: StoredRouteOrder, p: RoutePlan | undefined): number {
  return rec.pinned ? (p?.operations.at(-1)?.end ?? Infinity) : projectedFinishOf(rec, route.drumId);
}

/**
 * The orders late by the `ship-ready` rule now, with where their plans end. Only orders with
 * a sign of it are planned: pinned ones, D̂ > D, or an end past S (computed once per promise
 * date and buffer).
 */
function finishesOfLate(route: RouteBook, nowMinute: number): Map<string, number> {
  const drumWt = route.workingTime(route.drumId);
  const shipReady = new Map<string, number>();
  const out = new Map<string, number>();
  for (const o of route.orders()) {
    const key = `${o.promiseDate}/${o.shippingBufferDays}`;
    let s = shipReady.get(key);
    if (s === undefined) shipReady.set(key, (s = drumDeadlineFor(drumWt, o.promiseDate, o.shippingBufferDays)));
    const sign =
      o.pinned || (o.effectiveDeadline !== undefined && o.effectiveDeadline > o.drumDeadline) || projectedFinishOf(o, route.drumId) > s;
    if (sign && lateInPlan(route, nowMinute, o.id, 'ship-ready')) out.set(o.id, finishOf(route, nowMinute, o.id));
  }
  return out;
}

/** A stretch of an order's plan: where it starts and ends, as ISO instants ('never' when there is no room). */
export interface PlanSpan {
  start: string;
  finish: string;
}

/** An order a capacity change moves: on the drum its drum operation, off it the stretch of its plan that moves (movedStretch), before and after. */
export interface MovedPlan {
  orderId: string;
  before: PlanSpan;
  after: PlanSpan;
}

/**
 * What a planner's change would leave late after the repair (`ship-ready`), every order's
 * plan after it (in drum order, the late ones included) and the orders it changes (in drum
 * order; the first `listed` with the stretch of their plan that moves, before and after), the
 * book left as it was (a preview, an evaluation before the write).
 */
export function lateAfterRepair(
  route: RouteBook,
  nowMinute: number,
  change: OffDrumChange,
  listed: number,
): { late: string[]; orders: StoredRouteOrder[]; moved: MovedPlan[]; movedCount: number } {
  const cp = route.checkpoint();
  let late: string[];
  let orders: StoredRouteOrder[];
  let changedIds: string[];
  const after = new Map<string, RoutePlan | undefined>();
  try {
    const r = repairOffDrum(route, nowMinute, change, 'ship-ready');
    const changed = new Set(r.changed.map((c) => c.id));
    late = r.late;
    orders = route.orders();
    changedIds = orders.filter((o) => changed.has(o.id)).map((o) => o.id);
    // Only the listed ones are planned: a change early in the horizon moves nearly every order.
    for (const id of changedIds.slice(0, listed)) after.set(id, route.planOf(nowMinute, id));
  } finally {
    route.rollback(cp);
  }
  const moved = [...after].map(([orderId, a]) => ({ orderId, ...movedStretch(route.planOf(nowMinute, orderId), a) }));
  return { late, orders, moved, movedCount: changedIds.length };
}

/** An instant as the answers write it: ISO, or 'never' when there is no room (an infinite or missing minute). */
export const isoOrNever = (m: number | undefined) => (m !== undefined && Number.isFinite(m) ? fromMinute(m).toISOString() : 'never');

/**
 * The stretch of an order's plan that moves: from the first start to the last end of the
 * operations whose start or end differs, before and after. The whole plan's span would hide
 * a move inside it (heat ending 2 hours earlier while the drum and test stay put). When no
 * operation differs (the record changed, the plan did not), the whole plan.
 */
function movedStretch(before: RoutePlan | undefined, after: RoutePlan | undefined): { before: PlanSpan; after: PlanSpan } {
  const b = before?.operations ?? [];
  const a = after?.operations ?? [];
  const all = [...Array(Math.max(a.length, b.length)).keys()];
  const differing = all.filter((k) => b[k]?.start !== a[k]?.start || b[k]?.end !== a[k]?.end);
  const pick = differing.length ? differing : all;
  const span = (ops: readonly RoutePlanOp[]): PlanSpan => {
    const chosen = pick.map((k) => ops[k]).filter((o) => o !== undefined);
    return {
      start: isoOrNever(chosen.length ? Math.min(...chosen.map((o) => o.start)) : undefined),
      finish: isoOrNever(chosen.length ? Math.max(...chosen.map((o) => o.end)) : undefined),
    };
  };
  return { before: span(b), after: span(a) };
}

/** Stores the repaired plans of `ids` as the (new) book now holds them, so a cold build reads the same plans. */
export async function persistRepaired(ctx: WriteContext, ids: Iterable<string>): Promise<void> {
  const route = ctx.state.route;
  if (!route) return;
  for (const id of ids) {
    const rec = route.get(id);
    if (rec) await persistTicked(ctx, rec);
  }
}

/** A capacity write switches its own state to the new rules at once, so what it does next (re-promises, the check) runs on them. */
export async function switchToNewRules(ctx: WriteContext): Promise<void> {
  const config = await loadPlantConfig(ctx.tx, ctx.state.config.plantId);
  if (!ctx.state.recalibrate(config)) throw new Error('the drum resource changed inside a capacity write');
}

/**
 * The whole-route check after a capacity change: every committed order still has a plan
 * that works on every resource's calendar. Orders it would make late are listed (409); the
 * planner re-promises them explicitly, never the service silently.
 */
export function assertRoutesKeepable(ctx: WriteContext, losing: readonly string[], what: string): void {
  const route = ctx.state.route;
  if (!route) return;
  const late = route
    .plan(ctx.nowMinute)
    .filter((p) => p.late)
    .map((p) => ({ orderId: p.id, drumDeadline: fromMinute(p.drumDeadline).toISOString() }));
  if (late.length === 0 && losing.length === 0) return;
  // Orders the change takes planned time from and that cannot keep their date: the planner re-promises them in the same request.
  throw new DomainError(
    'schedule-infeasible',
    `${what} would make ${late.length + losing.length} committed order(s) late on their route: re-promise them first (POST …/orders/{id}/repromise) or choose other capacity.`,
    { lateOrders: late, ordersLosingCapacity: [...losing] },
  );
}
