/**
 * Ledger benchmark (non-drum reservation ledgers, design note §3.2 and §12): firstFit,
 * lastFit, a three-op forward chain over three resources, insert + remove, cold build
 * and rebuild, and memory per reservation, at 10k and 100k reservations per resource on
 * a two-shift Europe/Berlin calendar.
 *
 *   npx tsx bench/engine/ledger.ts [--quick]
 *
 * Prints a markdown table (CPU-time medians; the machine may be shared).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { WeeklyShift } from '../../src/engine/calendar-types.ts';
import { LedgerSet, type ChainOp } from '../../src/engine/ledger-set.ts';
import { Ledger } from '../../src/engine/ledger.ts';
import { rng } from './workload.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const quick = process.argv.includes('--quick');
const sizes = quick ? [10_000] : [10_000, 100_000];

const days = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const weekly: WeeklyShift[] = days.flatMap((day) => [
  { day, start: '06:00', end: '14:00' },
  { day, start: '14:00', end: '22:00' },
]);
const calendar = { timeZone: 'Europe/Berlin', weekly, exceptions: [{ kind: 'holiday' as const, date: '2026-12-25' }] };
const T0 = Date.UTC(2026, 10, 30) / 60_000;

function entriesOf(m: number, seed: number, wt: ReturnType<typeof buildWorkingTime>) {
  const random = rng(seed);
  const out = [];
  let a = wt.cumulative(T0);
  for (let k = 0; k < m; k++) {
    const minutes = 5 + Math.floor(random() * 60);
    out.push({ order: `o${k}`, position: 1 + (k % 3), start: wt.instantAtCumulative(a + 1) - 1, minutes });
    a += minutes + (random() < 0.7 ? 0 : 1 + Math.floor(random() * 40));
  }
  return out;
}

/** Median CPU µs per call over batches. */
function perOp(batches: number, batch: number, run: (i: number) => void): number {
  const samples: number[] = [];
  let i = 0;
  for (let b = 0; b < batches; b++) {
    const c = process.cpuUsage();
    for (let k = 0; k < batch; k++) run(i++);
    const u = process.cpuUsage(c);
    samples.push((u.user + u.system) / batch);
  }
  samples.sort((x, y) => x - y);
  return samples[samples.length >> 1]!;
}

function cpuMs(run: () => void): number {
  const c = process.cpuUsage();
  run();
  const u = process.cpuUsage(c);
  return (u.user + u.system) / 1000;
}

console.log(
  '| reservations/resource | firstFit µs | lastFit µs | forward 3 ops µs | insert+remove µs | build ms | rebuild ms | bytes/reservation |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const m of sizes) {
  const wt = buildWorkingTime(calendar);
  const entries = [0, 1, 2].map((k) => entriesOf(m, k + 1, wt));
  gc();
  const used = () => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const heap0 = used();
  let ledgers: Ledger[] = [];
  const build = cpuMs(() => (ledgers = entries.map((e) => Ledger.fromStarts(wt, e))));
  gc();
  const bytes = (used() - heap0) / (3 * m); // heap + typed-array backing stores
  const set = new LedgerSet(ledgers.map((l, k) => [`r${k}`, l] as const));
  const l0 = ledgers[0]!;
  const end = l0.interval(l0.entries().at(-1)!).end;
  const horizon = end + 400 * 1440;
  const random = rng(99);
  const ts = Array.from({ length: 4096 }, () => T0 + Math.floor(random() * (end - T0)));
  const ps = Array.from({ length: 4096 }, () => 1 + Math.floor(random() * 240));
  const first = perOp(15, 2000, (i) => l0.firstFit(ts[i & 4095]!, ps[i & 4095]!, horizon));
  const last = perOp(15, 2000, (i) => l0.lastFit(ts[i & 4095]!, ps[i & 4095]!, T0));
  const ops: ChainOp[] = [0, 1, 2].map((k) => ({ resource: `r${k}`, order: 'x', position: k + 1, minutes: 30 + 40 * k }));
  const forward = perOp(15, 500, (i) => set.forward(ops, ts[i & 4095]!, horizon));
  const insertRemove = perOp(15, 1000, (i) => {
    const fit = l0.firstFit(ts[i & 4095]!, ps[i & 4095]!, horizon)!;
    l0.insert({ order: 'y', position: 1, a: fit.a, minutes: fit.minutes });
    l0.remove('y', 1);
  });
  const wider = buildWorkingTime({
    ...calendar,
    exceptions: [...calendar.exceptions, { kind: 'overtime', date: '2026-12-01', start: '22:00', end: '24:00' }],
  });
  const rebuild = cpuMs(() => l0.rebuild(wider));
  const f = (x: number, d = 2) => x.toFixed(d);
  console.log(
    `| ${m} | ${f(first)} | ${f(last)} | ${f(forward)} | ${f(insertRemove)} | ${f(build / 3, 1)} | ${f(rebuild, 1)} | ${f(bytes, 0)} |`,
  );
}
