import { completedBetween, eventTypesBetween, shippedBetween } from '../../db/repos/planning-reports.ts';
import { quotesBetween } from '../../db/repos/quote-log.ts';
import { endOfLocalDate, zoneOf, type BufferZone } from '../../engine/index.ts';
import { invalid } from '../errors.ts';
import { engineOf } from '../promising/evaluate.ts';
import type { PromisingDeps } from '../promising/quotes.ts';
import { readState } from '../promising/read-state.ts';
import { fromMinute } from '../schedule/plant-cache.ts';

const CONVERSIONS = ['order.created', 'order.confirmed', 'order.pushed'];
const dayNumber = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Nearest-rank percentile: the smallest value with at least p of the sample at or below it. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** Zone at completion: black once the due instant had passed (penetration above 100 %). */
export const completionZone = (percent: number): BufferZone => zoneOf(percent, percent > 100);

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
  const kept = shipped.filter((r) => r.promise_kept).length;

  const quotes = await quotesBetween(deps.db, plantId, a, b);
  const leadTimes = quotes
    .map((q) => dayNumber(q.earliest_promise_date) - dayNumber(wt.localDateOf(Math.floor(q.at.getTime() / 60_000))))
    .sort((x, y) => x - y);

  const events = await eventTypesBetween(deps.db, plantId, [...CONVERSIONS, 'order.repromised'], a, b);
  const converted = events.filter((e) => CONVERSIONS.includes(e.type)).length;

  const completed = await completedBetween(deps.db, plantId, a, b);
  const zones: Record<BufferZone, number> = { green: 0, yellow: 0, red: 0, black: 0 };
  for (const c of completed) if (c.penetration_at_completion !== null) zones[completionZone(c.penetration_at_completion)]++;

  return {
    plant: plantId,
    from,
    to,
    computedAt: deps.clock.now().toISOString(),
    promises: { shipped: shipped.length, kept, keptPercent: shipped.length ? round2((kept / shipped.length) * 100) : null },
    quotedLeadTimeDays: {
      quotes: leadTimes.length,
      mean: leadTimes.length ? round2(leadTimes.reduce((s, x) => s + x, 0) / leadTimes.length) : null,
      p90: percentile(leadTimes, 0.9),
    },
    repromises: events.length - converted,
    quotes: { answered: quotes.length, converted, conversionPercent: quotes.length ? round2((converted / quotes.length) * 100) : null },
    completedByZone: zones,
  };
}
