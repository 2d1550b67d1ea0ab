/**
 * Calendar model shared by the API (validated there with zod) and the engine.
 * All clock times are local to the plant's IANA time zone.
 */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** A recurring shift: local wall-clock [start, end) on a weekday. "HH:MM", end may be "24:00". */
export interface WeeklyShift {
  day: Weekday;
  start: string;
  end: string;
}

/**
 * A dated exception.
 * - holiday: the whole local day has no base (weekly) capacity; overtime/extra shifts on that date still count.
 * - downtime: removes capacity in [start, end) local on that date (the whole day when start/end are omitted),
 *   including overtime and extra shifts.
 * - overtime / extra_shift: adds capacity in [start, end) local on that date (start and end required).
 */
export type ExceptionKind = 'holiday' | 'downtime' | 'overtime' | 'extra_shift';

export interface CalendarException {
  kind: ExceptionKind;
  /** local date "YYYY-MM-DD" */
  date: string;
  start?: string;
  end?: string;
  note?: string;
}

export interface Calendar {
  timeZone: string;
  weekly: WeeklyShift[];
  exceptions: CalendarException[];
}
