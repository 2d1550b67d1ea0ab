import { drumDeadlineFor, lastWorkingDayOnOrBefore, localDateEndingAt, type BufferPolicy } from './buffer-days.ts';
import type { DrumView } from './drum-view.ts';
import { suggestCapacity, type Suggestion, type SuggestionOptions } from './overtime-suggestion.ts';
import { quoteOnBook, type BindingLimit, type QuoteResult } from './quote.ts';
import type { LocalDate, Minute } from './working-time.ts';

export interface PriceOfDateOptions extends SuggestionOptions {
  policy: BufferPolicy;
  /** Bounds the quote's search (see QuoteOptions.horizon); the requested date itself is the caller's to bound. */
  horizon?: Minute | undefined;
}

export interface PriceOfDate {
  requestedDate: LocalDate;
  /** True iff the requested date can be promised with today's capacity. */
  feasible: boolean;
  /**
   * What stands in the way: 'capacity' (buyable with `minutes` more drum minutes) or
   * 'lead-time-floor' (inside the standard lead time, or the drum deadline has already
   * passed: no capacity can buy it). 'capacity' when feasible.
   */
  bindingLimit: BindingLimit;
  /**
   * Smallest number of extra drum minutes, added anywhere in [now, neededBy), that make
   * the date feasible as far as capacity goes; 0 when capacity is not the problem.
   */
  minutes: number;
  /** The drum deadline of the requested date: the extra capacity must come before it. */
  neededBy: Minute;
  /** The local day neededBy ends. */
  neededByDate: LocalDate;
  suggestion: Suggestion;
  /** The earliest date current capacity can keep. */
  quote: QuoteResult;
}

/**
 * The price of a requested date. With the new order at the requested drum deadline R,
 * every order with deadline after R (and the new one) carries the new load; the deficit
 * of each is load − slack (for the new one: its finish beyond R), the answer the largest.
 * Adding that many minutes before R raises C(now, D) for every D >= R by as much, so it
 * is sufficient; one minute less leaves the largest deficit at 1, so it is necessary.
 */
export function priceOfDateOnBook(
  book: DrumView,
  now: Minute,
  load: number,
  requestedDate: LocalDate,
  options: PriceOfDateOptions,
): PriceOfDate {
  const wt = book.workingTime;
  const q = quoteOnBook(book, now, load, options.policy, options.horizon);
  const neededBy = drumDeadlineFor(wt, requestedDate, options.policy.shippingBufferDays);
  const neededByDate = localDateEndingAt(wt, neededBy);
  const insideFloor = lastWorkingDayOnOrBefore(wt, requestedDate) < q.leadTimeFloorDate;
  const deficit = book.deficit(now, load, neededBy);
  const unreachable = !Number.isFinite(deficit) || (deficit > 0 && neededBy <= now);
  const minutes = unreachable ? 0 : deficit;
  const bindingLimit: BindingLimit = insideFloor || unreachable ? 'lead-time-floor' : 'capacity';
  const feasible = !insideFloor && !unreachable && minutes === 0;
  let suggestion: Suggestion;
  if (bindingLimit === 'lead-time-floor' && !feasible) {
    const why = insideFloor
      ? `${requestedDate} is inside the standard lead time (earliest ${q.leadTimeFloorDate}); extra capacity cannot buy it`
      : `the drum deadline for ${requestedDate} has already passed; extra capacity cannot buy it`;
    suggestion = { text: `${why}. Earliest feasible promise: ${q.promiseDate}.`, days: [], fits: false };
    if (minutes > 0) suggestion = { ...suggestCapacity(wt, now, neededBy, minutes, options), text: suggestion.text };
  } else suggestion = suggestCapacity(wt, now, neededBy, minutes, options);
  return { requestedDate, feasible, bindingLimit, minutes, neededBy, neededByDate, suggestion, quote: q };
}
