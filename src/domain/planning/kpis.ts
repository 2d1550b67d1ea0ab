import { completedBetween, eventTypesBetween, shippedBetween } from '../../db/repos/planning-reports.ts';
import { quotesBetween } from '../../db/repos/quote-log.ts';
import { endOfLocalDate } from '../../engine/index.ts';
import { KPI_EVENT_TYPES, quotedLeadTimeDays, summariseKpis } from '../../planning-rules/kpis.ts';
import { invalid } from '../errors.ts';
import { mapInSlices } from '../event-loop-slices.ts';
import { engineOf } from '../promising/evaluate.ts';
import type { PromisingDeps } from '../promising/quotes.ts';
import { readState } from '../promising/read-state.ts';
import { fromMinute } from '../schedule/plant-cache.ts';

/**
 * The quantitative control the seed articles ask for, over local dates [from, to] in the
 * plant's time zone: promises kept (by ship date), quoted lead time (calendar days from the
 * quote's local date to its earliest promise), re-promises, quotes answered and converted
 * into orders, and the buffer zone orders completed in.
 */
export async function kpis(deps: PromisingDeps, plantId: string, from: string, to: string) {
  if (to < from) throw invalid([{ field: 'querystring.to', message: `${to} is before ${from}` }]);
  const state = await readState(deps, plantId);
  const { wt } = engineOf(state);
  const a = fromMinute(wt.startOfLocalDate(from));
  const b = fromMinute(endOfLocalDate(wt, to));
  // Quotes are recorded off the request path: write what is buffered so the count is current.
  await deps.quotes.flush();

  const shipped = await shippedBetween(deps.db, plantId, a, b);
  const quotes = await quotesBetween(deps.db, plantId, a, b);
  const events = await eventTypesBetween(deps.db, plantId, KPI_EVENT_TYPES, a, b);
  const completed = await completedBetween(deps.db, plantId, a, b);
  return {
    plant: plantId,
    from,
    to,
    computedAt: deps.clock.now().toISOString(),
    ...summariseKpis({
      promiseKept: shipped.map((r) => r.promise_kept),
      leadTimes: await mapInSlices(quotes, (q) =>
        quotedLeadTimeDays(wt.localDateOf(Math.floor(q.at.getTime() / 60_000)), q.earliest_promise_date),
      ),
      eventTypes: events.map((e) => e.type),
      completionPenetrations: completed.map((c) => c.penetration_at_completion),
    }),
  };
}
