import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  capacityPromiseDateFor,
  drumDeadlineFor,
  endOfLocalDate,
  leadTimeFloorDate,
  promiseDateFor,
  releaseFor,
} from '../../src/engine/buffer-days.ts';
import { calendars, wtFor } from './helpers/plants.ts';
import { runs } from './helpers/runs.ts';

const at = (iso: string) => Date.parse(iso) / 60_000;
const iso = (m: number) => new Date(m * 60_000).toISOString();

describe('working-day conventions', () => {
  const wt = wtFor(calendars.twoShiftBerlin);

  it('drum deadline: end of the local day SB working days before the promise, across a holiday and DST', () => {
    expect(iso(drumDeadlineFor(wt, '2026-11-27', 0))).toBe('2026-11-27T23:00:00.000Z');
    expect(iso(drumDeadlineFor(wt, '2026-11-30', 1))).toBe('2026-11-27T23:00:00.000Z'); // Monday − 1 = Friday
    expect(iso(drumDeadlineFor(wt, '2026-11-29', 1))).toBe('2026-11-26T23:00:00.000Z'); // Sunday counts as Friday
    expect(iso(drumDeadlineFor(wt, '2026-04-07', 1))).toBe('2026-04-02T22:00:00.000Z'); // Easter holidays Fri 3 and Mon 6, CEST
    expect(iso(drumDeadlineFor(wt, '2026-03-30', 1))).toBe('2026-03-27T23:00:00.000Z'); // over the spring DST weekend
  });

  it('promise date of an instant: the first working day ending at or after it, plus SB, floored at the lead time', () => {
    const now = at('2026-11-23T08:00:00Z');
    const policy = { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 3 };
    expect(capacityPromiseDateFor(wt, at('2026-11-24T12:00:00Z'), 2)).toBe('2026-11-26');
    expect(capacityPromiseDateFor(wt, at('2026-11-24T23:00:00Z'), 2)).toBe('2026-11-26'); // exactly the end of Tuesday
    expect(capacityPromiseDateFor(wt, at('2026-11-24T23:01:00Z'), 2)).toBe('2026-11-27');
    expect(capacityPromiseDateFor(wt, at('2026-11-28T12:00:00Z'), 0)).toBe('2026-11-30'); // Saturday → Monday
    expect(leadTimeFloorDate(wt, now, 3)).toBe('2026-11-26');
    expect(promiseDateFor(wt, at('2026-11-23T10:00:00Z'), policy, now)).toBe('2026-11-26');
    expect(promiseDateFor(wt, at('2026-11-25T10:00:00Z'), policy, now)).toBe('2026-11-27');
  });

  it('round-trips: the drum deadline of the promise for D is at or after D, and the previous working day’s is before D', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(calendars)),
        fc.integer({ min: at('2026-01-01T00:00:00Z'), max: at('2027-01-01T00:00:00Z') }),
        fc.integer({ min: 0, max: 5 }),
        (cal, d, sb) => {
          const w = wtFor(cal);
          const p = capacityPromiseDateFor(w, d, sb);
          expect(w.isWorkingDay(p)).toBe(true);
          expect(drumDeadlineFor(w, p, sb)).toBeGreaterThanOrEqual(d);
          expect(drumDeadlineFor(w, w.addWorkingDays(p, -1), sb)).toBeLessThan(d);
        },
      ),
      runs(300),
    );
  });

  it('rope: release at the start of the day ⌈PB/2⌉ working days before the drum start, never before now', () => {
    const now = at('2026-11-23T08:00:00Z');
    const start = at('2026-11-27T10:00:00Z'); // Friday 11:00
    expect(iso(releaseFor(wt, start, 4, now))).toBe('2026-11-24T23:00:00.000Z'); // Wednesday 00:00 Berlin
    expect(iso(releaseFor(wt, start, 3, now))).toBe('2026-11-24T23:00:00.000Z'); // ⌈1.5⌉ = 2
    expect(iso(releaseFor(wt, start, 0, now))).toBe('2026-11-26T23:00:00.000Z'); // Friday 00:00
    expect(releaseFor(wt, start, 20, now)).toBe(now);
    expect(endOfLocalDate(wt, '2026-03-29') - endOfLocalDate(wt, '2026-03-28')).toBe(23 * 60);
  });
});
