import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drumDeadlineFor, leadTimeFloorDate } from '../../src/engine/buffer-days.ts';
import { DrumBook } from '../../src/engine/drum-book.ts';
import { priceOfDate, quote, schedule } from '../../src/engine/drum-state.ts';
import { arbPlant, twoShiftBerlin, wtFor } from './helpers/plants.ts';
import { runs } from './helpers/runs.ts';

const min = (iso: string) => Date.parse(iso) / 60_000;

describe('quote on real calendars (nights, weekends, holidays, DST)', () => {
  it('is exact: the earliest deadline to the minute, the promise to the working day, unless the lead-time floor binds', () => {
    fc.assert(
      fc.property(arbPlant(), fc.integer({ min: 0, max: 1500 }), ({ wt, policy, now, orders }, load) => {
        const book = new DrumBook(wt, orders);
        const q = book.quote(now, load, { policy });
        expect(book.admits(now, load, q.earliestDeadline)).toBe(true);
        if (q.earliestDeadline - 1 >= now) expect(book.admits(now, load, q.earliestDeadline - 1)).toBe(false);
        expect(wt.isWorkingDay(q.promiseDate)).toBe(true);
        expect(q.drumDeadline).toBe(drumDeadlineFor(wt, q.promiseDate, policy.shippingBufferDays));
        expect(book.admits(now, load, q.drumDeadline)).toBe(true);
        expect(q.plannedFinish).toBeLessThanOrEqual(q.drumDeadline);
        expect(q.promiseDate >= q.leadTimeFloorDate).toBe(true);
        const previous = wt.addWorkingDays(q.promiseDate, -1);
        if (q.bindingLimit === 'capacity') {
          expect(q.promiseDate).toBe(q.capacityPromiseDate);
          // One working day earlier is infeasible.
          expect(book.admits(now, load, drumDeadlineFor(wt, previous, policy.shippingBufferDays))).toBe(false);
        } else {
          expect(q.promiseDate).toBe(q.leadTimeFloorDate);
          expect(q.capacityPromiseDate < q.promiseDate).toBe(true);
          expect(previous < leadTimeFloorDate(wt, now, policy.standardLeadTimeDays)).toBe(true);
        }
      }),
      runs(150),
    );
  });

  it('committing the quoted order keeps every order on time that was on time', () => {
    fc.assert(
      fc.property(arbPlant(), fc.integer({ min: 0, max: 1500 }), ({ wt, policy, now, orders }, load) => {
        const state = { workingTime: wt, orders, now, policy };
        const q = quote(state, load);
        const before = new Map(schedule(state).map((s) => [s.id, s.late]));
        const after = schedule({ ...state, orders: [...orders, { id: 'new', load, deadline: q.drumDeadline, seq: 1e9 }] });
        for (const s of after) expect(s.late).toBe(s.id === 'new' ? false : before.get(s.id));
      }),
      runs(100),
    );
  });
});

describe('a worked example (docs/engine.md)', () => {
  const wt = wtFor(twoShiftBerlin);
  const policy = { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 3 };
  // Monday 2026-11-23 09:00 Berlin (08:00Z); the drum works Mon–Fri 06:00–22:00 (960 min a day).
  const now = min('2026-11-23T08:00:00Z');
  const orders = [
    { id: 'A', load: 900, deadline: drumDeadlineFor(wt, '2026-11-27', 2), seq: 1 },
    { id: 'B', load: 1500, deadline: drumDeadlineFor(wt, '2026-11-30', 2), seq: 2 },
  ];
  const state = { workingTime: wt, orders, now, policy };

  it('places drum deadlines at the end of the day SB working days before the promise', () => {
    expect(new Date(orders[0]!.deadline * 60_000).toISOString()).toBe('2026-11-25T23:00:00.000Z'); // end of Wed 25th, Berlin
    expect(new Date(orders[1]!.deadline * 60_000).toISOString()).toBe('2026-11-26T23:00:00.000Z'); // end of Thu 26th
    expect(drumDeadlineFor(wt, '2026-11-28', 2)).toBe(drumDeadlineFor(wt, '2026-11-27', 2)); // a Saturday promise counts from Friday
  });

  it('schedules A then B with rope release ⌈PB/2⌉ working days before the drum start', () => {
    const s = schedule(state);
    expect(
      s.map((x) => [x.id, new Date(x.start * 60_000).toISOString(), new Date(x.finish * 60_000).toISOString(), x.slack, x.releaseDate]),
    ).toEqual([
      ['A', '2026-11-23T08:00:00.000Z', '2026-11-24T07:00:00.000Z', 1800, '2026-11-23'],
      ['B', '2026-11-24T07:00:00.000Z', '2026-11-25T16:00:00.000Z', 1260, '2026-11-23'],
    ]);
  });

  it('quotes 1 500 minutes after B (B has only 1 260 minutes of slack): Tuesday 1 Dec, by capacity', () => {
    const q = quote(state, 1500);
    // 900 + 1500 + 1500 = 3900 working minutes from now: Mon 780, Tue–Thu 3 × 960, Fri 240 → Fri 10:00 Berlin.
    expect(new Date(q.earliestDeadline * 60_000).toISOString()).toBe('2026-11-27T09:00:00.000Z');
    expect(q.capacityPromiseDate).toBe('2026-12-01');
    expect(q.leadTimeFloorDate).toBe('2026-11-26');
    expect(q.promiseDate).toBe('2026-12-01');
    expect(q.bindingLimit).toBe('capacity');
    expect(new Date(q.drumDeadline * 60_000).toISOString()).toBe('2026-11-27T23:00:00.000Z');
  });

  it('prices Monday 30 Nov for that order: 240 minutes by the end of Thursday 26th', () => {
    const p = priceOfDate(state, 1500, '2026-11-30');
    expect(p.feasible).toBe(false);
    expect(p.bindingLimit).toBe('capacity');
    expect(p.minutes).toBe(240);
    expect(p.neededByDate).toBe('2026-11-26');
    expect(p.suggestion.days.map((d) => [d.date, d.start, d.end, d.minutes])).toEqual([
      ['2026-11-25', '22:00', '24:00', 120],
      ['2026-11-26', '22:00', '24:00', 120],
    ]);
    expect(p.suggestion.text).toBe(
      '240 extra drum minutes by the end of 2026-11-26: e.g. overtime on 2026-11-25 22:00–24:00 (120), overtime on 2026-11-26 22:00–24:00 (120)',
    );
  });

  it('quotes a small order at the lead-time floor and says so', () => {
    const q = quote(state, 60);
    expect(q.capacityPromiseDate).toBe('2026-11-25');
    expect(q.promiseDate).toBe('2026-11-26');
    expect(q.bindingLimit).toBe('lead-time-floor');
  });
});
