import { formatLocalDate, MINUTES_PER_DAY, zoneOffsets } from '../engine/local-time.ts';
import type { Minute } from '../engine/working-time.ts';

/** One local day's part of a breakdown: downtime on `date` from `start` to `end` ("HH:MM", end up to "24:00"). */
export interface DowntimeDay {
  date: string;
  start: string;
  end: string;
}

const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/**
 * The local days a resource is down from `from` to `to` (instants in minutes, from < to),
 * in the plant's time zone: the first day from the start's wall time, whole days between,
 * the last day up to the end's wall time; a day with nothing left out is skipped. Calendars
 * are per local day, so this is how a fact spanning days reaches every calendar consumer.
 */
export function downtimeDays(timeZone: string, from: Minute, to: Minute): DowntimeDay[] {
  const zone = zoneOffsets(timeZone);
  const a = zone.wallOf(from);
  const b = zone.wallOf(to);
  const out: DowntimeDay[] = [];
  for (let day = Math.floor(a / MINUTES_PER_DAY); day * MINUTES_PER_DAY < b; day++) {
    const dayStart = day * MINUTES_PER_DAY;
    const start = Math.max(a, dayStart) - dayStart;
    const end = Math.min(b, dayStart + MINUTES_PER_DAY) - dayStart;
    if (end > start) out.push({ date: formatLocalDate(day), start: clock(start), end: clock(end) });
  }
  return out;
}
