import type { Minute } from '../working-time.ts';
import { outcomeOf, readyOf, settleShifts, type RouteTick, type TickHost } from './route-tick.ts';
import type { StoredRouteOp, StoredRouteOrder } from './route-types.ts';

/** What a report changed: every order whose stored plan moved (the reported one first among equals), as the tick reports it. */
export type ProgressOutcome = Omit<RouteTick, 'overdue'>;

/**
 * The floor reports `minutesDone` (cumulative) on a non-drum operation of order `id` at
 * `now` (issue 13 item 2). The remaining minutes are worked from the report on: the
 * operation's reservation keeps its place in its resource's queue, shrinks to what remains
 * and starts no earlier than now (remaining work cannot be done in the past); work before
 * the drum that is on ahead of its planned start goes into a free stretch from now
 * (earlierStart). When it ends later than planned, what waits behind it on that resource
 * and later in its route moves later (the tick's right-shift, §8.1), drum orders made late
 * are re-positioned (§8.3). Nothing remaining: the reservation is removed and its capacity
 * is free. A fact: never refused for making orders late. RangeError on an unknown order or
 * position, the drum, a completed operation, or a report that goes back or beyond the
 * operation's minutes. Work before the drum reported done early brings the order's ready
 * time forward (readyFromWork). The caller holds a checkpoint.
 */
export function reportOperation(
  host: TickHost,
  now: Minute,
  id: string,
  position: number,
  minutesDone: number,
  horizon: Minute,
): ProgressOutcome {
  const rec = host.record(id);
  if (!rec) throw new RangeError(`no order ${id}`);
  const at = rec.ops.findIndex((op) => op.position === position);
  const op = rec.ops[at];
  if (!op) throw new RangeError(`order ${id} has no operation ${position}`);
  if (op.resource === host.drumId) throw new RangeError(`operation ${position} of ${id} is on the drum: report drum minutes`);
  const before = op.progress;
  if (before?.completedAt != null) throw new RangeError(`operation ${position} of ${id} is completed`);
  const done = before?.done ?? 0;
  const total = done + op.minutes;
  if (!Number.isInteger(minutesDone) || minutesDone < done || minutesDone > total)
    throw new RangeError(`minutesDone must be an integer in [${done}, ${total}], got ${minutesDone}`);
  const remaining = total - minutesDone;
  const progress = { done: minutesDone, startedAt: before?.startedAt ?? now, reportedAt: now, completedAt: remaining === 0 ? now : null };
  const ledger = host.ledgers.get(op.resource);
  const r = op.start !== null && op.minutes > 0 ? ledger.get(id, position) : undefined;
  let next: StoredRouteOp = { ...op, minutes: remaining, progress };
  const bounds = [];
  if (r) {
    ledger.remove(id, position);
    if (remaining > 0) {
      // Shrinking in place keeps every queue valid; the right-shift then starts it at now at the earliest.
      const a = earlierStart(host, rec, at, now, remaining, r.a) ?? r.a;
      ledger.insert({ ...r, a, minutes: remaining });
      const iv = ledger.interval({ a, minutes: remaining });
      next = { ...next, start: iv.start, end: iv.end };
      bounds.push({ resource: op.resource, order: id, position, notBefore: now });
    } else next = { ...next, start: null, end: null };
  } else if (remaining === 0) next = { ...next, start: null, end: null };
  const ops = rec.ops.slice();
  ops[at] = next;
  host.setRecord(id, { ...rec, ops });
  const touched = new Set([id]);
  if (at < rec.ops.findIndex((o) => o.resource === host.drumId)) readyFromWork(host, now, id);
  settleShifts(host, bounds, touched, now, 0, horizon);
  return outcomeOf(host, touched);
}

/**
 * After the drum's own report on order `id` (its remaining drum load, pinned at the front):
 * its ready time drops to now (readyFromWork) unless work before the drum is still planned
 * after now, and its work after the drum that would start before its projected drum finish moves behind it,
 * and so does what waits behind that; drum orders the report made late are re-positioned, as
 * the tick does. The caller holds a checkpoint.
 */
export function settleAfterDrumReport(host: TickHost, now: Minute, id: string, horizon: Minute): ProgressOutcome {
  const touched = new Set<string>();
  if (readyFromWork(host, now, id)) touched.add(id);
  const rec = host.record(id);
  const d = host.drum.get(id) ? host.drum.planOne(now, id) : undefined;
  const bounds = [];
  if (rec && d && Number.isFinite(d.finish)) {
    const drumAt = rec.ops.findIndex((op) => op.resource === host.drumId);
    const down = rec.ops.find((op, k) => k > drumAt && op.resource !== host.drumId && op.start !== null && op.minutes > 0);
    if (down && down.start! < d.finish) {
      touched.add(id);
      bounds.push({ resource: down.resource, order: id, position: down.position, notBefore: d.finish });
    }
  }
  settleShifts(host, bounds, touched, now, 0, horizon);
  return outcomeOf(host, touched);
}

/**
 * Work on order `id` has started: its ready time ρ is no later than the work the floor has
 * actually done. ρ kept from its commit (the rope's plan, maybe days out) would hold the drum
 * idle until then for an order already on it (pinned orders are worked first), or already
 * through it, and every new quote would queue behind that. So ρ drops to the end of its last
 * reserved operation before the drum, or to now when none is left; never later than it was,
 * and never past now for a pinned order (only ready orders are pinned). An op before the drum
 * with minutes left but no reservation (legacy) leaves ρ alone. True when ρ changed (the
 * caller's settle copies it into the record).
 */
function readyFromWork(host: TickHost, now: Minute, id: string): boolean {
  const rec = host.record(id)!;
  const drumAt = rec.ops.findIndex((op) => op.resource === host.drumId);
  for (let k = 0; k < drumAt; k++) {
    const op = rec.ops[k]!;
    if (op.minutes > 0 && op.start === null) return false;
  }
  const target = readyOf(rec, host.drumId) ?? now;
  if (target >= rec.ready || (rec.pinned && target > now)) return false;
  host.drum.setReady(id, target, now);
  return true;
}

/**
 * Work before the drum that the floor is on ahead of its planned start (started early, or held
 * back by the tick and started after all): what remains goes from now into the earliest free
 * stretch of its resource, after its release and its previous operation, if that is earlier
 * than its planned start. Its old place is free (the reservation was taken out), so a stretch
 * is found by then; nobody else moves. Null: it keeps its start. Work after the drum waits for
 * the drum and is not moved earlier.
 */
function earlierStart(host: TickHost, rec: StoredRouteOrder, at: number, now: Minute, remaining: number, a: number): number | null {
  const drumAt = rec.ops.findIndex((op) => op.resource === host.drumId);
  if (at > drumAt) return null;
  const op = rec.ops[at]!;
  const ledger = host.ledgers.get(op.resource);
  const wt = ledger.wt;
  let lo = wt.cumulative(now);
  if (rec.plannedRelease !== null) lo = Math.max(lo, wt.cumulative(rec.plannedRelease));
  for (let k = at - 1; k >= 0; k--) {
    const prev = rec.ops[k]!;
    if (prev.start !== null && prev.end !== null && prev.minutes > 0) {
      lo = Math.max(lo, wt.cumulative(prev.end));
      break;
    }
  }
  if (lo >= a) return null;
  return ledger.firstFitCumulative(lo, remaining, a + remaining);
}
