import { endOfLocalDate, nextLocalDate, type LocalDate, type Minute, type WorkingTime } from '../engine/index.ts';

/** Monday of the ISO week a local date is in: weeks are keyed by their Monday. */
export function weekOf(date: LocalDate): LocalDate {
  const dow = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  return nextLocalDate(date, -dow);
}

/** One operation of a published route plan (engine RoutePlanOp): working minutes in [start, end) of its resource. */
export interface PlannedOperation {
  resource: string;
  minutes: number;
  start: Minute;
  end: Minute;
  /** false: a legacy operation without a reservation (no interval; start = end). */
  reserved?: boolean;
}

/** Free working minutes after now within the requested days (see PlannedLoad). */
export interface UsableCapacity {
  /** Free minutes in stretches at least `stretchMinutes` long. */
  minutes: number;
  /** Every free minute (usable or not), so free − usable is the fragmentation. */
  freeMinutes: number;
  /** The resource's median planned operation (lower median); null when nothing is planned on it (then every free minute is usable). */
  medianOperationMinutes: number | null;
}

export interface ResourceLoad {
  /** Working minutes of planned intervals per requested day, in the order of `days`. */
  byDay: number[];
  /** Minutes of unreserved (legacy) operations: they have no interval, so they are in no day. */
  unreservedMinutes: number;
  usable: UsableCapacity;
}

/** One resource's accumulator. */
class ResourceAccumulator {
  /** Day boundaries: day i is [bounds[i], bounds[i + 1]). */
  readonly bounds: Minute[];
  readonly byDay: number[];
  unreserved = 0;
  /** Minutes of every planned operation on the resource (for the median). */
  readonly opMinutes: number[] = [];
  /** Planned intervals that meet the usable window [windowStart, windowEnd). */
  readonly inWindow: [Minute, Minute][] = [];
  /** The latest end of an interval ending at or before windowStart, and the earliest start at or after windowEnd. */
  lastEndBefore = -Infinity;
  nextStartAfter = Infinity;
  readonly windowStart: Minute;
  readonly windowEnd: Minute;

  constructor(
    readonly wt: WorkingTime,
    days: readonly LocalDate[],
    now: Minute,
  ) {
    this.bounds = days.map((d) => wt.startOfLocalDate(d));
    this.bounds.push(days.length > 0 ? endOfLocalDate(wt, days.at(-1)!) : 0);
    this.byDay = new Array<number>(days.length).fill(0);
    this.windowStart = Math.max(now, this.bounds[0]!);
    this.windowEnd = this.bounds.at(-1)!;
  }

  add(op: PlannedOperation): void {
    if (op.minutes <= 0) return;
    if (op.reserved === false) {
      this.unreserved += op.minutes;
      return;
    }
    if (op.end <= op.start) return;
    this.opMinutes.push(op.minutes);
    this.spread(op.start, op.end);
    if (op.end <= this.windowStart) this.lastEndBefore = Math.max(this.lastEndBefore, op.end);
    else if (op.start >= this.windowEnd) this.nextStartAfter = Math.min(this.nextStartAfter, op.start);
    else this.inWindow.push([op.start, op.end]);
  }

  /** Adds the working minutes of [a, b) to the days it meets: O(log days + days met). */
  private spread(a: Minute, b: Minute): void {
    const { bounds, byDay, wt } = this;
    const days = byDay.length;
    if (days === 0 || b <= bounds[0]! || a >= bounds[days]!) return;
    let lo = 0;
    let hi = days - 1; // the last day starting at or before a (or day 0)
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bounds[mid]! <= a) lo = mid;
      else hi = mid - 1;
    }
    for (let i = lo; i < days && bounds[i]! < b; i++) {
      const from = Math.max(a, bounds[i]!);
      const to = Math.min(b, bounds[i + 1]!);
      if (to > from) byDay[i]! += wt.cumulative(to) - wt.cumulative(from);
    }
  }

  usable(now: Minute): UsableCapacity {
    const sorted = Float64Array.from(this.opMinutes).sort();
    const median = sorted.length > 0 ? sorted[(sorted.length - 1) >> 1]! : null;
    const need = median ?? 1;
    const { wt, windowStart, windowEnd } = this;
    let minutes = 0;
    let freeMinutes = 0;
    if (windowEnd > windowStart) {
      const stretch = (a: Minute, b: Minute) => {
        const inside = wt.cumulative(Math.min(b, windowEnd)) - wt.cumulative(Math.max(a, windowStart));
        if (inside <= 0) return;
        freeMinutes += inside;
        if (b === Infinity || wt.cumulative(b) - wt.cumulative(a) >= need) minutes += inside;
      };
      let freeFrom = Math.max(now, this.lastEndBefore);
      for (const [s, e] of this.inWindow.sort((x, y) => x[0] - y[0])) {
        if (s > freeFrom) stretch(freeFrom, s);
        freeFrom = Math.max(freeFrom, e);
      }
      if (this.nextStartAfter > freeFrom) stretch(freeFrom, this.nextStartAfter);
    }
    return { minutes, freeMinutes, medianOperationMinutes: median };
  }
}

/**
 * The load report's numbers from the published route plans (docs/design/whole-route.md §3.2,
 * §7): a resource's load in a local day is the working minutes of its planned intervals in
 * that day, on its own calendar — an operation that spans a night or a weekend is split
 * where its working minutes fall (600 minutes from a Monday 06:00 on a 06:00–14:00 shift:
 * 480 on Monday, 120 on Tuesday). Every resource, the drum included, and every interval as
 * planned, also its part before now. Operations without a reservation (`reserved: false`,
 * orders promised before whole-route planning) have no interval: they are in no day and
 * are summed apart as `unreservedMinutes` (an order without any operation snapshot has a
 * drum operation only, so its other work is not known here at all).
 *
 * Usable capacity, per resource over the requested days from now on: the resource's free
 * time after now is cut by its planned intervals into maximal free stretches (measured in
 * its working minutes, a stretch may span nights, as a reservation may; the stretch after
 * the last interval is unbounded); the working minutes inside the requested days of the
 * stretches at least as long as the resource's median planned operation are usable, so a
 * sliver too short for a typical operation shows as free but not usable.
 *
 * add() the operations of every plan (in any order, a caller may yield between them), then
 * take result(r) per resource. Cost: O(log days + days met) per operation; result()
 * sorts the resource's operation minutes and its intervals inside the window.
 */
export class PlannedLoad {
  private readonly resources = new Map<string, ResourceAccumulator>();

  constructor(
    workingTimes: ReadonlyMap<string, WorkingTime>,
    days: readonly LocalDate[],
    private readonly now: Minute,
  ) {
    for (const [id, wt] of workingTimes) this.resources.set(id, new ResourceAccumulator(wt, days, now));
  }

  /** Ignored for a resource not reported on. */
  add(op: PlannedOperation): void {
    this.resources.get(op.resource)?.add(op);
  }

  result(resource: string): ResourceLoad | undefined {
    const r = this.resources.get(resource);
    return r && { byDay: r.byDay, unreservedMinutes: r.unreserved, usable: r.usable(this.now) };
  }
}

export interface LoadPeriod {
  start: LocalDate;
  end: LocalDate;
  loadMinutes: number;
  capacityMinutes: number;
  /** Load over capacity; null when there is load and no capacity. */
  utilisation: number | null;
  overThreshold: boolean;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * One resource's load and calendar capacity per day or ISO week (keyed by Monday, cut to
 * `days`), and whether each period is above `threshold` utilisation (strictly; load
 * without capacity is always above). `loadByDay` is in the order of `days`.
 */
export function bucketLoad(
  wt: WorkingTime,
  days: readonly LocalDate[],
  loadByDay: readonly number[],
  granularity: 'day' | 'week',
  threshold: number,
): LoadPeriod[] {
  const periods = new Map<string, { start: string; end: string; loadMinutes: number; capacityMinutes: number }>();
  days.forEach((d, i) => {
    const key = granularity === 'week' ? weekOf(d) : d;
    const p = periods.get(key) ?? { start: d, end: d, loadMinutes: 0, capacityMinutes: 0 };
    p.end = d;
    p.loadMinutes += loadByDay[i] ?? 0;
    p.capacityMinutes += wt.minutesBetween(wt.startOfLocalDate(d), endOfLocalDate(wt, d));
    periods.set(key, p);
  });
  return [...periods.values()].map((p) => {
    const utilisation = p.capacityMinutes > 0 ? p.loadMinutes / p.capacityMinutes : p.loadMinutes > 0 ? Infinity : 0;
    return {
      start: p.start,
      end: p.end,
      loadMinutes: round2(p.loadMinutes),
      capacityMinutes: p.capacityMinutes,
      utilisation: Number.isFinite(utilisation) ? round2(utilisation) : null,
      overThreshold: utilisation > threshold,
    };
  });
}
