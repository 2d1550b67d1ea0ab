import type { LocalDate, Minute } from './working-time.ts';

/**
 * Time-zone arithmetic for the engine, in integer minutes.
 *
 * A "wall minute" is a local wall-clock reading written as if it were UTC: minutes since
 * 1970-01-01T00:00 local. Local date arithmetic then needs no time zone at all
 * (day number = floor(wall / 1440)), and the zone only enters through its UTC offset,
 * wall = t + offset(t).
 *
 * Intl is the source of truth for offsets but costs microseconds per call, so each zone's
 * offset transitions are found once per UTC year and memoised in this module (the same
 * answer for every caller: tz data is fixed for the life of the process). Offsets are
 * floored to whole minutes; only pre-1900 local mean times have seconds.
 */

const MINUTES_PER_DAY = 1440;

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil (Hinnant's civil_from_days). */
function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Days in each month of a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The decimal value of `count` ASCII digits of `text` from `at`, or -1 when one is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Day number of a "YYYY-MM-DD" date, or undefined when malformed or impossible (2026-02-30).
 * Read digit by digit, with the proleptic Gregorian month lengths (those of daysFromCivil):
 * the write path reads a few dates per order, and a regular expression's match array, its
 * strings and a round trip through civilFromDays were garbage every time.
 */
export function parseLocalDate(date: string): number | undefined {
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) return undefined; // 45: '-'
  const year = digitsAt(date, 0, 4);
  const month = digitsAt(date, 5, 2);
  const day = digitsAt(date, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) return undefined;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : MONTH_DAYS[month - 1]!)) return undefined;
  return daysFromCivil(year, month, day);
}

/** Like parseLocalDate but throws, for engine entry points that were handed a date by code, not a user. */
export function localDateToDays(date: LocalDate): number {
  const days = parseLocalDate(date);
  if (days === undefined) throw new RangeError(`"${date}" is not a valid date (expected YYYY-MM-DD)`);
  return days;
}

export function formatLocalDate(days: number): LocalDate {
  const { year, month, day } = civilFromDays(days);
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

/** 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOfDays(days: number): number {
  return (((days + 3) % 7) + 7) % 7;
}

const HH_MM = /^(\d{2}):(\d{2})$/;

/** Minutes after local midnight of "HH:MM" (00:00–23:59, and 24:00 when allowed), else undefined. */
export function parseClockTime(text: string, allowEndOfDay: boolean): number | undefined {
  const m = HH_MM.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24 && min === 0 && allowEndOfDay) return MINUTES_PER_DAY;
  if (h > 23 || min > 59) return undefined;
  return h * 60 + min;
}

const validZones = new Map<string, boolean>();

/** True when Intl knows the zone (IANA names and their aliases, e.g. "Asia/Calcutta", "UTC"). */
export function isKnownTimeZone(timeZone: string): boolean {
  let ok = validZones.get(timeZone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone });
      ok = timeZone.length > 0;
    } catch {
      ok = false;
    }
    validZones.set(timeZone, ok);
  }
  return ok;
}

/** The instant a UTC calendar year begins. */
export function utcYearStart(year: number): Minute {
  return daysFromCivil(year, 1, 1) * MINUTES_PER_DAY;
}

export function utcYearOf(t: Minute): number {
  return civilFromDays(Math.floor(t / MINUTES_PER_DAY)).year;
}

const MIN_YEAR = 1;
const MAX_YEAR = 9999;

const OFFSET_TEXT = /GMT(?:([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?)?/;

interface YearOffsets {
  /** offset (minutes) in force at the start of the UTC year */
  first: number;
  /** [instant, offset from then on] for each change inside the year */
  changes: Array<[Minute, number]>;
}

/**
 * The UTC-offset function of one zone, as sorted change points over a lazily grown
 * range of whole UTC years.
 */
export class ZoneOffsets {
  readonly timeZone: string;
  private readonly format: Intl.DateTimeFormat;
  private readonly years = new Map<number, YearOffsets>();
  private loYear = 0;
  private hiYear = 0;
  /** covered UTC range [lo, hi) */
  private lo = 0;
  private hi = 0;
  /** at[0] = lo; offset off[i] holds on [at[i], at[i+1]) (at[n] = hi) */
  private at = new Float64Array(0);
  private off = new Float64Array(0);

  constructor(timeZone: string) {
    this.timeZone = timeZone;
    this.format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  }

  /** Intl's offset at t, floored to whole minutes. */
  private rawOffset(t: Minute): number {
    const m = OFFSET_TEXT.exec(this.format.format(new Date(t * 60_000)));
    if (!m || m[1] === undefined) return 0;
    const seconds = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    return Math.floor((m[1] === '-' ? -seconds : seconds) / 60);
  }

  /**
   * Samples once a UTC day and bisects each change to the minute. A zone that changes
   * offset twice within one day and returns to the first offset would be missed; no zone
   * in the tz database does that.
   */
  private computeYear(year: number): YearOffsets {
    const start = utcYearStart(year);
    const end = utcYearStart(year + 1);
    const first = this.rawOffset(start);
    const changes: Array<[Minute, number]> = [];
    let prevT = start;
    let prevOff = first;
    for (let t = start + MINUTES_PER_DAY; ; t += MINUTES_PER_DAY) {
      const probe = Math.min(t, end);
      const o = this.rawOffset(probe);
      if (o !== prevOff) {
        let a = prevT; // offset(a) === prevOff
        let b = probe; // offset(b) !== prevOff
        while (b - a > 1) {
          const mid = Math.floor((a + b) / 2);
          if (this.rawOffset(mid) === prevOff) a = mid;
          else b = mid;
        }
        if (b < end) changes.push([b, this.rawOffset(b)]);
        prevOff = o;
      }
      prevT = probe;
      if (probe >= end) break;
    }
    return { first, changes };
  }

  private cover(t: Minute): void {
    const year = Number.isFinite(t) ? utcYearOf(t) : NaN;
    // LocalDate is "YYYY-MM-DD"; this also stops a runaway search (an absurd load) early.
    if (!(year >= MIN_YEAR && year <= MAX_YEAR)) {
      throw new RangeError(`instant ${t} is outside the supported years ${MIN_YEAR}–${MAX_YEAR}`);
    }
    let from = this.loYear;
    let to = this.hiYear;
    if (from === to) {
      from = year;
      to = year + 1;
    } else {
      from = Math.min(from, year);
      to = Math.max(to, year + 1);
    }
    for (let y = from; y < to; y++) {
      if (!this.years.has(y)) this.years.set(y, this.computeYear(y));
    }
    const at: number[] = [];
    const off: number[] = [];
    for (let y = from; y < to; y++) {
      const data = this.years.get(y)!;
      if (off.length === 0 || off[off.length - 1] !== data.first) {
        at.push(utcYearStart(y));
        off.push(data.first);
      }
      for (const [when, o] of data.changes) {
        at.push(when);
        off.push(o);
      }
    }
    this.loYear = from;
    this.hiYear = to;
    this.lo = utcYearStart(from);
    this.hi = utcYearStart(to);
    this.at = Float64Array.from(at);
    this.off = Float64Array.from(off);
  }

  /** Index of the offset run containing t (t must be covered). */
  private runAt(t: Minute): number {
    const at = this.at;
    let lo = 0;
    let hi = at.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (at[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  offsetAt(t: Minute): number {
    if (t < this.lo || t >= this.hi) this.cover(t);
    return this.off[this.runAt(t)]!;
  }

  wallOf(t: Minute): number {
    return t + this.offsetAt(t);
  }

  /**
   * The first instant whose wall clock reads w or later. A wall time skipped by a
   * spring-forward gap therefore maps forward to the instant the gap ends; a wall time
   * repeated by a fall-back maps to its first occurrence.
   */
  firstInstantAtWall(w: number): Minute {
    // Offsets lie within ±18 h, so the answer lies within [w - 1080, w + 1080].
    const from = w - 1100;
    const to = w + 1100;
    if (from < this.lo || from >= this.hi) this.cover(from);
    if (to < this.lo || to >= this.hi) this.cover(to);
    const at = this.at;
    const off = this.off;
    for (let i = this.runAt(from); i < at.length; i++) {
      const start = at[i]!;
      const end = i + 1 < at.length ? at[i + 1]! : this.hi;
      const o = off[i]!;
      if (end - 1 + o >= w) return Math.max(start, w - o);
    }
    /* c8 ignore next */
    throw new Error(`no instant reaches wall minute ${w} in ${this.timeZone}`);
  }

  /** Calls visit for each maximal run [start, end) of constant offset inside [a, b). */
  forEachRun(a: Minute, b: Minute, visit: (start: Minute, end: Minute, offset: number) => void): void {
    if (b <= a) return;
    if (a < this.lo || a >= this.hi) this.cover(a);
    if (b - 1 < this.lo || b - 1 >= this.hi) this.cover(b - 1);
    const at = this.at;
    for (let i = this.runAt(a); i < at.length && at[i]! < b; i++) {
      const end = i + 1 < at.length ? at[i + 1]! : this.hi;
      visit(Math.max(a, at[i]!), Math.min(b, end), this.off[i]!);
    }
  }
}

const zones = new Map<string, ZoneOffsets>();

/** The shared, memoised offset table of a zone; throws RangeError for an unknown zone. */
export function zoneOffsets(timeZone: string): ZoneOffsets {
  let z = zones.get(timeZone);
  if (!z) {
    if (!isKnownTimeZone(timeZone)) throw new RangeError(`"${timeZone}" is not a known IANA time zone`);
    z = new ZoneOffsets(timeZone);
    zones.set(timeZone, z);
  }
  return z;
}

export { MINUTES_PER_DAY };
