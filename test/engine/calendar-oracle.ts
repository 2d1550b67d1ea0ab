import type { Calendar, Weekday } from '../../src/engine/calendar-types.ts';

/**
 * A deliberately naive model of calendar capacity, independent of the engine's code:
 * each UTC minute of a window is converted to local time with Intl, and is working when
 * the calendar's rules, read literally, cover that local date and time of day.
 */

export interface OracleWindow {
  zone: string;
  /** first UTC minute of the window */
  from: number;
  /** number of minutes */
  length: number;
}

interface LocalTable {
  /** index into dates, per minute */
  dateIndex: Int32Array;
  /** local minute of day, per minute */
  timeOfDay: Int16Array;
  dates: string[];
  weekdays: Weekday[];
}

const WEEKDAY_BY_SHORT: Record<string, Weekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

const tables = new Map<string, LocalTable>();

function localTable(w: OracleWindow): LocalTable {
  const key = `${w.zone}@${w.from}+${w.length}`;
  const cached = tables.get(key);
  if (cached) return cached;
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: w.zone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
  const dateIndex = new Int32Array(w.length);
  const timeOfDay = new Int16Array(w.length);
  const dates: string[] = [];
  const weekdays: Weekday[] = [];
  for (let i = 0; i < w.length; i++) {
    const parts: Record<string, string> = {};
    for (const p of format.formatToParts(new Date((w.from + i) * 60_000))) parts[p.type] = p.value;
    const date = `${parts.year}-${parts.month}-${parts.day}`;
    let index = dates.indexOf(date, Math.max(0, dates.length - 2));
    if (index < 0) {
      index = dates.push(date) - 1;
      weekdays.push(WEEKDAY_BY_SHORT[parts.weekday!]!);
    }
    dateIndex[i] = index;
    timeOfDay[i] = Number(parts.hour) * 60 + Number(parts.minute);
  }
  const table = { dateIndex, timeOfDay, dates, weekdays };
  tables.set(key, table);
  return table;
}

function hhmm(text: string): number {
  const [h, m] = text.split(':').map(Number);
  return h! * 60 + m!;
}

/** Working flag (0/1) of each minute-of-day on a local date, by the rules as written. */
function dayFlags(calendar: Calendar, date: string, weekday: Weekday): Uint8Array {
  const flags = new Uint8Array(1440);
  const exceptions = calendar.exceptions.filter((e) => e.date === date);
  const holiday = exceptions.some((e) => e.kind === 'holiday');
  const shifts = calendar.weekly.filter((s) => s.day === weekday).map((s) => [hhmm(s.start), hhmm(s.end)] as const);
  const adds = exceptions
    .filter((e) => e.kind === 'overtime' || e.kind === 'extra_shift')
    .map((e) => [hhmm(e.start!), hhmm(e.end!)] as const);
  const downs = exceptions
    .filter((e) => e.kind === 'downtime')
    .map((e) => (e.start === undefined ? ([0, 1440] as const) : ([hhmm(e.start), hhmm(e.end!)] as const)));
  const inside = (m: number, list: ReadonlyArray<readonly [number, number]>) => list.some(([s, e]) => s <= m && m < e);
  for (let m = 0; m < 1440; m++) {
    const working = ((!holiday && inside(m, shifts)) || inside(m, adds)) && !inside(m, downs);
    flags[m] = working ? 1 : 0;
  }
  return flags;
}

export interface Oracle {
  window: OracleWindow;
  /** local dates in the window, in order */
  dates: string[];
  /** dates whose every minute lies inside the window */
  fullDates: string[];
  working(t: number): boolean;
  /** working minutes in [a, b) for a <= b inside the window */
  count(a: number, b: number): number;
  /** the minute walk of addWorkingMinutes, or undefined when it leaves the window */
  addWorkingMinutes(from: number, n: number): number | undefined;
  isWorkingDay(date: string): boolean;
  localDateOf(t: number): string;
}

export function buildOracle(calendar: Calendar, window: OracleWindow): Oracle {
  const table = localTable(window);
  const perDate = table.dates.map((d, i) => dayFlags(calendar, d, table.weekdays[i]!));
  const flags = new Uint8Array(window.length);
  const prefix = new Int32Array(window.length + 1);
  const workingDate = new Set<string>();
  for (let i = 0; i < window.length; i++) {
    const di = table.dateIndex[i]!;
    flags[i] = perDate[di]![table.timeOfDay[i]!]!;
    prefix[i + 1] = prefix[i]! + flags[i]!;
    if (flags[i]) workingDate.add(table.dates[di]!);
  }
  const at = (t: number): number => {
    const i = t - window.from;
    if (i < 0 || i > window.length) throw new RangeError(`minute ${t} outside the oracle window`);
    return i;
  };
  return {
    window,
    dates: table.dates,
    fullDates: table.dates.slice(1, -1),
    working: (t) => flags[at(t)] === 1,
    count: (a, b) => prefix[at(b)]! - prefix[at(a)]!,
    addWorkingMinutes(from, n) {
      let i = at(from);
      let left = n;
      while (left > 0) {
        if (i >= window.length) return undefined;
        left -= flags[i]!;
        i++;
      }
      return window.from + i;
    },
    isWorkingDay: (date) => workingDate.has(date),
    localDateOf: (t) => table.dates[table.dateIndex[at(t)]!]!,
  };
}
