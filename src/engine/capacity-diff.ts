import type { DrumBook } from './drum-book.ts';
import type { DrumOrder } from './drum-order.ts';
import { finishAt, startAt } from './drum-schedule.ts';
import type { Minute, WorkingTime } from './working-time.ts';

/** An order that is late under the new calendar: what the diff and the re-promise need. */
export interface LateAfter {
  order: DrumOrder;
  finish: Minute;
  slack: number;
  lateBefore: boolean;
}

/** One pass over a book's drum sequence under its own calendar and another one. */
export interface SequenceDiff {
  /** Every order in drum sequence: the sequence depends on deadlines and pins, not on the calendar. */
  orders: DrumOrder[];
  /** Ids of the orders whose planned start or finish differs, in drum sequence. */
  movedIds: string[];
  /** Per moved order: start and finish before, start and finish after (4 numbers each). */
  movedTimes: number[];
  /** Orders late under the new calendar, in drum sequence. */
  late: LateAfter[];
}

/**
 * Planned times under both calendars from the same cumulative loads (the work done before
 * each order is the same in both), so neither a second book nor a second schedule is built
 * and nothing is allocated for an order that neither moves nor is late. The formulas are
 * those of scheduleOf (finishAt / startAt), so the times are identical to two schedules.
 */
export function diffSequence(book: DrumBook, now: Minute, after: WorkingTime): SequenceDiff {
  const before = book.workingTime;
  const c0b = before.cumulative(now);
  const c0a = after.cumulative(now);
  const orders: DrumOrder[] = [];
  const movedIds: string[] = [];
  const movedTimes: number[] = [];
  const late: LateAfter[] = [];
  // Deadlines come sorted (after the few pinned orders) and shared: look each up once.
  let lastDeadline = NaN;
  let cDa = 0;
  book.forEachInSequence((o, done, cDb) => {
    orders.push(o);
    const load = o.load;
    const fb = finishAt(before, now, c0b, c0b + done + load);
    const fa = finishAt(after, now, c0a, c0a + done + load);
    const sb = startAt(before, now, c0b + done, load, fb);
    const sa = startAt(after, now, c0a + done, load, fa);
    if (sb !== sa || fb !== fa) {
      movedIds.push(o.id);
      movedTimes.push(sb, fb, sa, fa);
    }
    if (o.deadline !== lastDeadline) {
      lastDeadline = o.deadline;
      cDa = after.cumulative(o.deadline);
    }
    const slack = cDa - (c0a + done + load);
    if (slack < 0) late.push({ order: o, finish: fa, slack, lateBefore: cDb - (c0b + done + load) < 0 });
  });
  return { orders, movedIds, movedTimes, late };
}
