import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { buildWorkingTime, EPOCH_ORIGIN, workingTimeFromIntervals } from '../../src/engine/calendar.ts';
import type { Calendar, CalendarException, WeeklyShift, Weekday } from '../../src/engine/calendar-types.ts';
import { buildOracle, type OracleWindow } from './calendar-oracle.ts';
import { runs } from './helpers/runs.ts';

const utc = (iso: string): number => Date.parse(iso) / 60_000;
const iso = (t: number): string => new Date(t * 60_000).toISOString().replace(':00.000Z', 'Z');
const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

const DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const THREE_WEEKS = 21 * 1440;

/** Three weeks around each DST change of 2026, plus a zone without DST. */
const WINDOWS: OracleWindow[] = [
  { zone: 'Europe/Berlin', from: utc('2026-03-18T00:00Z'), length: THREE_WEEKS },
  { zone: 'Europe/Berlin', from: utc('2026-10-14T00:00Z'), length: THREE_WEEKS },
  { zone: 'America/New_York', from: utc('2026-02-25T00:00Z'), length: THREE_WEEKS },
  { zone: 'America/New_York', from: utc('2026-10-21T00:00Z'), length: THREE_WEEKS },
  { zone: 'Australia/Sydney', from: utc('2026-03-25T00:00Z'), length: THREE_WEEKS },
  { zone: 'Australia/Sydney', from: utc('2026-09-23T00:00Z'), length: THREE_WEEKS },
  { zone: 'Asia/Kolkata', from: utc('2026-06-01T00:00Z'), length: THREE_WEEKS },
];

/** Clock times, biased towards the DST hours (02:00–03:00 in all three DST zones) and round times. */
const clockMinute = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 48 }).map((h) => h * 30) },
  { weight: 2, arbitrary: fc.integer({ min: 100, max: 200 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 1440 }) },
);

/** Disjoint shifts of one day, from sorted distinct boundaries taken in pairs. */
const dayShifts = fc.uniqueArray(clockMinute, { maxLength: 6 }).map((points) => {
  const sorted = [...points].sort((a, b) => a - b);
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) pairs.push([sorted[i]!, sorted[i + 1]!]);
  return pairs;
});

const weeklyArb = fc
  .tuple(...DAYS.map(() => dayShifts))
  .map((perDay) => perDay.flatMap((pairs, d): WeeklyShift[] => pairs.map(([s, e]) => ({ day: DAYS[d]!, start: hhmm(s), end: hhmm(e) }))));

function exceptionArb(window: OracleWindow): fc.Arbitrary<CalendarException> {
  const firstDay = Math.floor(window.from / 1440);
  return fc
    .record({
      kind: fc.constantFrom('holiday', 'downtime', 'overtime', 'extra_shift' as const),
      day: fc.integer({ min: -1, max: window.length / 1440 + 1 }),
      times: fc.uniqueArray(clockMinute, { minLength: 2, maxLength: 2 }),
      wholeDay: fc.boolean(),
    })
    .map(({ kind, day, times, wholeDay }) => {
      const date = new Date((firstDay + day) * 86_400_000).toISOString().slice(0, 10);
      const [start, end] = [...times].sort((a, b) => a - b) as [number, number];
      if (kind === 'holiday' || (kind === 'downtime' && wholeDay)) return { kind, date };
      return { kind, date, start: hhmm(start), end: hhmm(end) };
    });
}

function calendarArb(window: OracleWindow): fc.Arbitrary<Calendar> {
  return fc.record({
    timeZone: fc.constant(window.zone),
    weekly: weeklyArb,
    exceptions: fc.array(exceptionArb(window), { maxLength: 8 }),
  });
}

const scenario = fc.constantFrom(...WINDOWS).chain((window) =>
  fc.record({
    window: fc.constant(window),
    calendar: calendarArb(window),
    instants: fc.array(fc.integer({ min: window.from, max: window.from + window.length }), {
      minLength: 12,
      maxLength: 12,
    }),
    counts: fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 6, maxLength: 6 }),
  }),
);

const RUNS = runs(100);

describe('buildWorkingTime against a minute-by-minute oracle', () => {
  test.prop([scenario], RUNS)('minutesBetween(a, b) counts the working minutes in [a, b)', ({ window, calendar, instants }) => {
    const wt = buildWorkingTime(calendar);
    const oracle = buildOracle(calendar, window);
    for (let i = 0; i + 1 < instants.length; i += 2) {
      const a = Math.min(instants[i]!, instants[i + 1]!);
      const b = Math.max(instants[i]!, instants[i + 1]!);
      expect(wt.minutesBetween(a, b), `[${iso(a)}, ${iso(b)})`).toBe(oracle.count(a, b));
      expect(wt.minutesBetween(b, a)).toBe(0);
    }
  });

  test.prop([scenario], RUNS)('cumulative differences equal minutesBetween and never decrease', ({ window, calendar, instants }) => {
    const wt = buildWorkingTime(calendar);
    const oracle = buildOracle(calendar, window);
    const sorted = [...instants].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1]!;
      const b = sorted[i]!;
      expect(wt.cumulative(b) - wt.cumulative(a)).toBe(oracle.count(a, b));
      expect(wt.cumulative(b) - wt.cumulative(a)).toBe(wt.minutesBetween(a, b));
    }
  });

  test.prop([scenario], RUNS)(
    'addWorkingMinutes(from, n) ends at the end of the n-th working minute',
    ({ window, calendar, instants, counts }) => {
      const wt = buildWorkingTime(calendar);
      const oracle = buildOracle(calendar, window);
      counts.forEach((n, i) => {
        const from = instants[i]!;
        const expected = oracle.addWorkingMinutes(from, n);
        if (expected === undefined) return;
        expect(wt.addWorkingMinutes(from, n), `${iso(from)} + ${n}`).toBe(expected);
      });
    },
  );

  test.prop([scenario], RUNS)(
    'instantAtCumulative(c) is the smallest instant whose cumulative reaches c',
    ({ window, calendar, instants, counts }) => {
      const wt = buildWorkingTime(calendar);
      const oracle = buildOracle(calendar, window);
      counts.forEach((n, i) => {
        const from = instants[i]!;
        const c = wt.cumulative(from) + n;
        const t = wt.instantAtCumulative(c);
        if (n > 0) {
          const expected = oracle.addWorkingMinutes(from, n);
          if (expected !== undefined) expect(t).toBe(expected);
        } else {
          // n = 0: the end of the last working minute at or before from
          expect(t).toBeLessThanOrEqual(from);
          if (t >= window.from) {
            expect(oracle.count(t, from)).toBe(0);
            if (t > window.from) expect(oracle.working(t - 1)).toBe(true);
          }
        }
        if (Number.isFinite(t)) {
          expect(wt.cumulative(t)).toBeGreaterThanOrEqual(c);
          expect(wt.cumulative(t - 1)).toBeLessThan(c);
        }
      });
    },
  );

  test.prop([scenario], RUNS)('isWorkingDay is true exactly for local dates with a working minute', ({ window, calendar }) => {
    const wt = buildWorkingTime(calendar);
    const oracle = buildOracle(calendar, window);
    for (const date of oracle.fullDates) expect(wt.isWorkingDay(date), date).toBe(oracle.isWorkingDay(date));
  });

  test.prop([scenario, fc.array(fc.tuple(fc.nat(100), fc.integer({ min: -5, max: 5 })), { minLength: 8, maxLength: 8 })], RUNS)(
    'addWorkingDays(d, n) steps over exactly n working days',
    ({ window, calendar }, steps) => {
      const wt = buildWorkingTime(calendar);
      const oracle = buildOracle(calendar, window);
      const dates = oracle.fullDates;
      for (const [pick, n] of steps) {
        const start = pick % dates.length;
        let i = start;
        let remaining = Math.abs(n);
        const step = n < 0 ? -1 : 1;
        if (n === 0 && !oracle.isWorkingDay(dates[i]!)) remaining = 1;
        while (remaining > 0 && i >= 0 && i < dates.length) {
          i += step;
          if (i >= 0 && i < dates.length && oracle.isWorkingDay(dates[i]!)) remaining--;
        }
        if (i < 0 || i >= dates.length) continue;
        expect(wt.addWorkingDays(dates[start]!, n), `${dates[start]} ${n >= 0 ? '+' : ''}${n}`).toBe(dates[i]);
      }
    },
  );

  test.prop([scenario], RUNS)('localDateOf and startOfLocalDate agree with Intl', ({ window, calendar, instants }) => {
    const wt = buildWorkingTime(calendar);
    const oracle = buildOracle(calendar, window);
    for (const t of instants) if (t < window.from + window.length) expect(wt.localDateOf(t)).toBe(oracle.localDateOf(t));
    for (const date of oracle.fullDates) {
      const start = wt.startOfLocalDate(date);
      expect(oracle.localDateOf(start), date).toBe(date);
      expect(oracle.localDateOf(start - 1), date).not.toBe(date);
    }
  });
});

describe('lazy expansion', () => {
  const zone = fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata');
  const instant = fc.integer({ min: utc('1990-01-01T00:00Z'), max: utc('2060-01-01T00:00Z') });
  const anyCalendar = zone.chain((z) => calendarArb({ zone: z, from: utc('2026-01-01T00:00Z'), length: 365 * 1440 }));

  test.prop([anyCalendar, fc.array(instant, { minLength: 3, maxLength: 6 })], runs(25))(
    'answers do not depend on the order of queries, and minutesBetween is additive across years',
    (calendar, instants) => {
      const forward = buildWorkingTime(calendar);
      const backward = buildWorkingTime(calendar);
      const sorted = [...instants].sort((a, b) => a - b);
      const ahead = sorted.map((t) => forward.cumulative(t));
      const behind = [...sorted]
        .reverse()
        .map((t) => backward.cumulative(t))
        .reverse();
      expect(behind).toEqual(ahead);
      expect(forward.cumulative(EPOCH_ORIGIN)).toBe(0);
      const [a, b, c] = sorted as [number, number, number];
      expect(forward.minutesBetween(a, c)).toBe(forward.minutesBetween(a, b) + forward.minutesBetween(b, c));
      for (const t of sorted) {
        const n = 500;
        const end = backward.addWorkingMinutes(t, n);
        if (Number.isFinite(end)) expect(forward.minutesBetween(t, end)).toBe(n);
      }
    },
  );

  it('keeps cumulative negative before the 2000-01-01T00:00Z origin and positive after', () => {
    const wt = buildWorkingTime({ timeZone: 'UTC', weekly: [{ day: 'mon', start: '08:00', end: '16:00' }], exceptions: [] });
    expect(wt.cumulative(utc('2000-01-01T00:00Z'))).toBe(0);
    // 2000-01-03 was a Monday
    expect(wt.cumulative(utc('2000-01-04T00:00Z'))).toBe(480);
    expect(wt.cumulative(utc('1999-12-27T12:00Z'))).toBe(-240);
    expect(wt.minutesBetween(utc('1900-01-01T00:00Z'), utc('2200-01-01T00:00Z'))).toBe(480 * 15_654);
  });
});

describe('Europe/Berlin across the 2026 DST changes', () => {
  const berlin = (weekly: WeeklyShift[], exceptions: CalendarException[] = []) =>
    buildWorkingTime({ timeZone: 'Europe/Berlin', weekly, exceptions });
  const day = (date: string) => [utc(`${date}T00:00Z`) - 180, utc(`${date}T00:00Z`) + 1440 + 180] as const;

  it('gives a 01:00–04:00 shift two real hours on the spring-forward night (29 March)', () => {
    const wt = berlin([{ day: 'sun', start: '01:00', end: '04:00' }]);
    expect(wt.minutesBetween(...day('2026-03-29'))).toBe(120);
    expect(wt.minutesBetween(...day('2026-03-22'))).toBe(180);
    // 01:00 CET = 00:00Z, 03:00 CEST = 01:00Z
    expect(wt.addWorkingMinutes(utc('2026-03-29T00:00Z'), 60)).toBe(utc('2026-03-29T01:00Z'));
    expect(wt.addWorkingMinutes(utc('2026-03-29T00:00Z'), 61)).toBe(utc('2026-03-29T01:01Z'));
  });

  it('gives a 01:00–04:00 shift four real hours on the fall-back night (25 October)', () => {
    const wt = berlin([{ day: 'sun', start: '01:00', end: '04:00' }]);
    expect(wt.minutesBetween(...day('2026-10-25'))).toBe(240);
    // 01:00 CEST = 2026-10-24T23:00Z; 04:00 CET = 03:00Z
    expect(wt.addWorkingMinutes(utc('2026-10-24T23:00Z'), 240)).toBe(utc('2026-10-25T03:00Z'));
  });

  it('works a shift starting in the skipped hour from the end of the gap', () => {
    const wt = berlin([{ day: 'sun', start: '02:30', end: '05:00' }]);
    expect(wt.minutesBetween(...day('2026-03-29'))).toBe(120);
  });

  it('works the repeated hour twice for a 02:00–03:00 shift on the fall-back night', () => {
    const wt = berlin([{ day: 'sun', start: '02:00', end: '03:00' }]);
    expect(wt.minutesBetween(...day('2026-10-25'))).toBe(120);
  });

  it('does not count a day whose only shift lies in the skipped hour as a working day', () => {
    const wt = berlin([{ day: 'sun', start: '02:00', end: '03:00' }]);
    expect(wt.isWorkingDay('2026-03-29')).toBe(false);
    expect(wt.isWorkingDay('2026-03-22')).toBe(true);
    expect(wt.addWorkingDays('2026-03-23', -1)).toBe('2026-03-22');
    expect(wt.addWorkingDays('2026-03-23', 1)).toBe('2026-04-05');
  });

  it('starts local dates at local midnight in the offset of that day', () => {
    const wt = berlin([{ day: 'mon', start: '06:00', end: '14:00' }]);
    expect(wt.startOfLocalDate('2026-03-29')).toBe(utc('2026-03-28T23:00Z'));
    expect(wt.startOfLocalDate('2026-03-30')).toBe(utc('2026-03-29T22:00Z'));
    expect(wt.startOfLocalDate('2026-10-26')).toBe(utc('2026-10-25T23:00Z'));
    expect(wt.localDateOf(utc('2026-03-29T21:59Z'))).toBe('2026-03-29');
    expect(wt.localDateOf(utc('2026-03-29T22:00Z'))).toBe('2026-03-30');
  });

  it('counts a week of two shifts across spring forward exactly', () => {
    const weekdays: WeeklyShift[] = (['mon', 'tue', 'wed', 'thu', 'fri'] as const).flatMap((d) => [
      { day: d, start: '06:00', end: '14:00' },
      { day: d, start: '14:00', end: '22:00' },
    ]);
    const wt = berlin(
      [...weekdays, { day: 'sun', start: '22:00', end: '24:00' }],
      [
        { kind: 'holiday', date: '2026-04-03' },
        { kind: 'overtime', date: '2026-04-04', start: '06:00', end: '12:00' },
        { kind: 'downtime', date: '2026-03-31', start: '10:00', end: '11:30' },
      ],
    );
    const from = wt.startOfLocalDate('2026-03-29');
    const to = wt.startOfLocalDate('2026-04-06');
    // Sun 2h + Mon..Thu 16h each minus 90 min downtime, Good Friday off, Sat 6h overtime, Sun 2h
    expect(wt.minutesBetween(from, to)).toBe(120 + 4 * 960 - 90 + 360 + 120);
    expect(wt.addWorkingDays('2026-04-02', 1)).toBe('2026-04-04');
    expect(wt.addWorkingDays('2026-04-02', 2)).toBe('2026-04-05');
  });
});

describe('calendars without recurring shifts', () => {
  const onlyOvertime = buildWorkingTime({
    timeZone: 'Europe/Berlin',
    weekly: [],
    exceptions: [{ kind: 'overtime', date: '2026-05-02', start: '08:00', end: '12:00' }],
  });

  it('returns Infinity when the minutes can never be worked', () => {
    const from = utc('2026-05-01T00:00Z');
    expect(onlyOvertime.addWorkingMinutes(from, 240)).toBe(utc('2026-05-02T10:00Z'));
    expect(onlyOvertime.addWorkingMinutes(from, 241)).toBe(Infinity);
    expect(onlyOvertime.instantAtCumulative(onlyOvertime.cumulative(from))).toBe(-Infinity);
  });

  it('refuses to step to a working day that does not exist', () => {
    expect(onlyOvertime.addWorkingDays('2026-04-01', 1)).toBe('2026-05-02');
    expect(() => onlyOvertime.addWorkingDays('2026-05-02', 1)).toThrow(RangeError);
    expect(() => onlyOvertime.addWorkingDays('2026-05-02', -1)).toThrow(RangeError);
    const empty = buildWorkingTime({ timeZone: 'UTC', weekly: [], exceptions: [] });
    expect(() => empty.addWorkingDays('2026-05-02', 0)).toThrow(RangeError);
    expect(empty.minutesBetween(0, utc('2100-01-01T00:00Z'))).toBe(0);
  });
});

describe('workingTimeFromIntervals', () => {
  const intervals = fc.array(
    fc
      .tuple(fc.integer({ min: EPOCH_ORIGIN - 5000, max: EPOCH_ORIGIN + 5000 }), fc.integer({ min: 0, max: 300 }))
      .map(([s, len]) => [s, s + len] as [number, number]),
    { maxLength: 12 },
  );
  const probe = fc.integer({ min: EPOCH_ORIGIN - 6000, max: EPOCH_ORIGIN + 6000 });

  test.prop([intervals, probe, probe], runs(200))('minutesBetween counts minutes covered by some interval', (list, x, y) => {
    const wt = workingTimeFromIntervals(list);
    const [a, b] = x <= y ? [x, y] : [y, x];
    let expected = 0;
    for (let t = a; t < b; t++) if (list.some(([s, e]) => s <= t && t < e)) expected++;
    expect(wt.minutesBetween(a, b)).toBe(expected);
    const covered = (t: number) => list.some(([s, e]) => s <= t && t < e);
    let signed = 0;
    for (let t = a; t < EPOCH_ORIGIN; t++) if (covered(t)) signed--;
    for (let t = EPOCH_ORIGIN; t < a; t++) if (covered(t)) signed++;
    expect(wt.cumulative(a)).toBe(signed);
  });

  it('has no capacity outside its intervals', () => {
    const wt = workingTimeFromIntervals([
      [1000, 1060],
      [2000, 2030],
    ]);
    expect(wt.addWorkingMinutes(0, 90)).toBe(2030);
    expect(wt.addWorkingMinutes(0, 91)).toBe(Infinity);
    expect(wt.minutesBetween(-1e6, 1e7)).toBe(90);
    expect(wt.isWorkingDay('1970-01-01')).toBe(true);
    expect(wt.isWorkingDay('1970-01-02')).toBe(true);
    expect(wt.isWorkingDay('1970-01-03')).toBe(false);
  });
});

describe('instants beyond the supported years', () => {
  it('throws RangeError instead of expanding for ever', () => {
    const wt = buildWorkingTime({ timeZone: 'UTC', weekly: [{ day: 'mon', start: '08:00', end: '16:00' }], exceptions: [] });
    expect(() => wt.cumulative(Infinity)).toThrow(RangeError);
    expect(() => wt.cumulative(Number.NaN)).toThrow(RangeError);
    expect(() => wt.cumulative(utc('9999-12-31T00:00Z') + 2 * 1440)).toThrow(RangeError);
    expect(wt.minutesBetween(utc('2026-01-05T00:00Z'), utc('2026-01-06T00:00Z'))).toBe(480);
  });
});
