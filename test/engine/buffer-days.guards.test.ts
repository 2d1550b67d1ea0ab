import { describe, expect, it } from 'vitest';
import {
  capacityPromiseDateFor,
  drumDeadlineDate,
  drumDeadlineFor,
  effectiveLeadTimeDays,
  endOfLocalDate,
  firstWorkingDayEndingAtOrAfter,
  lastWorkingDayOnOrBefore,
  leadTimeFloorDate,
  localDateEndingAt,
  nextLocalDate,
  releaseFor,
  ropeDays,
} from '../../src/engine/buffer-days.ts';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import { twoShiftBerlin, wtFor } from './helpers/plants.ts';

const wt = wtFor(twoShiftBerlin); // Mon–Fri 06:00–22:00 Europe/Berlin
const at = (iso: string) => Date.parse(iso) / 60_000;
const iso = (m: number) => new Date(m * 60_000).toISOString();

describe('buffer day counts must be whole non-negative numbers', () => {
  it('refuses a negative or fractional shipping buffer, lead time or production buffer', () => {
    const now = at('2026-11-23T08:00:00Z');
    for (const bad of [-1, 1.5, NaN]) {
      expect(() => drumDeadlineFor(wt, '2026-11-27', bad)).toThrow(RangeError);
      expect(() => capacityPromiseDateFor(wt, now, bad)).toThrow(RangeError);
      expect(() => leadTimeFloorDate(wt, now, bad)).toThrow(RangeError);
      expect(() => ropeDays(bad)).toThrow(RangeError);
      expect(() => effectiveLeadTimeDays(bad, 2)).toThrow(RangeError);
      expect(() => effectiveLeadTimeDays(2, bad)).toThrow(RangeError);
    }
  });

  it('accepts zero everywhere', () => {
    expect(drumDeadlineDate(wt, '2026-11-27', 0)).toBe('2026-11-27');
    expect(capacityPromiseDateFor(wt, at('2026-11-24T12:00:00Z'), 0)).toBe('2026-11-24');
    expect(leadTimeFloorDate(wt, at('2026-11-24T12:00:00Z'), 0)).toBe('2026-11-24');
    expect(ropeDays(0)).toBe(0);
    expect(effectiveLeadTimeDays(0, 0)).toBe(0);
  });

  it('floors the lead time at the production buffer, and rounds the rope up', () => {
    expect(effectiveLeadTimeDays(3, 5)).toBe(5);
    expect(effectiveLeadTimeDays(5, 3)).toBe(5);
    expect([1, 2, 3, 4, 7].map(ropeDays)).toEqual([1, 1, 2, 2, 4]);
  });
});

describe('local day helpers', () => {
  it('steps local dates across month and year ends', () => {
    expect(nextLocalDate('2026-12-31')).toBe('2027-01-01');
    expect(nextLocalDate('2026-02-27', 2)).toBe('2026-03-01');
    expect(nextLocalDate('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('maps an end-of-day instant back to its day, and a minute later to the next day', () => {
    const end = endOfLocalDate(wt, '2026-11-24');
    expect(iso(end)).toBe('2026-11-24T23:00:00.000Z');
    expect(localDateEndingAt(wt, end)).toBe('2026-11-24');
    expect(localDateEndingAt(wt, end + 1)).toBe('2026-11-25');
  });

  it('moves a non-working day back to the last working day, and an instant forward to the first working day', () => {
    expect(lastWorkingDayOnOrBefore(wt, '2026-11-29')).toBe('2026-11-27'); // Sunday → Friday
    expect(lastWorkingDayOnOrBefore(wt, '2026-11-26')).toBe('2026-11-26');
    expect(drumDeadlineDate(wt, '2026-11-29', 0)).toBe('2026-11-27');
    expect(firstWorkingDayEndingAtOrAfter(wt, at('2026-11-28T12:00:00Z'))).toBe('2026-11-30'); // Saturday → Monday
    expect(firstWorkingDayEndingAtOrAfter(wt, at('2026-11-26T23:00:00Z'))).toBe('2026-11-26'); // exactly Thursday's end
    expect(leadTimeFloorDate(wt, at('2026-11-28T12:00:00Z'), 0)).toBe('2026-11-30'); // today is Saturday: Monday
  });
});

describe('rope release at the edges', () => {
  const now = at('2026-11-25T08:00:00Z'); // Wednesday 09:00 Berlin

  it('releases at once an order whose drum start is now, already past, or never', () => {
    expect(releaseFor(wt, now, 4, now)).toBe(now);
    expect(releaseFor(wt, now - 600, 4, now)).toBe(now);
    expect(releaseFor(wt, now - 600, 0, now)).toBe(now);
    expect(releaseFor(wt, Infinity, 4, now)).toBe(now);
  });

  it('counts a drum start on a weekend from the Friday before it', () => {
    const saturday = at('2026-11-28T09:00:00Z');
    expect(iso(releaseFor(wt, saturday, 0, now))).toBe('2026-11-26T23:00:00.000Z'); // Friday 00:00 Berlin
    expect(iso(releaseFor(wt, saturday, 2, now))).toBe('2026-11-25T23:00:00.000Z'); // Thursday 00:00 Berlin
  });

  it('never releases after the drum start, and never before now', () => {
    const fridayNoon = at('2026-11-27T11:00:00Z');
    for (const pb of [0, 1, 2, 3, 4, 6, 10]) {
      const r = releaseFor(wt, fridayNoon, pb, now);
      expect(r).toBeGreaterThanOrEqual(now);
      expect(r).toBeLessThanOrEqual(fridayNoon);
    }
  });

  it('releases now on a calendar of dated shifts that has no working day before the drum start’s', () => {
    const dated = buildWorkingTime({
      timeZone: 'Europe/Berlin',
      weekly: [],
      exceptions: [{ kind: 'extra_shift', date: '2026-11-27', start: '08:00', end: '16:00' }],
    });
    const start = at('2026-11-27T09:00:00Z');
    expect(releaseFor(dated, start, 4, now)).toBe(now);
    expect(iso(releaseFor(dated, start, 0, now))).toBe('2026-11-26T23:00:00.000Z');
  });
});
