import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { CalendarException } from '../../src/engine/calendar-types.ts';
import { DrumBook } from '../../src/engine/drum-book.ts';
import type { SuggestedDay } from '../../src/engine/overtime-suggestion.ts';
import { arbPlant } from './helpers/plants.ts';
import { runs } from './helpers/runs.ts';

const asException = (d: SuggestedDay): CalendarException => ({ kind: d.kind, date: d.date, start: d.start, end: d.end });
const plusMinute = (hhmm: string) => {
  const m = Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)) + 1;
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

describe('price of a date on real calendars', () => {
  it('the suggested capacity, added to the calendar and re-quoted, makes the date feasible; one minute less does not', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        arbPlant(30),
        fc.integer({ min: 1, max: 2400 }),
        fc.integer({ min: 0, max: 8 }),
        ({ calendar, wt, policy, now, orders }, load, back) => {
          const book = new DrumBook(wt, orders);
          const q = book.quote(now, load, { policy });
          const requested = back === 0 ? q.promiseDate : wt.addWorkingDays(q.promiseDate, -back);
          const p = book.priceOfDate(now, load, requested, { policy });
          expect(p.quote).toEqual(q);
          expect(p.feasible).toBe(requested >= q.promiseDate);
          if (p.feasible) {
            expect(p.minutes).toBe(0);
            expect(p.suggestion.days).toEqual([]);
            return;
          }
          if (p.bindingLimit === 'lead-time-floor') {
            expect(requested < q.leadTimeFloorDate || p.neededBy <= now).toBe(true);
            return;
          }
          expect(p.minutes).toBeGreaterThan(0);
          expect(requested < q.capacityPromiseDate).toBe(true);
          fc.pre(p.suggestion.fits);
          const days = p.suggestion.days;
          expect(days.reduce((s, d) => s + d.minutes, 0)).toBe(p.minutes);
          for (const d of days) {
            expect(d.from).toBeGreaterThanOrEqual(now);
            expect(d.to).toBeLessThanOrEqual(p.neededBy);
            expect(wt.minutesBetween(d.from, d.to)).toBe(0); // really extra: no shift there yet
          }
          const withAll = buildWorkingTime({ ...calendar, exceptions: [...calendar.exceptions, ...days.map(asException)] });
          const requote = new DrumBook(withAll, orders).quote(now, load, { policy });
          expect(requote.capacityPromiseDate <= requested).toBe(true);
          const [first, ...rest] = days;
          const oneLess = [
            ...(first!.minutes > 1 ? [{ ...asException(first!), start: plusMinute(first!.start) }] : []),
            ...rest.map(asException),
          ];
          const withLess = buildWorkingTime({ ...calendar, exceptions: [...calendar.exceptions, ...oneLess] });
          expect(new DrumBook(withLess, orders).quote(now, load, { policy }).capacityPromiseDate > requested).toBe(true);
          checked++;
        },
      ),
      runs(200),
    );
    expect(checked).toBeGreaterThan(runs(200).numRuns / 10);
  });

  it('says the lead-time floor binds when the date is inside the standard lead time, whatever the capacity', () => {
    fc.assert(
      fc.property(arbPlant(5), fc.integer({ min: 0, max: 600 }), ({ wt, policy, now, orders }, load) => {
        fc.pre(policy.standardLeadTimeDays > 0);
        const book = new DrumBook(wt, orders);
        const today = wt.localDateOf(now);
        const p = book.priceOfDate(now, load, today, { policy });
        expect(p.feasible).toBe(false);
        expect(p.bindingLimit).toBe('lead-time-floor');
        expect(p.suggestion.text).toMatch(/cannot buy it/);
      }),
      runs(50),
    );
  });
});
