import { drumDeadlineFor, endOfLocalDate } from '../buffer-days.ts';
import { rightShift, type RouteLinks, type ShiftBound } from '../ledger-repair.ts';
import type { LedgerSet } from '../ledger-set.ts';
import type { RouteDrum } from '../route-drum/route-drum.ts';
import type { Minute, WorkingTime } from '../working-time.ts';
import { IN_PROGRESS_RANK, type StoredRouteOp, type StoredRouteOrder } from './route-types.ts';

/** What the tick may read and change in a RouteBook (inside the book's own checkpoint). */
export interface TickHost {
  drumId: string;
  drumWt: WorkingTime;
  drum: RouteDrum;
  ledgers: LedgerSet;
  record(id: string): StoredRouteOrder | undefined;
  setRecord(id: string, rec: StoredRouteOrder): void;
  /** Orders pinned on the drum (in progress, frozen): few; never re-positioned, so their downstream work follows their drum finish here. */
  pinned(): Iterable<string>;
}

/** An order whose plan the tick moved past its promise (design note §8.3). */
export interface AtRisk {
  id: string;
  /** Where its plan now ends: the end of its last operation, or its projected drum finish D̂ (Infinity: no date within the horizon). */
  projectedFinish: Minute;
}

export interface RouteTick {
  /** Unreleased orders whose planned work had to start before now: held back to start at or after `notBefore`. */
  overdue: string[];
  /** Every order whose stored plan changed (intervals, ready time, key, effective deadline, pin), as now stored. */
  changed: StoredRouteOrder[];
  /** The changed orders whose plan now ends after their promised day (E_j). */
  atRisk: AtRisk[];
  /** The changed orders whose plan now ends after the start of their shipping buffer (S_j) but by the promised day: a warning, not late. */
  bufferConsumed: string[];
}

/** A right-shift that pushes a drum deadline pushes the downstream work, which may push upstream work of others: bounded. */
const MAX_ROUNDS = 16;

/**
 * The first reservation of every unreleased order that should already have started: the
 * heads of the ledgers up to `now`, O((k + w + 1) log m) per resource for k such orders
 * and w released orders still holding past reservations.
 */
function overdueHeads(host: TickHost, now: Minute, notBefore: Minute): ShiftBound[] {
  const first = new Map<string, ShiftBound>();
  for (const resource of host.ledgers.resources()) {
    for (const r of host.ledgers.get(resource).startingBefore(now)) {
      const rec = host.record(r.order);
      if (!rec || rec.released) continue;
      const seen = first.get(r.order);
      if (!seen || r.position < seen.position) first.set(r.order, { resource, order: r.order, position: r.position, notBefore });
    }
  }
  return [...first.values()].sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
}

/**
 * True when tickRoutes(now, …) may change something: overdue work, an unpinned drum order
 * time alone made late, or an order at risk, pinned or not, whose finish came earlier (its
 * D̂ is lowered; `notBefore` − now is the tick's slack, as in tickRoutes).
 */
export function tickDue(host: TickHost, now: Minute, notBefore: Minute = now): boolean {
  return (
    host.drum.hasLateUnpinned(now) ||
    overdueHeads(host, now, now).length > 0 ||
    pinnedBehind(host, now).length > 0 ||
    host.drum.hasRecovered(now, notBefore - now)
  );
}

/**
 * Pinned orders whose work after the drum is planned to start before their drum work ends
 * (progress behind plan on the drum, a breakdown under them): that work moves behind the
 * drum finish, like the downstream work of a re-positioned order. O(p log n) for p pinned.
 */
export function pinnedBehind(host: TickHost, now: Minute): ShiftBound[] {
  const out: ShiftBound[] = [];
  for (const id of host.pinned()) {
    const rec = host.record(id);
    const d = rec && host.drum.planOne(now, id);
    if (!rec || !d || !Number.isFinite(d.finish)) continue;
    const down = rec.ops.find((op, k) => k > drumIndex(rec, host.drumId) && reserved(op, host.drumId));
    if (down && down.start! < d.finish) out.push({ resource: down.resource, order: id, position: down.position, notBefore: d.finish });
  }
  return out.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
}

/** A new ready time on the drum; an order whose drum work has begun (in progress) stays pinned, whatever its ready time. */
export function setReadyOf(host: TickHost, id: string, ready: Minute, now: Minute): void {
  host.drum.setReady(id, ready, now, host.record(id)?.pinRank === IN_PROGRESS_RANK);
}

const reserved = (op: StoredRouteOp, drumId: string) => op.resource !== drumId && op.start !== null && op.minutes > 0;

/** The drum op's index in the snapshot (ops are in routing order; drum ops are consecutive). */
export const drumIndex = (rec: StoredRouteOrder, drumId: string) => rec.ops.findIndex((op) => op.resource === drumId);

/** Routing links within one segment (before or after the drum), over the stored records. */
export function linksOf(host: TickHost): RouteLinks {
  return {
    next(order, position) {
      const rec = host.record(order);
      if (!rec) return undefined;
      const drumAt = drumIndex(rec, host.drumId);
      const at = rec.ops.findIndex((op) => op.position === position);
      for (let k = at + 1; k < rec.ops.length; k++) {
        const op = rec.ops[k]!;
        if (op.resource === host.drumId || (at < drumAt && k > drumAt)) return undefined;
        if (reserved(op, host.drumId)) return { resource: op.resource, position: op.position };
      }
      return undefined;
    },
  };
}

/** ρ_j: the end of the last reserved operation before the drum (null when there is none: ρ is its release). */
export function readyOf(rec: StoredRouteOrder, drumId: string): Minute | null {
  const drumAt = drumIndex(rec, drumId);
  let ready: Minute | null = null;
  for (let k = 0; k < drumAt; k++) {
    const op = rec.ops[k]!;
    if (reserved(op, drumId)) ready = op.end;
  }
  return ready;
}

/**
 * Time passing (design note §8.2): every unreleased order whose planned work should
 * already have started is held back to start at or after `notBefore` (its first reserved
 * operation is right-shifted, §8.1, keeping its place in every queue, and so is every
 * operation that waits behind it on a resource or on the route). An upstream chain that
 * now ends later raises the order's ready time on the drum; orders the drum can no longer
 * finish by their drum deadline are re-positioned (§8.3, RouteDrum.repositionLate): at
 * their own deadline when some position keeps it, else where they delay no other order,
 * with D̂ = their projected drum finish; their downstream work is right-shifted to start
 * after D̂; so are orders that time alone made late on the drum. Nothing is refused: time
 * passing is a fact. Null when nothing changed.
 * The caller holds a checkpoint (the book's tick() does).
 */
export function tickRoutes(host: TickHost, now: Minute, notBefore: Minute, horizon: Minute): RouteTick | null {
  const heads = overdueHeads(host, now, notBefore);
  const { drumId, drum } = host;
  // A pinned order late on the drum (on it, nothing reported) is not the tick's to move: only unpinned ones are re-positioned.
  const behind = pinnedBehind(host, now);
  if (heads.length === 0 && behind.length === 0 && !drum.hasLateUnpinned(now) && !drum.hasRecovered(now, notBefore - now)) return null;
  const touched = new Set<string>();
  for (const { order } of heads) {
    // Held back with nothing reserved before the drum: the order waits for its release at the drum itself.
    const rec = host.record(order)!;
    if (readyOf(rec, drumId) === null && notBefore > rec.ready) {
      setReadyOf(host, order, notBefore, now);
      touched.add(order);
    }
  }
  for (const b of behind) touched.add(b.order);
  settleShifts(host, [...heads, ...behind], touched, now, notBefore - now, horizon);
  if (touched.size === 0) return null;
  return { overdue: heads.map((h) => h.order), ...outcomeOf(host, touched) };
}

/**
 * The right-shift repair (§8.1) from `bounds`, and what it implies on the drum: an upstream
 * chain that now ends later raises its order's ready time; orders the drum can no longer
 * finish by their drum deadline are re-positioned (§8.3) and their downstream work is
 * right-shifted behind D̂; repeated until nothing moves; then D̂ of orders at risk whose
 * finish came earlier is lowered (RouteDrum.recoverEffectiveDeadlines; pinned ones too: an
 * order at risk the floor puts on the drum) and their work after the drum is pulled back
 * towards the new D̂. Every order whose record changed is
 * added to `touched`. `slack`: the projected drum finish of a late order gets that much room
 * (the tick's Δ). The caller holds a checkpoint.
 */
export function settleShifts(
  host: TickHost,
  first: readonly ShiftBound[],
  touched: Set<string>,
  now: Minute,
  slack: number,
  horizon: Minute,
): void {
  const { drumId, drum } = host;
  const links = linksOf(host);
  let bounds: readonly ShiftBound[] = first;
  for (let round = 0; ; round++) {
    if (round >= MAX_ROUNDS) throw new RangeError('the tick did not settle');
    const raised = new Set<string>();
    for (const m of bounds.length > 0 ? rightShift(host.ledgers, links, bounds, horizon).moves : []) {
      const rec = host.record(m.order)!;
      const ops = rec.ops.map((op) =>
        op.position === m.position && op.resource === m.resource ? { ...op, start: m.to.start, end: m.to.end } : op,
      );
      host.setRecord(m.order, { ...rec, ops });
      touched.add(m.order);
      if (m.position < rec.ops[drumIndex(rec, drumId)]!.position) raised.add(m.order);
    }
    for (const id of [...raised].sort()) {
      const rec = host.record(id)!;
      const ready = readyOf(rec, drumId);
      if (ready !== null && ready > rec.ready) setReadyOf(host, id, ready, now);
    }
    const next: ShiftBound[] = [];
    // No horizon here: facts are never refused, and an order at risk needs its projected finish to push its downstream work.
    for (const moved of drum.repositionLate(now, Infinity, slack)) {
      touched.add(moved.id);
      for (const other of moved.rekeyed) touched.add(other);
      const rec = host.record(moved.id)!;
      const downAt = rec.ops.findIndex((op, k) => k > drumIndex(rec, drumId) && reserved(op, drumId));
      const down = rec.ops[downAt];
      if (down && Number.isFinite(moved.effectiveDeadline) && down.start! < moved.effectiveDeadline)
        next.push({ resource: down.resource, order: moved.id, position: down.position, notBefore: moved.effectiveDeadline });
    }
    if (next.length === 0) {
      // A pinned order this round's shifts pushed on the drum (the work before it, or one pinned ahead of it, now ends
      // later): its D̂ follows its finish and its work after the drum moves behind it; otherwise the round ends on a stale record.
      for (const r of drum.raiseLatePinned(now, slack)) touched.add(r.id);
      for (const b of pinnedBehind(host, now)) {
        touched.add(b.order);
        next.push(b);
      }
    }
    if (next.length === 0) {
      // §8.3: D̂ of an order at risk (pinned or not) whose finish came earlier is lowered (to D when it is on time again).
      for (const r of drum.recoverEffectiveDeadlines(now, Infinity, slack)) {
        touched.add(r.id);
        pullDownstreamBack(host, r.id, r.effectiveDeadline);
      }
      for (const id of touched) syncFromDrum(host, id);
      break;
    }
    for (const id of touched) syncFromDrum(host, id);
    bounds = next;
  }
}

/**
 * The work after the drum of an order whose D̂ the tick lowered was right-shifted behind its
 * old D̂: it is placed again forward from the new one, as a commit places it from the drum
 * deadline, so the published plan is the one the engine would make and the order is not
 * reported at risk from a stale end. Its own reservations are taken off first; every op
 * then starts no later than before (the old placement is still free), so nobody else moves.
 */
function pullDownstreamBack(host: TickHost, id: string, effectiveDeadline: Minute): void {
  const rec = host.record(id)!;
  const drumAt = drumIndex(rec, host.drumId);
  const down = rec.ops.filter((op, k) => k > drumAt && reserved(op, host.drumId));
  if (down.length === 0 || down[0]!.start! <= effectiveDeadline) return;
  for (const op of down) host.ledgers.get(op.resource).remove(id, op.position);
  const chain = down.map((op) => ({ resource: op.resource, order: id, position: op.position, minutes: op.minutes }));
  const placed = host.ledgers.forward(chain, effectiveDeadline, down.at(-1)!.end!)!;
  host.ledgers.book(placed.placements);
  const at = new Map(placed.placements.map((p) => [p.position, p]));
  const ops = rec.ops.map((op) => {
    const p = at.get(op.position);
    return p ? { ...op, start: p.start, end: p.end } : op;
  });
  host.setRecord(id, { ...rec, ops });
}

/** The changed orders as now stored, those now ending after their promised day and those into their shipping buffer. */
export function outcomeOf(host: TickHost, touched: ReadonlySet<string>): Omit<RouteTick, 'overdue'> {
  const changed = [...touched].sort().map((id) => host.record(id)!);
  const atRisk: AtRisk[] = [];
  const bufferConsumed: string[] = [];
  for (const rec of changed) {
    const finish = projectedFinishOf(rec, host.drumId);
    if (finish > endOfLocalDate(host.drumWt, rec.promiseDate)) atRisk.push({ id: rec.id, projectedFinish: finish });
    else if (finish > drumDeadlineFor(host.drumWt, rec.promiseDate, rec.shippingBufferDays)) bufferConsumed.push(rec.id);
  }
  return { changed, atRisk, bufferConsumed };
}

/** The drum's view of an order (ready, key, pin, D̂) copied into its record. */
function syncFromDrum(host: TickHost, id: string): void {
  const d = host.drum.get(id);
  const rec = host.record(id);
  if (!d || !rec) return;
  const next: StoredRouteOrder = { ...rec, ready: d.ready, key: d.key, pinned: d.pinned ?? false };
  if (!next.pinned) delete next.pinRank;
  if (d.effectiveDeadline !== undefined && d.effectiveDeadline > rec.drumDeadline) next.effectiveDeadline = d.effectiveDeadline;
  else delete next.effectiveDeadline;
  host.setRecord(id, next);
}

/**
 * Where an order's plan ends: its last reserved operation, else its projected drum finish
 * (bounded by D̂; Infinity: no date within reach). What at-risk judges against the promise.
 */
export function projectedFinishOf(rec: StoredRouteOrder, drumId: string): Minute {
  // The last operation placed after the drum, a zero-minute one included (it ends where the
  // operation before it ends): judging by the last operation only when it had minutes read a
  // plan ending in a zero-minute step as ending at the drum deadline.
  for (let k = rec.ops.length - 1; k >= 0; k--) {
    const op = rec.ops[k]!;
    if (op.resource === drumId) break;
    if (op.start !== null && op.end !== null) return op.end;
  }
  return rec.effectiveDeadline ?? rec.drumDeadline;
}

/**
 * Where the order waits longest in its plan (wall-clock gap before an operation's start): the
 * resource whose wait makes it late. A non-drum operation waits from the end of the operation
 * before it (the planned release for the first); the drum, only when a fact pushed its drum
 * finish past its drum deadline (D̂ > D), waits D̂ minus the earliest it could finish from its
 * ready time (as a quote's binding resource, §5.1; `drumWt` gives that on the drum's calendar,
 * else its load is counted as wall-clock minutes), so an order whose drum work merely follows
 * a late upstream operation is reported waiting there. Work after the drum waits from D̂ (D when
 * on time: it was placed from there). Ties: the first on the route; null when it waits nowhere.
 */
export function longestWaitOf(rec: StoredRouteOrder, drumId: string, drumWt?: WorkingTime, now?: Minute): string | null {
  let best: string | null = null;
  let longest = 0;
  let prevEnd: Minute | null = rec.plannedRelease;
  let drumSeen = false;
  for (const op of rec.ops) {
    if (op.resource === drumId) {
      if (drumSeen) continue;
      drumSeen = true;
      const finish = rec.effectiveDeadline ?? rec.drumDeadline;
      if (finish > rec.drumDeadline && Number.isFinite(finish)) {
        const ready = Math.max(rec.ready, now ?? rec.ready);
        const unhindered = drumWt
          ? Math.max(ready, drumWt.instantAtCumulative(drumWt.cumulative(ready) + rec.drumLoad))
          : ready + rec.drumLoad;
        const wait = finish - unhindered;
        if (wait > longest) [best, longest] = [drumId, wait];
      } else if (!Number.isFinite(finish)) {
        // No drum finish within reach: the drum is where it waits.
        return drumId;
      }
      prevEnd = prevEnd === null ? finish : Math.max(prevEnd, finish);
      continue;
    }
    if (!reserved(op, drumId)) continue;
    const wait = prevEnd === null ? 0 : op.start! - prevEnd;
    if (wait > longest) [best, longest] = [op.resource, wait];
    prevEnd = op.end;
  }
  return best;
}
