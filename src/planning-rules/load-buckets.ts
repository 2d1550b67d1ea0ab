import { endOfLocalDate, nextLocalDate, type LocalDate, type Minute, type WorkingTime } from '../engine/index.ts';

/** Monday of the ISO week a local date is in: weeks are keyed by their Monday. */
export function weekOf(date: LocalDate): LocalDate {
  const dow = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  return nextLocalDate(date, -dow);
}

/** An operation of a routing: minutes on one resource. */
export interface RoutedOperation {
  resource: string;
  setupMinutes: number;
  runMinutesPerUnit: number;
}

/** A committed order as the drum plans it, with what it asks of the other resources. */
export interface PlannedLine {
  /** Order status: 'released' and 'in_progress' change where the work before the drum falls. */
  status: string;
  quantity: number;
  routing: readonly RoutedOperation[];
  /** Rope release date. */
  releaseDate: LocalDate;
  /** Planned drum finish; not finite when the drum calendar runs out. */
  finish: Minute;
}

/**
 * Load per resource and local day in minutes, over `days` (ascending, contiguous).
 * Only the drum is scheduled minute by minute; for the other resources S-DBR assumes
 * protective capacity and watches their load, so each operation is placed on one day:
 * operations before the drum on the order's rope release day (today once released; none
 * once the drum has started on it), operations after it on the day its drum work
 * finishes. The drum works its committed orders back to back from now, so its busy
 * minutes in a day are its working minutes between now and the last planned finish.
 * `lines` are in drum sequence.
 */
export function placeLoad(input: LoadPlacementInput & { lines: readonly PlannedLine[] }): Map<string, Map<LocalDate, number>> {
  const placement = new LoadPlacement(input);
  for (const line of input.lines) placement.place(line);
  return placement.result();
}

export interface LoadPlacementInput {
  resources: readonly string[];
  drumId: string;
  drumWt: WorkingTime;
  nowMinute: Minute;
  days: readonly LocalDate[];
}

/**
 * placeLoad a line at a time, so a caller can place 100k lines in slices and yield to the
 * event loop between them; place() the lines in drum sequence, then take result() once.
 */
export class LoadPlacement {
  private readonly load: Map<string, Map<LocalDate, number>>;
  private readonly from: LocalDate;
  private readonly to: LocalDate;
  private readonly today: LocalDate;
  private drumBusyUntil: Minute;

  constructor(private readonly input: LoadPlacementInput) {
    this.from = input.days[0] ?? '';
    this.to = input.days.at(-1) ?? '';
    this.today = input.drumWt.localDateOf(input.nowMinute);
    this.drumBusyUntil = input.nowMinute;
    this.load = new Map(input.resources.map((r) => [r, new Map<LocalDate, number>()]));
  }

  private add(resource: string, day: LocalDate, minutes: number): void {
    const m = this.load.get(resource);
    if (m && day >= this.from && day <= this.to) m.set(day, (m.get(day) ?? 0) + minutes);
  }

  place(line: PlannedLine): void {
    const { drumId, drumWt } = this.input;
    if (Number.isFinite(line.finish)) this.drumBusyUntil = Math.max(this.drumBusyUntil, line.finish);
    const drumAt = line.routing.findIndex((op) => op.resource === drumId);
    line.routing.forEach((op, i) => {
      if (op.resource === drumId) return;
      const minutes = op.setupMinutes + line.quantity * op.runMinutesPerUnit;
      if (i < drumAt) {
        // Work before the drum is behind us once the drum has started on the order.
        if (line.status === 'in_progress') return;
        this.add(op.resource, line.status === 'released' ? this.today : line.releaseDate, minutes);
      } else if (Number.isFinite(line.finish)) this.add(op.resource, drumWt.localDateOf(line.finish), minutes);
    });
  }

  /** The load per resource and day; the drum's busy minutes are added here, once. */
  result(): Map<string, Map<LocalDate, number>> {
    const { drumId, drumWt, nowMinute, days } = this.input;
    for (const d of days) {
      const a = Math.max(nowMinute, drumWt.startOfLocalDate(d));
      const b = Math.min(this.drumBusyUntil, endOfLocalDate(drumWt, d));
      if (b > a) this.add(drumId, d, drumWt.minutesBetween(a, b));
    }
    return this.load;
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
 * without capacity is always above).
 */
export function bucketLoad(
  wt: WorkingTime,
  days: readonly LocalDate[],
  loadByDay: ReadonlyMap<LocalDate, number>,
  granularity: 'day' | 'week',
  threshold: number,
): LoadPeriod[] {
  const periods = new Map<string, { start: string; end: string; loadMinutes: number; capacityMinutes: number }>();
  for (const d of days) {
    const key = granularity === 'week' ? weekOf(d) : d;
    const p = periods.get(key) ?? { start: d, end: d, loadMinutes: 0, capacityMinutes: 0 };
    p.end = d;
    p.loadMinutes += loadByDay.get(d) ?? 0;
    p.capacityMinutes += wt.minutesBetween(wt.startOfLocalDate(d), endOfLocalDate(wt, d));
    periods.set(key, p);
  }
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
