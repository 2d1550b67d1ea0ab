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
  const differ = new SequenceDiffer(book, now, after);
  differ.step(Infinity);
  return differ.result;
}

/**
 * diffSequence a slice at a time: step(limit) walks at most `limit` more orders, resuming
 * after the last one walked (O(log n) to resume), so a caller can yield between slices.
 * The book must not change between steps (the caller checks book.revision).
 */
export class SequenceDiffer {
  readonly result: SequenceDiff = { orders: [], movedIds: [], movedTimes: [], late: [] };
  private readonly before: WorkingTime;
  private readonly c0b: number;
  private readonly c0a: number;
  private last: DrumOrder | undefined;
  private finished = false;
  // Deadlines come sorted (after the few pinned orders) and shared: look each up once.
  private lastDeadline = NaN;
  private cDa = 0;

  constructor(
    private readonly book: DrumBook,
    private readonly now: Minute,
    private readonly after: WorkingTime,
  ) {
    this.before = book.workingTime;
    this.c0b = this.before.cumulative(now);
    this.c0a = after.cumulative(now);
  }

  /** True once the whole sequence has been walked. */
  step(limit: number): boolean {
    if (this.finished) return true;
    const { before, after, now, c0b, c0a, result } = this;
    let walked = 0;
    let more = false;
    this.book.forEachInSequenceAfter(this.last, (o, done, cDb) => {
      if (walked >= limit) {
        more = true;
        return false;
      }
      walked++;
      this.last = o;
      result.orders.push(o);
      const load = o.load;
      const fb = finishAt(before, now, c0b, c0b + done + load);
      const fa = finishAt(after, now, c0a, c0a + done + load);
      const sb = startAt(before, now, c0b + done, load, fb);
      const sa = startAt(after, now, c0a + done, load, fa);
      if (sb !== sa || fb !== fa) {
        result.movedIds.push(o.id);
        result.movedTimes.push(sb, fb, sa, fa);
      }
      if (o.deadline !== this.lastDeadline) {
        this.lastDeadline = o.deadline;
        this.cDa = after.cumulative(o.deadline);
      }
      const slack = this.cDa - (c0a + done + load);
      if (slack < 0) result.late.push({ order: o, finish: fa, slack, lateBefore: cDb - (c0b + done + load) < 0 });
      return true;
    });
    this.finished = !more;
    return this.finished;
  }
}
