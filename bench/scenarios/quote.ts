import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPglite } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { quotePlant, type BenchContext } from '../context.ts';
import { expectStatus, call } from '../http.ts';
import { assertAll, hammer, merge, type LoadResult } from '../load.ts';
import { BENCH_SKU, createKeys, daysFromNow, seedOrders, setupPlant } from '../seed.ts';
import { startService, type Service } from '../service.ts';

export interface QuoteRow {
  backend: 'postgres' | 'pglite';
  orders: number;
  /** First quote on the plant in a fresh process: loads the orders and builds the engine state. */
  coldBuildMs: number;
  noop: LoadResult;
  quote: LoadResult;
  /** Service-process CPU per request (µs), from its CPU time over the measured rounds. */
  cpuUs: { noop: number; quote: number };
}

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
    const rounds = opts.quick ? 1 : 3;
    const noops: LoadResult[] = [];
    const quotes: LoadResult[] = [];
    // The service's CPU time around each run: what a quote costs the process beyond the no-op's
    // HTTP, auth and validation (a quote answered from memory sends PostgreSQL no statement).
    const cpu = { noop: 0, quote: 0 };
    const timed = async (kind: 'noop' | 'quote', run: () => Promise<LoadResult>) => {
      const before = service.cpuSeconds();
      const result = await run();
      cpu[kind] += service.cpuSeconds() - before;
      return result;
    };
    for (let i = 0; i < rounds; i++) {
      noops.push(await timed('noop', () => hammer(spec('noop', opts.loadSeconds / rounds))));
      quotes.push(await timed('quote', () => hammer(spec('quotes', opts.loadSeconds / rounds))));
    }
    const noop = mergeRuns(`${backend} noop ${n}`, noops);
    const quote = mergeRuns(`${backend} quote ${n}`, quotes);
    assertAll(noop, 200);
    assertAll(quote, 200);
    ctx.log(
      `  ${backend} ${n} orders: cold build ${cold.ms.toFixed(0)} ms; noop p50 ${noop.p50.toFixed(2)} ms ${noop.rps.toFixed(0)} req/s; ` +
        `quote p50 ${quote.p50.toFixed(2)} ms ${quote.rps.toFixed(0)} req/s`,
    );
    const cpuUs = { noop: (cpu.noop / noop.requests) * 1e6, quote: (cpu.quote / quote.requests) * 1e6 };
    ctx.log(`  ${backend} ${n} orders: service CPU per request noop ${cpuUs.noop.toFixed(0)} µs, quote ${cpuUs.quote.toFixed(0)} µs`);
    rows.push({ backend, orders: n, coldBuildMs: cold.ms, noop, quote, cpuUs });
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
