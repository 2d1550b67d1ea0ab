import { capacityPromiseDateFor, drumDeadlineFor, leadTimeFloorDate, type BufferPolicy } from './buffer-days.ts';
import type { DrumView } from './drum-view.ts';
import type { LocalDate, Minute } from './working-time.ts';
import { NoWorkingDayError } from './calendar-working-time.ts';

export type BindingLimit = 'capacity' | 'lead-time-floor';

export interface QuoteOptions {
  policy: BufferPolicy;
  /**
   * The planning horizon: the search for a drum deadline looks no further than this
   * instant (default: unbounded). The caller derives it from its clock; the engine has none.
   */
  horizon?: Minute | undefined;
}

export interface QuoteResult {
  load: number;
  /** Earliest feasible drum deadline, exact to the minute (one minute earlier is infeasible). */
  earliestDeadline: Minute;
  /** Earliest working day whose drum deadline is >= earliestDeadline: what capacity alone allows. */
  capacityPromiseDate: LocalDate;
  /** now + standard lead time, in working days. */
  leadTimeFloorDate: LocalDate;
  /** max(capacityPromiseDate, leadTimeFloorDate): the date to promise. */
  promiseDate: LocalDate;
  /** Which of the two set promiseDate ('capacity' when they are equal). */
  bindingLimit: BindingLimit;
  /** Drum deadline of promiseDate: store it with the order when the quote is taken. */
  drumDeadline: Minute;
  /** Planned drum start and finish of the order if committed with drumDeadline now. */
  plannedStart: Minute;
  plannedFinish: Minute;
}

/**
 * The drum calendar has no capacity to finish the work: none at all (a calendar without
 * shifts) or, when `horizon` is finite, none before the planning horizon.
 */
export class NoCapacityError extends Error {
  constructor(
    readonly load: number,
    readonly horizon: Minute = Infinity,
  ) {
    super(
      Number.isFinite(horizon)
        ? `the drum calendar has no room for ${load} more minutes within the planning horizon`
        : `the drum calendar never provides room for ${load} more minutes`,
    );
    this.name = 'NoCapacityError';
  }
}

/**
 * Quote on a live book: O(log n) tree descents plus a handful of calendar look-ups; the
 * calendar is never expanded past `horizon`.
 */
export function quoteOnBook(book: DrumView, now: Minute, load: number, policy: BufferPolicy, horizon: Minute = Infinity): QuoteResult {
  const wt = book.workingTime;
  const earliestDeadline = book.earliestDeadline(now, load, horizon);
  if (!Number.isFinite(earliestDeadline) || earliestDeadline > horizon) throw new NoCapacityError(load, horizon);
  let capacityPromiseDate: LocalDate, floor: LocalDate, promiseDate: LocalDate, drumDeadline: Minute;
  try {
    capacityPromiseDate = capacityPromiseDateFor(wt, earliestDeadline, policy.shippingBufferDays);
    floor = leadTimeFloorDate(wt, now, policy.standardLeadTimeDays);
    // Stryker disable next-line EqualityOperator: equal dates give the same answer either way
    promiseDate = floor > capacityPromiseDate ? floor : capacityPromiseDate;
    drumDeadline = drumDeadlineFor(wt, promiseDate, policy.shippingBufferDays);
  } catch (e) {
    // No working day left to ship on (e.g. a calendar of dated shifts only): no capacity, not a crash.
    if (e instanceof NoWorkingDayError) throw new NoCapacityError(load, horizon);
    throw e;
  }
  const floorBinds = floor > capacityPromiseDate;
  const slot = book.plannedSlot(now, load, drumDeadline);
  return {
    load,
    earliestDeadline,
    capacityPromiseDate,
    leadTimeFloorDate: floor,
    promiseDate,
    bindingLimit: floorBinds ? 'lead-time-floor' : 'capacity',
    drumDeadline,
    plannedStart: slot.start,
    plannedFinish: slot.finish,
  };
}
