import { zoneOf, type BufferZone, type LocalDate } from '../engine/index.ts';

const DAY_MS = 86_400_000;
const dayNumber = (d: LocalDate) => Date.parse(`${d}T00:00:00Z`) / DAY_MS;
const dateOfDay = (n: number): LocalDate => new Date(n * DAY_MS).toISOString().slice(0, 10);
const round2 = (x: number) => Math.round(x * 100) / 100;
const percentOf = (part: number, whole: number) => (whole ? round2((part / whole) * 100) : null);

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

/**
 * A promise means "ready to ship by the end of that day": shipped at or before the instant the
 * promised local day ends (the start of the next one) is kept; any later instant is not.
 */
export const promiseKept = (shippedAtMs: number, promisedDayEndMs: number) => shippedAtMs <= promisedDayEndMs;

/**
 * How an ERP push that changed an open order counts: a later date is a re-promise (initiator
 * erp); an earlier date or a new quantity or product is the customer changing the order;
 * anything else (the customer's name, the material date) is neither.
 */
export function classifyErpChange(
  before: { promiseDate: LocalDate; quantity: number; sku: string },
  after: { promiseDate: LocalDate; quantity: number; sku: string },
): 'repromise' | 'customer-change' | 'other' {
  if (after.promiseDate > before.promiseDate) return 'repromise';
  if (after.promiseDate < before.promiseDate || after.quantity !== before.quantity || after.sku !== before.sku) return 'customer-change';
  return 'other';
}

export type Granularity = 'day' | 'week' | 'month';
export type GroupBy = 'product' | 'customer' | 'salesperson';
export type RepromiseInitiator = 'plant' | 'customer' | 'erp';

/** Which product, customer and salesperson (the order's or quote's owner) a fact belongs to. */
export interface FactKeys {
  product: string;
  customer: string | null;
  salesperson: string | null;
}

/** The facts the KPIs are computed from, each on the plant-local date it happened. */
export interface KpiFacts {
  /** Orders shipped, with the promise kept against the original and the latest date, and order entry → shipment. */
  shipments: readonly (FactKeys & {
    on: LocalDate;
    keptOriginal: boolean | null;
    keptLatest: boolean | null;
    entryToShipMinutes: number | null;
  })[];
  /** Orders completed, with their penetration at completion and release → completion. */
  completions: readonly (FactKeys & { on: LocalDate; penetration: number | null; releaseToCompletionMinutes: number | null })[];
  /** Quotes answered; `converted`: a confirmed order names this quote (each quote once, however many orders). */
  quotes: readonly (FactKeys & { on: LocalDate; leadTimeDays: number; converted: boolean })[];
  repromises: readonly (FactKeys & { on: LocalDate; initiator: RepromiseInitiator })[];
  /** ERP pushes that moved a date earlier or changed the quantity or product: the customer changed the order. */
  customerChanges: readonly (FactKeys & { on: LocalDate })[];
  /** Orders released by the window's end and not yet finished at its start; `endedOn` null: still open. */
  wip: readonly (FactKeys & { releasedOn: LocalDate; endedOn: LocalDate | null })[];
}

const spread = (sorted: number[]) => ({
  orders: sorted.length,
  mean: sorted.length ? round2(sorted.reduce((s, x) => s + x, 0) / sorted.length) : null,
  p50: percentile(sorted, 0.5),
  p90: percentile(sorted, 0.9),
});
const daysOf = (minutes: (number | null)[]) =>
  minutes
    .filter((m): m is number => m !== null)
    .map((m) => round2(m / 1440))
    .sort((x, y) => x - y);

/**
 * Every KPI over one set of facts, already restricted to a period and a group. `asOf`: the
 * local date WIP is counted at (the period's last day, or today when that is later).
 */
export function summariseKpis(f: KpiFacts, asOf: LocalDate) {
  const shipped = f.shipments.length;
  const kept = f.shipments.filter((s) => s.keptOriginal === true).length;
  const keptLatest = f.shipments.filter((s) => s.keptLatest === true).length;
  const leadTimes = f.quotes.map((q) => q.leadTimeDays).sort((x, y) => x - y);
  const answered = leadTimes.length;
  const converted = f.quotes.filter((q) => q.converted).length;
  const zones: Record<BufferZone, number> = { green: 0, yellow: 0, red: 0, black: 0 };
  for (const c of f.completions) if (c.penetration !== null) zones[completionZone(c.penetration)]++;
  const byInitiator: Record<RepromiseInitiator, number> = { plant: 0, customer: 0, erp: 0 };
  for (const r of f.repromises) byInitiator[r.initiator]++;
  return {
    promises: {
      shipped,
      kept,
      keptPercent: percentOf(kept, shipped),
      keptAgainstLatest: keptLatest,
      keptAgainstLatestPercent: percentOf(keptLatest, shipped),
    },
    quotedLeadTimeDays: {
      quotes: answered,
      mean: answered ? round2(leadTimes.reduce((s, x) => s + x, 0) / answered) : null,
      p90: percentile(leadTimes, 0.9),
    },
    repromises: f.repromises.length,
    repromisesByInitiator: byInitiator,
    customerChanges: f.customerChanges.length,
    quotes: { answered, converted, conversionPercent: percentOf(converted, answered) },
    completedByZone: zones,
    wip: { orders: f.wip.filter((w) => inWipOn(w, asOf)).length },
    flowTimeDays: {
      entryToShipment: spread(daysOf(f.shipments.map((s) => s.entryToShipMinutes))),
      releaseToCompletion: spread(daysOf(f.completions.map((c) => c.releaseToCompletionMinutes))),
    },
  };
}

export type KpiSummary = ReturnType<typeof summariseKpis>;

/** Released on or before `d` and not finished (completed, shipped or cancelled) by the end of `d`. */
const inWipOn = (w: { releasedOn: LocalDate; endedOn: LocalDate | null }, d: LocalDate) =>
  w.releasedOn <= d && (w.endedOn === null || w.endedOn > d);

/** The first day of the period holding `d`: itself, its ISO week's Monday, or its month's first day. */
export function periodStart(d: LocalDate, g: Granularity): LocalDate {
  if (g === 'day') return d;
  if (g === 'month') return `${d.slice(0, 7)}-01`;
  const n = dayNumber(d);
  const weekday = (((n + 3) % 7) + 7) % 7; // day 0 (1970-01-01) was a Thursday; Monday = 0
  return dateOfDay(n - weekday);
}

/** The period's name: the date, ISO week (`2026-W49`) or month (`2026-12`). */
export function periodLabel(start: LocalDate, g: Granularity): string {
  if (g === 'day') return start;
  if (g === 'month') return start.slice(0, 7);
  const thursday = dateOfDay(dayNumber(start) + 3); // the ISO week belongs to the year of its Thursday
  const week = Math.floor((dayNumber(thursday) - dayNumber(`${thursday.slice(0, 4)}-01-01`)) / 7) + 1;
  return `${thursday.slice(0, 4)}-W${String(week).padStart(2, '0')}`;
}

function nextPeriodStart(start: LocalDate, g: Granularity): LocalDate {
  if (g === 'day') return dateOfDay(dayNumber(start) + 1);
  if (g === 'week') return dateOfDay(dayNumber(start) + 7);
  const [y, m] = start.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/** The periods covering [from, to], each clipped to the window. */
export function periodsBetween(from: LocalDate, to: LocalDate, g: Granularity) {
  const out: { period: string; from: LocalDate; to: LocalDate }[] = [];
  for (let s = periodStart(from, g); s <= to;) {
    const next = nextPeriodStart(s, g);
    const last = dateOfDay(dayNumber(next) - 1);
    out.push({ period: periodLabel(s, g), from: s < from ? from : s, to: last > to ? to : last });
    s = next;
  }
  return out;
}

type FlowKind = Exclude<keyof KpiFacts, 'wip'>;
const FLOWS: FlowKind[] = ['shipments', 'completions', 'quotes', 'repromises', 'customerChanges'];
const emptyFacts = () =>
  ({ shipments: [], completions: [], quotes: [], repromises: [], customerChanges: [], wip: [] }) as {
    [K in keyof KpiFacts]: KpiFacts[K][number][];
  };

/**
 * The KPIs per period and/or per group, in one pass over the facts (each goes to its bucket).
 * Without a group every period is listed (empty ones too, for charts); with one, only the
 * period-and-key pairs that have a fact, null keys first. WIP is a stock: counted at the end of
 * each period (at `today` for a period not yet over).
 */
export function breakdownKpis(
  f: KpiFacts,
  window: { from: LocalDate; to: LocalDate; today: LocalDate },
  granularity: Granularity | undefined,
  groupBy: GroupBy | undefined,
) {
  const periods = granularity
    ? periodsBetween(window.from, window.to, granularity)
    : [{ period: null as string | null, from: window.from, to: window.to }];
  const index = new Map(periods.map((p, i) => [granularity ? periodStart(p.from, granularity) : '', i]));
  const buckets = periods.map(() => new Map<string | null, ReturnType<typeof emptyFacts>>());
  const bucket = (i: number, key: string | null) => {
    let b = buckets[i]!.get(key);
    if (!b) buckets[i]!.set(key, (b = emptyFacts()));
    return b;
  };
  const keyOf = (k: FactKeys) => (groupBy ? k[groupBy] : null);
  for (const kind of FLOWS)
    for (const x of f[kind]) {
      if (x.on < window.from || x.on > window.to) continue;
      const i = index.get(granularity ? periodStart(x.on, granularity) : '');
      if (i !== undefined) (bucket(i, keyOf(x))[kind] as unknown[]).push(x);
    }
  const out: ({ period: string | null; from: LocalDate; to: LocalDate; key: string | null } & KpiSummary)[] = [];
  periods.forEach((p, i) => {
    const asOf = p.to < window.today ? p.to : window.today;
    for (const w of f.wip) if (inWipOn(w, asOf)) bucket(i, keyOf(w)).wip.push(w);
    if (!groupBy) bucket(i, null);
    const keys = [...buckets[i]!.keys()].sort((a, b) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1));
    for (const key of keys) out.push({ ...p, key, ...summariseKpis(buckets[i]!.get(key)!, asOf) });
  });
  return out;
}
