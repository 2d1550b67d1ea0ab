import type { Calendar } from './calendar-types.ts';
import { compileDayRules, mergeIntervals } from './calendar-rules.ts';
import { CalendarInvalidError, validateCalendar } from './calendar-validation.ts';
import { EPOCH_ORIGIN, IntervalWorkingTime, type CapacitySource } from './calendar-working-time.ts';
import { MINUTES_PER_DAY, utcYearOf, utcYearStart, zoneOffsets } from './local-time.ts';
import type { Minute, WorkingTime } from './working-time.ts';

export { EPOCH_ORIGIN } from './calendar-working-time.ts';
export { CalendarInvalidError, validateCalendar, type CalendarIssue } from './calendar-validation.ts';

/**
 * Capacity arithmetic over a calendar, in the calendar's IANA time zone.
 *
 * Semantics: an instant is working when its local wall-clock reading (date and time of
 * day) lies inside the calendar's working set for that date, see calendar-types.ts. So
 * across DST a shift is worth the real minutes the clock spends inside it:
 * - spring forward (Europe/Berlin 2026-03-29, 02:00 → 03:00): a 01:00–04:00 shift works
 *   01:00–02:00 and 03:00–04:00, 2 real hours; a boundary at a skipped wall time maps
 *   forward to the end of the gap (02:30–05:00 works 03:00–05:00).
 * - fall back (2026-10-25, 03:00 → 02:00): a 01:00–04:00 shift works 4 real hours;
 *   02:00–03:00 wall time is worked twice, once in each offset.
 *
 * Throws CalendarInvalidError when validateCalendar reports an issue.
 * Intervals are expanded lazily by UTC year in both directions (no horizon) and memoised.
 */
export function buildWorkingTime(calendar: Calendar): WorkingTime {
  const issues = validateCalendar(calendar);
  if (issues.length > 0) throw new CalendarInvalidError(issues);
  const zone = zoneOffsets(calendar.timeZone);
  const rules = compileDayRules(calendar);

  let capacityFrom: Minute = -Infinity;
  let capacityTo: Minute = Infinity;
  if (!rules.recurring) {
    const days = rules.exceptionDays;
    capacityFrom = days ? zone.firstInstantAtWall(days[0] * MINUTES_PER_DAY) : EPOCH_ORIGIN;
    capacityTo = days ? zone.firstInstantAtWall((days[1] + 1) * MINUTES_PER_DAY) : EPOCH_ORIGIN;
  }

  const source: CapacitySource = {
    capacityFrom,
    capacityTo,
    chunkStart: (t) => utcYearStart(utcYearOf(t)),
    chunkEnd: (t) => utcYearStart(utcYearOf(t) + 1),
    intervals(a, b) {
      const out: number[] = [];
      // Each run of constant offset maps wall time to UTC by a plain shift; runs and the
      // days inside them come in time order, so the output is sorted without a sort.
      zone.forEachRun(a, b, (runStart, runEnd, offset) => {
        const w0 = runStart + offset;
        const w1 = runEnd + offset;
        for (let day = Math.floor(w0 / MINUTES_PER_DAY); day * MINUTES_PER_DAY < w1; day++) {
          const pairs = rules.dayIntervals(day);
          const base = day * MINUTES_PER_DAY;
          for (let k = 0; k < pairs.length; k += 2) {
            const ws = Math.max(base + pairs[k]!, w0);
            const we = Math.min(base + pairs[k + 1]!, w1);
            if (ws >= we) continue;
            const s = ws - offset;
            if (out.length > 0 && out[out.length - 1] === s) out[out.length - 1] = we - offset;
            else out.push(s, we - offset);
          }
        }
      });
      return out;
    },
  };
  // Taken now: the rules above were compiled from the calendar as it is now.
  return new IntervalWorkingTime(calendar, zone, source, JSON.stringify(calendar));
}

/**
 * A WorkingTime over a fixed list of UTC [start, end) minute intervals (any order,
 * overlaps merged); there is no capacity outside them. For tests of the other engine
 * parts. Its `calendar` is an empty one in the given zone (the intervals are not
 * expressible as local shifts in general); local-date methods use that zone.
 */
export function workingTimeFromIntervals(intervals: ReadonlyArray<readonly [Minute, Minute]>, timeZone = 'UTC'): WorkingTime {
  for (const [s, e] of intervals) {
    if (!Number.isFinite(s) || !Number.isFinite(e) || e < s) {
      throw new RangeError(`interval [${s}, ${e}) is not a finite [start, end) pair`);
    }
  }
  const merged = mergeIntervals(intervals.flat());
  const zone = zoneOffsets(timeZone);
  const source: CapacitySource = {
    capacityFrom: merged.length > 0 ? merged[0]! : EPOCH_ORIGIN,
    capacityTo: merged.length > 0 ? merged[merged.length - 1]! : EPOCH_ORIGIN,
    chunkStart: () => -Infinity,
    chunkEnd: () => Infinity,
    intervals(a, b) {
      const out: number[] = [];
      for (let k = 0; k < merged.length; k += 2) {
        const s = Math.max(merged[k]!, a);
        const e = Math.min(merged[k + 1]!, b);
        if (s < e) out.push(s, e);
      }
      return out;
    },
  };
  return new IntervalWorkingTime({ timeZone, weekly: [], exceptions: [] }, zone, source);
}
