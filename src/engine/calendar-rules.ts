import type { Calendar, Weekday } from './calendar-types.ts';
import { MINUTES_PER_DAY, parseClockTime, parseLocalDate, weekdayOfDays } from './local-time.ts';

/**
 * A calendar's working time on the local wall clock, before any time zone is applied:
 * for each local date, the working minutes-of-day as sorted, disjoint, non-touching
 * [start, end) pairs in a flat array.
 */
export interface DayRules {
  /** Working [start, end) minute-of-day pairs of the day (day number since 1970-01-01). */
  dayIntervals(days: number): readonly number[];
  /** True when some weekday has a shift, i.e. capacity recurs for ever. */
  readonly recurring: boolean;
  /** Day numbers of the first and last exception, or undefined when there are none. */
  readonly exceptionDays: readonly [number, number] | undefined;
}

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Sorts and merges [start, end) pairs (flat), dropping empty ones; touching pairs merge. */
export function mergeIntervals(pairs: readonly number[]): number[] {
  const list: Array<[number, number]> = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const s = pairs[i]!;
    const e = pairs[i + 1]!;
    if (e > s) list.push([s, e]);
  }
  list.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: number[] = [];
  for (const [s, e] of list) {
    const last = out.length - 1;
    if (last > 0 && s <= out[last]!) out[last] = Math.max(out[last]!, e);
    else out.push(s, e);
  }
  return out;
}

/** a minus b, both merged flat pair lists. */
function subtractIntervals(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < a.length; i += 2) {
    let s = a[i]!;
    const e = a[i + 1]!;
    for (let j = 0; j + 1 < b.length && s < e; j += 2) {
      const bs = b[j]!;
      const be = b[j + 1]!;
      if (be <= s || bs >= e) continue;
      if (bs > s) out.push(s, bs);
      s = Math.max(s, be);
    }
    if (s < e) out.push(s, e);
  }
  return out;
}

function clock(text: string | undefined, allowEndOfDay: boolean, what: string): number {
  const minutes = text === undefined ? undefined : parseClockTime(text, allowEndOfDay);
  if (minutes === undefined) throw new RangeError(`invalid ${what} time ${JSON.stringify(text)}`);
  return minutes;
}

/**
 * Applies the semantics documented in calendar-types.ts: per date,
 * ((weekly unless holiday) ∪ overtime ∪ extra shifts) minus downtime.
 * Assumes a calendar that passed validateCalendar.
 */
export function compileDayRules(calendar: Calendar): DayRules {
  const weekly: number[][] = WEEKDAYS.map(() => []);
  for (const shift of calendar.weekly) {
    const day = WEEKDAYS.indexOf(shift.day);
    weekly[day]!.push(clock(shift.start, false, 'shift start'), clock(shift.end, true, 'shift end'));
  }
  const base = weekly.map(mergeIntervals);

  interface Dated {
    holiday: boolean;
    adds: number[];
    downs: number[];
  }
  const dated = new Map<number, Dated>();
  for (const ex of calendar.exceptions) {
    const days = parseLocalDate(ex.date);
    if (days === undefined) throw new RangeError(`invalid exception date ${JSON.stringify(ex.date)}`);
    let entry = dated.get(days);
    if (!entry) {
      entry = { holiday: false, adds: [], downs: [] };
      dated.set(days, entry);
    }
    switch (ex.kind) {
      case 'holiday':
        entry.holiday = true;
        break;
      case 'downtime':
        if (ex.start === undefined && ex.end === undefined) entry.downs.push(0, MINUTES_PER_DAY);
        else entry.downs.push(clock(ex.start, false, 'downtime start'), clock(ex.end, true, 'downtime end'));
        break;
      case 'overtime':
      case 'extra_shift':
        entry.adds.push(clock(ex.start, false, `${ex.kind} start`), clock(ex.end, true, `${ex.kind} end`));
        break;
      default:
        throw new RangeError(`unknown exception kind ${JSON.stringify((ex as { kind: unknown }).kind)}`);
    }
  }

  const special = new Map<number, number[]>();
  for (const [days, entry] of dated) {
    const kept = entry.holiday ? [] : base[weekdayOfDays(days)]!;
    special.set(days, subtractIntervals(mergeIntervals([...kept, ...entry.adds]), mergeIntervals(entry.downs)));
  }
  const keys = [...special.keys()];

  return {
    dayIntervals: (days) => special.get(days) ?? base[weekdayOfDays(days)]!,
    recurring: base.some((pairs) => pairs.length > 0),
    exceptionDays: keys.length > 0 ? [Math.min(...keys), Math.max(...keys)] : undefined,
  };
}
