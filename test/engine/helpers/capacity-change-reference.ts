import { capacityPromiseDateFor, drumDeadlineFor } from '../../../src/engine/buffer-days.ts';
import { workingTimeAfter, type CapacityChange, type LateOrder, type MovedOrder } from '../../../src/engine/capacity-change.ts';
import { DrumBook } from '../../../src/engine/drum-book.ts';
import type { ScheduledOrder } from '../../../src/engine/drum-order.ts';
import type { DrumState } from '../../../src/engine/drum-state.ts';
import type { LocalDate, Minute, WorkingTime } from '../../../src/engine/working-time.ts';

/**
 * The capacity change as it was first written (two full books, two full schedules, a Map
 * of the old slots): kept as the oracle the book-based applyCapacityChangeOnBook must match.
 */
export interface ReferenceResult {
  workingTime: WorkingTime;
  schedule: ScheduledOrder[];
  feasible: boolean;
  diff: { moved: MovedOrder[]; late: LateOrder[]; stillLate: LateOrder[] };
}

/**
 * Recomputes the schedule under the new capacity and compares it with the old one. The
 * sequence cannot change (it depends on deadlines and pins only), so only planned times
 * move; an order before the changed period keeps its times exactly.
 *
 * Earliest promises for late orders are computed jointly, so a planner can apply them all
 * at once: every late unpinned order is taken off the drum, then re-quoted one by one in
 * their old drum order, each re-inserted at its new promise's drum deadline before the
 * next is quoted. A late pinned order keeps its place; its earliest deadline is its finish.
 * The lead-time floor does not apply to re-promises (it guards new promises only).
 */
export function referenceCapacityChange(state: DrumState, change: CapacityChange): ReferenceResult {
  const sb = state.policy.shippingBufferDays;
  const pb = state.policy.productionBufferDays;
  const before = new DrumBook(state.workingTime, state.orders).schedule(state.now, pb);
  const workingTime = workingTimeAfter(state.workingTime, change);
  const book = new DrumBook(workingTime, state.orders);
  const after = book.schedule(state.now, pb);

  const old = new Map(before.map((s) => [s.id, s]));
  const moved: MovedOrder[] = [];
  const lateAfter: ScheduledOrder[] = [];
  for (const s of after) {
    const o = old.get(s.id)!;
    if (o.start !== s.start || o.finish !== s.finish) {
      moved.push({ id: s.id, before: { start: o.start, finish: o.finish }, after: { start: s.start, finish: s.finish } });
    }
    if (s.late) lateAfter.push(s);
  }

  const repromised = new Map<string, { earliestDeadline: Minute; earliestPromiseDate: LocalDate | null }>();
  const promiseFor = (d: Minute): LocalDate | null => {
    if (!Number.isFinite(d)) return null;
    try {
      return capacityPromiseDateFor(workingTime, d, sb);
    } catch (e) {
      // A calendar whose capacity ends has no working day to promise on.
      if (e instanceof RangeError) return null;
      throw e;
    }
  };
  for (const s of lateAfter) {
    if (s.pinned) repromised.set(s.id, { earliestDeadline: s.finish, earliestPromiseDate: promiseFor(s.finish) });
    else book.remove(s.id);
  }
  const orders = new Map(state.orders.map((o) => [o.id, o]));
  for (const s of lateAfter) {
    if (s.pinned) continue;
    const order = orders.get(s.id)!;
    const earliestDeadline = book.earliestDeadline(state.now, s.load);
    const earliestPromiseDate = promiseFor(earliestDeadline);
    repromised.set(s.id, { earliestDeadline, earliestPromiseDate });
    if (earliestPromiseDate !== null) book.insert({ ...order, deadline: drumDeadlineFor(workingTime, earliestPromiseDate, sb) });
  }

  const late: LateOrder[] = [];
  const stillLate: LateOrder[] = [];
  for (const s of lateAfter) {
    const r = repromised.get(s.id)!;
    const entry = { id: s.id, deadline: s.deadline, finish: s.finish, slack: s.slack, ...r };
    (old.get(s.id)!.late ? stillLate : late).push(entry);
  }
  return { workingTime, schedule: after, feasible: lateAfter.length === 0, diff: { moved, late, stillLate } };
}
