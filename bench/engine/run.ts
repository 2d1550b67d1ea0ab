/**
 * Engine benchmark: quote, price of a date, insert/remove, feasibility, full rebuild,
 * schedule and memory per order at 1k–1M committed orders.
 *
 *   npx tsx bench/engine/run.ts [--quick] [--no-write]
 *
 * Prints a markdown table and rewrites the engine section of bench/RESULTS.md (between
 * <!-- engine:start --> and <!-- engine:end -->; other sections are left alone).
 */
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DrumBook } from '../../src/engine/drum-book.ts';
import type { DrumOrder } from '../../src/engine/drum-order.ts';
import { feasibleWorkload, rng } from './workload.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const quick = process.argv.includes('--quick');
const write = !process.argv.includes('--no-write');
const sizes = quick ? [1_000, 10_000, 100_000] : [1_000, 10_000, 100_000, 1_000_000];
const policy = { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2 };

/** Median over batches of the per-operation time in µs. */
function perOp(batches: number, batchSize: number, run: (i: number) => void): number {
  const samples: number[] = [];
  let i = 0;
  for (let b = 0; b < batches; b++) {
    const t = process.hrtime.bigint();
    for (let k = 0; k < batchSize; k++) run(i++);
    samples.push(Number(process.hrtime.bigint() - t) / 1000 / batchSize);
  }
  samples.sort((x, y) => x - y);
  return samples[samples.length >> 1]!;
}

/** Median wall-clock and CPU milliseconds (CPU time is what a shared, loaded machine distorts least). */
function timeMs(run: () => void, repeats: number): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < repeats; r++) {
    gc();
    const c = process.cpuUsage();
    const t = process.hrtime.bigint();
    run();
    wall.push(Number(process.hrtime.bigint() - t) / 1e6);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1]!;
  return { wall: median(wall), cpu: median(cpu) };
}

interface Row {
  n: number;
  quote: number;
  earliest: number;
  price: number;
  insert: number;
  remove: number;
  feasible: number;
  build: { wall: number; cpu: number };
  schedule: { wall: number; cpu: number };
  bytesBook: number;
  bytesWithOrders: number;
}

function heap(): number {
  gc();
  gc();
  // Typed arrays live outside the JS heap: count their backing stores too.
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function measure(n: number): Row {
  const base0 = heap();
  const w = feasibleWorkload(n);
  const withOrders = heap();
  let book: DrumBook | undefined = new DrumBook(w.wt, w.orders);
  const withBook = heap();
  const bytesBook = (withBook - withOrders) / n;
  const bytesWithOrders = (withBook - base0) / n;

  const random = rng(n);
  const loads = Array.from({ length: 4096 }, () => 1 + Math.floor(random() * 600));
  const dates = Array.from({ length: 64 }, (_, i) => w.wt.addWorkingDays('2026-11-24', i % 20));
  const batches = quick ? 15 : 31;
  const b = book;
  perOp(3, 500, (i) => b.quote(w.now, loads[i & 4095]!, { policy })); // warm-up
  const quote = perOp(batches, 500, (i) => b.quote(w.now, loads[i & 4095]!, { policy }));
  const earliest = perOp(batches, 500, (i) => b.earliestDeadline(w.now, loads[i & 4095]!));
  const price = perOp(batches, 100, (i) => b.priceOfDate(w.now, loads[i & 4095]!, dates[i & 63]!, { policy }));
  const feasible = perOp(batches, 500, () => b.feasible(w.now));

  const extra: DrumOrder[] = Array.from({ length: 1000 }, (_, i) => ({
    id: `x${i}`,
    load: 10,
    deadline: w.orders[Math.floor(random() * n)]!.deadline,
    seq: n + i,
  }));
  const ins: number[] = [];
  const rem: number[] = [];
  for (let round = 0; round < batches; round++) {
    ins.push(perOp(1, extra.length, (i) => b.insert(extra[i]!)));
    rem.push(perOp(1, extra.length, (i) => b.remove(extra[i]!.id)));
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1]!;

  const schedule = timeMs(() => b.schedule(w.now, 4), 3);
  const build = timeMs(
    () => {
      book = new DrumBook(w.wt, w.orders);
    },
    n >= 1_000_000 ? 3 : 7,
  );
  return { n, quote, earliest, price, insert: median(ins), remove: median(rem), feasible, build, schedule, bytesBook, bytesWithOrders };
}

const fmtN = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);
const us = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));
const wallCpu = (x: { wall: number; cpu: number }) => `${ms(x.wall)} (${ms(x.cpu)})`;

const loadBefore = loadavg()[0]!;
const rows = sizes.map(measure);
const loadAfter = loadavg()[0]!;
const machine = (() => {
  try {
    return execSync('uname -a', { encoding: 'utf8' }).trim();
  } catch {
    return process.platform;
  }
})();
const lines = [
  `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC${quick ? ' (--quick)' : ''} on \`${machine}\`, ${cpus().length} CPUs (nproc), ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; 1-min load average ${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)} (the machine is shared: above ~1 the times are inflated).`,
  'Workload: bench/engine/workload.ts — a feasible, tight drum book (loads 1–60 min, slack 0–2 000 min) on a two-shift Berlin calendar; times are medians over batches.',
  '',
  '| orders | quote µs | earliest deadline µs | price of a date µs | insert µs | remove µs | feasible µs | full rebuild ms wall (cpu) | schedule ms wall (cpu) | book bytes/order | incl. order objects |',
  '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${fmtN(r.n)} | ${us(r.quote)} | ${us(r.earliest)} | ${us(r.price)} | ${us(r.insert)} | ${us(r.remove)} | ${us(r.feasible)} | ${wallCpu(r.build)} | ${wallCpu(r.schedule)} | ${r.bytesBook.toFixed(0)} | ${r.bytesWithOrders.toFixed(0)} |`,
  ),
  '',
  'Targets (issue 4): quote at 100k < 50 µs; full rebuild of 100k < 200 ms; memory ≤ 1 KB/order.',
  '"book bytes/order": JS heap plus typed-array memory of the DrumBook alone; "incl. order objects" adds the DrumOrder objects the caller built. CPU time includes the garbage collector\'s threads.',
];
const table = lines.join('\n');
console.log(table);

if (write) {
  const file = new URL('../RESULTS.md', import.meta.url);
  const section = `<!-- engine:start -->\n## Engine\n\n${table}\n<!-- engine:end -->`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const re = /<!-- engine:start -->[\s\S]*?<!-- engine:end -->/;
  writeFileSync(file, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`);
  console.log(`\nwrote the engine section of ${file.pathname}`);
}
