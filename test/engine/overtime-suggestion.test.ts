import { describe, expect, it } from 'vitest';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import { drumDeadlineFor } from '../../src/engine/buffer-days.ts';
import { suggestCapacity } from '../../src/engine/overtime-suggestion.ts';
import { twoShiftBerlin, wtFor } from './helpers/plants.ts';

const at = (iso: string) => Date.parse(iso) / 60_000;
const now = at('2026-11-23T08:00:00Z'); // Monday 09:00 Berlin

describe('where extra capacity could go', () => {
  const wt = wtFor(twoShiftBerlin); // Mon–Fri 06:00–22:00, downtime on 2026-12-28
  const neededBy = drumDeadlineFor(wt, '2026-11-30', 0); // end of Monday 30th

  it('fills the days closest to the deadline first: overtime after the last shift, an extra shift from 06:00 on a free day', () => {
    const s = suggestCapacity(wt, now, neededBy, 800);
    expect(s.fits).toBe(true);
    expect(s.days.map((d) => [d.date, d.kind, d.start, d.end, d.minutes])).toEqual([
      ['2026-11-28', 'extra_shift', '06:00', '09:20', 200],
      ['2026-11-29', 'extra_shift', '06:00', '14:00', 480],
      ['2026-11-30', 'overtime', '22:00', '24:00', 120],
    ]);
    expect(s.text).toBe(
      '800 extra drum minutes by the end of 2026-11-30: e.g. an extra shift on 2026-11-28 06:00–09:20 (200), an extra shift on 2026-11-29 06:00–14:00 (480), overtime on 2026-11-30 22:00–24:00 (120)',
    );
  });

  it('says when the minutes do not fit before the deadline under the caps', () => {
    const s = suggestCapacity(wt, now, drumDeadlineFor(wt, '2026-11-24', 0), 1000);
    expect(s.fits).toBe(false);
    expect(s.days.reduce((a, d) => a + d.minutes, 0)).toBe(240); // two evenings of 120
    expect(s.text).toMatch(/only 240 of them fit/);
  });

  it('skips a day with downtime, which would cancel overtime', () => {
    const s = suggestCapacity(wt, at('2026-12-28T05:00:00Z'), drumDeadlineFor(wt, '2026-12-29', 0), 200);
    expect(s.days.map((d) => d.date)).toEqual(['2026-12-29']);
    expect(s.fits).toBe(false);
  });

  it('skips an interval that would straddle a DST change', () => {
    const nights = buildWorkingTime({ timeZone: 'Europe/Berlin', weekly: [{ day: 'sat', start: '04:00', end: '22:00' }], exceptions: [] });
    // Sunday 2026-03-29 has no shifts; the only room before 03:30 CEST is 01:30 CET–03:30 CEST,
    // an hour of real time but two on the wall clock: as an exception it would add 120.
    const s = suggestCapacity(nights, at('2026-03-29T00:00:00Z'), at('2026-03-29T01:30:00Z'), 60, { maxExtraShiftMinutes: 60 });
    expect(s.days).toEqual([]);
    expect(s.fits).toBe(false);
  });
});
