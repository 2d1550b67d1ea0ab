import { describe, expect, it } from 'vitest';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import { DrumBook } from '../../src/engine/drum-book.ts';
import { NoCapacityError } from '../../src/engine/quote.ts';
import { twoShiftBerlin, wtFor } from './helpers/plants.ts';

const now = Date.parse('2026-11-23T08:00:00Z') / 60_000;
const horizon = now + 1826 * 1440;
const policy = { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2 };

describe('the planning horizon bounds the quote search (a parameter: the engine has no clock)', () => {
  it('a load larger than the capacity before the horizon is NoCapacityError carrying the horizon', () => {
    const book = new DrumBook(wtFor(twoShiftBerlin), [], policy);
    expect(book.earliestDeadline(now, 1e10, horizon)).toBe(Infinity);
    const error = (() => {
      try {
        book.quote(now, 1e10, { horizon });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NoCapacityError);
    expect((error as NoCapacityError).horizon).toBe(horizon);
    expect(() => book.priceOfDate(now, 1e10, '2027-01-29', { horizon })).toThrow(NoCapacityError);
  });

  it('the search stops at the horizon: capacity that exists only after it does not count', () => {
    // 80 h a week: 4800 minutes; a load of ten weeks fits in a one-year horizon, not in a 30-day one.
    const book = new DrumBook(wtFor(twoShiftBerlin), [], policy);
    const load = 10 * 4800;
    expect(book.quote(now, load, { horizon: now + 366 * 1440 }).earliestDeadline).toBe(book.quote(now, load).earliestDeadline);
    expect(() => book.quote(now, load, { horizon: now + 30 * 1440 })).toThrow(NoCapacityError);
  });

  it('a drum calendar without shifts is NoCapacityError with or without a horizon', () => {
    const book = new DrumBook(buildWorkingTime({ timeZone: 'Europe/Berlin', weekly: [], exceptions: [] }), [], policy);
    expect(() => book.quote(now, 60)).toThrow(NoCapacityError);
    expect(() => book.quote(now, 60, { horizon })).toThrow(NoCapacityError);
  });
});

describe('the edges of a quote', () => {
  it('counts the horizon itself as inside the search: a zero load quoted with the horizon at now, not one minute before', () => {
    const book = new DrumBook(wtFor(twoShiftBerlin), [], policy);
    expect(book.quote(now, 0, { horizon: now }).earliestDeadline).toBe(now);
    expect(() => book.quote(now, 0, { horizon: now - 1 })).toThrow(NoCapacityError);
  });

  it('is NoCapacityError when capacity exists but no working day is left to ship on after it', () => {
    // Dated shifts only: the work fits on Friday, but a shipping buffer of two working days never ends.
    const dated = buildWorkingTime({
      timeZone: 'Europe/Berlin',
      weekly: [],
      exceptions: [{ kind: 'extra_shift', date: '2026-11-27', start: '08:00', end: '16:00' }],
    });
    const book = new DrumBook(dated, [], policy);
    expect(book.earliestDeadline(now, 60)).toBeLessThan(Infinity);
    const error = (() => {
      try {
        book.quote(now, 60);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NoCapacityError);
    expect(error).toMatchObject({ load: 60, horizon: Infinity, message: expect.stringMatching(/never provides room for 60 more minutes/) });
    // Shipping the same day needs no further working day.
    expect(book.quote(now, 60, { policy: { productionBufferDays: 0, shippingBufferDays: 0, standardLeadTimeDays: 0 } }).promiseDate).toBe(
      '2026-11-27',
    );
  });

  it('lets a bad policy fail as the range error it is, not as a lack of capacity', () => {
    const book = new DrumBook(wtFor(twoShiftBerlin), [], policy);
    const bad = { productionBufferDays: 0, shippingBufferDays: -1, standardLeadTimeDays: 0 };
    expect(() => book.quote(now, 60, { policy: bad })).toThrow(RangeError);
    expect(() => book.quote(now, 60, { policy: bad })).not.toThrow(NoCapacityError);
  });
});
