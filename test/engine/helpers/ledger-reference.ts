import fc from 'fast-check';
import type { Calendar, CalendarException, WeeklyShift, Weekday } from '../../../src/engine/calendar-types.ts';
import { buildOracle, type Oracle, type OracleWindow } from '../calendar-oracle.ts';

/**
 * A naive reference for the reservation ledger, independent of the engine: working minutes
 * come from the Intl-based calendar oracle, and the ledger is a busy flag per working
 * minute of a window, searched by a linear scan.
 */

const utc = (iso: string): number => Date.parse(iso) / 60_000;
const WEEKS = 3;

/** Three weeks around a DST change each (Berlin spring and autumn, New York autumn). */
export const WINDOWS: OracleWindow[] = [
  { zone: 'Europe/Berlin', from: utc('2026-03-22T22:00Z'), length: WEEKS * 7 * 1440 },
  { zone: 'Europe/Berlin', from: utc('2026-10-18T22:00Z'), length: WEEKS * 7 * 1440 },
  { zone: 'America/New_York', from: utc('2026-10-26T04:00Z'), length: WEEKS * 7 * 1440 },
];

const ALL: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WORK: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const each = (days: Weekday[], start: string, end: string): WeeklyShift[] => days.map((day) => ({ day, start, end }));
const hhmm = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** Named weekly patterns: one shift, two shifts with a break, a night shift over midnight, six days, DST hours. */
const PATTERNS: Record<string, WeeklyShift[]> = {
  one: each(WORK, '06:00', '14:00'),
  two: [...each(WORK, '06:00', '14:00'), ...each(WORK, '14:30', '22:30')],
  night: [...each(WORK, '22:00', '24:00'), ...each(['tue', 'wed', 'thu', 'fri', 'sat'], '00:00', '06:00')],
  six: each(['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], '07:00', '15:30'),
  dst: [...each(ALL, '01:00', '04:00'), ...each(WORK, '10:00', '12:00')],
  monThu: each(['mon', 'tue', 'wed', 'thu'], '06:00', '16:00'),
};

const arbClock = fc.integer({ min: 0, max: 47 }).map((h) => h * 30);

const arbWeekly: fc.Arbitrary<WeeklyShift[]> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...Object.values(PATTERNS)) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom(...ALL), arbClock, fc.integer({ min: 1, max: 16 })), { minLength: 1, maxLength: 8 })
      .map((list) => {
        // one shift per day at most, so they never overlap
        const byDay = new Map<Weekday, WeeklyShift>();
        for (const [day, s, len] of list) byDay.set(day, { day, start: hhmm(s), end: hhmm(Math.min(1440, s + len * 30)) });
        return [...byDay.values()];
      }),
  },
);

/** A dated exception on a local date of the window. */
export const arbException = (dates: readonly string[], kinds: CalendarException['kind'][]): fc.Arbitrary<CalendarException> =>
  fc
    .record({
      kind: fc.constantFrom(...kinds),
      date: fc.constantFrom(...dates),
      start: arbClock,
      len: fc.integer({ min: 1, max: 20 }),
      wholeDay: fc.boolean(),
    })
    .map(({ kind, date, start, len, wholeDay }): CalendarException => {
      if (kind === 'holiday') return { kind, date };
      if (kind === 'downtime' && wholeDay) return { kind, date };
      return { kind, date, start: hhmm(start), end: hhmm(Math.min(1440, start + len * 30)) };
    });

/** Local dates inside a window (computed once per window by the oracle). */
export function windowDates(w: OracleWindow): string[] {
  return buildOracle({ timeZone: w.zone, weekly: [], exceptions: [] }, w).fullDates;
}

export const arbCalendar = (w: OracleWindow): fc.Arbitrary<Calendar> =>
  fc
    .record({
      weekly: arbWeekly,
      exceptions: fc.array(arbException(windowDates(w), ['holiday', 'downtime', 'overtime', 'extra_shift']), { maxLength: 4 }),
    })
    .map(({ weekly, exceptions }) => ({ timeZone: w.zone, weekly, exceptions }));

export interface NaiveFit {
  start: number;
  end: number;
}

/** The busy minutes of one resource over a window. */
export class NaiveLedger {
  readonly oracle: Oracle;
  /** working minutes of the window, in order */
  readonly W: number[] = [];
  private readonly busy: Uint8Array;
  private readonly indexOf = new Map<number, number>();

  constructor(
    calendar: Calendar,
    readonly window: OracleWindow,
  ) {
    this.oracle = buildOracle(calendar, window);
    for (let t = window.from; t < window.from + window.length; t++) {
      if (this.oracle.working(t)) {
        this.indexOf.set(t, this.W.length);
        this.W.push(t);
      }
    }
    this.busy = new Uint8Array(this.W.length);
  }

  /** Working minutes of the window before t. */
  private before(t: number): number {
    return this.oracle.count(this.window.from, t);
  }

  /** Marks [start, end) busy; throws when it is not exactly `minutes` tight working minutes or meets a busy one. */
  book(start: number, end: number, minutes: number): void {
    const i0 = this.indexOf.get(start);
    if (i0 === undefined) throw new Error(`start ${start} is not a working minute`);
    const i1 = this.before(end);
    if (i1 - i0 !== minutes) throw new Error(`[${start}, ${end}) holds ${i1 - i0} working minutes, not ${minutes}`);
    if (this.W[i1 - 1]! + 1 !== end) throw new Error(`end ${end} is not the end of a working minute`);
    for (let i = i0; i < i1; i++) {
      if (this.busy[i]) throw new Error(`[${start}, ${end}) overlaps another reservation`);
      this.busy[i] = 1;
    }
  }

  unbook(start: number, end: number): void {
    for (let i = this.indexOf.get(start)!, i1 = this.before(end); i < i1; i++) this.busy[i] = 0;
  }

  /** The earliest p free working minutes in a row starting at or after t and ending by horizon. */
  firstFit(t: number, p: number, horizon: number): NaiveFit | null {
    let run = 0;
    for (let i = this.before(t); i < this.W.length; i++) {
      run = this.busy[i] ? 0 : run + 1;
      if (run === p) {
        const end = this.W[i]! + 1;
        return end <= horizon ? { start: this.W[i - p + 1]!, end } : null;
      }
    }
    return null;
  }

  /** The latest p free working minutes in a row ending by t and starting at or after notBefore. */
  lastFit(t: number, p: number, notBefore: number): NaiveFit | null {
    let run = 0;
    for (let i = this.before(t) - 1; i >= 0; i--) {
      run = this.busy[i] ? 0 : run + 1;
      if (run === p) return this.W[i]! >= notBefore ? { start: this.W[i]!, end: this.W[i + p - 1]! + 1 } : null;
    }
    return null;
  }

  /** The first working minute at or after t, or undefined outside the window. */
  nextWorking(t: number): number | undefined {
    if (t > this.window.from + this.window.length) return undefined;
    const i = this.before(Math.max(t, this.window.from));
    return this.W[i];
  }
}
