import { capacityPromiseDateFor, drumDeadlineFor, type BufferPolicy } from './buffer-days.ts';
import { buildWorkingTime } from './calendar.ts';
import type { Calendar, CalendarException } from './calendar-types.ts';
import { diffSequence, type SequenceDiff } from './capacity-diff.ts';

export { SequenceDiffer, type SequenceDiff } from './capacity-diff.ts';
import { DrumBook } from './drum-book.ts';
import type { DrumOrder, ScheduledOrder } from './drum-order.ts';
import type { DrumState } from './drum-state.ts';
import type { LocalDate, Minute, WorkingTime } from './working-time.ts';

/**
 * A change of drum capacity: exceptions to add to the calendar (overtime, extra shift,
 * downtime, holiday), a whole new calendar, or an already built working time.
 */
export type CapacityChange = { addExceptions: readonly CalendarException[] } | { calendar: Calendar } | { workingTime: WorkingTime };

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
  /** The full schedule under the new calendar: built on first read (the diff does not need it). */
  readonly schedule: ScheduledOrder[];
  feasible: boolean;
  diff: {
    /** Orders whose planned start or finish changed, in new drum order: built on first read. */
    readonly moved: MovedOrder[];
    /** moved.length, without building the list. */
    movedCount: number;
    /** moved.slice(start, end), without building the whole list. */
    movedSlice(start?: number, end?: number): MovedOrder[];
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
 * Recomputes the schedule under the new capacity and compares it with the old one: a full
 * O(n log n) book build, then applyCapacityChangeOnBook. A process that keeps a DrumBook
 * should call that directly.
 */
export function applyCapacityChange(state: DrumState, change: CapacityChange): CapacityChangeResult {
  return applyCapacityChangeOnBook(new DrumBook(state.workingTime, state.orders), state.now, state.policy, change);
}

/**
 * The effect of a capacity change on the orders of `book` (its calendar is the current
 * one; the book is not modified). The sequence cannot change (it depends on deadlines and
 * pins only), so only planned times move, and both calendars' times come from one walk of
 * the book (diffSequence); an order before the changed period keeps its times exactly.
 * A book on the new calendar is built only when some order is late, for the re-promise.
 *
 * Earliest promises for late orders are computed jointly, so a planner can apply them all
 * at once: every late unpinned order is taken off the drum, then re-quoted one by one in
 * their old drum order, each re-inserted at its new promise's drum deadline before the
 * next is quoted. A late pinned order keeps its place; its earliest deadline is its finish.
 * The lead-time floor does not apply to re-promises (it guards new promises only).
 */
export function applyCapacityChangeOnBook(book: DrumBook, now: Minute, policy: BufferPolicy, change: CapacityChange): CapacityChangeResult {
  const workingTime = workingTimeAfter(book.workingTime, change);
  return capacityChangeFromDiff(now, policy, workingTime, diffSequence(book, now, workingTime));
}

/**
 * The unpinned orders the re-promise takes off the drum: the late ones (see
 * applyCapacityChangeOnBook). The book it starts from holds seq.orders without these.
 */
export function lateOffTheDrum(seq: SequenceDiff): Set<DrumOrder> {
  const off = new Set<DrumOrder>();
  for (const l of seq.late) if (!l.order.pinned) off.add(l.order);
  return off;
}

/**
 * applyCapacityChangeOnBook from a diff already walked (by a SequenceDiffer, in slices);
 * `seq` must be the diff of the book at `now` against workingTime. `withoutLate`, when
 * given, is the book the re-promise starts from, built by the caller (in slices): on
 * workingTime, holding seq.orders except lateOffTheDrum(seq); it is modified. Otherwise,
 * when some order is late, it is built here in one go.
 */
export function capacityChangeFromDiff(
  now: Minute,
  policy: BufferPolicy,
  workingTime: WorkingTime,
  seq: SequenceDiff,
  withoutLate?: DrumBook,
): CapacityChangeResult {
  const sb = policy.shippingBufferDays;

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
  if (seq.late.length > 0) {
    // The new book without the late unpinned orders, built directly rather than by
    // removing them one by one (after a large cut most orders may be late). seq.orders is
    // in drum order, so this build skips the sort.
    for (const l of seq.late) {
      if (l.order.pinned) repromised.set(l.order.id, { earliestDeadline: l.finish, earliestPromiseDate: promiseFor(l.finish) });
    }
    const next = withoutLate ?? bookWithout(workingTime, seq.orders, lateOffTheDrum(seq));
    for (const { order } of seq.late) {
      if (order.pinned) continue;
      const earliestDeadline = next.earliestDeadline(now, order.load);
      const earliestPromiseDate = promiseFor(earliestDeadline);
      repromised.set(order.id, { earliestDeadline, earliestPromiseDate });
      if (earliestPromiseDate !== null) next.insert({ ...order, deadline: drumDeadlineFor(workingTime, earliestPromiseDate, sb) });
    }
  }

  const late: LateOrder[] = [];
  const stillLate: LateOrder[] = [];
  for (const l of seq.late) {
    const r = repromised.get(l.order.id)!;
    const entry = { id: l.order.id, deadline: l.order.deadline, finish: l.finish, slack: l.slack, ...r };
    (l.lateBefore ? stillLate : late).push(entry);
  }

  const { movedIds, movedTimes } = seq;
  const movedSlice = (start = 0, end = movedIds.length): MovedOrder[] => {
    const out: MovedOrder[] = [];
    const [from, to] = sliceBounds(movedIds.length, start, end);
    for (let i = from; i < to; i++) {
      const t = 4 * i;
      out.push({
        id: movedIds[i]!,
        before: { start: movedTimes[t]!, finish: movedTimes[t + 1]! },
        after: { start: movedTimes[t + 2]!, finish: movedTimes[t + 3]! },
      });
    }
    return out;
  };
  const moved = once(() => movedSlice());
  const schedule = once(() => new DrumBook(workingTime, seq.orders).schedule(now, policy.productionBufferDays));
  return {
    workingTime,
    get schedule() {
      return schedule();
    },
    feasible: seq.late.length === 0,
    diff: {
      get moved() {
        return moved();
      },
      movedCount: movedIds.length,
      movedSlice,
      late,
      stillLate,
    },
  };
}

function bookWithout(workingTime: WorkingTime, orders: readonly DrumOrder[], off: ReadonlySet<DrumOrder>): DrumBook {
  return new DrumBook(workingTime, off.size > 0 ? orders.filter((o) => !off.has(o)) : orders);
}

/** Array.prototype.slice's reading of start and end (negative counts from the end). */
function sliceBounds(length: number, start: number, end: number): [number, number] {
  const at = (i: number) => (i < 0 ? Math.max(0, length + i) : Math.min(length, i));
  return [at(Math.trunc(start) || 0), at(Math.trunc(end) || 0)];
}

function once<T>(compute: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = compute();
      done = true;
    }
    return value;
  };
}
