import { endOfLocalDate, localDateEndingAt, nextLocalDate } from './buffer-days.ts';
import { WEEKDAYS } from './calendar-rules.ts';
import { regularShift, type ClockWindow, type ResourceCapacityPolicy } from './capacity-policy.ts';
import { localDateToDays, parseClockTime, weekdayOfDays, MINUTES_PER_DAY } from './local-time.ts';
import type { LocalDate, Minute, WorkingTime } from './working-time.ts';
import { workingStretches } from './working-stretches.ts';

/** What a block of extra capacity is, for its price: the calendar kind it is posted as follows from it. */
export type CapacitySource = 'overtime' | 'extra_shift' | 'night_shift';

export interface ProposedBlock {
  resource: string;
  /** The capacity-change kind to post it as (a night shift is posted as an extra shift). */
  kind: 'overtime' | 'extra_shift';
  source: CapacitySource;
  date: LocalDate;
  /** Local "HH:MM" [start, end) on `date`; "24:00" for midnight at the end. */
  start: string;
  end: string;
  minutes: number;
  cost: number;
  from: Minute;
  to: Minute;
}

export interface CapacityProposal {
  blocks: ProposedBlock[];
  totalMinutes: number;
  totalCost: number;
  /** The end of the last block: the capacity is all there by then. */
  readyBy: Minute;
  /** True when every block ends at least the order's shipping buffer (in working days of the resource) before neededBy. */
  leavesShippingBuffer: boolean;
}

export interface ProposalRequest {
  resource: string;
  wt: WorkingTime;
  now: Minute;
  /** The end of the frozen window: capacity inside it would move frozen orders' plans, so none goes there. */
  frozenUntil: Minute;
  /** Capacity before this instant cannot help (the price's window). */
  neededAfter: Minute;
  neededBy: Minute;
  /** The price: extra working minutes in [neededAfter, neededBy) that make the date keepable. */
  minutes: number;
  shippingBufferDays: number;
  policy: ResourceCapacityPolicy;
  /** At most this many proposals (default 3). */
  limit?: number;
  /** How many local days back from neededBy to look (default 92). */
  maxDays?: number;
}

interface Slot {
  source: CapacitySource;
  date: LocalDate;
  from: Minute;
  to: Minute;
  /** Blocks shorter than the slot sit against the shift they extend: 'end' for overtime before a shift. */
  anchor: 'start' | 'end';
  costPerHour: number;
  week: number;
  protected: boolean;
}

type Interval = [Minute, Minute];

/**
 * A few alternative ways to buy `minutes` extra working minutes on one resource inside
 * [max(now, frozenUntil, neededAfter), neededBy), each a set of blocks a planner can post
 * as-is as capacity changes. Every block respects the policy: one of the allowed kinds in
 * its own window (overtime against a shift, an extra shift on a rest day, night work), inside
 * the weekday windows, at least the minimum and at most the maximum length, within the per-day
 * and per-week caps; it lies in time that is not working time now, on a day without downtime
 * (downtime would cancel it) and without a DST change (its wall-clock start/end add exactly
 * its minutes), so posting it adds exactly `minutes` working minutes inside the window. A
 * proposal adds at least `minutes` (the last block may round up to the minimum length).
 *
 * Blocks that end at least the shipping buffer before neededBy are used first: the order then
 * keeps that much slack instead of depending on the days just before its deadline. Ranked by
 * total cost, then by the end of the last block. Pure: O(days × shifts a day × log).
 */
export function proposeCapacity(req: ProposalRequest): CapacityProposal[] {
  const { wt } = req;
  const lo = Math.max(req.now, req.frozenUntil, req.neededAfter);
  const hi = req.neededBy;
  if (req.minutes <= 0 || hi <= lo) return [];
  const protectBy = protectionEnd(wt, hi, req.shippingBufferDays);
  const slots = slotsIn(req, lo, hi, protectBy);
  if (slots.length === 0) return [];
  const orders: ((a: Slot, b: Slot) => number)[] = [
    // cheapest kinds first, early before late
    (a, b) => Number(b.protected) - Number(a.protected) || a.costPerHour - b.costPerHour || a.from - b.from,
    // earliest capacity first: the most slack
    (a, b) => a.from - b.from,
    // fewest blocks: the longest slots first
    (a, b) => Number(b.protected) - Number(a.protected) || b.to - b.from - (a.to - a.from) || a.from - b.from,
    // one kind only, each
    ...(['overtime', 'extra_shift', 'night_shift'] as const).map(
      (only) => (a: Slot, b: Slot) =>
        Number(a.source !== only) - Number(b.source !== only) || Number(b.protected) - Number(a.protected) || a.from - b.from,
    ),
  ];
  const seen = new Set<string>();
  const out: CapacityProposal[] = [];
  for (const cmp of orders) {
    const p = fill(req, [...slots].sort(cmp), protectBy);
    if (!p) continue;
    const key = p.blocks.map((b) => `${b.from}-${b.to}`).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  out.sort((a, b) => a.totalCost - b.totalCost || a.readyBy - b.readyBy || a.blocks.length - b.blocks.length);
  return out.slice(0, req.limit ?? 3);
}

/** The end of the working day `days` working days of the resource before the day neededBy ends (neededBy itself for 0). */
function protectionEnd(wt: WorkingTime, neededBy: Minute, days: number): Minute {
  if (days <= 0) return neededBy;
  const d = wt.addWorkingDays(localDateEndingAt(wt, neededBy), -days);
  return Math.min(neededBy, endOfLocalDate(wt, d));
}

/** Greedy fill in the given slot order, one block per slot, within the caps; null when the minutes do not fit. */
function fill(req: ProposalRequest, slots: readonly Slot[], protectBy: Minute): CapacityProposal | null {
  const { policy } = req;
  const perDay = new Map<string, number>();
  const perWeek = new Map<number, number>();
  const taken: Interval[] = [];
  const blocks: ProposedBlock[] = [];
  let left = req.minutes;
  for (const s of slots) {
    if (left <= 0) break;
    const piece = largestFree(s.from, s.to, taken);
    if (!piece) continue;
    const [f, t] = piece;
    let amount = Math.min(
      t - f,
      policy.maxBlockMinutes ?? Infinity,
      (policy.maxPerDayMinutes ?? Infinity) - (perDay.get(s.date) ?? 0),
      (policy.maxPerWeekMinutes ?? Infinity) - (perWeek.get(s.week) ?? 0),
    );
    amount = Math.min(amount, Math.max(left, policy.minBlockMinutes));
    if (amount < Math.max(1, policy.minBlockMinutes)) continue;
    const from = s.anchor === 'start' ? f : t - amount;
    const to = from + amount;
    const zoneStart = req.wt.startOfLocalDate(s.date);
    blocks.push({
      resource: req.resource,
      kind: s.source === 'overtime' ? 'overtime' : 'extra_shift',
      source: s.source,
      date: s.date,
      start: clock(from - zoneStart),
      end: clock(to - zoneStart),
      minutes: amount,
      cost: round2((amount / 60) * s.costPerHour),
      from,
      to,
    });
    taken.push([from, to]);
    perDay.set(s.date, (perDay.get(s.date) ?? 0) + amount);
    perWeek.set(s.week, (perWeek.get(s.week) ?? 0) + amount);
    left -= amount;
  }
  if (left > 0) return null;
  blocks.sort((a, b) => a.from - b.from);
  const readyBy = blocks[blocks.length - 1]!.to;
  return {
    blocks,
    totalMinutes: blocks.reduce((n, b) => n + b.minutes, 0),
    totalCost: round2(blocks.reduce((n, b) => n + b.cost, 0)),
    readyBy,
    leavesShippingBuffer: readyBy <= protectBy,
  };
}

/** The longest part of [a, b) outside every taken interval. */
function largestFree(a: Minute, b: Minute, taken: readonly Interval[]): Interval | null {
  let pieces: Interval[] = [[a, b]];
  for (const [x, y] of taken) {
    pieces = pieces.flatMap(([p, q]): Interval[] =>
      y <= p || x >= q
        ? [[p, q]]
        : ([
            [p, x],
            [y, q],
          ].filter(([u, v]) => v! > u!) as Interval[]),
    );
  }
  let best: Interval | null = null;
  for (const p of pieces) if (!best || p[1] - p[0] > best[1] - best[0]) best = p;
  return best;
}

/** Every place the policy allows extra capacity in [lo, hi), clipped to time the resource does not work. */
function slotsIn(req: ProposalRequest, lo: Minute, hi: Minute, protectBy: Minute): Slot[] {
  const { wt, policy } = req;
  const downtime = new Set(wt.calendar.exceptions.filter((e) => e.kind === 'downtime').map((e) => e.date));
  const regular =
    policy.extraShift.start && policy.extraShift.end
      ? { start: policy.extraShift.start, end: policy.extraShift.end }
      : regularShift(wt.calendar);
  const last = localDateEndingAt(wt, hi);
  let d = wt.localDateOf(lo);
  const firstAllowed = nextLocalDate(last, -(req.maxDays ?? 92));
  if (d < firstAllowed) d = firstAllowed;
  const slots: Slot[] = [];
  for (; d <= last; d = nextLocalDate(d)) {
    // Downtime cancels added capacity (calendar-types.ts); a DST day would make wall-clock blocks add other minutes.
    if (downtime.has(d)) continue;
    const dayStart = wt.startOfLocalDate(d);
    const dayEnd = endOfLocalDate(wt, d);
    if (dayEnd - dayStart !== MINUTES_PER_DAY) continue;
    const days = localDateToDays(d);
    const weekday = WEEKDAYS[weekdayOfDays(days)]!;
    const week = days - weekdayOfDays(days);
    const at = (hhmm: string) => dayStart + (parseClockTime(hhmm, true) ?? 0);
    const shifts = workingStretches(wt, dayStart, dayEnd);
    const free = complement(dayStart, dayEnd, shifts);
    const raw: { source: CapacitySource; from: Minute; to: Minute; anchor: 'start' | 'end'; costPerHour: number }[] = [];
    const ot = policy.overtime;
    if (shifts.length > 0) {
      const first = shifts[0]![0];
      const lastEnd = shifts[shifts.length - 1]![1];
      if (ot.afterShiftMinutes > 0 && lastEnd < dayEnd)
        raw.push({
          source: 'overtime',
          from: lastEnd,
          to: Math.min(dayEnd, lastEnd + ot.afterShiftMinutes),
          anchor: 'start',
          costPerHour: ot.costPerHour,
        });
      if (ot.beforeShiftMinutes > 0 && first > dayStart)
        raw.push({
          source: 'overtime',
          from: Math.max(dayStart, first - ot.beforeShiftMinutes),
          to: first,
          anchor: 'end',
          costPerHour: ot.costPerHour,
        });
    } else if (policy.extraShift.enabled && regular) {
      raw.push({
        source: 'extra_shift',
        from: at(regular.start),
        to: at(regular.end),
        anchor: 'start',
        costPerHour: policy.extraShift.costPerHour,
      });
    }
    const night = policy.nightShift;
    if (night.enabled) {
      const n = { source: 'night_shift' as const, costPerHour: night.costPerHour };
      // A window within one day (00:00–06:00) is one slot; one across midnight (22:00–06:00) is its evening and its morning.
      if (night.start < night.end) raw.push({ ...n, from: at(night.start), to: at(night.end), anchor: 'start' });
      else {
        raw.push({ ...n, from: at(night.start), to: dayEnd, anchor: 'start' });
        raw.push({ ...n, from: dayStart, to: at(night.end), anchor: 'end' });
      }
    }
    const allowed: Interval[] = policy.windows?.[weekday]?.map((w: ClockWindow): Interval => [at(w.start), at(w.end)]) ?? [
      [dayStart, dayEnd],
    ];
    for (const r of raw) {
      for (const [fa, fb] of free) {
        for (const [wa, wb] of allowed) {
          const from = Math.max(r.from, fa, wa, lo);
          const to = Math.min(r.to, fb, wb, hi);
          if (to - from < Math.max(1, policy.minBlockMinutes)) continue;
          slots.push({
            source: r.source,
            date: d,
            from,
            to,
            anchor: r.anchor,
            costPerHour: r.costPerHour,
            week,
            protected: to <= protectBy,
          });
        }
      }
    }
  }
  return slots;
}

function complement(a: Minute, b: Minute, busy: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let t = a;
  for (const [x, y] of busy) {
    if (x > t) out.push([t, x]);
    t = Math.max(t, y);
  }
  if (t < b) out.push([t, b]);
  return out;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

function clock(minuteOfDay: number): string {
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}`;
}
