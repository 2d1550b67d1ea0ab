import type { Minute, WorkingTime } from '../working-time.ts';
import type { RouteDrumTree } from './tree.ts';

/**
 * The semi-active drum plan without the forward pass: F at any sequence position follows
 * from the tree's aggregates (docs/design/whole-route.md §3.3). For the unpinned order at
 * 1-based index k, F_k = max(base, max_{j ≤ k} need_j) + prefix_k, where base is the
 * finish of the pinned prefix; so one order costs O(log n) (+ pinned) and a page of the
 * plan from any position O(log n + page). All values are integers, so the closed form
 * equals the recursion F_k = max(F_{k−1}, c(ρ_k)) + p_k exactly.
 */

/** One order of the semi-active forward plan. */
export interface PlannedDrumOrder {
  id: string;
  load: number;
  deadline: Minute;
  effectiveDeadline: Minute;
  ready: Minute;
  key: number;
  pinned: boolean;
  /** Drum cumulative at the start and finish of its work: F_k − p_k and F_k. */
  startCumulative: number;
  finishCumulative: number;
  /** First working minute of the order on the drum (= finish for a zero load); never before now or the ready time. */
  start: Minute;
  /** The instant its last working minute ends, never before now or its ready time (Infinity beyond a calendar whose capacity ends). */
  finish: Minute;
  /** c(D̂) − F_k: drum working minutes of slack against the effective deadline; negative when late. */
  slack: number;
  late: boolean;
}

/**
 * Where a page of the drum plan starts: after the first `pinned` pinned orders, or after
 * the unpinned order with sequence key `key` (keys are positions in the sequence, so a
 * cursor stays meaningful after writes; readers detect writes by the book's revision).
 */
export type DrumPlanCursor = { pinned: number } | { key: number };

export interface DrumPlanPage {
  orders: PlannedDrumOrder[];
  /** Where the next page starts; undefined after the last order. */
  next: DrumPlanCursor | undefined;
}

/** The fields of an order the plan publishes (RouteDrumOrder without the import cycle). */
interface PlanInput {
  id: string;
  load: number;
  deadline: Minute;
  effectiveDeadline?: Minute;
  ready: Minute;
  key: number;
}

/** What the plan reads from a RouteDrum. */
export interface DrumPlanSource {
  workingTime: WorkingTime;
  pinned: readonly { order: PlanInput; cReady: number; cEffectiveDeadline: number }[];
  tree: RouteDrumTree;
  /** The slot of an unpinned order. */
  slotOf(id: string): number | undefined;
}

/**
 * The order planned after a drum cumulative F: the one step of the forward recursion, shared
 * by the full plan and the pages so every path publishes the same numbers.
 */
export function plannedAfter(
  wt: WorkingTime,
  now: Minute,
  c0: number,
  F: number,
  o: PlanInput,
  cReady: number,
  cD: number,
  pinned: boolean,
): PlannedDrumOrder {
  const startCumulative = Math.max(F, cReady);
  const finishCumulative = startCumulative + o.load;
  // ≥ the ready time too (only binds for a zero load: otherwise F > c(ρ))
  const finish = Math.max(now, o.ready, finishCumulative <= c0 ? now : wt.instantAtCumulative(finishCumulative));
  const start = o.load === 0 ? finish : Math.max(now, wt.instantAtCumulative(startCumulative + 1) - 1);
  return {
    id: o.id,
    load: o.load,
    deadline: o.deadline,
    effectiveDeadline: o.effectiveDeadline ?? o.deadline,
    ready: o.ready,
    key: o.key,
    pinned,
    startCumulative,
    finishCumulative,
    start,
    finish,
    slack: cD - finishCumulative,
    late: cD < finishCumulative,
  };
}

/** Up to `limit` orders of the plan after `after` (from the first pinned order when undefined). O(log n + limit) + pinned. */
export function planPageOf(src: DrumPlanSource, now: Minute, after: DrumPlanCursor | undefined, limit: number): DrumPlanPage {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be an integer ≥ 1, got ${limit}`);
  const wt = src.workingTime;
  const c0 = wt.cumulative(now);
  const orders: PlannedDrumOrder[] = [];
  let F = c0;
  let i = 0;
  // The pinned prefix is short (in progress, frozen) and its F is a plain forward pass.
  const skip = after === undefined ? 0 : 'pinned' in after ? after.pinned : src.pinned.length;
  for (const p of src.pinned) {
    if (i >= skip) {
      if (orders.length === limit) return { orders, next: { pinned: i } };
      orders.push(plannedAfter(wt, now, c0, F, p.order, p.cReady, p.cEffectiveDeadline, true));
    }
    F = Math.max(F, p.cReady) + p.order.load;
    i++;
  }
  const base = F;
  const tree = src.tree;
  const from = after !== undefined && 'key' in after ? tree.stateUpTo(after.key) : { count: 0, prefix: 0, maxNeed: -Infinity };
  if (from.count >= tree.size) return { orders, next: undefined };
  if (orders.length === limit) return { orders, next: { pinned: src.pinned.length } };
  F = Math.max(base, from.maxNeed) + from.prefix;
  let last: PlannedDrumOrder | undefined;
  let more = false;
  tree.forEachFrom(from.count, (slot) => {
    if (orders.length === limit) {
      more = true;
      return false;
    }
    const rec = tree.record(slot);
    last = plannedAfter(wt, now, c0, F, rec, rec.cReady, rec.cEffectiveDeadline, false);
    F = last.finishCumulative;
    orders.push(last);
    return true;
  });
  return { orders, next: more ? { key: last!.key } : undefined };
}

/** One order's entry of the plan: O(log n) + pinned. Undefined when it is not on the drum. */
export function planOneOf(src: DrumPlanSource, now: Minute, id: string): PlannedDrumOrder | undefined {
  const wt = src.workingTime;
  const c0 = wt.cumulative(now);
  let F = c0;
  for (const p of src.pinned) {
    if (p.order.id === id) return plannedAfter(wt, now, c0, F, p.order, p.cReady, p.cEffectiveDeadline, true);
    F = Math.max(F, p.cReady) + p.order.load;
  }
  const slot = src.slotOf(id);
  if (slot === undefined) return undefined;
  const rec = src.tree.record(slot);
  const at = src.tree.indexOf(rec.key);
  return plannedAfter(wt, now, c0, Math.max(F, at.maxNeed) + at.prefix, rec, rec.cReady, rec.cEffectiveDeadline, false);
}
