import type { RunResult } from './simulator.ts';

/**
 * The metrics for one replication; days are working days of the plant calendar. Order metrics cover the orders that arrived
 * in the measurement window [warmup, measureEnd), each followed until it finished;
 * WIP, throughput and utilisation are time averages over that window.
 */
export interface RunMetrics {
  orders: number;
  /** Share of measured orders finished by their promised date, in %. */
  onTimePct: number;
  meanTardinessDays: number;
  p95TardinessDays: number;
  /** The plant's own quote (promise before any later customer request), arrival to due, days. */
  meanQuotedLeadDays: number;
  /** What the customer was promised (the quote or a later requested date), days. */
  meanPromisedLeadDays: number;
  /** Arrival to completion, days. */
  meanFlowDays: number;
  /** Release to completion (time on the floor), days. */
  meanShopDays: number;
  /** Time-average number of orders released and not finished. */
  wip: number;
  /** Orders finished per day. */
  throughputPerDay: number;
  /** Share of time the drum was processing, in %. */
  drumUtilisationPct: number;
}

export const METRIC_NAMES: readonly (keyof RunMetrics)[] = [
  'orders',
  'onTimePct',
  'meanTardinessDays',
  'p95TardinessDays',
  'meanQuotedLeadDays',
  'meanPromisedLeadDays',
  'meanFlowDays',
  'meanShopDays',
  'wip',
  'throughputPerDay',
  'drumUtilisationPct',
];

export function measure(run: RunResult): RunMetrics {
  const { warmup, measureEnd, drum, clock } = run.scenario;
  const day = run.scenario.plant.minutesPerDay;
  // Days are plant working days (the drum's); WIP is a time average over the wall clock when the plant runs on one.
  const span = (a: number, b: number) => clock.plantWorking(a, b);
  const window = measureEnd - warmup;
  const clip = (a: number, b: number) => Math.max(0, Math.min(b, measureEnd) - Math.max(a, warmup));
  const end = run.endTime;

  const measured = run.orders.filter((o) => o.job.arrival >= warmup && o.job.arrival < measureEnd);
  const tardiness: number[] = [];
  let onTime = 0;
  let quoted = 0;
  let promised = 0;
  let flow = 0;
  let shop = 0;
  for (const o of measured) {
    // A truncated (unstable) run counts unfinished orders as finishing at the stop: a lower bound on their lateness.
    const done = o.completed ?? end;
    const late = Math.max(0, done - o.due);
    tardiness.push(late > 0 ? span(o.due, done) / day : 0);
    if (o.completed !== undefined && late === 0) onTime++;
    quoted += span(o.job.arrival, o.quotedDue);
    promised += span(o.job.arrival, o.due);
    flow += span(o.job.arrival, done);
    shop += span(o.released ?? done, done);
  }
  const n = Math.max(1, measured.length);

  let wipArea = 0;
  let finished = 0;
  for (const o of run.orders) {
    if (o.released !== undefined) wipArea += clip(o.released, o.completed ?? end);
    if (o.completed !== undefined && o.completed >= warmup && o.completed < measureEnd) finished++;
  }
  let drumBusy = 0;
  for (const s of run.segments) {
    if (s.station !== drum) continue;
    const a = Math.max(s.start, warmup);
    const b = Math.min(s.end, measureEnd);
    if (b > a) drumBusy += clock.worked(drum, a, b);
  }

  return {
    orders: measured.length,
    onTimePct: (100 * onTime) / n,
    meanTardinessDays: tardiness.reduce((s, x) => s + x, 0) / n,
    p95TardinessDays: quantile(tardiness, 0.95),
    meanQuotedLeadDays: quoted / n / day,
    meanPromisedLeadDays: promised / n / day,
    meanFlowDays: flow / n / day,
    meanShopDays: shop / n / day,
    wip: wipArea / window,
    throughputPerDay: finished / (span(warmup, measureEnd) / day),
    drumUtilisationPct: (100 * drumBusy) / clock.worked(drum, warmup, measureEnd),
  };
}

/** Empirical quantile (type 7, as R and NumPy default). */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Day-by-day output series of one run, for choosing the warm-up (MSER-5): the number of
 * orders in the system (accepted, not finished) at the end of each day, and the mean
 * quoted lead time (days) of the orders arriving that day (a day without arrivals repeats
 * the day before). Both over [0, measureEnd).
 */
export function dailySeries(run: RunResult): { inSystem: number[]; quotedLead: number[] } {
  const day = run.scenario.plant.minutesPerDay;
  const days = Math.floor(run.scenario.measureEnd / day);
  const delta = new Array<number>(days + 1).fill(0);
  const quoted = new Array<number>(days).fill(0);
  const arrivals = new Array<number>(days).fill(0);
  for (const o of run.orders) {
    const a = Math.floor(o.job.arrival / day);
    if (a >= days) continue;
    delta[a]!++;
    const done = o.completed === undefined ? days : Math.min(days, Math.floor(o.completed / day));
    delta[done]!--;
    quoted[a]! += (o.quotedDue - o.job.arrival) / day;
    arrivals[a]!++;
  }
  const inSystem: number[] = [];
  const quotedLead: number[] = [];
  let level = 0;
  let last = 0;
  for (let d = 0; d < days; d++) {
    level += delta[d]!;
    inSystem.push(level);
    if (arrivals[d]! > 0) last = quoted[d]! / arrivals[d]!;
    quotedLead.push(last);
  }
  return { inSystem, quotedLead };
}
