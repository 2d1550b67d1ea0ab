// The domain side of a quote alone: CPU per call of quote() in one process, on a plant of
// `orders` open orders (default 10k) built from PostgreSQL once, with the change feed saying
// fresh and a recorder that keeps nothing (no HTTP, no database per call): 5 rounds of `count`
// quotes, the median and each round. For A/B, run it on each commit alternately.
// `npx tsx bench/quote-domain.ts [orders] [count]`; PostgreSQL from BENCH_DATABASE_URL or
// TEST_DATABASE_URL (a database of its own, dropped at the end).
import { openPostgres } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { plantVersions } from '../src/db/repos/plant-versions.ts';
import { PlantCache } from '../src/domain/schedule/plant-cache.ts';
import { quote } from '../src/domain/promising/quotes.ts';
import { quotePlant } from './context.ts';
import { adminUrl, createBenchDatabase, dropBenchDatabase } from './pg-admin.ts';
import { quoteBody } from './scenarios/quote.ts';
import { createKeys, seedOrders, setupPlant } from './seed.ts';

const orders = Number(process.argv[2] ?? 10_000);
const n = Number(process.argv[3] ?? 50_000);
const admin = adminUrl();
const dbName = `drumbeat_qdomain_${process.pid}`;
const url = await createBenchDatabase(admin, dbName);
const handle = openPostgres(url, 4);
try {
  await migrateToLatest(handle.db);
  await createKeys(handle.db);
  const plant = quotePlant(orders);
  await setupPlant(handle.db, plant);
  await seedOrders(handle.db, plant, orders);
  const cache = new PlantCache();
  const v = (await plantVersions(handle.db, plant))!;
  await cache.sync(handle.db, plant, v.schedule_version, v.config_version);
  let sink = 0;
  const deps = {
    clock: { now: () => new Date() },
    cache,
    feed: { isFresh: () => true },
    quotes: { record: (r: unknown) => void (sink += r ? 1 : 0) },
    maxOrderQuantity: 100_000,
    planningHorizonDays: 365,
    observeQuote: (s: number) => void (sink += s > 0 ? 1 : 0),
  } as unknown as Parameters<typeof quote>[0];
  const actor = { principal: 'k', role: 'sales', kind: 'api-key' } as unknown as Parameters<typeof quote>[2];
  const body = quoteBody();
  for (let i = 0; i < 5000; i++) await quote(deps, plant, actor, body);
  const res: number[] = [];
  for (let r = 0; r < 5; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) sink += (await quote(deps, plant, actor, body)).quoteId.length;
    const c = process.cpuUsage(c0);
    res.push((c.user + c.system) / n);
  }
  const s = [...res].sort((a, b) => a - b);
  console.log(`${orders} orders: µs per quote, median`, s[2]!.toFixed(2), 'rounds', res.map((x) => x.toFixed(2)).join(' '), sink > 0);
} finally {
  await handle.close();
  await dropBenchDatabase(admin, dbName);
}
