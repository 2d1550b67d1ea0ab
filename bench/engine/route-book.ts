/**
 * Whole-route engine benchmark (RouteBook, issue 12 item 11): a 6-resource Europe/Berlin
 * plant filled to 1k / 10k / 100k open orders by quote + commit (the fill is the "cold
 * build by commits"), then quote, checkpoint + commit + rollback, cold build from the
 * stored orders, withWorkingTimes (a capacity change on the drum, and on every resource) and plan(now). CPU time throughout
 * (process.cpuUsage: the machine is shared), medians of rounds.
 *
 *   npm run bench:route [-- --quick] [-- --no-write]
 *
 * --quick: 1k and 10k only (about 10 s), for a smoke run; it is not part of `npm run bench`.
 * Without --no-write (and without --quick), rewrites the route-book section of bench/RESULTS.md (between
 * <!-- route-book:start --> and <!-- route-book:end -->; other sections are left alone).
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  buildWorkingTime,
  RouteBook,
  type Calendar,
  type LocalDate,
  type RouteDemand,
  type RouteStep,
  type Weekday,
  type WorkingTime,
} from '../../src/engine/index.ts';
import { rng } from './workload.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const quick = process.argv.includes('--quick');
// A --quick smoke run has no 100k figures: it must not replace the measured section.
const write = !quick && !process.argv.includes('--no-write');
const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
/** Drum capacity the requested dates are paced at. */
const TARGET_LOAD = 0.9;
const QUOTES_PER_ROUND = 10_000;
const COMMITS_PER_ROUND = 2_000;
const ROUNDS = 3;

// --- the plant ---------------------------------------------------------------------------

const weekdays: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const shifts = (days: readonly Weekday[], ...spans: [string, string][]) =>
  days.flatMap((day) => spans.map(([start, end]) => ({ day, start, end })));
const holidays = ['2026-12-24', '2026-12-25', '2027-01-01', '2027-12-24', '2027-12-27', '2028-01-03'].map((date) => ({
  kind: 'holiday' as const,
  date,
}));
const calendar = (weekly: Calendar['weekly']): Calendar => ({ timeZone: 'Europe/Berlin', weekly, exceptions: holidays });

const DRUM = 'cnc';
const calendars: Record<string, Calendar> = {
  // The drum: two shifts Mon–Fri (4 800 min a week).
  cnc: calendar(shifts(weekdays, ['06:00', '14:00'], ['14:00', '22:00'])),
  // One shift Mon–Fri.
  saw: calendar(shifts(weekdays, ['06:00', '14:00'])),
  // Two shifts Mon–Fri.
  weld: calendar(shifts(weekdays, ['06:00', '14:00'], ['14:00', '22:00'])),
  // Mon–Thu, one long shift.
  paint: calendar(shifts(['mon', 'tue', 'wed', 'thu'], ['06:00', '16:30'])),
  // Six days, two shifts.
  heat: calendar(shifts([...weekdays, 'sat'], ['06:00', '14:00'], ['14:00', '22:00'])),
  // One shift Mon–Fri.
  pack: calendar(shifts(weekdays, ['07:00', '15:00'])),
};
const RESOURCES = Object.keys(calendars).length;

/** An operation's minutes: setup + perUnit × quantity (rounded); sized so no ledger resource binds more than the drum. */
type OpSpec = [resource: string, setup: number, perUnit: number];
const op = {
  saw: ['saw', 2, 0.5],
  weld: ['weld', 3, 1],
  paint: ['paint', 2, 0.6],
  heat: ['heat', 5, 1],
  pack: ['pack', 1, 0.3],
  cnc: ['cnc', 2, 1],
} satisfies Record<string, OpSpec>;
/** Products: 1–2 operations before the drum and 1–2 after. */
const products: { up: OpSpec[]; down: OpSpec[] }[] = [
  { up: [op.saw], down: [op.pack] },
  { up: [op.saw, op.weld], down: [op.paint] },
  { up: [op.heat], down: [op.paint, op.pack] },
  { up: [op.weld, op.heat], down: [op.pack] },
  { up: [op.saw], down: [op.heat, op.pack] },
  { up: [op.weld], down: [op.paint] },
];
const policy = { productionBufferDays: 3, shippingBufferDays: 1, standardLeadTimeDays: 5 };

function demandOf(random: () => number): RouteDemand {
  const p = products[Math.floor(random() * products.length)]!;
  const qty = 1 + Math.floor(random() * 24);
  const step = ([resource, setup, perUnit]: OpSpec): RouteStep => ({ resource, minutes: Math.max(1, Math.round(setup + perUnit * qty)) });
  return { ops: [...p.up.map(step), step(op.cnc), ...p.down.map(step)], policy };
}

const wts = new Map<string, WorkingTime>(Object.entries(calendars).map(([r, c]) => [r, buildWorkingTime(c)]));
const drumWt = wts.get(DRUM)!;
const now = Date.parse('2026-11-23T08:00:00+01:00') / 60_000;
const drumMinutesPerWeek = 2 * 8 * 60 * 5;

// --- measuring ---------------------------------------------------------------------------

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Median over rounds of the CPU µs per call, a garbage collection (not counted) before each round. */
function perCallUs(rounds: number, calls: number, run: (i: number) => void): number {
  const samples: number[] = [];
  let i = 0;
  for (let r = 0; r < rounds; r++) {
    gc();
    const c = cpuNow();
    for (let k = 0; k < calls; k++) run(i++);
    samples.push(((cpuNow() - c) * 1000) / calls);
  }
  return median(samples);
}

/** Median CPU ms over rounds, a garbage collection before each. */
function cpuMs(rounds: number, run: () => void): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    gc();
    const c = cpuNow();
    run();
    samples.push(cpuNow() - c);
  }
  return median(samples);
}

interface Row {
  n: number;
  fillMs: number;
  drumUtilisation: number;
  spanWeeks: number;
  quoteUs: number;
  commitUs: number;
  buildMs: number;
  rebuildMs: number;
  rebuildAllMs: number;
  planMs: number;
}

function measure(n: number): Row {
  const random = rng(n);
  // Requested dates paced at TARGET_LOAD of the drum's capacity: each order asks for the
  // day its cumulative drum work reaches at that pace (plus the buffers and 0–4 working
  // days of jitter); it is promised max(requested, quoted), as the service promises it.
  const c0 = drumWt.cumulative(now);
  const horizon = now + Math.ceil(((n * 15) / drumMinutesPerWeek / TARGET_LOAD + 104) * 7 * 1440);
  const demands = Array.from({ length: n }, () => demandOf(random));
  const requested: LocalDate[] = [];
  let work = 0;
  for (const d of demands) {
    work += d.ops.find((s) => s.resource === DRUM)!.minutes;
    const day = drumWt.localDateOf(drumWt.instantAtCumulative(c0 + Math.floor(work / TARGET_LOAD)));
    requested.push(drumWt.addWorkingDays(day, policy.shippingBufferDays + 1 + Math.floor(random() * 5)));
  }

  gc();
  let book = new RouteBook(DRUM, wts, [], {});
  const fill0 = cpuNow();
  for (let i = 0; i < n; i++) {
    const q = book.quote(now, demands[i]!, horizon);
    const promise = q.promiseDate > requested[i]! ? q.promiseDate : requested[i]!;
    if (!book.commit(now, `o${i}`, demands[i]!, promise, horizon)) throw new Error(`commit o${i} at ${promise} refused`);
  }
  const fillMs = cpuNow() - fill0;
  if (!book.feasible(now)) throw new Error(`the filled book at ${n} is not feasible`);
  const orders = book.orders();
  const lastDeadline = Math.max(...orders.map((o) => o.drumDeadline));
  const drumWork = orders.reduce((s, o) => s + o.drumLoad, 0);
  const drumUtilisation = drumWork / (drumWt.cumulative(lastDeadline) - c0);
  const spanWeeks = (lastDeadline - now) / (7 * 1440);

  // Quotes and commits: varied products and quantities (another seed than the fill).
  const probe = rng(n + 1);
  const asks = Array.from({ length: 4096 }, () => demandOf(probe));
  perCallUs(1, 500, (i) => book.quote(now, asks[i & 4095]!, horizon)); // warm-up
  const quoteUs = perCallUs(ROUNDS, QUOTES_PER_ROUND, (i) => book.quote(now, asks[i & 4095]!, horizon));
  // Commit at the quoted date (the tightest promise), inside a checkpoint that is rolled back.
  const promises = asks.map((d) => book.quote(now, d, horizon).promiseDate);
  const b = book;
  const commitUs = perCallUs(ROUNDS, COMMITS_PER_ROUND, (i) => {
    const cp = b.checkpoint();
    if (!b.commit(now, `x${i}`, asks[i & 4095]!, promises[i & 4095]!, horizon)) throw new Error(`commit x${i} refused`);
    b.rollback(cp);
  });
  if (book.size !== n) throw new Error('rollback left orders behind');

  const stored = book.orders();
  // Whole-book passes: ROUNDS at 100k, more below (where one pass is short and noisier).
  const passes = n >= 100_000 ? ROUNDS : 3 * ROUNDS;
  const buildMs = cpuMs(passes, () => {
    book = new RouteBook(DRUM, wts, stored, {});
  });
  // A capacity change: Saturday overtime on the drum (withWorkingTimes re-measures the drum
  // and copies the five ledgers), and the same overtime on every resource (all six rebuilt).
  const overtime = (r: string) =>
    buildWorkingTime({
      ...calendars[r]!,
      exceptions: [...holidays, { kind: 'overtime', date: '2026-11-28', start: '06:00', end: '14:00' }],
    });
  const changed = new Map(wts);
  changed.set(DRUM, overtime(DRUM));
  const rebuildMs = cpuMs(passes, () => void book.withWorkingTimes(changed));
  const changedAll = new Map([...wts.keys()].map((r) => [r, overtime(r)]));
  const rebuildAllMs = cpuMs(passes, () => void book.withWorkingTimes(changedAll));
  const planMs = cpuMs(passes, () => void book.plan(now));
  return { n, fillMs, drumUtilisation, spanWeeks, quoteUs, commitUs, buildMs, rebuildMs, rebuildAllMs, planMs };
}

// --- report ------------------------------------------------------------------------------

const fmtN = (n: number) => `${n / 1e3}k`;
const fix = (x: number) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const ratio = (x: number, base: number) => `${(x / base).toFixed(2)}×`;

const loadStart = loadavg()[0]!;
const started = new Date();
// Warm-up: two throwaway 1k passes, so that the 1k row (the ratios' base) measures optimised code too.
measure(1_000);
measure(1_000);
const rows: Row[] = [];
for (const n of sizes) {
  const t = performance.now();
  rows.push(measure(n));
  console.error(`[route-book] ${fmtN(n)} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const loadEnd = loadavg()[0]!;
const base = rows[0]!;
const machine = (() => {
  try {
    return execSync('uname -a', { encoding: 'utf8' }).trim();
  } catch {
    return process.platform;
  }
})();
const largest = rows.at(-1)!;
const verdict = (ok: boolean) => (ok ? '**met**' : '**MISSED**');
const targetRows =
  largest.n === 100_000
    ? [
        `| quote at 100k open orders, 6 resources | ≤ 50 µs | ${fix(largest.quoteUs)} µs | ${verdict(largest.quoteUs <= 50)} |`,
        `| full rebuild (withWorkingTimes, every calendar changed) at 100k, per resource | ≤ 60 ms | ${fix(largest.rebuildAllMs / RESOURCES)} ms (${fix(largest.rebuildAllMs)} ms for ${RESOURCES}) | ${verdict(largest.rebuildAllMs / RESOURCES <= 60)} |`,
        `| capacity change on the drum only (withWorkingTimes) at 100k, per resource | ≤ 60 ms | ${fix(largest.rebuildMs / RESOURCES)} ms (${fix(largest.rebuildMs)} ms for ${RESOURCES}) | ${verdict(largest.rebuildMs / RESOURCES <= 60)} |`,
        `| cold build of the plant at 100k | stated | ${fix(largest.buildMs)} ms from stored orders; ${(largest.fillMs / 1000).toFixed(1)} s by 100k quote + commit | – |`,
      ]
    : ['| (the targets are at 100k: run without --quick) | | | |'];
const lines = [
  `Measured ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC${quick ? ' (--quick)' : ''} on \`${machine}\`, ${cpus().length} CPUs (nproc), ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; 1-min load average ${loadStart.toFixed(2)} at start → ${loadEnd.toFixed(2)} at end (the machine is shared; CPU time, which other processes distort least, throughout).`,
  '',
  `Plant (bench/engine/route-book.ts): ${RESOURCES} resources in Europe/Berlin — drum \`cnc\` two shifts Mon–Fri; \`saw\` and \`pack\` one shift Mon–Fri; \`weld\` two shifts Mon–Fri; \`paint\` Mon–Thu 06:00–16:30; \`heat\` two shifts Mon–Sat. Six products with 1–2 operations before the drum and 1–2 after, quantity 1–24 (drum 3–26 min). The book is filled by \`quote\` + \`commit\` in arrival order, each order promised max(quoted date, requested date), the requested dates paced at ${TARGET_LOAD * 100} % of the drum's capacity (+ 2–6 working days); the drum utilisation column is the drum work over the drum's working minutes from now to the last drum deadline.`,
  '',
  `Quote: median over ${ROUNDS} rounds of ${QUOTES_PER_ROUND} quotes (random products and quantities), a GC before each round. Commit: checkpoint + commit at the quoted date + rollback, median over ${ROUNDS} rounds of ${COMMITS_PER_ROUND}. Cold build: \`new RouteBook(drum, workingTimes, book.orders())\`; rebuild: \`withWorkingTimes\` after a Saturday overtime on the drum (the drum re-measured, the ${RESOURCES - 1} unchanged ledgers copied; "per resource" = ÷ ${RESOURCES}); rebuild all: the same overtime on all ${RESOURCES} calendars (every ledger rebuilt); plan: \`plan(now)\` of every order. Build, rebuilds and plan: median CPU ms of ${ROUNDS} passes at 100k (${3 * ROUNDS} below), a GC before each. Two throwaway 1k passes run first (JIT warm-up). Fill: CPU time of the whole fill (quote + commit per order), the "cold build by commits".`,
  '',
  '| open orders | drum utilisation | span (weeks) | quote µs | commit + rollback µs | cold build ms | rebuild ms (per resource) | rebuild all ms (per resource) | plan(now) ms | fill by commits s (µs/order) |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${fmtN(r.n)} | ${(r.drumUtilisation * 100).toFixed(0)} % | ${r.spanWeeks.toFixed(0)} | ${fix(r.quoteUs)} | ${fix(r.commitUs)} | ${fix(r.buildMs)} | ${fix(r.rebuildMs)} (${fix(r.rebuildMs / RESOURCES)}) | ${fix(r.rebuildAllMs)} (${fix(r.rebuildAllMs / RESOURCES)}) | ${fix(r.planMs)} | ${(r.fillMs / 1000).toFixed(2)} (${fix((r.fillMs * 1000) / r.n)}) |`,
  ),
  '',
  `Scaling vs ${fmtN(base.n)} (× the ${fmtN(base.n)} figure; a per-order O(log n) cost grows ~1.7× over 100×, an O(n) one 10× per 10×):`,
  '',
  '| open orders | quote | commit + rollback | cold build | rebuild | rebuild all | plan(now) | fill µs/order |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${fmtN(r.n)} | ${ratio(r.quoteUs, base.quoteUs)} | ${ratio(r.commitUs, base.commitUs)} | ${ratio(r.buildMs, base.buildMs)} | ${ratio(r.rebuildMs, base.rebuildMs)} | ${ratio(r.rebuildAllMs, base.rebuildAllMs)} | ${ratio(r.planMs, base.planMs)} | ${ratio(r.fillMs / r.n, base.fillMs / base.n)} |`,
  ),
  '',
  'Targets (issue 12 item 11, CPU time):',
  '',
  '| what | target | measured | verdict |',
  '| --- | --- | --- | --- |',
  ...targetRows,
];
const table = lines.join('\n');
console.log(table);

if (write) {
  const file = new URL('../RESULTS.md', import.meta.url);
  const section = `<!-- route-book:start -->\n## Whole-route engine (RouteBook)\n\n${table}\n<!-- route-book:end -->`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const re = /<!-- route-book:start -->[\s\S]*?<!-- route-book:end -->/;
  const next = re.test(text)
    ? text.replace(re, section)
    : text.includes('<!-- engine:end -->')
      ? text.replace('<!-- engine:end -->', `<!-- engine:end -->\n\n${section}`)
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  console.log(`\nwrote the route-book section of ${file.pathname}`);
}
