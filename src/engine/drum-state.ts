import type { BufferPolicy } from './buffer-days.ts';
import { DrumBook } from './drum-book.ts';
import type { DrumOrder, ScheduledOrder } from './drum-order.ts';
import { priceOfDateOnBook, type PriceOfDate, type PriceOfDateOptions } from './price-of-date.ts';
import { quoteOnBook, type QuoteOptions, type QuoteResult } from './quote.ts';
import type { LocalDate, Minute, WorkingTime } from './working-time.ts';

/**
 * Everything a one-shot engine call needs. The pure functions below rebuild a DrumBook
 * (O(n log n)); a long-lived process should keep a DrumBook and call its methods instead.
 */
export interface DrumState {
  workingTime: WorkingTime;
  orders: readonly DrumOrder[];
  now: Minute;
  policy: BufferPolicy;
}

export function bookOf(state: DrumState): DrumBook {
  return new DrumBook(state.workingTime, state.orders, state.policy);
}

/** The drum sequence with planned start/finish, rope release, slack and lateness. */
export function schedule(state: DrumState): ScheduledOrder[] {
  return bookOf(state).schedule(state.now, state.policy.productionBufferDays);
}

/** True iff every committed order finishes by its drum deadline. */
export function feasible(state: DrumState): boolean {
  return bookOf(state).feasible(state.now);
}

/** The earliest feasible promise for a new order of `load` drum minutes. No side effect. */
export function quote(state: DrumState, load: number, options?: Partial<QuoteOptions>): QuoteResult {
  return quoteOnBook(bookOf(state), state.now, load, options?.policy ?? state.policy, options?.horizon);
}

/** Price of `requestedDate` for a new order of `load` drum minutes. No side effect. */
export function priceOfDate(state: DrumState, load: number, requestedDate: LocalDate, options?: Partial<PriceOfDateOptions>): PriceOfDate {
  return priceOfDateOnBook(bookOf(state), state.now, load, requestedDate, { ...options, policy: options?.policy ?? state.policy });
}
