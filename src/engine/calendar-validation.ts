import type { Calendar } from './calendar-types.ts';
import { WEEKDAYS } from './calendar-rules.ts';
import { isKnownTimeZone, parseClockTime, parseLocalDate } from './local-time.ts';

/** One problem in a calendar; path points into the input, e.g. ['weekly', 2, 'end']. */
export interface CalendarIssue {
  path: (string | number)[];
  message: string;
}

/** Thrown by buildWorkingTime for a calendar that validateCalendar rejects. */
export class CalendarInvalidError extends Error {
  readonly issues: CalendarIssue[];
  constructor(issues: CalendarIssue[]) {
    super(`invalid calendar: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    this.name = 'CalendarInvalidError';
    this.issues = issues;
  }
}

const KINDS = ['holiday', 'downtime', 'overtime', 'extra_shift'] as const;

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(JSON.stringify(value));
}

/** Checks an "HH:MM" field; returns its minutes, or undefined after recording an issue. */
function checkClock(value: unknown, isEnd: boolean, path: (string | number)[], issues: CalendarIssue[]): number | undefined {
  const minutes = typeof value === 'string' ? parseClockTime(value, isEnd) : undefined;
  if (minutes !== undefined) return minutes;
  const allowed = isEnd ? '00:00 to 24:00' : '00:00 to 23:59';
  if (typeof value === 'string' && value === '24:00') {
    issues.push({ path, message: 'a start time cannot be 24:00; start the shift at 00:00 of the next day' });
  } else if (typeof value === 'string' && /^\d{2}:\d{2}$/.test(value)) {
    issues.push({ path, message: `time ${show(value)} is out of range; use ${allowed}` });
  } else {
    issues.push({ path, message: `time ${show(value)} must be written as HH:MM (24-hour clock), e.g. "06:30"` });
  }
  return undefined;
}

function fmt(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/**
 * Everything wrong with a calendar, in input order; empty when buildWorkingTime will
 * accept it. Pure: the only outside knowledge is Intl's list of time zones.
 */
export function validateCalendar(input: Calendar): CalendarIssue[] {
  const issues: CalendarIssue[] = [];
  const tz: unknown = input.timeZone;
  if (typeof tz !== 'string' || !isKnownTimeZone(tz)) {
    issues.push({
      path: ['timeZone'],
      message: `${show(tz)} is not a known IANA time zone; use a name such as "Europe/Berlin" or "America/New_York"`,
    });
  }

  if (!Array.isArray(input.weekly)) {
    issues.push({ path: ['weekly'], message: 'weekly must be a list of shifts' });
  } else {
    const byDay = new Map<string, Array<{ index: number; start: number; end: number }>>();
    input.weekly.forEach((shift, index) => {
      const day: unknown = shift.day;
      if (typeof day !== 'string' || !(WEEKDAYS as readonly string[]).includes(day)) {
        issues.push({ path: ['weekly', index, 'day'], message: `${show(day)} is not a weekday; use one of ${WEEKDAYS.join(', ')}` });
      }
      const start = checkClock(shift.start, false, ['weekly', index, 'start'], issues);
      const end = checkClock(shift.end, true, ['weekly', index, 'end'], issues);
      if (start === undefined || end === undefined) return;
      if (end <= start) {
        issues.push({
          path: ['weekly', index, 'end'],
          message: `the shift ends at ${shift.end}, which is not after its start ${shift.start}; split a night shift at midnight into two shifts (e.g. mon 22:00–24:00 and tue 00:00–06:00)`,
        });
        return;
      }
      if (typeof day === 'string') {
        const list = byDay.get(day) ?? [];
        list.push({ index, start, end });
        byDay.set(day, list);
      }
    });
    for (const [day, list] of byDay) {
      list.sort((a, b) => a.start - b.start || a.index - b.index);
      for (let i = 1; i < list.length; i++) {
        const prev = list[i - 1]!;
        const cur = list[i]!;
        if (cur.start < prev.end) {
          const [first, second] = prev.index < cur.index ? [prev, cur] : [cur, prev];
          issues.push({
            path: ['weekly', second.index],
            message: `the ${day} shift ${fmt(second.start)}–${fmt(second.end)} overlaps the ${day} shift ${fmt(first.start)}–${fmt(first.end)} (weekly[${first.index}]); merge them or make them meet end to start`,
          });
        }
      }
    }
  }

  if (!Array.isArray(input.exceptions)) {
    issues.push({ path: ['exceptions'], message: 'exceptions must be a list' });
    return issues;
  }
  input.exceptions.forEach((ex, index) => {
    const at = (field: string): (string | number)[] => ['exceptions', index, field];
    const kind: unknown = ex.kind;
    const knownKind = typeof kind === 'string' && (KINDS as readonly string[]).includes(kind);
    if (!knownKind) {
      issues.push({ path: at('kind'), message: `${show(kind)} is not an exception kind; use one of ${KINDS.join(', ')}` });
    }
    if (typeof ex.date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(ex.date)) {
      issues.push({ path: at('date'), message: `date ${show(ex.date)} must be written as YYYY-MM-DD, e.g. "2026-12-24"` });
    } else if (parseLocalDate(ex.date) === undefined) {
      issues.push({ path: at('date'), message: `${ex.date} is not a date in the calendar` });
    }
    const hasStart = ex.start !== undefined;
    const hasEnd = ex.end !== undefined;
    if (kind === 'holiday' && (hasStart || hasEnd)) {
      issues.push({
        path: at(hasStart ? 'start' : 'end'),
        message: 'a holiday removes the whole day, so it takes no times; use downtime to remove part of a day',
      });
      return;
    }
    if ((kind === 'overtime' || kind === 'extra_shift') && (!hasStart || !hasEnd)) {
      if (!hasStart) issues.push({ path: at('start'), message: `${kind} needs a start time (HH:MM)` });
      if (!hasEnd) issues.push({ path: at('end'), message: `${kind} needs an end time (HH:MM)` });
      return;
    }
    if (kind === 'downtime' && hasStart !== hasEnd) {
      issues.push({
        path: at(hasStart ? 'end' : 'start'),
        message: `downtime needs both a start and an end time, or neither for the whole day`,
      });
      return;
    }
    if (!hasStart && !hasEnd) return;
    const start = checkClock(ex.start, false, at('start'), issues);
    const end = checkClock(ex.end, true, at('end'), issues);
    if (start !== undefined && end !== undefined && end <= start) {
      issues.push({
        path: at('end'),
        message: `the end ${ex.end} is not after the start ${ex.start}; an exception lies within one date, so split one that crosses midnight into two`,
      });
    }
  });
  return issues;
}
