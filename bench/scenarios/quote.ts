import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPglite } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { quotePlant, type BenchContext } from '../context.ts';
import { startCpuMeter, startOtherLoad } from '../cpu-meter.ts';
import { expectStatus, call } from '../http.ts';
import { assertAll, hammer, merge, type LoadResult } from '../load.ts';
import { median } from '../rounds.ts';
import { BENCH_SKU, createKeys, daysFromNow, seedOrders, setupPlant } from '../seed.ts';
import { startService, type Service } from '../service.ts';

export interface QuoteRow {
  backend: 'postgres' | 'pglite';
  orders: number;
  /** First quote on the plant in a fresh process: loads the orders and builds the engine state. */
  coldBuildMs: number;
  noop: LoadResult;
  quote: LoadResult;
  /** CPU per request (µs) over all measured rounds: the service process, and PostgreSQL's backends of the bench database (0 on PGlite, which runs in the service). */
  cpuUs: { noop: number; quote: number; noopPostgres: number; quotePostgres: number };
  /** What a quote costs beyond the no-op (service + PostgreSQL, µs per request): the median of the rounds' differences, and their range. */
  extraCpuUs: { median: number; min: number; max: number; service: number; postgres: number };
  /**
   * The machine's other work during the measured runs, in cores kept busy by processes other than
   * the bench's (its median and the busiest run; null where /proc/stat cannot be read). The bench
   * itself keeps about two cores busy, so the load average always exceeds 1 while it runs; this is
   * the part of the load that is not the bench's.
   */
  otherLoad: { median: number; max: number } | null;
}

/** The quote recorder writes its batch once a second (QuoteRecorder.start): a run's records are written before its CPU is read. */
const RECORDER_FLUSH_MS = 1_300;

export const quoteBody = () => ({ sku: BENCH_SKU, quantity: 40, requestedDate: daysFromNow(60) });

/** Quote vs the no-op floor, same server, same body, back to back, at each plant size. */
async function measureQuotes(
  ctx: BenchContext,
  backend: QuoteRow['backend'],
  service: Service,
  token: string,
  sizes: number[],
): Promise<QuoteRow[]> {
  const { opts } = ctx;
  const rows: QuoteRow[] = [];
  for (const n of sizes) {
    const plant = quotePlant(n);
    const body = quoteBody();
    const cold = await expectStatus(call(service.url, 'POST', `/v1/plants/${plant}/quotes`, token, body), 200, `first quote on ${plant}`);
    const spec = (kind: 'noop' | 'quotes', seconds: number) => ({
      title: `${backend} ${kind} ${n}`,
      url: `${service.url}/v1/plants/${plant}/${kind}`,
      method: 'POST' as const,
      token,
      body,
      connections: opts.quoteConnections,
      seconds,
    });
    // Warm the JIT on both routes, then alternate short runs so both meet the same noise
    // of a shared machine; percentiles are taken over all rounds together.
    await hammer(spec('noop', 1));
    await hammer(spec('quotes', 1));
    await new Promise((resolve) => setTimeout(resolve, RECORDER_FLUSH_MS));
    const rounds = opts.quick ? 3 : 5;
    const noops: LoadResult[] = [];
    const quotes: LoadResult[] = [];
    // CPU time of the service process (and of PostgreSQL's backends) around each run, per request:
    // what a quote costs beyond the no-op's HTTP, auth and validation. The runs alternate, and which
    // goes first alternates too, so a change in the machine's load meets both; each run ends after
    // the quote recorder's next flush, so the records of a quote run are charged to it.
    const perRun = { noop: [] as { service: number; postgres: number }[], quote: [] as { service: number; postgres: number }[] };
    const otherLoads: (number | null)[] = [];
    const timed = async (kind: 'noop' | 'quote') => {
      const meter = ctx.pg && backend === 'postgres' ? await startCpuMeter(ctx.pg.url, [service]) : null;
      const other = startOtherLoad();
      const client = process.cpuUsage();
      const before = service.cpuSeconds();
      const result = await hammer(spec(kind === 'noop' ? 'noop' : 'quotes', opts.loadSeconds / rounds));
      await new Promise((resolve) => setTimeout(resolve, RECORDER_FLUSH_MS));
      const serviceSeconds = service.cpuSeconds() - before;
      const clientUsage = process.cpuUsage(client);
      const postgres = meter ? (await meter()).postgres : 0;
      otherLoads.push(other(serviceSeconds + postgres + (clientUsage.user + clientUsage.system) / 1e6));
      perRun[kind].push({ service: serviceSeconds / result.requests, postgres: postgres / result.requests });
      (kind === 'noop' ? noops : quotes).push(result);
    };
    for (let i = 0; i < rounds; i++) {
      for (const kind of i % 2 === 0 ? (['noop', 'quote'] as const) : (['quote', 'noop'] as const)) await timed(kind);
    }
    const noop = mergeRuns(`${backend} noop ${n}`, noops);
    const quote = mergeRuns(`${backend} quote ${n}`, quotes);
    assertAll(noop, 200);
    assertAll(quote, 200);
    ctx.log(
      `  ${backend} ${n} orders: cold build ${cold.ms.toFixed(0)} ms; noop p50 ${noop.p50.toFixed(2)} ms ${noop.rps.toFixed(0)} req/s; ` +
        `quote p50 ${quote.p50.toFixed(2)} ms ${quote.rps.toFixed(0)} req/s`,
    );
    const us = (runs: { service: number; postgres: number }[], part: 'service' | 'postgres') => median(runs.map((r) => r[part] * 1e6));
    const cpuUs = {
      noop: us(perRun.noop, 'service'),
      quote: us(perRun.quote, 'service'),
      noopPostgres: us(perRun.noop, 'postgres'),
      quotePostgres: us(perRun.quote, 'postgres'),
    };
    const diff = (part: 'service' | 'postgres') => perRun.quote.map((q, i) => (q[part] - perRun.noop[i]![part]) * 1e6);
    const extras = perRun.quote.map((_, i) => diff('service')[i]! + diff('postgres')[i]!);
    const extraCpuUs = {
      median: median(extras),
      min: Math.min(...extras),
      max: Math.max(...extras),
      service: median(diff('service')),
      postgres: median(diff('postgres')),
    };
    const readLoads = otherLoads.filter((x): x is number => x !== null);
    const otherLoad = readLoads.length === otherLoads.length ? { median: median(readLoads), max: Math.max(...readLoads) } : null;
    ctx.log(
      `  ${backend} ${n} orders: CPU per request (median of ${rounds} rounds) noop ${cpuUs.noop.toFixed(0)} + ${cpuUs.noopPostgres.toFixed(0)} µs, ` +
        `quote ${cpuUs.quote.toFixed(0)} + ${cpuUs.quotePostgres.toFixed(0)} µs (service + PostgreSQL); quote extra ${extraCpuUs.median.toFixed(1)} µs ` +
        `(rounds ${extraCpuUs.min.toFixed(1)}–${extraCpuUs.max.toFixed(1)}; service ${extraCpuUs.service.toFixed(1)}, PostgreSQL ${extraCpuUs.postgres.toFixed(1)}); ` +
        `other work on the machine ${otherLoad ? `${otherLoad.median.toFixed(2)} cores (busiest run ${otherLoad.max.toFixed(2)})` : 'not read'}`,
    );
    rows.push({ backend, orders: n, coldBuildMs: cold.ms, noop, quote, cpuUs, extraCpuUs, otherLoad });
  }
  return rows;
}

/** Sequential runs as one: requests over the summed time. */
function mergeRuns(title: string, runs: LoadResult[]): LoadResult {
  const m = merge(title, runs);
  const seconds = runs.reduce((t, r) => t + r.seconds, 0);
  return { ...m, seconds, rps: m.requests / seconds };
}

export async function quotePostgres(ctx: BenchContext): Promise<QuoteRow[]> {
  const pg = ctx.pg!;
  const service = await startService({ name: 'quote-postgres', databaseUrl: pg.url, env: { BENCH_FLOOR: 'on' } });
  try {
    return await measureQuotes(ctx, 'postgres', service, pg.keys.sales, ctx.opts.sizes);
  } finally {
    await service.stop();
  }
}

/** The embedded default: seed a PGlite directory in this process, then hand it to a service process. */
export async function quotePglite(ctx: BenchContext): Promise<{ rows: QuoteRow[]; seedMs: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'drumbeat-bench-pglite-'));
  try {
    const t0 = performance.now();
    const handle = await openPglite(dir);
    let token: string;
    try {
      await migrateToLatest(handle.db);
      token = (await createKeys(handle.db)).sales;
      for (const n of ctx.opts.sizes) {
        await setupPlant(handle.db, quotePlant(n));
        await seedOrders(handle.db, quotePlant(n), n);
      }
    } finally {
      await handle.close();
    }
    const seedMs = performance.now() - t0;
    ctx.log(`  pglite seeded ${ctx.opts.sizes.join(' + ')} orders in ${(seedMs / 1000).toFixed(1)} s`);
    const service = await startService({ name: 'quote-pglite', dataDir: dir, env: { BENCH_FLOOR: 'on' } });
    try {
      return { rows: await measureQuotes(ctx, 'pglite', service, token, ctx.opts.sizes), seedMs };
    } finally {
      await service.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
