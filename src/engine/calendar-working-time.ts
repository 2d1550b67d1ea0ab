import type { Calendar } from './calendar-types.ts';
import { IntervalColumns } from './interval-columns.ts';
import { formatLocalDate, localDateToDays, MINUTES_PER_DAY, type ZoneOffsets } from './local-time.ts';
import type { LocalDate, Minute, WorkingTime } from './working-time.ts';

/**
 * Origin of cumulative(): 2000-01-01T00:00Z. A fixed UTC instant (not local midnight) so
 * cumulative values of two calendars in different zones are comparable offsets of the
 * same instant; values before it are negative.
 */
export const EPOCH_ORIGIN: Minute = 10_957 * MINUTES_PER_DAY;

/** Where a working time's intervals come from, a chunk at a time. */
export interface CapacitySource {
  /** Working [start, end) pairs inside [a, b) (flat, sorted, disjoint). a, b finite. */
  intervals(a: Minute, b: Minute): number[];
  /** No capacity exists outside [capacityFrom, capacityTo); ±Infinity when it recurs. */
  readonly capacityFrom: Minute;
  readonly capacityTo: Minute;
  /** The expansion grid: the chunk containing t is [chunkStart(t), chunkEnd(t)). */
  chunkStart(t: Minute): Minute;
  chunkEnd(t: Minute): Minute;
}

/**
 * Working time as sorted, merged, half-open intervals [S[i], E[i]) with P[i] the
 * cumulative capacity at S[i]. The intervals cover [lo, hi) exactly and grow a chunk at
 * a time in either direction when a query falls outside, so there is no horizon; the
 * result of every query is independent of the order queries arrive in. Between growths
 * cumulative() and instantAtCumulative() are a binary search each and allocate nothing.
 */
export class IntervalWorkingTime implements WorkingTime {
  readonly calendar: Calendar;
  readonly fingerprint: string | undefined;
  private readonly zone: ZoneOffsets;
  private readonly source: CapacitySource;
  private readonly rows = new IntervalColumns();
  private lo: Minute = EPOCH_ORIGIN;
  private hi: Minute = EPOCH_ORIGIN;
  private cumLo = 0;
  private cumHi = 0;
  /** Local days (bounds inclusive) outside which no day can be a working day, when capacity does not recur. */
  private readonly dayBounds: readonly [number, number] | undefined;

  constructor(calendar: Calendar, zone: ZoneOffsets, source: CapacitySource, fingerprint?: string) {
    this.calendar = calendar;
    this.fingerprint = fingerprint;
    this.zone = zone;
    this.source = source;
    this.dayBounds =
      source.capacityFrom === -Infinity
        ? undefined
        : source.capacityFrom >= source.capacityTo
          ? [Infinity, -Infinity]
          : [
              Math.floor(zone.wallOf(source.capacityFrom) / MINUTES_PER_DAY),
              Math.floor(zone.wallOf(source.capacityTo - 1) / MINUTES_PER_DAY),
            ];
  }

  private grow(t: Minute): void {
    if (Number.isNaN(t)) throw new RangeError('instant is NaN');
    if (t >= this.hi) this.growForward(t);
    else if (t < this.lo) this.growBackward(t);
  }

  private growForward(t: Minute): void {
    const { source, rows } = this;
    const target = t >= source.capacityTo ? Infinity : source.chunkEnd(t);
    const a = Math.max(this.hi, source.capacityFrom);
    const b = Math.min(target, source.capacityTo);
    const pairs = a < b ? source.intervals(a, b) : [];
    this.hi = target;
    if (pairs.length === 0) return;
    const merge = rows.n > 0 && pairs[0] === rows.E[rows.first + rows.n - 1];
    rows.reserveBack(pairs.length / 2);
    const { S, E, P } = rows;
    let k = 0;
    let i = rows.first + rows.n;
    if (merge) {
      E[i - 1] = pairs[1]!;
      k = 2;
    }
    let cum = this.cumHi + (merge ? pairs[1]! - pairs[0]! : 0);
    for (; k < pairs.length; k += 2, i++) {
      S[i] = pairs[k]!;
      E[i] = pairs[k + 1]!;
      P[i] = cum;
      cum += pairs[k + 1]! - pairs[k]!;
    }
    rows.n = i - rows.first;
    this.cumHi = cum;
  }

  private growBackward(t: Minute): void {
    const { source, rows } = this;
    const target = t < source.capacityFrom ? -Infinity : source.chunkStart(t);
    const a = Math.max(target, source.capacityFrom);
    const b = Math.min(this.lo, source.capacityTo);
    const pairs = a < b ? source.intervals(a, b) : [];
    this.lo = target;
    if (pairs.length === 0) return;
    const merge = rows.n > 0 && pairs[pairs.length - 1] === rows.S[rows.first];
    const added = pairs.length / 2 - (merge ? 1 : 0);
    rows.reserveFront(added);
    const { S, E, P } = rows;
    let total = 0;
    for (let k = 0; k < pairs.length; k += 2) total += pairs[k + 1]! - pairs[k]!;
    let cum = this.cumLo - total;
    this.cumLo = cum;
    // With a merge, the last new pair joins the old first row: that row takes the new
    // pair's start and cumulative and keeps its own end.
    const first = rows.first - added;
    for (let k = 0, i = first; k < pairs.length; k += 2, i++) {
      S[i] = pairs[k]!;
      if (!(merge && k === pairs.length - 2)) E[i] = pairs[k + 1]!;
      P[i] = cum;
      cum += pairs[k + 1]! - pairs[k]!;
    }
    rows.first = first;
    rows.n += added;
  }

  /** Storage counters for tests: rows live, rows copied by reallocations, reallocations. */
  storageStats(): { intervals: number; copiedRows: number; allocations: number } {
    const { n, copiedRows, allocations } = this.rows;
    return { intervals: n, copiedRows, allocations };
  }

  cumulative(t: Minute): number {
    if (t >= this.hi || t < this.lo || t !== t) this.grow(t);
    const { S, first, n } = this.rows;
    if (n === 0 || S[first]! > t) return this.cumLo;
    let lo = first;
    let hi = first + n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (S[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    const s = S[lo]!;
    const e = this.rows.E[lo]!;
    return this.rows.P[lo]! + (t < e ? t - s : e - s);
  }

  minutesBetween(a: Minute, b: Minute): number {
    return b > a ? this.cumulative(b) - this.cumulative(a) : 0;
  }

  /**
   * ±Infinity when no instant qualifies: +Infinity when the calendar never accumulates c
   * (capacity stops, e.g. no weekly shifts); -Infinity when every instant already has
   * cumulative >= c.
   */
  instantAtCumulative(c: number): Minute {
    if (c !== c) throw new RangeError('cumulative capacity is NaN');
    while (c > this.cumHi && this.hi !== Infinity) this.growForward(this.hi);
    while (c <= this.cumLo && this.lo !== -Infinity) this.growBackward(this.lo - 1);
    if (c > this.cumHi) return Infinity;
    if (c <= this.cumLo) return -Infinity;
    // last i with P[i] < c; P is strictly increasing because every interval is non-empty
    const { P, first, n } = this.rows;
    let lo = first;
    let hi = first + n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (P[mid]! < c) lo = mid;
      else hi = mid - 1;
    }
    return this.rows.S[lo]! + Math.ceil(c - P[lo]!);
  }

  /** Infinity when the calendar never provides n more working minutes after from. */
  addWorkingMinutes(from: Minute, n: number): Minute {
    if (!(n > 0)) return from;
    return this.instantAtCumulative(this.cumulative(from) + n);
  }

  localDateOf(t: Minute): LocalDate {
    return this.formatDay(Math.floor(this.zone.wallOf(t) / MINUTES_PER_DAY));
  }

  /** When local midnight does not exist (a DST gap at 00:00), the day starts when the gap ends. */
  startOfLocalDate(d: LocalDate): Minute {
    return this.zone.firstInstantAtWall(this.parseDay(d) * MINUTES_PER_DAY);
  }

  isWorkingDay(d: LocalDate): boolean {
    return this.isWorkingDayNumber(this.parseDay(d));
  }

  // One-entry memos: engine loops ask about the same few dates over and over.
  private formattedDays = NaN;
  private formattedDate = '';
  private parsedDate = '';
  private parsedDays = NaN;

  private formatDay(days: number): LocalDate {
    if (days !== this.formattedDays) {
      this.formattedDate = formatLocalDate(days);
      this.formattedDays = days;
    }
    return this.formattedDate;
  }

  private parseDay(d: LocalDate): number {
    if (d !== this.parsedDate) {
      this.parsedDays = localDateToDays(d);
      this.parsedDate = d;
    }
    return this.parsedDays;
  }

  /** Working-day flags by day number from dayBase: 0 unknown, 1 working, 2 not. */
  private dayBase = 0;
  private dayFlags = new Int8Array(0);

  private isWorkingDayNumber(days: number): boolean {
    let i = days - this.dayBase;
    if (i < 0 || i >= this.dayFlags.length) {
      if (!this.coverDay(days)) return this.computeWorkingDay(days);
      i = days - this.dayBase;
    }
    let flag = this.dayFlags[i]!;
    if (flag === 0) {
      flag = this.computeWorkingDay(days) ? 1 : 2;
      this.dayFlags[i] = flag;
    }
    return flag === 1;
  }

  /**
   * Grows the flag table to include days; false when that would span more than ~550 years.
   * The side that grows gets at least the old length again, so copies stay amortised O(1)
   * per day (a year at a time with a full copy was quadratic in the span).
   */
  private coverDay(days: number): boolean {
    const margin = 366;
    const limit = 200_000;
    const oldLength = this.dayFlags.length;
    const oldHi = this.dayBase + oldLength;
    let lo = oldLength === 0 ? days - margin : Math.min(this.dayBase, days - margin);
    let hi = oldLength === 0 ? days + margin : Math.max(oldHi, days + margin);
    if (hi - lo > limit) return false;
    if (oldLength > 0) {
      const spare = Math.min(oldLength, limit - (hi - lo));
      if (lo < this.dayBase) lo -= spare;
      else if (hi > oldHi) hi += spare;
    }
    const flags = new Int8Array(hi - lo);
    if (oldLength > 0) flags.set(this.dayFlags, this.dayBase - lo);
    this.dayFlags = flags;
    this.dayBase = lo;
    return true;
  }

  private computeWorkingDay(days: number): boolean {
    const start = this.zone.firstInstantAtWall(days * MINUTES_PER_DAY);
    const end = this.zone.firstInstantAtWall((days + 1) * MINUTES_PER_DAY);
    return this.cumulative(end) > this.cumulative(start);
  }

  /** Throws RangeError when the calendar has no further working day in that direction. */
  addWorkingDays(d: LocalDate, n: number): LocalDate {
    if (!Number.isInteger(n)) throw new RangeError(`working-day count ${n} is not an integer`);
    let days = this.parseDay(d);
    const step = n < 0 ? -1 : 1;
    let remaining = Math.abs(n);
    if (remaining === 0) {
      if (this.isWorkingDayNumber(days)) return d;
      remaining = 1;
    }
    const bounds = this.dayBounds;
    for (;;) {
      days += step;
      if (bounds && (step > 0 ? days > bounds[1] : days < bounds[0])) {
        throw new NoWorkingDayError(`the calendar has no working day ${step > 0 ? 'after' : 'before'} ${formatLocalDate(days - step)}`);
      }
      if (this.isWorkingDayNumber(days) && --remaining === 0) return this.formatDay(days);
    }
  }
}

/** A calendar that runs out of working days: callers turn it into "no capacity", never a crash. */
export class NoWorkingDayError extends RangeError {
  override name = 'NoWorkingDayError';
}
