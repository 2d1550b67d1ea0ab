// Where a quote's extra CPU goes: two compiled service processes under --cpu-prof, one taking
// no-op requests and one taking quotes at one plant size (default 10k open orders), and the
// self time per function of each, in µs per request, side by side (largest difference first).
// `npx tsx bench/quote-profile.ts [orders] [seconds]`; PostgreSQL from BENCH_DATABASE_URL or
// TEST_DATABASE_URL (a database of its own, dropped at the end).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { sql } from 'kysely';
import path from 'node:path';
import { openPostgres } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { quotePlant } from './context.ts';
import { call, expectStatus } from './http.ts';
import { hammer } from './load.ts';
import { adminUrl, createBenchDatabase, dropBenchDatabase } from './pg-admin.ts';
import { mainThreadProfile, summarizeProfile } from './profile-summary.ts';
import { quoteBody } from './scenarios/quote.ts';
import { createKeys, seedOrders, setupPlant } from './seed.ts';
import { compiledServer, startService } from './service.ts';

const orders = Number(process.argv[2] ?? 10_000);
const seconds = Number(process.argv[3] ?? 8);
const admin = adminUrl();
const dbName = `drumbeat_qprof_${process.pid}`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'drumbeat-quote-profile-'));

await compiledServer();
const url = await createBenchDatabase(admin, dbName);
const handle = openPostgres(url, 4);
try {
  await migrateToLatest(handle.db);
  const keys = await createKeys(handle.db);
  const plant = quotePlant(orders);
  await setupPlant(handle.db, plant);
  await seedOrders(handle.db, plant, orders);
  const perRequest = new Map<string, { noop: number; quotes: number }>();
  for (const kind of ['noop', 'quotes'] as const) {
    const service = await startService({ name: kind, databaseUrl: url, cpuProfDir: dir, env: { BENCH_FLOOR: 'on' } });
    let requests = 0;
    try {
      const target = `/v1/plants/${plant}/${kind}`;
      await expectStatus(call(service.url, 'POST', target, keys.sales, quoteBody()), 200, `first ${kind}`);
      const spec = {
        title: kind,
        url: `${service.url}${target}`,
        method: 'POST' as const,
        token: keys.sales,
        body: quoteBody(),
        connections: 10,
      };
      await hammer({ ...spec, seconds: 2 });
      requests = (await hammer({ ...spec, seconds })).requests;
      await new Promise((r) => setTimeout(r, 1_300)); // the recorder's next flush
    } finally {
      await service.stop();
    }
    const s = summarizeProfile(kind, mainThreadProfile(path.join(dir, kind)), 400, seconds + 1.3);
    console.log(`${kind}: ${requests} requests, ${((s.totalMs * 1000) / requests).toFixed(1)} µs/request sampled (non-idle)`);
    for (const e of s.top) {
      const key = `${e.name} ${e.where}`;
      const row = perRequest.get(key) ?? { noop: 0, quotes: 0 };
      row[kind] += (e.selfMs * 1000) / requests;
      perRequest.set(key, row);
    }
  }
  const stats = await sql<Record<string, unknown>>`
    SELECT n_tup_ins, autovacuum_count, autoanalyze_count FROM pg_stat_user_tables WHERE relname = 'quote_log'`.execute(handle.db);
  console.log('quote_log:', JSON.stringify(stats.rows[0]));
  const rows = [...perRequest].sort((a, b) => b[1].quotes - b[1].noop - (a[1].quotes - a[1].noop));
  console.log('µs/request  noop  quote  extra  function');
  for (const [key, r] of rows.slice(0, 45)) {
    console.log(
      `${r.noop.toFixed(2).padStart(16)} ${r.quotes.toFixed(2).padStart(6)} ${(r.quotes - r.noop).toFixed(2).padStart(6)}  ${key}`,
    );
  }
} finally {
  await handle.close();
  await dropBenchDatabase(admin, dbName);
  rmSync(dir, { recursive: true, force: true });
}
