import { describe, expect, it } from 'vitest';
import { buildWorkingTime, CalendarInvalidError, validateCalendar } from '../../src/engine/calendar.ts';
import type { Calendar, CalendarException, WeeklyShift } from '../../src/engine/calendar-types.ts';

const aCalendar = (overrides: Partial<Calendar> = {}): Calendar => ({
  timeZone: 'Europe/Berlin',
  weekly: [
    { day: 'mon', start: '06:00', end: '14:00' },
    { day: 'mon', start: '14:00', end: '22:00' },
    { day: 'sun', start: '22:00', end: '24:00' },
  ],
  exceptions: [
    { kind: 'holiday', date: '2026-12-25' },
    { kind: 'downtime', date: '2026-12-28' },
    { kind: 'downtime', date: '2026-12-29', start: '10:00', end: '12:00' },
    { kind: 'overtime', date: '2026-12-30', start: '22:00', end: '24:00' },
    { kind: 'extra_shift', date: '2026-12-31', start: '00:00', end: '06:00' },
  ],
  ...overrides,
});

const withShift = (shift: WeeklyShift) => aCalendar({ weekly: [{ day: 'mon', start: '06:00', end: '14:00' }, shift] });
const withException = (ex: CalendarException) => aCalendar({ exceptions: [ex] });
const paths = (calendar: Calendar) => validateCalendar(calendar).map((i) => i.path);

describe('validateCalendar', () => {
  it('accepts shifts that meet end to start, a 24:00 end and every exception kind', () => {
    expect(validateCalendar(aCalendar())).toEqual([]);
  });

  it('rejects an unknown time zone with a readable message', () => {
    const issues = validateCalendar(aCalendar({ timeZone: 'Europe/Berln' }));
    expect(issues).toEqual([{ path: ['timeZone'], message: expect.stringContaining('"Europe/Berln" is not a known IANA time zone') }]);
    expect(paths(aCalendar({ timeZone: '' }))).toEqual([['timeZone']]);
  });

  it.each([
    ['6:00', 'start'],
    ['06-00', 'start'],
    ['25:00', 'start'],
    ['10:60', 'start'],
    ['24:00', 'start'],
  ])('rejects the shift start %s', (start, field) => {
    expect(paths(withShift({ day: 'tue', start, end: '23:00' }))).toEqual([['weekly', 1, field]]);
  });

  it.each(['24:01', '24:30', 'noon', '23:5'])('rejects the shift end %s', (end) => {
    expect(paths(withShift({ day: 'tue', start: '06:00', end }))).toEqual([['weekly', 1, 'end']]);
  });

  it('explains that a start cannot be 24:00', () => {
    const [issue] = validateCalendar(withShift({ day: 'tue', start: '24:00', end: '24:00' }));
    expect(issue?.message).toMatch(/cannot be 24:00/);
  });

  it('rejects an unknown weekday', () => {
    expect(paths(withShift({ day: 'monday' as 'mon', start: '06:00', end: '14:00' }))).toEqual([['weekly', 1, 'day']]);
  });

  it('rejects a shift that ends at or before it starts, pointing to night shifts', () => {
    const issues = validateCalendar(withShift({ day: 'tue', start: '22:00', end: '06:00' }));
    expect(issues).toEqual([{ path: ['weekly', 1, 'end'], message: expect.stringContaining('split a night shift') }]);
    expect(paths(withShift({ day: 'tue', start: '08:00', end: '08:00' }))).toEqual([['weekly', 1, 'end']]);
  });

  it('rejects overlapping shifts on the same weekday, naming both', () => {
    const issues = validateCalendar(withShift({ day: 'mon', start: '13:00', end: '20:00' }));
    expect(issues).toEqual([
      { path: ['weekly', 1], message: expect.stringMatching(/13:00–20:00 overlaps the mon shift 06:00–14:00 \(weekly\[0\]\)/) },
    ]);
    expect(validateCalendar(withShift({ day: 'tue', start: '13:00', end: '20:00' }))).toEqual([]);
  });

  it('rejects an exception of unknown kind', () => {
    expect(paths(withException({ kind: 'strike' as 'holiday', date: '2026-05-01' }))).toEqual([['exceptions', 0, 'kind']]);
  });

  it.each(['2026-5-1', '01.05.2026', '2026-05-01T00:00', ''])('rejects the badly written date %j', (date) => {
    const issues = validateCalendar(withException({ kind: 'holiday', date }));
    expect(issues).toEqual([{ path: ['exceptions', 0, 'date'], message: expect.stringContaining('YYYY-MM-DD') }]);
  });

  it.each(['2026-02-29', '2026-04-31', '2026-13-01', '2026-00-10'])('rejects the impossible date %s', (date) => {
    const issues = validateCalendar(withException({ kind: 'holiday', date }));
    expect(issues).toEqual([{ path: ['exceptions', 0, 'date'], message: `${date} is not a date in the calendar` }]);
  });

  it('accepts 29 February in a leap year', () => {
    expect(validateCalendar(withException({ kind: 'holiday', date: '2028-02-29' }))).toEqual([]);
  });

  it.each(['overtime', 'extra_shift'] as const)('requires start and end on %s', (kind) => {
    expect(paths(withException({ kind, date: '2026-05-02' }))).toEqual([
      ['exceptions', 0, 'start'],
      ['exceptions', 0, 'end'],
    ]);
    expect(paths(withException({ kind, date: '2026-05-02', start: '08:00' }))).toEqual([['exceptions', 0, 'end']]);
  });

  it('rejects downtime with only one of start and end', () => {
    expect(paths(withException({ kind: 'downtime', date: '2026-05-02', start: '08:00' }))).toEqual([['exceptions', 0, 'end']]);
    expect(paths(withException({ kind: 'downtime', date: '2026-05-02', end: '08:00' }))).toEqual([['exceptions', 0, 'start']]);
  });

  it('rejects an exception ending at or before its start', () => {
    expect(paths(withException({ kind: 'overtime', date: '2026-05-02', start: '12:00', end: '08:00' }))).toEqual([
      ['exceptions', 0, 'end'],
    ]);
    expect(paths(withException({ kind: 'downtime', date: '2026-05-02', start: '12:00', end: '12:00' }))).toEqual([
      ['exceptions', 0, 'end'],
    ]);
  });

  it('rejects badly written exception times', () => {
    expect(paths(withException({ kind: 'overtime', date: '2026-05-02', start: '8:00', end: '24:00' }))).toEqual([
      ['exceptions', 0, 'start'],
    ]);
  });

  it('rejects times on a holiday, which always removes the whole day', () => {
    expect(paths(withException({ kind: 'holiday', date: '2026-05-01', start: '08:00', end: '12:00' }))).toEqual([
      ['exceptions', 0, 'start'],
    ]);
  });

  it('reports every issue at once, in input order', () => {
    const issues = validateCalendar({
      timeZone: 'Mars/Olympus',
      weekly: [{ day: 'mon', start: '9:00', end: '17:00' }],
      exceptions: [{ kind: 'overtime', date: '2026-02-30' }],
    });
    expect(issues.map((i) => i.path)).toEqual([
      ['timeZone'],
      ['weekly', 0, 'start'],
      ['exceptions', 0, 'date'],
      ['exceptions', 0, 'start'],
      ['exceptions', 0, 'end'],
    ]);
  });
});

describe('buildWorkingTime on an invalid calendar', () => {
  it('throws CalendarInvalidError carrying the issues', () => {
    const calendar = withShift({ day: 'tue', start: '22:00', end: '06:00' });
    expect(() => buildWorkingTime(calendar)).toThrow(CalendarInvalidError);
    try {
      buildWorkingTime(calendar);
    } catch (error) {
      expect((error as CalendarInvalidError).issues).toEqual(validateCalendar(calendar));
    }
  });
});
