/**
 * `npm run bench [-- --quick] [-- --profile]`: measures the service as users meet it, each
 * number beside the floor of this machine, and writes bench/RESULTS.md (service section).
 */
import { openPostgres, type DbHandle } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { quotePlant, type BenchContext } from './context.ts';
import { machineInfo } from './machine.ts';
import { parseOptions, wants } from './options.ts';
import { adminUrl, createBenchDatabase, dropBenchDatabase, reachable } from './pg-admin.ts';
import { checkResultsFile, renderSection, writeResults, type BenchResults } from './report.ts';
import { confirmScenario } from './scenarios/confirm.ts';
import { erpScenario } from './scenarios/erp-push.ts';
import { eventLoopScenario } from './scenarios/event-loop.ts';
import { memoryScenario } from './scenarios/memory.ts';
import { profilePass } from './scenarios/profile.ts';
import { quotePglite, quotePostgres } from './scenarios/quote.ts';
import { rescheduleScenario } from './scenarios/reschedule.ts';
import { createKeys, seedOrders, setupPlant } from './seed.ts';
import { compiledServer, repoRoot, runServicesFromSource } from './service.ts';
import { CorrectnessError } from './verify.ts';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const opts = parseOptions(process.argv.slice(2));
if (opts.resultsFile) checkResultsFile(path.resolve(repoRoot, opts.resultsFile));
const started = performance.now();
const log = (m: string) => console.log(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}`);
const results: BenchResults = {
  machine: machineInfo(),
  mode: opts.quick ? 'quick' : 'full',
  opts,
  skipped: [],
  loadAverage: { start: os.loadavg()[0]!, end: NaN },
};

const admin = adminUrl();
const dbName = `drumbeat_bench_${process.pid}`;
let handle: DbHandle | null = null;
let failed = false;

async function scenario(name: string, needsPg: boolean, fn: () => Promise<void>) {
  if (!wants(opts, name)) return;
  if (needsPg && !ctx.pg) {
    results.skipped.push(`${name}: no PostgreSQL reachable at ${redact(admin)}`);
    return;
  }
  log(`${name} …`);
  const t0 = performance.now();
  await fn();
  log(`${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');

const profileDir = process.env.BENCH_PROFILE_DIR ?? mkdtempSync(path.join(os.tmpdir(), 'drumbeat-bench-prof-'));
const ctx: BenchContext = { opts, pg: null, profileDir, log };

// Interrupted: stop the service processes (service.ts kills them on exit) and drop the database.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    const drop = handle ? handle.close().then(() => dropBenchDatabase(admin, dbName)) : Promise.resolve();
    void drop.catch(() => {}).finally(() => process.exit(130));
  });
}

try {
  log(
    `mode ${results.mode}; sizes ${opts.sizes.join(', ')}; ${results.machine.nproc} CPUs (${results.machine.cpu}), Node ${results.machine.node}`,
  );
  runServicesFromSource(opts.fromSource);
  if (opts.fromSource) log('services run from source under tsx (--from-source)');
  else {
    // Compiled before any scenario, so no run's clock includes it.
    const t0 = performance.now();
    const entry = await compiledServer();
    log(
      `services run compiled: ${path.relative(repoRoot, entry)} (tsc -p tsconfig.build.json in ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
  if (await reachable(admin)) {
    const url = await createBenchDatabase(admin, dbName);
    handle = openPostgres(url, 4);
    await migrateToLatest(handle.db);
    ctx.pg = { url, db: handle.db, keys: await createKeys(handle.db) };
    log(`PostgreSQL: created database ${dbName}`);
    const needQuotePlants = ['quote', 'memory', 'reschedule', 'profile', 'eventloop'].some((s) => wants(opts, s));
    if (needQuotePlants) {
      const t0 = performance.now();
      for (const n of opts.sizes) {
        await setupPlant(handle.db, quotePlant(n));
        await seedOrders(handle.db, quotePlant(n), n);
      }
      results.pgSeedMs = performance.now() - t0;
      log(`seeded ${opts.sizes.join(' + ')} open orders through writeSchedule in ${(results.pgSeedMs / 1000).toFixed(1)} s`);
    }
  } else {
    log(
      `PostgreSQL is not reachable at ${redact(admin)} (set BENCH_DATABASE_URL): SKIPPING the Postgres scenarios; the PGlite quote scenario still runs.`,
    );
  }

  await scenario('quote', true, async () => {
    results.quotePostgres = await quotePostgres(ctx);
  });
  await scenario('pglite', false, async () => {
    results.quotePglite = await quotePglite(ctx);
  });
  await scenario('confirm', true, async () => {
    results.confirm = await confirmScenario(ctx);
  });
  await scenario('erp', true, async () => {
    results.erp = await erpScenario(ctx);
  });
  await scenario('reschedule', true, async () => {
    results.reschedule = await rescheduleScenario(ctx);
  });
  await scenario('memory', true, async () => {
    results.memory = await memoryScenario(ctx);
  });
  await scenario('eventloop', true, async () => {
    results.eventLoop = await eventLoopScenario(ctx);
  });
  if (opts.profile) {
    await scenario('profile', true, async () => {
      results.profiles = await profilePass(ctx);
    });
  }
} catch (e) {
  failed = true;
  if (e instanceof CorrectnessError) console.error(`\n*** CORRECTNESS FAILURE: ${e.message}\n`);
  else console.error('\n*** the bench failed:', e);
} finally {
  if (handle) {
    await handle.close();
    await dropBenchDatabase(admin, dbName).catch((e) => console.error(`could not drop ${dbName}:`, e));
  }
}

if (!failed) {
  results.totalSeconds = (performance.now() - started) / 1000;
  results.loadAverage.end = os.loadavg()[0]!;
  if (opts.resultsFile) {
    const file = writeResults(results, path.resolve(repoRoot, opts.resultsFile));
    log(`wrote ${path.relative(repoRoot, file)}`);
  } else {
    console.log(`\n${renderSection(results)}`);
  }
}
for (const s of results.skipped) log(`skipped ${s}`);
log(failed ? 'FAILED' : `done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed ? 1 : 0);
