/**
 * `npx tsx bench/quote-under-writes.ts [orders=10000] [seconds=5]`: quote latency on one plant
 * alone, then while clients create orders on the same plant (every batch of writes has the
 * plant's engine state out of step with the database until it commits, and a quote must not
 * read it then: see PlantCache.use). Prints the numbers; writes no results file.
 */
import { openPostgres } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { closedLoop } from './closed-loop.ts';
import { expectStatus, call } from './http.ts';
import { assertAll, hammer, type LoadResult } from './load.ts';
import { adminUrl, createBenchDatabase, dropBenchDatabase } from './pg-admin.ts';
import { quoteBody } from './scenarios/quote.ts';
import { BENCH_SKU, createKeys, daysFromNow, seedOrders, setupPlant } from './seed.ts';
import { startService } from './service.ts';

const orders = Number(process.argv[2] ?? 10_000);
const seconds = Number(process.argv[3] ?? 5);
const plant = 'qw-1';
const admin = adminUrl();
const dbName = `drumbeat_bench_qw_${process.pid}`;
const url = await createBenchDatabase(admin, dbName);
const handle = openPostgres(url, 4);
const line = (label: string, r: LoadResult) =>
  console.log(
    `${label.padEnd(28)} p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  ${r.rps.toFixed(0)} req/s  ${JSON.stringify(r.statuses)}`,
  );
try {
  await migrateToLatest(handle.db);
  const keys = await createKeys(handle.db);
  await setupPlant(handle.db, plant);
  await seedOrders(handle.db, plant, orders);
  const service = await startService({ name: 'qw', databaseUrl: url });
  try {
    const quotes = (s: number) =>
      hammer({
        title: 'quotes',
        url: `${service.url}/v1/plants/${plant}/quotes`,
        method: 'POST',
        token: keys.sales,
        body: quoteBody(),
        connections: 4,
        seconds: s,
      });
    const writes = (s: number) =>
      closedLoop({
        title: 'orders',
        url: `${service.url}/v1/plants/${plant}/orders`,
        method: 'POST',
        token: keys.sales,
        body: { sku: BENCH_SKU, quantity: 40, promiseDate: daysFromNow(1000), customer: 'bench-qw' },
        connections: 8,
        seconds: s,
      });
    await expectStatus(call(service.url, 'POST', `/v1/plants/${plant}/quotes`, keys.sales, quoteBody()), 200, 'first quote');
    await quotes(1);
    const alone = await quotes(seconds);
    const [underWrites, w] = await Promise.all([quotes(seconds), writes(seconds)]);
    assertAll(alone, 200);
    assertAll(underWrites, 200);
    console.log(`plant ${plant}: ${orders} open orders; 4 quote connections; 8 order-creating clients`);
    line('quote alone', alone);
    line('quote during writes', underWrites);
    line('writes (POST orders)', w);
  } finally {
    await service.stop();
  }
} finally {
  await handle.close();
  await dropBenchDatabase(admin, dbName);
}
