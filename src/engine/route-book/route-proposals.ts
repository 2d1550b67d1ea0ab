import { buildWorkingTime } from '../calendar.ts';
import { proposeCapacity, type CapacityProposal, type ProposalRequest } from '../capacity-proposals.ts';
import type { LocalDate, Minute } from '../working-time.ts';
import type { RouteBook } from './route-book.ts';
import type { RouteDemand, RoutePrice } from './route-types.ts';

export type RouteProposalOptions = Pick<ProposalRequest, 'frozenUntil' | 'policy' | 'limit'>;

/**
 * Proposals for the price of a date on the whole route (§5.4). On the drum the price is
 * exact: any `minutes` extra drum minutes inside [neededAfter, neededBy) make the date
 * keepable, so every proposal does without a check. Off the drum the price is the shortfall
 * of one free stretch, sufficient only when the extra time joins that stretch and the
 * rest of the route still fits around it, so each proposal there is confirmed on a book with
 * the blocks added (`keepableWith`: an overlay of that resource's ledger with the blocks'
 * minutes, everything else shared) and dropped when that book still cannot keep the date.
 */
export function routeProposals(
  book: RouteBook,
  now: Minute,
  demand: RouteDemand,
  date: LocalDate,
  horizon: Minute,
  price: RoutePrice,
  options: RouteProposalOptions,
): CapacityProposal[] {
  const resource = price.bindingResource;
  const wt = book.workingTime(resource);
  const proposals = proposeCapacity({
    ...options,
    resource,
    wt,
    now,
    neededAfter: price.neededAfter,
    neededBy: price.neededBy,
    minutes: price.minutes,
    shippingBufferDays: demand.policy.shippingBufferDays,
  });
  if (resource === book.drumId) return proposals;
  return proposals.filter((p) => {
    const cal = wt.calendar;
    const added = p.blocks.map((b) => ({ kind: b.kind, date: b.date, start: b.start, end: b.end }));
    const after = buildWorkingTime({ ...cal, exceptions: [...cal.exceptions, ...added] });
    return book.keepableWith(
      resource,
      after,
      now,
      demand,
      date,
      horizon,
      added.map((b) => b.date),
    );
  });
}
