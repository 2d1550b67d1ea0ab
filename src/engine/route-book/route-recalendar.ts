import { recalendar } from '../ledger-repair.ts';
import type { Minute, WorkingTime } from '../working-time.ts';
import {
  drumIndex,
  linksOf,
  outcomeOf,
  pinnedBehind,
  readyOf,
  setReadyOf,
  settleShifts,
  type RouteTick,
  type TickHost,
} from './route-tick.ts';

/** What a calendar change off the drum did to the plans: as a tick reports it (the orders changed, at risk, into their buffer). */
export type Recalendared = Omit<RouteTick, 'overdue'>;

/**
 * A calendar change on one resource off the drum, applied to the plans by the right-shift
 * repair (design note §8.1, §8.4 "non-drum reduction"): the resource's ledger is rebuilt on
 * `wt` (starts kept, a reservation that overlaps its predecessor's new end starts there, more
 * capacity only shrinks), then every routing successor of a reservation that now ends later
 * is right-shifted, with everything it pushes (ledger-repair.ts `recalendar`). Nothing is
 * removed and placed again: every order keeps its place in every queue and moves by the least
 * amount. An upstream chain that now ends later raises its order's ready time on the drum
 * (one that ends earlier lowers it for an order late on the drum, which is pulled forward);
 * orders the drum can no longer finish by their drum deadline are re-positioned and their
 * downstream work follows their projected drum finish, as the tick does (route-tick.ts
 * `settleShifts`, `slack` its Δ). Facts are never refused: nothing here is. The caller holds
 * a checkpoint (RouteBook.recalendar does); the book's own working time of `resource` is the
 * caller's to switch (withWorkingTimes on the new rules).
 */
export function recalendarRoutes(
  host: TickHost,
  resource: string,
  wt: WorkingTime,
  now: Minute,
  slack: number,
  horizon: Minute,
): Recalendared {
  if (resource === host.drumId) throw new RangeError('recalendar changes a resource off the drum only');
  const { drumId } = host;
  const touched = new Set<string>();
  const upstream = new Set<string>();
  for (const m of recalendar(host.ledgers, resource, wt, linksOf(host), horizon).moves) {
    const rec = host.record(m.order)!;
    const ops = rec.ops.map((op) =>
      op.position === m.position && op.resource === m.resource ? { ...op, start: m.to.start, end: m.to.end } : op,
    );
    host.setRecord(m.order, { ...rec, ops });
    touched.add(m.order);
    const at = drumIndex(rec, drumId);
    if (at >= 0 && m.position < rec.ops[at]!.position) upstream.add(m.order);
  }
  for (const id of [...upstream].sort()) {
    const rec = host.record(id)!;
    const ready = readyOf(rec, drumId);
    if (ready === null || ready === rec.ready) continue;
    // A later chain raises the ready time. An earlier one lowers it only for an order late on
    // the drum (D̂ > D, not pinned): its drum work then starts as soon as the drum is free after
    // it, and settleShifts lowers D̂; an order on time keeps its drum plan (no churn for it).
    if (ready > rec.ready || lateOnDrum(host, id)) setReadyOf(host, id, ready, now);
  }
  const behind = pinnedBehind(host, now);
  for (const b of behind) touched.add(b.order);
  settleShifts(host, behind, touched, now, slack, horizon);
  return outcomeOf(host, touched);
}

/** Unpinned and late on the drum: its effective deadline D̂ is past its drum deadline D. */
function lateOnDrum(host: TickHost, id: string): boolean {
  const d = host.drum.get(id);
  return d !== undefined && d.pinned !== true && (d.effectiveDeadline ?? d.deadline) > d.deadline;
}
