import { describe, expect, it } from 'vitest';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import { IntervalWorkingTime } from '../../src/engine/calendar-working-time.ts';
import type { Calendar } from '../../src/engine/calendar-types.ts';

const utc = (iso: string): number => Date.parse(iso) / 60_000;
const DAY = 1440;

/** Two shifts every weekday: ~520 intervals a year. */
const twoShifts: Calendar = {
  timeZone: 'Europe/Berlin',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).flatMap((day) => [
    { day, start: '06:00', end: '14:00' },
    { day, start: '14:30', end: '22:00' },
  ]),
  exceptions: [],
};

function intervalWorkingTime(calendar: Calendar): IntervalWorkingTime {
  const wt = buildWorkingTime(calendar);
  if (!(wt instanceof IntervalWorkingTime)) throw new Error('expected an IntervalWorkingTime');
  return wt;
}

describe('working-time growth copies amortised O(1) rows per interval', () => {
  it('grows forward over 10 years a day at a time copying fewer than 4 rows per interval', () => {
    const wt = intervalWorkingTime(twoShifts);
    const from = utc('2026-01-01T00:00Z');
    for (let t = from; t < from + 3653 * DAY; t += DAY) wt.cumulative(t);
    const stats = wt.storageStats();
    expect(stats.intervals).toBeGreaterThan(5000);
    expect(stats.copiedRows).toBeLessThan(4 * stats.intervals);
    // capacity doubles: a logarithmic number of reallocations, not one a year
    expect(stats.allocations).toBeLessThanOrEqual(Math.ceil(Math.log2(stats.intervals)) + 1);
  });

  it('grows backward and forward alternately over 10 years with the same bound', () => {
    const wt = intervalWorkingTime(twoShifts);
    const mid = utc('2026-01-01T00:00Z');
    for (let k = 0; k < 1827; k++) {
      wt.cumulative(mid + k * DAY);
      wt.cumulative(mid - k * DAY);
    }
    const stats = wt.storageStats();
    expect(stats.intervals).toBeGreaterThan(5000);
    expect(stats.copiedRows).toBeLessThan(4 * stats.intervals);
    expect(stats.allocations).toBeLessThanOrEqual(2 * (Math.ceil(Math.log2(stats.intervals)) + 1));
  });

  it('finds the instant 10 years of work ahead in one search with a logarithmic number of reallocations', () => {
    const wt = intervalWorkingTime(twoShifts);
    const from = utc('2026-01-01T00:00Z');
    const tenYears = wt.minutesBetween(from, utc('2036-01-01T00:00Z'));
    const fresh = intervalWorkingTime(twoShifts);
    expect(fresh.addWorkingMinutes(from, tenYears)).toBeLessThanOrEqual(utc('2036-01-01T00:00Z'));
    const stats = fresh.storageStats();
    expect(stats.copiedRows).toBeLessThan(4 * stats.intervals);
    expect(stats.allocations).toBeLessThanOrEqual(Math.ceil(Math.log2(stats.intervals)) + 1);
  });

  it('answers the same as a calendar grown in the other direction', () => {
    const forward = intervalWorkingTime(twoShifts);
    const backward = intervalWorkingTime(twoShifts);
    const from = utc('2020-01-01T00:00Z');
    const days = 3653;
    for (let k = 0; k < days; k += 7) forward.cumulative(from + k * DAY);
    for (let k = days; k >= 0; k -= 7) backward.cumulative(from + k * DAY);
    for (let k = 0; k < days; k += 13) {
      const t = from + k * DAY + 7 * 60;
      expect(backward.cumulative(t) - backward.cumulative(from)).toBe(forward.cumulative(t) - forward.cumulative(from));
      expect(backward.instantAtCumulative(backward.cumulative(t))).toBe(forward.instantAtCumulative(forward.cumulative(t)));
    }
  });
});
