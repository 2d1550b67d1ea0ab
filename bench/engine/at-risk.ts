/**
 * At-risk detection cost (issue 13 item 3): a Europe/Berlin plant (saw → cnc drum → pack)
 * filled to N open orders by quote + commit (requested dates paced at 90 % of the drum),
 * then a working day of time passing with nothing released, one tick every 30 minutes as the
 * service's write head and sweep run it (RouteBook.tick), and after each tick the at-risk
 * review of the orders the tick moved (planning-rules/at-risk.ts judgeRisk, with the flags it
 * set kept as the service keeps them on the orders). Also the review of a full write batch
 * (64 commits, each order judged) and, for comparison, judging every open order (what a
 * full projection per write would cost). CPU time (process.cpuUsage: the machine is shared).
 * The database writes of a flag change are not included (one row per transition).
 *
 *   npx tsx bench/engine/at-risk.ts [--orders=100000]
 */
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  buildWorkingTime,
  RouteBook,
  type Calendar,
  type LocalDate,
  type RouteDemand,
  type StoredRisk,
  type StoredRouteOrder,
  type Weekday,
  type WorkingTime,
} from '../../src/engine/index.ts';
import { DEFAULT_AT_RISK_RULE, judgeRisk } from '../../src/planning-rules/at-risk.ts';
import { rng } from './workload.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const arg = process.argv.find((a) => a.startsWith('--orders='));
const N = arg ? Number(arg.split('=')[1]) : 100_000;
/** Days of time passing (nothing released). */
const DAYS = 3;

const weekdays: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const shifts = (...spans: [string, string][]) => weekdays.flatMap((day) => spans.map(([start, end]) => ({ day, start, end })));
const calendar = (weekly: Calendar['weekly']): Calendar => ({ timeZone: 'Europe/Berlin', weekly, exceptions: [] });
const DRUM = 'cnc';
const calendars: Record<string, Calendar> = {
  saw: calendar(shifts(['06:00', '14:00'], ['14:00', '22:00'])),
  cnc: calendar(shifts(['06:00', '14:00'], ['14:00', '22:00'])),
  pack: calendar(shifts(['06:00', '14:00'])),
};
const wts = new Map<string, WorkingTime>(Object.entries(calendars).map(([r, c]) => [r, buildWorkingTime(c)]));
const drumWt = wts.get(DRUM)!;
const policy = { productionBufferDays: 3, shippingBufferDays: 1, standardLeadTimeDays: 5 };
const start = Date.parse('2026-11-23T08:00:00+01:00') / 60_000;

const demandOf = (random: () => number): RouteDemand => {
  const qty = 1 + Math.floor(random() * 24);
  return {
    ops: [
      { resource: 'saw', minutes: Math.round(2 + 0.6 * qty) },
      { resource: DRUM, minutes: Math.round(2 + qty) },
      { resource: 'pack', minutes: Math.round(1 + 0.5 * qty) },
    ],
    policy,
  };
};

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;
const fix = (x: number) => (x < 10 ? x.toFixed(3) : x.toFixed(1));

const random = rng(N);
const horizon = start + 400 * 7 * 1440;
const book = new RouteBook(DRUM, wts, [], {});
const c0 = drumWt.cumulative(start);
let work = 0;
const fill0 = cpuNow();
for (let i = 0; i < N; i++) {
  const d = demandOf(random);
  work += d.ops[1]!.minutes;
  const day = drumWt.localDateOf(drumWt.instantAtCumulative(c0 + Math.floor(work / 0.9)));
  const requested: LocalDate = drumWt.addWorkingDays(day, policy.shippingBufferDays + 1 + Math.floor(random() * 5));
  const q = book.quote(start, d, horizon);
  const promise = q.promiseDate > requested ? q.promiseDate : requested;
  if (!book.commit(start, `o${i}`, d, promise, horizon)) throw new Error(`commit o${i} refused`);
}
const fillMs = cpuNow() - fill0;

// The flags as the service stores them on the orders (StoredRouteOrder.risk).
const flags = new Map<string, StoredRisk>();
const withFlag = (rec: StoredRouteOrder): StoredRouteOrder => {
  const risk = flags.get(rec.id);
  return risk ? { ...rec, risk } : rec;
};
function review(ids: Iterable<string>, now: number): number {
  let transitions = 0;
  for (const id of ids) {
    const rec = book.get(id);
    if (!rec) continue;
    const v = judgeRisk(withFlag(rec), { drumId: DRUM, drumWt, now, rule: DEFAULT_AT_RISK_RULE });
    if (v.kind === 'at-risk') {
      flags.set(id, { promiseDate: rec.promiseDate, projectedFinish: v.projectedFinish, reason: v.reason, resource: v.resource });
      transitions++;
    } else if (v.kind === 'on-track') {
      flags.delete(id);
      transitions++;
    } else if (v.kind === 'still-at-risk') flags.set(id, { ...flags.get(id)!, projectedFinish: v.projectedFinish });
  }
  return transitions;
}

// DAYS days of time passing, nothing released: a tick every 30 minutes.
const ticks: { tickMs: number; reviewMs: number; changed: number; transitions: number }[] = [];
let largest: string[] = [];
for (let now = start + 30; now <= start + DAYS * 1440; now += 30) {
  const t0 = cpuNow();
  const t = book.tick(now, now + 30, horizon);
  const t1 = cpuNow();
  const transitions = t
    ? review(
        t.changed.map((o) => o.id),
        now,
      )
    : 0;
  if (t && t.changed.length > largest.length) largest = t.changed.map((o) => o.id);
  const t2 = cpuNow();
  ticks.push({ tickMs: t1 - t0, reviewMs: t2 - t1, changed: t?.changed.length ?? 0, transitions });
}
const now = start + DAYS * 1440;

// The largest tick's moved orders judged again after a GC (no transitions left): the judgement alone, without the tick's garbage.
const again: number[] = [];
for (let round = 0; round < 5; round++) {
  gc();
  const t0 = cpuNow();
  review(largest, now);
  again.push(cpuNow() - t0);
}

// A write batch: 64 commits at the quoted date, each committed order (and any re-keyed one) judged.
const probe = rng(N + 1);
const batchUs: number[] = [];
for (let round = 0; round < 20; round++) {
  const cp = book.checkpoint();
  const touched: string[] = [];
  for (let i = 0; i < 64; i++) {
    const d = demandOf(probe);
    const q = book.quote(now, d, horizon);
    const c = book.commit(now, `b${round}-${i}`, d, q.promiseDate, horizon);
    if (c) touched.push(`b${round}-${i}`, ...c.rekeyed.map((r) => r.id));
  }
  const t0 = cpuNow();
  review(touched, now);
  batchUs.push((cpuNow() - t0) * 1000);
  book.rollback(cp);
  for (const id of touched) flags.delete(id);
}

// For comparison: every open order judged (a full projection's judgement, without the projection).
const all = book.orders().map((o) => o.id);
const full0 = cpuNow();
review(all, now);
const fullMs = cpuNow() - full0;

const atRisk = flags.size;
const s = (k: 'tickMs' | 'reviewMs' | 'changed' | 'transitions') => ticks.map((t) => t[k]);
console.log(`## At-risk detection (issue 13 item 3; \`npx tsx bench/engine/at-risk.ts\`)

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}; load average (1/5/15 min) at the end ${loadavg()
  .map((l) => l.toFixed(2))
  .join(' / ')}.
Plant: saw (two shifts) → cnc drum (two shifts) → pack (one shift), Mon–Fri, Europe/Berlin; ${N.toLocaleString('en')} open orders filled by quote + commit (requested dates paced at 90 % of the drum; fill ${(fillMs / 1000).toFixed(1)} s CPU). Then ${DAYS} days of time passing with nothing released, a tick every 30 minutes (${ticks.length} ticks); after each, the at-risk review of the orders the tick moved. CPU ms.

| what | median | max | budget |
| --- | ---: | ---: | ---: |
| orders a tick moved | ${median(s('changed'))} | ${Math.max(...s('changed'))} | – |
| tick (RouteBook.tick) ms | ${fix(median(s('tickMs')))} | ${fix(Math.max(...s('tickMs')))} | – |
| at-risk review of the moved orders ms | ${fix(median(s('reviewMs')))} | ${fix(Math.max(...s('reviewMs')))} | ≤ 50 per tick (with the tick) |
| the largest tick's ${largest.length} moved orders judged again (after a GC) ms | ${fix(median(again))} | ${fix(Math.max(...again))} | – |
| tick + review ms | ${fix(median(ticks.map((t) => t.tickMs + t.reviewMs)))} | ${fix(Math.max(...ticks.map((t) => t.tickMs + t.reviewMs)))} | ≤ 50 |
| review of a write batch (64 commits) µs | ${fix(median(batchUs))} | ${fix(Math.max(...batchUs))} | ≤ 1 000 |
| judging every open order (a full pass, for comparison) ms | ${fix(fullMs)} | – | – |

Orders at risk at the end: ${atRisk}; flag transitions over the ${DAYS} days: ${ticks.reduce((a, t) => a + t.transitions, 0)}.`);
