import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../../src/db/database.ts';
import type { BenchContext } from '../context.ts';
import { expectStatus, call } from '../http.ts';
import { closedLoop } from '../closed-loop.ts';
import { startCpuMeter, type CpuSplit } from '../cpu-meter.ts';
import { merge, percentile, type LoadResult } from '../load.ts';
import { BENCH_SKU, daysFromNow, setupPlant } from '../seed.ts';
import { startService, type Service } from '../service.ts';
import { checkStoredSchedule, countWrites, must, type PlantCheck } from '../verify.ts';

export interface CommitFloor {
  clients: number;
  seconds: number;
  commits: number;
  tps: number;
  p50: number;
  p99: number;
}

export interface ConfirmRun {
  label: string;
  plants: string[];
  load: LoadResult;
  /** 201 responses: orders the clients were told exist. */
  created: number;
  rows: number;
  checks: PlantCheck[];
  /** CPU seconds per process group over the run (what bounds throughput on a machine with few cores). */
  cpu: CpuSplit;
}

export interface ConfirmResult {
  floor: CommitFloor;
  /** The same bare INSERT from a single connection: the floor of any write path serialised per plant. */
  serialFloor: CommitFloor;
  runs: ConfirmRun[];
  historyEvents: number;
}

/**
 * The commit floor: `clients` concurrent connections each committing a bare single-row
 * INSERT (one autocommit transaction) as fast as they can, from this process.
 */
async function commitFloor(url: string, clients: number, seconds: number): Promise<CommitFloor> {
  const pool = new pg.Pool({ connectionString: url, max: clients });
  try {
    await pool.query(
      'CREATE TABLE IF NOT EXISTS bench_commit_floor (id bigserial PRIMARY KEY, client int NOT NULL, payload text NOT NULL, at timestamptz NOT NULL DEFAULT now())',
    );
    const latencies: number[] = [];
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        while (performance.now() < end) {
          const s = performance.now();
          await pool.query('INSERT INTO bench_commit_floor (client, payload) VALUES ($1, $2)', [
            c,
            'order-sized payload of a few dozen bytes',
          ]);
          latencies.push(performance.now() - s);
        }
      }),
    );
    const took = (performance.now() - t0) / 1000;
    const sorted = Float64Array.from(latencies).sort();
    return {
      clients,
      seconds: took,
      commits: latencies.length,
      tps: latencies.length / took,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    };
  } finally {
    await pool.end();
  }
}

/** Direct order creation (quote + reserve + confirm in one transaction) from `clients` connections spread over the services and plants. */
async function confirmRun(ctx: BenchContext, label: string, services: Service[], plants: string[], historyEvents = 0): Promise<ConfirmRun> {
  const pgb = ctx.pg!;
  const { confirmClients, confirmSeconds } = ctx.opts;
  for (const plant of plants) {
    await setupPlant(pgb.db, plant);
    if (historyEvents) await addHistory(pgb.db, plant, historyEvents);
    for (const s of services) {
      await expectStatus(
        call(s.url, 'POST', `/v1/plants/${plant}/quotes`, pgb.keys.sales, { sku: BENCH_SKU, quantity: 1 }),
        200,
        `warm ${plant}`,
      );
    }
  }
  const body = { ...CONFIRM_ORDER, customer: 'bench-confirm' };
  const lanes = Math.max(plants.length, services.length);
  const stopMeter = await startCpuMeter(pgb.url, services);
  const runs = await Promise.all(
    Array.from({ length: lanes }, (_, i) => {
      const plant = plants[i % plants.length]!;
      const service = services[i % services.length]!;
      return closedLoop({
        title: `${label} ${plant} via ${service.name}`,
        url: `${service.url}/v1/plants/${plant}/orders`,
        method: 'POST',
        token: pgb.keys.sales,
        body,
        connections: Math.floor(confirmClients / lanes),
        seconds: confirmSeconds,
      }).then((r) => ({ plant, r }));
    }),
  );
  const cpu = await stopMeter();
  const load = merge(
    label,
    runs.map((x) => x.r),
  );
  must(load.errors === 0, `${label}: ${load.errors} requests failed at the socket level, so their outcome is unknown`);
  const created = load.statuses['201'] ?? 0;
  const checks: PlantCheck[] = [];
  let rows = 0;
  for (const plant of plants) {
    const createdHere = runs.filter((x) => x.plant === plant).reduce((n, x) => n + (x.r.statuses['201'] ?? 0), 0);
    const w = await countWrites(pgb.db, plant, 'sales:');
    must(
      w.orders === createdHere,
      `${label}: plant ${plant} has ${w.orders} orders but clients got ${createdHere} × 201 (${w.orders > createdHere ? 'duplicated' : 'lost'} orders)`,
    );
    must(
      (w.events['order.created'] ?? 0) === w.orders,
      `${label}: plant ${plant} has ${w.orders} orders but ${w.events['order.created'] ?? 0} order.created events`,
    );
    const check = await checkStoredSchedule(pgb.db, plant);
    must(check.feasible, `${label}: the stored schedule of plant ${plant} is INFEASIBLE (min slack ${check.minSlackMinutes} min)`);
    must(check.committed === w.orders, `${label}: plant ${plant}: ${check.committed} committed orders vs ${w.orders} rows`);
    checks.push(check);
    rows += w.orders;
  }
  ctx.log(
    `  ${label}: ${created} × 201 = ${rows} rows, ${load.rps.toFixed(0)} req/s, p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms, ` +
      `statuses ${JSON.stringify(load.statuses)}; stored schedules feasible`,
  );
  const us = (s: number) => ((s / load.requests) * 1e6).toFixed(0);
  ctx.log(
    `  ${label}: CPU per request ${us(cpu.client + cpu.service + cpu.postgres)} µs = client ${us(cpu.client)} + services ${us(cpu.service)} + PostgreSQL backends ${us(cpu.postgres)}`,
  );
  return { label, plants, load, created, rows, checks, cpu };
}

/**
 * A plant's past: `n` events as a plant accumulates them (one per order change). Inserted
 * directly with negative sequence numbers, so they never collide with the service's own
 * and the event feed (seq > 0) does not show them. Only their number matters here.
 */
async function addHistory(db: Db, plantId: string, n: number) {
  await sql`
    INSERT INTO schedule_events (plant_id, seq, schedule_version, type, actor, at, data)
    SELECT ${plantId}, -g, -g, 'bench.history', 'bench', now() - make_interval(secs => g), '{}'
    FROM generate_series(1, ${n}::int) g`.execute(db);
  await sql`ANALYZE schedule_events`.execute(db);
}

/**
 * The same load as a run, on a plant of its own, before the measured runs: a fresh process
 * spends its first seconds compiling the write path (V8's optimising compiler runs on
 * background threads and counts as service CPU), so without this the first run measured the
 * warm-up (services ≈ 1000–1300 µs per order in a process's first 5 s, ≈ 400–500 µs after).
 * It goes on for a while: in 10 s runs back to back after the first 10 s, 374, 307, 296 and
 * 273 µs per order at the same batch sizes (≈ 16 orders per batch and process); 20 s gets
 * most of it.
 */
/**
 * Far enough out, and small enough, that every order of a run fits: the drum holds ≈ 123k
 * 10-minute orders up to 1000 days out, and one plant took 3,000 orders/s (40-minute orders
 * filled it within a 10 s run). What an order costs the write path does not depend on its size.
 */
const CONFIRM_ORDER = { sku: BENCH_SKU, quantity: 10, promiseDate: daysFromNow(1000) };

async function warmUp(ctx: BenchContext, services: Service[]) {
  // Two plants, half the time each, so that a run's plant starts as empty as a measured one.
  for (const plant of ['confirm-warm-up-1', 'confirm-warm-up-2']) {
    const seconds = ctx.opts.confirmWarmUpSeconds / 2;
    await setupPlant(ctx.pg!.db, plant);
    const body = { ...CONFIRM_ORDER, customer: 'bench-warm-up' };
    // Each run starts with a warm quote per plant and process (confirmRun). Sent only there, those
    // quotes were the processes' first requests on another route, and de-optimised shared code
    // (--trace-deopt: ~70 "wrong map" bail-outs at once, in Fastify's request path, auth, rate
    // limit) at the start of the measured run, which then paid the re-optimisation.
    for (const s of services) {
      for (let i = 0; i < 3; i++) {
        await expectStatus(
          call(s.url, 'POST', `/v1/plants/${plant}/quotes`, ctx.pg!.keys.sales, { sku: BENCH_SKU, quantity: 1 }),
          200,
          'warm-up quote',
        );
      }
    }
    const runs = await Promise.all(
      services.map((s) =>
        closedLoop({
          title: `warm-up via ${s.name}`,
          url: `${s.url}/v1/plants/${plant}/orders`,
          method: 'POST',
          token: ctx.pg!.keys.sales,
          body,
          connections: Math.floor(ctx.opts.confirmClients / services.length),
          seconds,
        }),
      ),
    );
    const load = merge('warm-up', runs);
    must(
      load.errors === 0 && load.statuses['201'] === load.requests,
      `warm-up: not every order was created: ${JSON.stringify(load.statuses)}`,
    );
    ctx.log(`  warm-up (not measured): ${load.requests} orders in ${seconds} s on plant ${plant}`);
  }
}

export async function confirmScenario(ctx: BenchContext): Promise<ConfirmResult> {
  const pgb = ctx.pg!;
  const floor = await commitFloor(pgb.url, ctx.opts.confirmClients, ctx.opts.confirmSeconds);
  ctx.log(`  commit floor: ${floor.tps.toFixed(0)} commits/s with ${floor.clients} clients (p50 ${floor.p50.toFixed(2)} ms)`);
  const serialFloor = await commitFloor(pgb.url, 1, Math.min(3, ctx.opts.confirmSeconds));
  ctx.log(`  serial commit floor: ${serialFloor.tps.toFixed(0)} commits/s from 1 client (p50 ${serialFloor.p50.toFixed(2)} ms)`);
  const historyEvents = ctx.opts.quick ? 10_000 : 100_000;
  const services = [
    await startService({ name: 'confirm-a', databaseUrl: pgb.url }),
    await startService({ name: 'confirm-b', databaseUrl: pgb.url }),
  ];
  try {
    await warmUp(ctx, services);
    // A database in service has statistics (autovacuum analyses a table within a minute or so of
    // its first rows); the bench's is minutes old, so whether a run meets its tables analysed was
    // luck, and with it the plans the service's connections keep for their life. Unanalysed,
    // the foreign-key check of every operation row (order_operations → orders) used a generic
    // plan that scanned the plant's orders through orders_owner_principal, 27–118 µs per order
    // (pg_stat_statements and auto_explain, 2026-11-30), and the PostgreSQL column of one
    // plant varied 173–401 µs per order between identical runs. ANALYZE also invalidates the
    // cached plans, so every run starts from the same, production-like state.
    await sql`ANALYZE plants, orders, order_operations, schedule_events, products`.execute(pgb.db);
    const runs = [
      await confirmRun(ctx, 'one plant', services, ['confirm-one']),
      await confirmRun(
        ctx,
        'eight plants',
        services,
        Array.from({ length: 8 }, (_, i) => `confirm-${i}`),
      ),
      await confirmRun(ctx, `one plant with ${historyEvents / 1000}k past events`, services, ['confirm-history'], historyEvents),
    ];
    return { floor, serialFloor, runs, historyEvents };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
  }
}
