import type { Calendar, Weekday } from './calendar-types.ts';

/** Local wall-clock [start, end) on a day, "HH:MM" ("24:00" for the end of the day). */
export interface ClockWindow {
  start: string;
  end: string;
}

/**
 * What extra capacity a planner may add on one resource, and what it costs (issue 15
 * item 1). Minutes are working minutes; costs are per hour in the plant's currency.
 */
// A type, not an interface: it is stored and emitted as plain JSON (an event's record of unknowns).
export type ResourceCapacityPolicy = {
  /** Overtime right before the first shift / right after the last shift of a working day (0: none). */
  overtime: { beforeShiftMinutes: number; afterShiftMinutes: number; costPerHour: number };
  /** An extra shift on a rest day (no shift that day); start/end null: the resource's regular shift. */
  extraShift: { enabled: boolean; start: string | null; end: string | null; costPerHour: number };
  /** Night work, [start, 24:00) and [00:00, end) of each day, where no shift runs. */
  nightShift: { enabled: boolean; start: string; end: string; costPerHour: number };
  /** Extra capacity only inside these windows of a weekday; a weekday not listed (or null) is not restricted. */
  windows: Partial<Record<Weekday, ClockWindow[]>> | null;
  minBlockMinutes: number;
  /** null: no limit beyond the kind's own window. */
  maxBlockMinutes: number | null;
  maxPerDayMinutes: number | null;
  /** Per ISO week (Monday to Sunday, local dates). */
  maxPerWeekMinutes: number | null;
};

/**
 * The defaults for a one- or two-shift plant (README, "Capacity policy"): overtime up to 2 h
 * after the last shift, blocks of at least 60 minutes, an extra shift = one regular shift on
 * a rest day, no night shift unless enabled. Costs are relative (a regular hour = 1) in the
 * currency "XXX" (ISO 4217: no currency) until a planner sets real ones.
 */
export const DEFAULT_RESOURCE_CAPACITY_POLICY: ResourceCapacityPolicy = {
  overtime: { beforeShiftMinutes: 0, afterShiftMinutes: 120, costPerHour: 1.5 },
  extraShift: { enabled: true, start: null, end: null, costPerHour: 1.5 },
  nightShift: { enabled: false, start: '22:00', end: '06:00', costPerHour: 2 },
  windows: null,
  minBlockMinutes: 60,
  maxBlockMinutes: null,
  maxPerDayMinutes: null,
  maxPerWeekMinutes: null,
};

export const DEFAULT_CAPACITY_CURRENCY = 'XXX';

/**
 * The resource's regular shift: the most frequent (start, end) of its weekly pattern, the
 * earliest on a tie; null when it has no weekly shift.
 */
export function regularShift(calendar: Calendar): ClockWindow | null {
  const count = new Map<string, number>();
  for (const s of calendar.weekly) count.set(`${s.start}-${s.end}`, (count.get(`${s.start}-${s.end}`) ?? 0) + 1);
  let best: string | null = null;
  for (const [k, n] of count) {
    const b = best === null ? 0 : count.get(best)!;
    if (n > b || (n === b && best !== null && k < best)) best = k;
  }
  if (best === null) return null;
  const [start, end] = best.split('-') as [string, string];
  return { start, end };
}
