import { formatLocalDate, localDateToDays } from './local-time.ts';
import type { LocalDate, Minute, WorkingTime } from './working-time.ts';

/**
 * A plant's time buffers, in whole WORKING days of the drum calendar (a local date on
 * which the drum has any working minute). See docs/engine.md "Conventions".
 */
export interface BufferPolicy {
  productionBufferDays: number;
  shippingBufferDays: number;
  standardLeadTimeDays: number;
}

export function nextLocalDate(d: LocalDate, days = 1): LocalDate {
  return formatLocalDate(localDateToDays(d) + days);
}

/** "Ready to ship by the end of local day d": the instant the next local day starts. */
export function endOfLocalDate(wt: WorkingTime, d: LocalDate): Minute {
  return wt.startOfLocalDate(nextLocalDate(d));
}

/** The local date an end-of-day instant belongs to (the day that ends at or after t). */
export function localDateEndingAt(wt: WorkingTime, t: Minute): LocalDate {
  return wt.localDateOf(t - 1);
}

/**
 * A promise on a non-working date is worth the same as one on the last working day
 * before it: nothing can be finished on a day the drum does not work.
 */
export function lastWorkingDayOnOrBefore(wt: WorkingTime, d: LocalDate): LocalDate {
  return wt.isWorkingDay(d) ? d : wt.addWorkingDays(d, -1);
}

/**
 * Drum deadline of a promise date P: the end of the local day that lies SB working days
 * before P (P itself counted from its last working day on or before it). The shipping
 * buffer is then exactly SB whole working days after the drum deadline, up to P's end.
 * End of day (midnight), not end of the last shift, so overtime added on that day later
 * still counts before the deadline.
 */
export function drumDeadlineFor(wt: WorkingTime, promiseDate: LocalDate, shippingBufferDays: number): Minute {
  return endOfLocalDate(wt, drumDeadlineDate(wt, promiseDate, shippingBufferDays));
}

export function drumDeadlineDate(wt: WorkingTime, promiseDate: LocalDate, shippingBufferDays: number): LocalDate {
  assertDays(shippingBufferDays, 'shippingBufferDays');
  const p = lastWorkingDayOnOrBefore(wt, promiseDate);
  // Stryker disable next-line ConditionalExpression: p is a working day, and 0 working days from it is itself
  return shippingBufferDays === 0 ? p : wt.addWorkingDays(p, -shippingBufferDays);
}

/** The earliest working day whose end is at or after the instant t. */
export function firstWorkingDayEndingAtOrAfter(wt: WorkingTime, t: Minute): LocalDate {
  return wt.addWorkingDays(localDateEndingAt(wt, t), 0);
}

/**
 * The earliest working-day promise whose drum deadline is at or after `drumDeadline`,
 * ignoring the lead-time floor.
 */
export function capacityPromiseDateFor(wt: WorkingTime, drumDeadline: Minute, shippingBufferDays: number): LocalDate {
  assertDays(shippingBufferDays, 'shippingBufferDays');
  return wt.addWorkingDays(firstWorkingDayEndingAtOrAfter(wt, drumDeadline), shippingBufferDays);
}

/** No promise is earlier than the standard lead time: that many working days after today (today itself when 0 and working). */
export function leadTimeFloorDate(wt: WorkingTime, now: Minute, standardLeadTimeDays: number): LocalDate {
  assertDays(standardLeadTimeDays, 'standardLeadTimeDays');
  return wt.addWorkingDays(wt.localDateOf(now), standardLeadTimeDays);
}

/**
 * The lead time a new promise is floored at: the standard lead time, never shorter than the
 * production buffer (DOMAIN "Lead-time floor"), so an order promised at the floor is
 * released no earlier than today and starts green. Both in working days.
 */
export function effectiveLeadTimeDays(standardLeadTimeDays: number, productionBufferDays: number): number {
  assertDays(standardLeadTimeDays, 'standardLeadTimeDays');
  assertDays(productionBufferDays, 'productionBufferDays');
  return Math.max(standardLeadTimeDays, productionBufferDays);
}

/** max(capacity promise for the drum deadline, lead-time floor); both are working days. */
export function promiseDateFor(wt: WorkingTime, drumDeadline: Minute, policy: BufferPolicy, now: Minute): LocalDate {
  const byCapacity = capacityPromiseDateFor(wt, drumDeadline, policy.shippingBufferDays);
  const floor = leadTimeFloorDate(wt, now, policy.standardLeadTimeDays);
  // Stryker disable next-line EqualityOperator: equal dates give the same answer either way
  return byCapacity < floor ? floor : byCapacity;
}

/** Half the production buffer, rounded up: release errs on the side of protecting the drum. */
export function ropeDays(productionBufferDays: number): number {
  assertDays(productionBufferDays, 'productionBufferDays');
  return Math.ceil(productionBufferDays / 2);
}

/**
 * Rope: material for an order whose drum work starts at `drumStart` is released at the
 * start (local midnight) of the working day ⌈PB/2⌉ working days before the local day of
 * the drum start (PB = 0: that day's midnight); never before now, never after the start.
 */
export function releaseFor(wt: WorkingTime, drumStart: Minute, productionBufferDays: number, now: Minute): Minute {
  const days = ropeDays(productionBufferDays);
  // An early exit only: the clamp below gives now for these too (an infinite start throws RangeError, caught below).
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: equivalent, see above
  if (!Number.isFinite(drumStart) || drumStart <= now) return now;
  let releaseDay: LocalDate;
  try {
    const startDay = lastWorkingDayOnOrBefore(wt, wt.localDateOf(drumStart));
    // Stryker disable next-line ConditionalExpression: startDay is a working day, and 0 working days from it is itself
    releaseDay = days === 0 ? startDay : wt.addWorkingDays(startDay, -days);
  } catch (e) {
    // A calendar whose capacity is finite has no working day before its first one: release now.
    // Stryker disable next-line ConditionalExpression: the calls above throw nothing but RangeError
    if (e instanceof RangeError) return now;
    throw e;
  }
  return Math.max(now, Math.min(drumStart, wt.startOfLocalDate(releaseDay)));
}

function assertDays(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}
