import { endOfLocalDate, localDateEndingAt, nextLocalDate } from './buffer-days.ts';
import { localDateToDays, MINUTES_PER_DAY, zoneOffsets } from './local-time.ts';
import type { LocalDate, Minute, WorkingTime } from './working-time.ts';
import { stretchEnd } from './working-stretches.ts';

export interface SuggestedDay {
  date: LocalDate;
  minutes: number;
  /** 'overtime' extends a working day; 'extra_shift' opens a day without shifts. */
  kind: 'overtime' | 'extra_shift';
  /** Local wall-clock [start, end) on `date`, "HH:MM" ("24:00" for midnight at the end). */
  start: string;
  end: string;
  /** The same interval as instants. */
  from: Minute;
  to: Minute;
}

export interface Suggestion {
  text: string;
  /** Ascending by date; disjoint from the calendar's working time; inside [now, neededBy). */
  days: SuggestedDay[];
  /** False when not all the minutes fit between now and neededBy under the per-day caps. */
  fits: boolean;
}

export interface SuggestionOptions {
  /** Overtime cap on a working day (default 240). */
  maxOvertimeMinutes?: number;
  /** Cap for an extra shift on a non-working day (default 480). */
  maxExtraShiftMinutes?: number;
  /** How many local days back from neededBy to look (default 62). */
  maxDaysBack?: number;
  /** The resource the minutes go on, named in the text (default: the drum). */
  resource?: string;
}

interface Gap {
  from: Minute;
  to: Minute;
  afterShift: boolean;
  beforeShift: boolean;
}

/**
 * Where `minutes` extra drum minutes could go so they count before `neededBy`: the days
 * just before it, latest first, one interval per day: on a working day right after its
 * last shift (else right before its first), on a day without shifts from 06:00.
 * Days whose interval would straddle a DST change are skipped, so that the wall-clock
 * start/end, entered as a calendar exception, add exactly `minutes`; so are days with a
 * downtime exception, which would cancel overtime.
 */
export function suggestCapacity(
  wt: WorkingTime,
  now: Minute,
  neededBy: Minute,
  minutes: number,
  options: SuggestionOptions = {},
): Suggestion {
  const neededByDate = localDateEndingAt(wt, neededBy);
  const days: SuggestedDay[] = [];
  let left = minutes;
  if (left > 0 && neededBy > now) {
    const zone = zoneOffsets(wt.calendar.timeZone);
    const today = wt.localDateOf(now);
    const downtimeDates = new Set(wt.calendar.exceptions.filter((e) => e.kind === 'downtime').map((e) => e.date));
    let d = neededByDate;
    for (let i = 0; left > 0 && d >= today && i < (options.maxDaysBack ?? 62); i++, d = nextLocalDate(d, -1)) {
      // Downtime removes overtime too (calendar-types.ts): suggest nothing on such a day.
      if (downtimeDates.has(d)) continue;
      const a = Math.max(now, wt.startOfLocalDate(d));
      const b = Math.min(neededBy, endOfLocalDate(wt, d));
      const working = wt.isWorkingDay(d);
      const cap = working ? (options.maxOvertimeMinutes ?? 240) : (options.maxExtraShiftMinutes ?? 480);
      const gaps = freeGaps(wt, a, b);
      const pick = working ? ([...gaps].reverse().find((g) => g.afterShift) ?? gaps.find((g) => g.beforeShift) ?? gaps[0]) : gaps[0];
      if (!pick) continue;
      const amount = Math.min(left, cap, pick.to - pick.from);
      if (amount <= 0) continue;
      let from: Minute;
      if (!working) {
        const six = zone.firstInstantAtWall(localDateToDays(d) * MINUTES_PER_DAY + 360);
        from = Math.min(Math.max(six, pick.from), pick.to - amount);
      } else from = pick.afterShift || !pick.beforeShift ? pick.from : pick.to - amount;
      const to = from + amount;
      if (zone.wallOf(to - 1) + 1 - zone.wallOf(from) !== amount) continue;
      days.push({
        date: d,
        minutes: amount,
        kind: working ? 'overtime' : 'extra_shift',
        start: clock(zone.wallOf(from)),
        end: to === endOfLocalDate(wt, d) ? '24:00' : clock(zone.wallOf(to)),
        from,
        to,
      });
      left -= amount;
    }
  }
  days.reverse();
  const parts = days.map((s) => `${s.kind === 'overtime' ? 'overtime' : 'an extra shift'} on ${s.date} ${s.start}–${s.end} (${s.minutes})`);
  let text =
    minutes <= 0 ? 'No extra capacity is needed.' : `${minutes} extra ${options.resource ?? 'drum'} minutes by the end of ${neededByDate}`;
  if (parts.length > 0) text += `: e.g. ${parts.join(', ')}`;
  if (left > 0 && minutes > 0) text += `; only ${minutes - left} of them fit between now and then under the usual overtime limits`;
  return { text, days, fits: left <= 0 };
}

/** Non-working stretches of [a, b), with whether a shift ends at their start / starts at their end. */
function freeGaps(wt: WorkingTime, a: Minute, b: Minute): Gap[] {
  const gaps: Gap[] = [];
  let t = a;
  let afterShift = false;
  while (t < b) {
    const ws = wt.instantAtCumulative(wt.cumulative(t) + 1) - 1;
    if (!(ws < b)) {
      gaps.push({ from: t, to: b, afterShift, beforeShift: false });
      break;
    }
    if (ws > t) gaps.push({ from: t, to: ws, afterShift, beforeShift: true });
    t = stretchEnd(wt, ws, b);
    afterShift = true;
  }
  return gaps;
}

function clock(wall: number): string {
  const m = ((wall % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  const h = Math.floor(m / 60);
  const mm = m % 60;
  return `${h < 10 ? '0' : ''}${h}:${mm < 10 ? '0' : ''}${mm}`;
}
