import type { Calendar, CalendarException, ExceptionKind, WeeklyShift } from '../engine/index.ts';

/** A planner's capacity change as it is stored: one dated exception on one resource. */
export interface StoredCapacityChange {
  id: string;
  kind: ExceptionKind;
  date: string;
  start_time: string | null;
  end_time: string | null;
}

/** The calendar exception a capacity change stands for. */
export function capacityChangeException(c: StoredCapacityChange): CalendarException {
  return {
    kind: c.kind,
    date: c.date,
    ...(c.start_time ? { start: c.start_time } : {}),
    ...(c.end_time ? { end: c.end_time } : {}),
    note: `capacity change ${c.id}`,
  };
}

/**
 * The calendar a resource actually works: its own weekly pattern and exceptions, then the
 * planners' active capacity changes (overtime, added shifts, downtime) on top, in the
 * plant's time zone. The only place the two are combined, so the drum the engine
 * schedules, the load report and a calendar edit all see the same capacity. `changes`
 * must be this resource's active (not revoked) changes, in the order they apply.
 */
export function effectiveCalendar(
  timeZone: string,
  own: { weekly: WeeklyShift[]; exceptions?: CalendarException[] | undefined },
  changes: readonly StoredCapacityChange[],
): Calendar {
  return { timeZone, weekly: own.weekly, exceptions: [...(own.exceptions ?? []), ...changes.map(capacityChangeException)] };
}
