import type { LedgerSet } from './ledger-set.ts';
import type { Reservation, ReservationMove } from './ledger.ts';
import type { Minute, WorkingTime } from './working-time.ts';

/**
 * The routing links the repair follows: the next ledger operation of the same order in
 * the same chain segment (upstream of the drum, or downstream of it), undefined at the
 * end of a segment. The drum is not a ledger: an upstream chain's end raises the order's
 * ready time, which the caller reads from the moved reservations.
 */
export interface RouteLinks {
  next(order: string, position: number): { resource: string; position: number } | undefined;
}

/** A fact raised the earliest start of one operation: it may not start before notBefore. */
export interface ShiftBound {
  resource: string;
  order: string;
  position: number;
  notBefore: Minute;
}

export interface ResourceMove extends ReservationMove {
  resource: string;
}

export interface RepairResult {
  /** Every reservation the repair moved, in the order it was processed (old start order). */
  moves: ResourceMove[];
  /** The moves that now end after the horizon (still applied: facts are never refused). */
  beyondHorizon: ResourceMove[];
}

interface Item {
  resource: string;
  r: Reservation;
  /** Processing key: the start in the last valid plan (a topological order of the constraints). */
  key: Minute;
  bound: Minute;
  newA: number;
  done: boolean;
}

const idOf = (resource: string, order: string, position: number) => `${resource}\u0000${order}\u0000${position}`;

/**
 * Right-shift repair (design note §8.1): each affected operation gets the first working
 * minute at or after max(its old start, its routing predecessor's new end, its ledger
 * predecessor's new end, any bound given), and keeps exactly its minutes; if it moved,
 * its ledger successor and routing successor are examined in turn. Nothing is removed and
 * re-placed elsewhere, so every ledger keeps its order, only operations reachable from a
 * raised one move, each by the least amount (the least fixpoint above the old plan, G5).
 * Cost O(moved · log m). Atomic: it computes every new place first and only then moves
 * reservations (logged, so a checkpoint can undo it).
 *
 * The old plan must be valid (ledger and routing order hold), so that the old starts
 * are a topological order of the constraints.
 */
export function rightShift(set: LedgerSet, route: RouteLinks, bounds: readonly ShiftBound[], horizon: Minute): RepairResult {
  return shift(set, route, bounds, horizon, undefined);
}

/**
 * A calendar change on one resource: rebuild its ledger on `wt` (starts kept, shrink on
 * more capacity, the ledger's own right-shift on less), then right-shift the routing
 * successors of every reservation that now ends later, and everything they push.
 */
export function recalendar(set: LedgerSet, resource: string, wt: WorkingTime, route: RouteLinks, horizon: Minute): RepairResult {
  const moved = set.get(resource).rebuild(wt);
  const priorStart = new Map<string, Minute>();
  const bounds: ShiftBound[] = [];
  for (const m of moved) {
    priorStart.set(idOf(resource, m.order, m.position), m.from.start);
    const next = route.next(m.order, m.position);
    if (next && m.to.end > m.from.end && set.get(next.resource).get(m.order, next.position))
      bounds.push({ resource: next.resource, order: m.order, position: next.position, notBefore: m.to.end });
  }
  const result = shift(set, route, bounds, horizon, priorStart);
  const rebuilt: ResourceMove[] = moved.map((m) => ({ resource, ...m }));
  // A reservation the rebuild moved and the shift moved again: one move from its old place.
  const again = new Map(result.moves.map((m) => [idOf(m.resource, m.order, m.position), m]));
  const moves = rebuilt.map((m) => {
    const later = again.get(idOf(resource, m.order, m.position));
    if (!later) return m;
    again.delete(idOf(resource, m.order, m.position));
    return { ...m, to: later.to };
  });
  for (const m of result.moves) if (again.has(idOf(m.resource, m.order, m.position))) moves.push(m);
  return { moves, beyondHorizon: moves.filter((m) => m.to.end > horizon) };
}

function shift(
  set: LedgerSet,
  route: RouteLinks,
  bounds: readonly ShiftBound[],
  horizon: Minute,
  priorStart: ReadonlyMap<string, Minute> | undefined,
): RepairResult {
  const items = new Map<string, Item>();
  const heap: Item[] = [];
  const raise = (resource: string, r: Reservation, bound: Minute) => {
    const id = idOf(resource, r.order, r.position);
    let item = items.get(id);
    if (!item) {
      const start = set.get(resource).interval(r).start;
      item = { resource, r, key: priorStart?.get(id) ?? start, bound, newA: r.a, done: false };
      items.set(id, item);
      push(heap, item);
    } else if (item.done) {
      throw new RangeError(`the plan is not in routing and ledger order at ${r.order}#${r.position} on ${resource}`);
    } else item.bound = Math.max(item.bound, bound);
  };
  for (const b of bounds) {
    const r = set.get(b.resource).get(b.order, b.position);
    if (!r) throw new RangeError(`no reservation ${b.order}#${b.position} on ${b.resource}`);
    raise(b.resource, r, b.notBefore);
  }

  const moves: ResourceMove[] = [];
  while (heap.length > 0) {
    const item = pop(heap);
    item.done = true;
    const ledger = set.get(item.resource);
    if (!Number.isFinite(item.bound)) throw new RangeError(`no finite start for ${item.r.order}#${item.r.position} on ${item.resource}`);
    const a = Math.max(item.r.a, ledger.wt.cumulative(item.bound));
    if (a === item.r.a) continue;
    item.newA = a;
    const from = ledger.interval(item.r);
    const to = ledger.interval({ a, minutes: item.r.minutes });
    moves.push({ resource: item.resource, order: item.r.order, position: item.r.position, minutes: item.r.minutes, from, to });
    const succ = ledger.successor(item.r.order, item.r.position);
    if (succ) raise(item.resource, succ, to.end);
    const next = route.next(item.r.order, item.r.position);
    if (next) {
      const r = set.get(next.resource).get(item.r.order, next.position);
      if (r) raise(next.resource, r, to.end);
    }
  }

  // Apply: take every moved reservation out first, then book each at its new place.
  const applied = moves.map((m) => items.get(idOf(m.resource, m.order, m.position))!);
  for (const it of applied) set.get(it.resource).remove(it.r.order, it.r.position);
  for (const it of applied) set.get(it.resource).insert({ ...it.r, a: it.newA });
  return { moves, beyondHorizon: moves.filter((m) => m.to.end > horizon) };
}

// A binary min-heap on (key, resource, order, position): deterministic processing order.
function before(x: Item, y: Item): boolean {
  if (x.key !== y.key) return x.key < y.key;
  if (x.resource !== y.resource) return x.resource < y.resource;
  if (x.r.order !== y.r.order) return x.r.order < y.r.order;
  return x.r.position < y.r.position;
}

function push(heap: Item[], item: Item): void {
  heap.push(item);
  let k = heap.length - 1;
  while (k > 0) {
    const parent = (k - 1) >> 1;
    if (!before(heap[k]!, heap[parent]!)) break;
    [heap[k], heap[parent]] = [heap[parent]!, heap[k]!];
    k = parent;
  }
}

function pop(heap: Item[]): Item {
  const top = heap[0]!;
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    let k = 0;
    for (;;) {
      const l = 2 * k + 1;
      const r = l + 1;
      let m = k;
      if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
      if (m === k) break;
      [heap[k], heap[m]] = [heap[m]!, heap[k]!];
      k = m;
    }
  }
  return top;
}
