import { endOfLocalDate, lastWorkingDayOnOrBefore } from './buffer-days.ts';
import type { LocalDate, Minute, WorkingTime } from './working-time.ts';

export type BufferZone = 'green' | 'yellow' | 'red' | 'black';

/** What buffer status needs to know of an open order. */
export interface BufferedOrder {
  id: string;
  /** Promised date: due at the end of that local day. */
  promiseDate: LocalDate;
  /** The production buffer the order was promised with, in working days. */
  productionBufferDays: number;
}

export interface BufferStatus {
  id: string;
  /** (buffer − left) / buffer × 100, in drum working time; floored at 0. */
  percent: number;
  zone: BufferZone;
  /** The production buffer in drum working minutes: the PB working days ending with the promise date. */
  bufferMinutes: number;
  /** Drum working minutes from now to the due instant; negative once it has passed. */
  leftMinutes: number;
  /** The due instant: end of the promise date. */
  due: Minute;
}

/** Thresholds per the issue: green < 33 ≤ yellow < 67 ≤ red ≤ 100 < black; black also whenever due has passed. */
export function zoneOf(percent: number, late: boolean): BufferZone {
  if (late || percent > 100) return 'black';
  if (percent < 33) return 'green';
  if (percent < 67) return 'yellow';
  return 'red';
}

/**
 * Buffer penetration measured in the drum's working time, not wall-clock time: the
 * buffer is sized in working days, and a weekend or holiday consumes no buffer because
 * no work could have been done in it (with wall-clock time every order would jump a zone
 * over each weekend and Monday's board would lie).
 */
export function penetration(wt: WorkingTime, order: BufferedOrder, now: Minute): BufferStatus {
  const pb = order.productionBufferDays;
  if (!Number.isInteger(pb) || pb < 0) throw new RangeError(`productionBufferDays must be a non-negative integer, got ${pb}`);
  const due = endOfLocalDate(wt, order.promiseDate);
  const lastDay = lastWorkingDayOnOrBefore(wt, order.promiseDate);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: PB 1 steps 0 days from a working day; PB 0 never reads firstDay
  const firstDay = pb <= 1 ? lastDay : wt.addWorkingDays(lastDay, -(pb - 1));
  const bufferMinutes = pb === 0 ? 0 : wt.minutesBetween(wt.startOfLocalDate(firstDay), due);
  const late = now >= due;
  const leftMinutes = late ? -wt.minutesBetween(due, now) : wt.minutesBetween(now, due);
  // A zero buffer is all penetration: 100 % until due, then black.
  const raw = bufferMinutes === 0 ? (late ? 100 + Math.max(1, -leftMinutes) : 100) : ((bufferMinutes - leftMinutes) / bufferMinutes) * 100;
  const percent = Math.max(0, raw);
  return { id: order.id, percent, zone: zoneOf(percent, late), bufferMinutes, leftMinutes, due };
}

/** The floor's work order: highest penetration first, then earliest due, then id. */
export function prioritize(wt: WorkingTime, orders: readonly BufferedOrder[], now: Minute): BufferStatus[] {
  return orders.map((o) => penetration(wt, o, now)).sort(byPriority);
}

/** prioritize's order, for callers that compute the statuses themselves (e.g. in slices). */
export function byPriority(a: BufferStatus, b: BufferStatus): number {
  return b.percent - a.percent || a.due - b.due || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
