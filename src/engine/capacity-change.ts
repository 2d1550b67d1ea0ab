import { capacityPromiseDateFor, drumDeadlineFor } from './buffer-days.ts';
import { buildWorkingTime } from './calendar.ts';
import type { Calendar, CalendarException } from './calendar-types.ts';
import { DrumBook } from './drum-book.ts';
import type { ScheduledOrder } from './drum-order.ts';
import type { DrumState } from './drum-state.ts';
import type { LocalDate, Minute, WorkingTime } from './working-time.ts';

/**
 * A change of drum capacity: exceptions to add to the calendar (overtime, extra shift,
 * downtime, holiday), a whole new calendar, or an already built working time.
 */
export type CapacityChange =
  | { addExceptions: readonly CalendarException[] }
  | { calendar: Calendar }
  | { workingTime: WorkingTime };

export interface MovedOrder {
  id: string;
  before: { start: Minute; finish: Minute };
  after: { start: Minute; finish: Minute };
}

export interface LateOrder {
  id: string;
  deadline: Minute;
  /** Planned finish after the change. */
  finish: Minute;
  slack: number;
  /** Earliest drum deadline it can now be re-promised for (see applyCapacityChange); Infinity when the calendar runs out. */
  earliestDeadline: Minute;
  /** null only when the calendar has no capacity (or no working day) left for it at all. */
  earliestPromiseDate: LocalDate | null;
}

export interface CapacityChangeResult {
  workingTime: WorkingTime;
  schedule: ScheduledOrder[];
  feasible: boolean;
  diff: {
    /** Orders whose planned start or finish changed, in new drum order. */
    moved: MovedOrder[];
    /** Orders that were on time and would now be late. */
    late: LateOrder[];
    /** Orders late before the change and still late after it. */
    stillLate: LateOrder[];
  };
}

export function workingTimeAfter(current: WorkingTime, change: CapacityChange): WorkingTime {
  if ('workingTime' in change) return change.workingTime;
  if ('calendar' in change) return buildWorkingTime(change.calendar);
  const cal = current.calendar;
  return buildWorkingTime({ ...cal, exceptions: [...cal.exceptions, ...change.addExceptions] });
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
export function applyCapacityChange(state: DrumState, change: CapacityChange): CapacityChangeResult {
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
