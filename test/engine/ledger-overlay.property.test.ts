import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { CalendarException } from '../../src/engine/calendar-types.ts';
import type { CumulativeSpan } from '../../src/engine/ledger.ts';
import { Ledger } from '../../src/engine/ledger.ts';
import { LedgerOverlay } from '../../src/engine/ledger-overlay.ts';
import { arbCalendar, arbException, WINDOWS, windowDates } from './helpers/ledger-reference.ts';
import { runs } from './helpers/runs.ts';

/**
 * The overlay ledger (a ledger seen with added capacity, no rebuild) against its oracle, the
 * rebuilt ledger: every firstFit answer must be the same, with and without booked spans, on
 * random calendars (DST, night shifts over midnight, holidays, downtime) and densely packed
 * ledgers, so reservations often span the added blocks.
 */
const arbWindow = fc.constantFrom(...WINDOWS);
const arbMinutes = fc.oneof(fc.constantFrom(1, 5, 30, 60, 120, 240, 480), fc.integer({ min: 1, max: 900 }));

const arbCase = arbWindow.chain((w) => {
  const dates = windowDates(w);
  return fc.record({
    w: fc.constant(w),
    calendar: arbCalendar(w),
    fill: fc.array(fc.record({ t: fc.integer({ min: 0, max: w.length }), p: arbMinutes }), { maxLength: 60 }),
    added: fc.array(arbException(dates, ['overtime', 'extra_shift']), { minLength: 1, maxLength: 4 }),
    removed: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arbException(dates, ['holiday', 'downtime']) }),
    queries: fc.array(
      fc.record({
        t: fc.integer({ min: 0, max: w.length }),
        p: arbMinutes,
        slack: fc.nat({ max: w.length }),
        span: fc.option(fc.nat({ max: w.length })),
      }),
      { minLength: 1, maxLength: 25 },
    ),
  });
});

describe('the overlay ledger against the rebuilt ledger', () => {
  it('answers every firstFit as ledger.rebuilt(after) does, and refuses a calendar that takes working time away', () => {
    const stats = { cases: 0, overlays: 0, refused: 0, queries: 0, found: 0 };
    fc.assert(
      fc.property(arbCase, ({ w, calendar, fill, added, removed, queries }) => {
        stats.cases++;
        const wt = buildWorkingTime(calendar);
        const ledger = new Ledger(wt);
        fill.forEach(({ t, p }, i) => {
          const fit = ledger.firstFit(w.from + t, p, w.from + w.length);
          if (fit) ledger.insert({ order: `o${i}`, position: 0, a: fit.a, minutes: p });
        });
        const changes: CalendarException[] = removed ? [...added, removed] : added;
        const after = buildWorkingTime({ ...calendar, exceptions: [...calendar.exceptions, ...changes] });
        const overlay = LedgerOverlay.of(
          ledger,
          after,
          changes.map((e) => e.date),
        );
        const takesAway = wt.cumulative(w.from + w.length) - wt.cumulative(w.from) > 0 && !isSuperset(wt, after, w.from, w.from + w.length);
        if (!removed) expect(overlay).not.toBeNull();
        if (takesAway) expect(overlay).toBeNull();
        if (!overlay) {
          stats.refused++;
          return;
        }
        stats.overlays++;
        const rebuilt = ledger.rebuilt(after);
        for (const q of queries) {
          stats.queries++;
          const t = w.from + q.t;
          const horizon = Math.min(w.from + w.length, t + q.slack);
          const c = after.cumulative(t);
          const booked: CumulativeSpan[] | undefined =
            q.span === null ? undefined : [[c + (q.span % 600), c + (q.span % 600) + 1 + (q.span % 97)]];
          const want = rebuilt.firstFit(t, q.p, horizon, booked);
          if (want) stats.found++;
          expect(overlay.firstFit(t, q.p, horizon, booked)).toEqual(want);
        }
      }),
      runs(300),
    );
    if (process.env.OVERLAY_STATS) console.log(stats);
    expect(stats.found).toBeGreaterThan(stats.cases);
  });

  it('searches in O(blocks × log m): tree visits, not reservations, on a ledger of 20 000', () => {
    const calendar = {
      timeZone: 'Europe/Berlin',
      weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '06:00', end: '14:00' })),
      exceptions: [],
    };
    const wt = buildWorkingTime(calendar);
    const from = Date.parse('2026-01-05T00:00:00Z') / 60_000;
    const c0 = wt.cumulative(from);
    // Back to back, 30 minutes each: the whole shift of every working day for about five years.
    const ledger = Ledger.fromStarts(
      wt,
      Array.from({ length: 20_000 }, (_, i) => ({
        order: `o${i}`,
        position: 0,
        start: wt.instantAtCumulative(c0 + 30 * i + 1) - 1,
        minutes: 30,
      })),
    );
    const added = [
      { kind: 'overtime' as const, date: '2027-03-03', start: '14:00', end: '16:00' },
      { kind: 'extra_shift' as const, date: '2027-03-06', start: '06:00', end: '12:00' },
    ];
    const after = buildWorkingTime({ ...calendar, exceptions: added });
    ledger.resetVisits();
    const overlay = LedgerOverlay.of(
      ledger,
      after,
      added.map((e) => e.date),
    )!;
    const horizon = from + 10 * 365 * 1440;
    const fits = [60, 120, 360, 500].map((p) => overlay.firstFit(from, p, horizon));
    const visits = ledger.visits;
    const rebuilt = ledger.rebuilt(after);
    expect(fits).toEqual([60, 120, 360, 500].map((p) => rebuilt.firstFit(from, p, horizon)));
    // 120 and 360 minutes fit only in the added time; 500 only after the last reservation.
    expect(fits.map((f) => f && after.localDateOf(f.start))).toEqual(['2027-03-03', '2027-03-03', '2027-03-06', expect.any(String)]);
    expect(visits).toBeLessThan(1_000);
  });
});

/** Every working minute of `a` in [from, to) works in `b` (a minute-by-minute check for the test). */
function isSuperset(a: ReturnType<typeof buildWorkingTime>, b: ReturnType<typeof buildWorkingTime>, from: number, to: number): boolean {
  for (let t = from; t < to; t++) if (a.minutesBetween(t, t + 1) === 1 && b.minutesBetween(t, t + 1) === 0) return false;
  return true;
}
