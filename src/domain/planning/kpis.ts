import { completionsBetween, dateChangesBetween, quoteFactsBetween, shipmentsBetween, wipBetween } from '../../db/repos/kpi-facts.ts';
import { quoteDailyBetween } from '../../db/repos/quote-daily.ts';
import { endOfLocalDate } from '../../engine/index.ts';
import {
  breakdownKpis,
  quotedLeadTimeDays,
  summariseKpis,
  type Granularity,
  type GroupBy,
  type KpiFacts,
  type RepromiseInitiator,
} from '../../planning-rules/kpis.ts';
import { invalid } from '../errors.ts';
import { mapInSlices } from '../event-loop-slices.ts';
import { engineOf } from '../promising/evaluate.ts';
import type { PromisingDeps } from '../promising/quotes.ts';
import { readState } from '../promising/read-state.ts';
import { fromMinute, toMinute } from '../schedule/plant-cache.ts';

export interface KpiQueryInput {
  from: string;
  to: string;
  granularity?: Granularity | undefined;
  groupBy?: GroupBy | undefined;
}

const INITIATORS: readonly string[] = ['plant', 'customer', 'erp'] satisfies RepromiseInitiator[];
const minutesBetween = (a: Date, b: Date) => (b.getTime() - a.getTime()) / 60_000;

/**
 * The quantitative control the seed articles ask for, over local dates [from, to] in the
 * plant's time zone: promises kept against the original and the latest promise (by ship
 * date), quoted lead time, re-promises by initiator, ERP customer changes, quote conversion,
 * zones at completion, WIP and flow times — for the window, and per day, week or month and
 * per product, customer or salesperson when asked.
 */
export async function kpis(deps: PromisingDeps, plantId: string, q: KpiQueryInput) {
  const { from, to } = q;
  if (to < from) throw invalid([{ field: 'querystring.to', message: `${to} is before ${from}` }]);
  const state = await readState(deps, plantId);
  const { wt } = engineOf(state);
  const a = fromMinute(wt.startOfLocalDate(from));
  const b = fromMinute(endOfLocalDate(wt, to));
  const on = (t: Date) => wt.localDateOf(toMinute(t));
  const now = deps.clock.now();
  // Quotes are recorded off the request path: write what is buffered so the count is current.
  await deps.quotes.flush();

  const [shipped, completed, quotes, changes, wip] = [
    await shipmentsBetween(deps.db, plantId, a, b),
    await completionsBetween(deps.db, plantId, a, b),
    await quoteFactsBetween(deps.db, plantId, a, b),
    await dateChangesBetween(deps.db, plantId, a, b),
    await wipBetween(deps.db, plantId, a, b),
  ];
  // Quote records past the retention were folded into per-day counts (quote-retention.ts).
  const folded = await quoteDailyBetween(deps.db, plantId, from, to);
  const keys = (r: { sku: string; customer: string | null; owner: string | null }) => ({
    product: r.sku,
    customer: r.customer,
    salesperson: r.owner,
  });
  const facts: KpiFacts = {
    shipments: shipped.map((r) => ({
      ...keys(r),
      on: on(r.shipped_at!),
      keptOriginal: r.original_promise_kept ?? r.promise_kept,
      keptLatest: r.promise_kept,
      entryToShipMinutes: minutesBetween(r.confirmed_at ?? r.created_at, r.shipped_at!),
    })),
    completions: completed.map((r) => ({
      ...keys(r),
      on: on(r.completed_at!),
      penetration: r.penetration_at_completion,
      releaseToCompletionMinutes: r.released_at ? minutesBetween(r.released_at, r.completed_at!) : null,
    })),
    quotes: [
      ...(await mapInSlices(quotes, (r) => {
        const quotedOn = on(r.at);
        return {
          ...keys(r),
          on: quotedOn,
          leadTimeDays: quotedLeadTimeDays(quotedOn, r.earliest_promise_date),
          converted: Boolean(r.converted),
        };
      })),
      ...folded.flatMap((d) =>
        Array.from({ length: d.quotes }, () => ({ ...keys(d), on: d.day, leadTimeDays: d.lead_time_days, converted: d.converted })),
      ),
    ],
    // Re-promises written before initiators were recorded were all a planner's: the plant's.
    repromises: changes
      .filter((c) => c.type === 'order.repromised')
      .map((c) => ({
        ...keys(c),
        on: on(c.at),
        initiator: (INITIATORS.includes(c.initiator ?? '') ? c.initiator : 'plant') as RepromiseInitiator,
      })),
    customerChanges: changes
      .filter((c) => c.type === 'order.updated' && c.change === 'customer-change')
      .map((c) => ({ ...keys(c), on: on(c.at) })),
    wip: wip.map((r) => ({
      ...keys(r),
      releasedOn: on(r.released_at!),
      endedOn: r.completed_at ? on(r.completed_at) : r.status === 'cancelled' ? on(r.updated_at) : null,
    })),
  };
  const window = { from, to, today: on(now) };
  return {
    plant: plantId,
    from,
    to,
    computedAt: now.toISOString(),
    ...summariseKpis(facts, to < window.today ? to : window.today),
    ...(q.granularity || q.groupBy
      ? {
          granularity: q.granularity ?? null,
          groupBy: q.groupBy ?? null,
          breakdown: breakdownKpis(facts, window, q.granularity, q.groupBy),
        }
      : {}),
  };
}
