import { formatLocalDate, MINUTES_PER_DAY, parseClockTime, parseLocalDate, weekdayOfDays, zoneOffsets } from '../engine/local-time.ts';

/** A ranged change covers at most this many local days, first to last (a year, leap day included). */
export const MAX_RANGE_DAYS = 366;

/** One block of capacity added or taken away: local date, "HH:MM" times; no times: the whole day. */
export interface CapacityBlock {
  date: string;
  start: string | null;
  end: string | null;
}

/** A weekly pattern over a date range: the block on every listed ISO weekday (1 = Monday … 7 = Sunday) from `from` to `to`. */
export interface WeeklyPattern {
  from: string;
  to: string;
  weekdays: readonly number[];
  /** Dates in the range left out (a public holiday, say). */
  except: readonly string[];
  start: string | null;
  end: string | null;
}

/** Local days from `from` to `to`, both included (0 or less when `to` is before `from`). */
export function daysInRange(from: string, to: string): number {
  return (parseLocalDate(to) ?? 0) - (parseLocalDate(from) ?? 0) + 1;
}

/** The blocks a pattern stands for, by date. The caller bounds the range first (MAX_RANGE_DAYS). */
export function patternBlocks(p: WeeklyPattern): CapacityBlock[] {
  const first = parseLocalDate(p.from);
  const last = parseLocalDate(p.to);
  if (first === undefined || last === undefined) return [];
  const weekdays = new Set(p.weekdays);
  const except = new Set(p.except);
  const out: CapacityBlock[] = [];
  for (let day = first; day <= last; day++) {
    const date = formatLocalDate(day);
    if (weekdays.has(weekdayOfDays(day) + 1) && !except.has(date)) out.push({ date, start: p.start, end: p.end });
  }
  return out;
}

const minuteOfDay = (text: string | null, isEnd: boolean) =>
  text === null ? (isEnd ? MINUTES_PER_DAY : 0) : (parseClockTime(text, isEnd) ?? (isEnd ? MINUTES_PER_DAY : 0));

/**
 * Pairs of blocks on the same date whose times overlap ([i, j], i < j): one change may not
 * say twice what happens at the same minute. Blocks that meet end to start do not overlap.
 */
export function overlappingBlocks(blocks: readonly CapacityBlock[]): [number, number][] {
  const byDate = new Map<string, number[]>();
  blocks.forEach((b, i) => byDate.set(b.date, [...(byDate.get(b.date) ?? []), i]));
  const out: [number, number][] = [];
  for (const list of byDate.values())
    for (let x = 0; x < list.length; x++)
      for (let y = x + 1; y < list.length; y++) {
        const a = blocks[list[x]!]!;
        const b = blocks[list[y]!]!;
        if (minuteOfDay(a.start, false) < minuteOfDay(b.end, true) && minuteOfDay(b.start, false) < minuteOfDay(a.end, true))
          out.push([list[x]!, list[y]!]);
      }
  return out;
}

/**
 * The instants [from, to) a block covers. Blocks are wall-clock time, like every shift:
 * "14:00–22:00" is what the clock on the wall reads, so on a daylight-saving day a block the
 * clocks change inside lasts an hour less (spring) or more (autumn), and a start in the
 * skipped hour begins when the clocks have jumped (the engine reads calendars the same way).
 */
export function blockWindow(timeZone: string, block: CapacityBlock): [number, number] {
  const day = parseLocalDate(block.date) ?? 0;
  const zone = zoneOffsets(timeZone);
  return [
    zone.firstInstantAtWall(day * MINUTES_PER_DAY + minuteOfDay(block.start, false)),
    zone.firstInstantAtWall(day * MINUTES_PER_DAY + minuteOfDay(block.end, true)),
  ];
}

/** How much longer (+) or shorter (−) the block lasts than its wall-clock length: non-zero only when the clocks change inside it. */
export function clockChangeMinutes(timeZone: string, block: CapacityBlock): number {
  const [from, to] = blockWindow(timeZone, block);
  return to - from - (minuteOfDay(block.end, true) - minuteOfDay(block.start, false));
}
