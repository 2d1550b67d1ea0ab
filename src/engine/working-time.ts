import type { Calendar } from './calendar-types.ts';

/**
 * Engine time unit: integer minutes since the Unix epoch (UTC). Integers keep the
 * arithmetic exact; conversion to local dates happens only through this interface.
 */
export type Minute = number;

/** A local calendar date in the plant's time zone, "YYYY-MM-DD". */
export type LocalDate = string;

/**
 * Capacity arithmetic over one resource's calendar. Implementations are pure
 * (deterministic for a given calendar); they may memoise internally.
 */
export interface WorkingTime {
  readonly calendar: Calendar;
  /**
   * Equal fingerprints promise the same working minutes, so a capacity change can skip the
   * resources it leaves alone although every build makes new objects. Undefined: unknown
   * (only identity says "unchanged").
   */
  readonly fingerprint?: string | undefined;
  /** Working minutes in [a, b); 0 when b <= a. */
  minutesBetween(a: Minute, b: Minute): number;
  /** Working minutes in [EPOCH_ORIGIN, t): a monotone cumulative capacity, so minutesBetween(a,b) = cumulative(b) - cumulative(a). */
  cumulative(t: Minute): number;
  /** The smallest t >= from with minutesBetween(from, t) >= n (the instant the n-th working minute ends). n = 0 gives from. */
  addWorkingMinutes(from: Minute, n: number): Minute;
  /** The smallest t with cumulative(t) >= c. */
  instantAtCumulative(c: number): Minute;
  /** Local date (plant time zone) containing instant t. */
  localDateOf(t: Minute): LocalDate;
  /** The instant local midnight starts that date (DST-correct). */
  startOfLocalDate(d: LocalDate): Minute;
  /** A working day is a local date on which the calendar has any working minute. */
  isWorkingDay(d: LocalDate): boolean;
  /** n >= 0: the n-th working day after d (n = 0: d itself if working, else the next working day). n < 0: backwards likewise. */
  addWorkingDays(d: LocalDate, n: number): LocalDate;
}
