import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  DrumBook,
  lateOffTheDrum,
  SequenceDiffer,
  type ScheduledOrder,
  type SequenceDiff,
  type SequenceKey,
  type WorkingTime,
} from '../engine/index.ts';

/**
 * How many items one slice of O(n) work handles before it yields to the event loop.
 * A count, not a clock, so results never depend on the machine's speed: 2,000 orders of
 * the schedule walk (planned times, rope) take ~2–5 ms here, well inside the 50 ms budget
 * per turn of the event loop even on a busy machine (bench/scenarios/event-loop.ts).
 */
export const SLICE_SIZE = 2_000;

/** Tries of a sliced walk before it falls back to one walk without yielding (see below). */
export const SLICED_TRIES = 3;

export { yieldToEventLoop };

/**
 * The whole drum schedule, walked a slice at a time with a yield between slices, so a
 * report over 100k orders never blocks other requests for the whole walk. A write may
 * change the book while the walk yields (the engine state is shared); then the walk starts
 * again, and after SLICED_TRIES it takes one walk without yielding, so a busy plant still
 * gets a schedule from a single state (one version), never a mix of two.
 */
export async function scheduleInSlices(book: DrumBook, now: number, productionBufferDays: number): Promise<ScheduledOrder[]> {
  for (let attempt = 0; attempt < SLICED_TRIES; attempt++) {
    const revision = book.revision;
    const out: ScheduledOrder[] = [];
    let after: SequenceKey | undefined;
    for (;;) {
      const page = book.schedulePage(now, productionBufferDays, after, SLICE_SIZE);
      for (const s of page.orders) out.push(s);
      if (!page.next) return out;
      after = page.next;
      await yieldToEventLoop();
      if (book.revision !== revision) break;
    }
  }
  return book.schedule(now, productionBufferDays);
}

/**
 * The engine's capacity-change diff (both calendars' planned times for every order), a
 * slice at a time; restarts like scheduleInSlices when a write changes the book meanwhile.
 */
export async function diffInSlices(book: DrumBook, now: number, after: WorkingTime): Promise<SequenceDiff> {
  for (let attempt = 0; attempt < SLICED_TRIES; attempt++) {
    const revision = book.revision;
    const differ = new SequenceDiffer(book, now, after);
    while (!differ.step(SLICE_SIZE)) {
      await yieldToEventLoop();
      if (book.revision !== revision) break;
    }
    if (book.revision === revision && differ.step(0)) return differ.result;
  }
  const differ = new SequenceDiffer(book, now, after);
  differ.step(Infinity);
  return differ.result;
}

/**
 * The book a capacity change's re-promise starts from (capacityChangeFromDiff's
 * `withoutLate`): the orders of the diff on the new working time without the late unpinned
 * ones, inserted a slice at a time with a yield between slices instead of one O(n log n)
 * build. Another tree shape than a bulk build; no answer depends on it. The book is new and
 * private to the caller, so a write meanwhile cannot change it. Undefined when no order is
 * late (nothing to re-promise).
 */
export async function bookWithoutLateInSlices(
  seq: SequenceDiff,
  workingTime: WorkingTime,
  size = SLICE_SIZE,
): Promise<DrumBook | undefined> {
  if (seq.late.length === 0) return undefined;
  const off = lateOffTheDrum(seq);
  const book = new DrumBook(workingTime);
  let placed = 0;
  for (const o of seq.orders) {
    if (off.has(o)) continue;
    if (placed > 0 && placed % size === 0) await yieldToEventLoop();
    book.insert(o);
    placed++;
  }
  return book;
}

/** xs.map(f), a slice at a time with a yield between slices. */
export async function mapInSlices<T, U>(xs: readonly T[], f: (x: T, i: number) => U, size = SLICE_SIZE): Promise<U[]> {
  const out: U[] = new Array<U>(xs.length);
  for (let i = 0; i < xs.length; i++) {
    if (i > 0 && i % size === 0) await yieldToEventLoop();
    out[i] = f(xs[i]!, i);
  }
  return out;
}

/** Rows per query when O(n) work reads the database in pages (the cold book build). */
export const READ_PAGE_SIZE = 5_000;
