import { zoneOf, type BufferZone, type LocalDate } from '../engine/index.ts';

/** Events that turn a quote into an order. */
const CONVERSIONS = ['order.created', 'order.confirmed', 'order.pushed'];
/** The event types the KPIs count: conversions and re-promises. */
export const KPI_EVENT_TYPES = [...CONVERSIONS, 'order.repromised'];

const dayNumber = (d: LocalDate) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Nearest-rank percentile: the smallest value with at least p of the sample at or below it. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** Zone at completion: black once the due instant had passed (penetration above 100 %). */
export const completionZone = (percent: number): BufferZone => zoneOf(percent, percent > 100);

/** Calendar days from the local date a quote was answered on to the earliest promise it gave. */
export const quotedLeadTimeDays = (quotedOn: LocalDate, earliestPromiseDate: LocalDate) =>
  dayNumber(earliestPromiseDate) - dayNumber(quotedOn);

/** What the KPIs are computed from, over one window. */
export interface KpiInputs {
  /** Per shipped order: whether it kept its original promise. */
  promiseKept: readonly (boolean | null)[];
  /** Per quote answered: its quoted lead time in days. */
  leadTimes: readonly number[];
  /** Per counted event (see KPI_EVENT_TYPES): its type. */
  eventTypes: readonly string[];
  /** Per completed order: its penetration at completion (null when not recorded). */
  completionPenetrations: readonly (number | null)[];
}

/** Promises kept, quoted lead time (mean, p90), re-promises, conversions and zones at completion. */
export function summariseKpis(k: KpiInputs) {
  const shipped = k.promiseKept.length;
  const kept = k.promiseKept.filter(Boolean).length;
  const leadTimes = [...k.leadTimes].sort((x, y) => x - y);
  const converted = k.eventTypes.filter((t) => CONVERSIONS.includes(t)).length;
  const answered = leadTimes.length;
  const zones: Record<BufferZone, number> = { green: 0, yellow: 0, red: 0, black: 0 };
  for (const p of k.completionPenetrations) if (p !== null) zones[completionZone(p)]++;
  return {
    promises: { shipped, kept, keptPercent: shipped ? round2((kept / shipped) * 100) : null },
    quotedLeadTimeDays: {
      quotes: answered,
      mean: answered ? round2(leadTimes.reduce((s, x) => s + x, 0) / answered) : null,
      p90: percentile(leadTimes, 0.9),
    },
    repromises: k.eventTypes.length - converted,
    quotes: { answered, converted, conversionPercent: answered ? round2((converted / answered) * 100) : null },
    completedByZone: zones,
  };
}
