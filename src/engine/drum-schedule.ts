import { endOfLocalDate, releaseFor } from './buffer-days.ts';
import type { DrumView } from './drum-view.ts';
import type { DrumOrder, ScheduledOrder, SequenceKey } from './drum-order.ts';
import type { Minute, WorkingTime } from './working-time.ts';

/** A slice of the drum sequence and where the next one starts (null after the last order). */
export interface SchedulePage {
  orders: ScheduledOrder[];
  next: SequenceKey | null;
}

/** The drum sequence with planned start/finish, rope release and slack, in one O(n) pass. */
export function scheduleOf(book: DrumView, now: Minute, productionBufferDays: number): ScheduledOrder[] {
  return schedulePageOf(book, now, productionBufferDays, undefined, Infinity).orders;
}

/**
 * At most `limit` orders after `after` in drum sequence, timed exactly as in the whole
 * schedule (each order's times depend only on the load before it, which the walk knows).
 */
export function schedulePageOf(
  book: DrumView,
  now: Minute,
  productionBufferDays: number,
  after: SequenceKey | undefined,
  limit: number,
): SchedulePage {
  const wt = book.workingTime;
  const c0 = wt.cumulative(now);
  const out: ScheduledOrder[] = [];
  // Starts come in non-decreasing order, so the rope and the local dates are computed
  // once per local day of the drum start rather than once per order.
  let dayFrom = Infinity;
  let dayTo = -Infinity;
  const releaseByPb = new Map<number, Minute>();
  let lastRelease = NaN;
  let lastReleaseDate = '';
  let next: SequenceKey | null = null;
  let last: DrumOrder | undefined;
  const emit = (o: DrumOrder, before: number, cD: number): boolean => {
    if (out.length >= limit) {
      // One order beyond the page: there is a next page, and it starts after the last one.
      if (last)
        next = {
          id: last.id,
          deadline: last.deadline,
          seq: last.seq,
          pinned: !!last.pinned,
          ...(last.pinRank !== undefined ? { pinRank: last.pinRank } : {}),
        };
      return false;
    }
    last = o;
    const { start, finish } = slotAt(wt, now, c0, c0 + before, o.load);
    const slack = cD - (c0 + before + o.load);
    const pb = o.productionBufferDays ?? productionBufferDays;
    let release = now;
    if (Number.isFinite(start) && start > now) {
      if (start < dayFrom || start >= dayTo) {
        const day = wt.localDateOf(start);
        dayFrom = wt.startOfLocalDate(day);
        dayTo = endOfLocalDate(wt, day);
        releaseByPb.clear();
      }
      let r = releaseByPb.get(pb);
      if (r === undefined) releaseByPb.set(pb, (r = releaseFor(wt, start, pb, now)));
      release = Math.min(start, r);
    }
    if (release !== lastRelease) {
      lastRelease = release;
      lastReleaseDate = wt.localDateOf(release);
    }
    out.push({
      id: o.id,
      load: o.load,
      deadline: o.deadline,
      start,
      finish,
      release,
      releaseDate: lastReleaseDate,
      slack,
      late: slack < 0,
      pinned: !!o.pinned,
    });
    return true;
  };
  book.forEachInSequenceAfter(after, emit);
  return { orders: out, next };
}

/**
 * Planned [start, finish] of work that begins once the drum has done cStart − c0 minutes
 * from now: finish when it has done load more.
 */
export function slotAt(wt: WorkingTime, now: Minute, c0: number, cStart: number, load: number): { start: Minute; finish: Minute } {
  const finish = finishAt(wt, now, c0, cStart + load);
  return { start: startAt(wt, now, cStart, load, finish), finish };
}

/** slotAt's finish alone, for loops that must not allocate a slot per order. */
export function finishAt(wt: WorkingTime, now: Minute, c0: number, cFinish: number): Minute {
  return cFinish <= c0 ? now : Math.max(now, wt.instantAtCumulative(cFinish));
}

/** slotAt's start alone, given its finish. */
export function startAt(wt: WorkingTime, now: Minute, cStart: number, load: number, finish: Minute): Minute {
  // The first working minute ends at instantAtCumulative(cStart + 1); calendars are whole minutes.
  return load === 0 ? finish : Math.max(now, wt.instantAtCumulative(cStart + 1) - 1);
}
