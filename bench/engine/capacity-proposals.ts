/**
 * Priced capacity proposals (issue 15 item 2): the cost an infeasible quote adds for its
 * `proposals` at 1k / 10k / 100k open orders, on the whole-route plant of
 * bench/engine/route-book.ts (drum cnc, two shifts; saw, heat, pack around it), filled by
 * quote + commit at 90 % of the drum. Each ask is quoted, then asked for 1–3 working days
 * before its quote (inside the lead-time floor: skipped); measured per infeasible ask, CPU
 * time (process.cpuUsage: the machine is shared): the price of the date (route book §5.4)
 * and the proposals (routeProposals: the drum's are exact, off the drum each one is checked
 * on a book with the blocks added). The target is ≤ 5 ms per infeasible quote at 100k.
 *
 *   npm run bench:proposals [-- --quick | -- --only=100000]
 *
 * A script, not a test, and not part of `npm run bench`; it prints its figures.
 */
import { cpus, loadavg } from 'node:os';
import {
  buildWorkingTime,
  DEFAULT_RESOURCE_CAPACITY_POLICY,
  RouteBook,
  routeProposals,
  type Calendar,
  type LocalDate,
  type RouteDemand,
  type RouteStep,
  type Weekday,
  type WorkingTime,
} from '../../src/engine/index.ts';
import { rng } from './workload.ts';

const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='));
const sizes = only ? [Number(only.slice(7))] : quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const TARGET_LOAD = 0.9;
const ASKS = 2_000;
const WARMUP = 300;

const weekdays: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const shifts = (days: readonly Weekday[], ...spans: [string, string][]) =>
  days.flatMap((day) => spans.map(([start, end]) => ({ day, start, end })));
const calendar = (weekly: Calendar['weekly']): Calendar => ({
  timeZone: 'Europe/Berlin',
  weekly,
  exceptions: [{ kind: 'holiday', date: '2026-12-24' }],
});
const DRUM = 'cnc';
const calendars: Record<string, Calendar> = {
  cnc: calendar(shifts(weekdays, ['06:00', '14:00'], ['14:00', '22:00'])),
  saw: calendar(shifts(weekdays, ['06:00', '14:00'])),
  heat: calendar(shifts([...weekdays, 'sat'], ['06:00', '14:00'], ['14:00', '22:00'])),
  pack: calendar(shifts(weekdays, ['07:00', '15:00'])),
};
type OpSpec = [resource: string, setup: number, perUnit: number];
const op = { saw: ['saw', 2, 0.5], heat: ['heat', 5, 1], pack: ['pack', 1, 0.3], cnc: ['cnc', 2, 1] } satisfies Record<string, OpSpec>;
const products: { up: OpSpec[]; down: OpSpec[] }[] = [
  { up: [op.saw], down: [op.pack] },
  { up: [op.heat], down: [op.pack] },
  { up: [op.saw, op.heat], down: [] },
  { up: [], down: [op.pack] },
];
const policy = { productionBufferDays: 3, shippingBufferDays: 1, standardLeadTimeDays: 5 };

function demandOf(random: () => number, big = false): RouteDemand {
  const p = products[Math.floor(random() * products.length)]!;
  const qty = 1 + Math.floor(random() * (big ? 3000 : 24));
  const step = ([resource, setup, perUnit]: OpSpec): RouteStep => ({ resource, minutes: Math.max(1, Math.round(setup + perUnit * qty)) });
  return { ops: [...p.up.map(step), step(op.cnc), ...p.down.map(step)], policy };
}

const wts = new Map<string, WorkingTime>(Object.entries(calendars).map(([r, c]) => [r, buildWorkingTime(c)]));
const drumWt = wts.get(DRUM)!;
const now = Date.parse('2026-11-23T08:00:00+01:00') / 60_000;
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;

function measure(n: number) {
  const random = rng(n);
  const c0 = drumWt.cumulative(now);
  // The fill's span (about 15 drum minutes an order at 90 % of 4 800 a week) plus two years.
  const horizon = now + Math.ceil(((n * 15) / 4800 / TARGET_LOAD + 104) * 7 * 1440);
  const book = new RouteBook(DRUM, wts, [], {});
  let work = 0;
  for (let i = 0; i < n; i++) {
    const d = demandOf(random);
    work += d.ops.find((s) => s.resource === DRUM)!.minutes;
    const day = drumWt.localDateOf(drumWt.instantAtCumulative(c0 + Math.floor(work / TARGET_LOAD)));
    const requested: LocalDate = drumWt.addWorkingDays(day, policy.shippingBufferDays + 1 + Math.floor(random() * 5));
    const q = book.quote(now, d, horizon);
    if (!book.commit(now, `o${i}`, d, q.promiseDate > requested ? q.promiseDate : requested, horizon)) throw new Error(`o${i} refused`);
  }
  const probe = rng(n + 1);
  const options = { frozenUntil: now + 240, policy: DEFAULT_RESOURCE_CAPACITY_POLICY };
  const onDrum: number[] = [];
  const offDrum: number[] = [];
  let withProposals = 0;
  let floor = 0;
  // WARMUP asks of their own first, not counted: a service quotes all day, its JIT is warm.
  const warm = rng(n + 2);
  for (let i = 0; i < WARMUP; i++) {
    const d = demandOf(warm, i % 2 === 0);
    const q = book.quote(now, d, horizon);
    const date = drumWt.addWorkingDays(q.promiseDate, -(1 + (i % 3)));
    const price = date < q.leadTimeFloorDate ? null : book.priceOfDate(now, d, date, horizon);
    if (price) routeProposals(book, now, d, date, horizon, price, options);
  }
  for (let i = 0; i < ASKS; i++) {
    const d = demandOf(probe, i % 2 === 0);
    const q = book.quote(now, d, horizon);
    const date = drumWt.addWorkingDays(q.promiseDate, -(1 + (i % 3)));
    if (date < q.leadTimeFloorDate) {
      floor++;
      continue;
    }
    const c = cpuNow();
    const price = book.priceOfDate(now, d, date, horizon);
    const proposals = price ? routeProposals(book, now, d, date, horizon, price, options) : [];
    const ms = cpuNow() - c;
    if (!price) continue;
    if (proposals.length > 0) withProposals++;
    (price.bindingResource === DRUM ? onDrum : offDrum).push(ms);
  }
  return { n, onDrum, offDrum, withProposals, floor };
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
console.log(
  `${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg()[0]!.toFixed(1)}; CPU ms per infeasible ask (price + proposals)`,
);
console.log('orders | drum binds: asks, median, p95, max | off the drum: asks, median, p95, max | asks with proposals');
for (const n of sizes) {
  const r = measure(n);
  const all = [...r.onDrum, ...r.offDrum];
  console.log(
    `${r.n} | ${r.onDrum.length}, ${fmt(pct(r.onDrum, 0.5))}, ${fmt(pct(r.onDrum, 0.95))}, ${fmt(Math.max(...r.onDrum))} | ` +
      `${r.offDrum.length}, ${fmt(pct(r.offDrum, 0.5))}, ${fmt(pct(r.offDrum, 0.95))}, ${fmt(Math.max(...r.offDrum))} | ${r.withProposals} of ${all.length} (${r.floor} inside the lead-time floor)`,
  );
}
