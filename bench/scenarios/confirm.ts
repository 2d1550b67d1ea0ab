import os from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../../src/db/database.ts';
import type { BenchContext } from '../context.ts';
import { expectStatus, call } from '../http.ts';
import { closedLoop } from '../closed-loop.ts';
import { startCpuMeter, type CpuSplit } from '../cpu-meter.ts';
import { merge, percentile, type LoadResult } from '../load.ts';
import { reversedRound, roundOrder } from '../rounds.ts';
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

/** The confirm runs, in the order the report lists them. */
export const CONFIRM_RUNS = ['one', 'eight', 'history'] as const;
export type ConfirmRunKey = (typeof CONFIRM_RUNS)[number];

export interface ConfirmRun {
  key: ConfirmRunKey;
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

/** One round: both commit floors and every confirm run, back to back. */
export interface ConfirmRound {
  /** 1-based. */
  round: number;
  /** What the round measured, in the order it ran. */
  order: string[];
  /** Whether it ran in reverse order (rounds 2, 4, …). */
  reversed: boolean;
  /** 1-minute load average when the round started. */
  loadAverage: number;
  floor: CommitFloor;
  /** The same bare INSERT from a single connection: the floor of any write path serialised per plant. */
  serialFloor: CommitFloor;
  /** In CONFIRM_RUNS order, whatever order they ran in. */
  runs: ConfirmRun[];
}

export interface ConfirmResult {
  /** Each run's figures are read against its own round's floors; the verdicts take the median of the rounds' ratios. */
  rounds: ConfirmRound[];
  historyEvents: number;
  /** The orders' promise date, in days from today. */
  promiseDays: number;
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

/** Closed-loop order creation from `clients` connections spread over the services and plants (lane i: plant i, service i). */
function drive(ctx: BenchContext, label: string, services: Service[], plants: string[], seconds: number, customer: string) {
  const lanes = Math.max(plants.length, services.length);
  const body = { ...CONFIRM_ORDER, customer };
  return Promise.all(
    Array.from({ length: lanes }, (_, i) => {
      const plant = plants[i % plants.length]!;
      const service = services[i % services.length]!;
      return closedLoop({
        title: `${label} ${plant} via ${service.name}`,
        url: `${service.url}/v1/plants/${plant}/orders`,
        method: 'POST',
        token: ctx.pg!.keys.sales,
        body,
        connections: Math.floor(ctx.opts.confirmClients / lanes),
        seconds,
      }).then((r) => ({ plant, r }));
    }),
  );
}

/** Direct order creation (quote + reserve + confirm in one transaction) on plants the warm-up prepared. */
async function confirmRun(
  ctx: BenchContext,
  round: number,
  key: ConfirmRunKey,
  label: string,
  services: Service[],
  plants: string[],
): Promise<ConfirmRun> {
  const pgb = ctx.pg!;
  const where = `round ${round}, ${label}`;
  const before = new Map<string, Awaited<ReturnType<typeof countWrites>>>();
  for (const plant of plants) before.set(plant, await countWrites(pgb.db, plant, 'sales:'));
  const stopMeter = await startCpuMeter(pgb.url, services);
  const runs = await drive(ctx, label, services, plants, ctx.opts.confirmSeconds, 'bench-confirm');
  const cpu = await stopMeter();
  const load = merge(
    label,
    runs.map((x) => x.r),
  );
  must(load.errors === 0, `${where}: ${load.errors} requests failed at the socket level, so their outcome is unknown`);
  const created = load.statuses['201'] ?? 0;
  // A refusal (409: the drum full up to the promise date) is not an order created: the run would measure the error path.
  must(created === load.requests, `${where}: not every request created an order: ${JSON.stringify(load.statuses)}`);
  const checks: PlantCheck[] = [];
  let rows = 0;
  for (const plant of plants) {
    const createdHere = runs.filter((x) => x.plant === plant).reduce((n, x) => n + (x.r.statuses['201'] ?? 0), 0);
    const w = await countWrites(pgb.db, plant, 'sales:');
    const was = before.get(plant)!;
    const added = w.orders - was.orders;
    must(
      added === createdHere,
      `${where}: plant ${plant} gained ${added} orders but clients got ${createdHere} × 201 (${added > createdHere ? 'duplicated' : 'lost'} orders)`,
    );
    const events = (w.events['order.created'] ?? 0) - (was.events['order.created'] ?? 0);
    must(events === added, `${where}: plant ${plant} gained ${added} orders but ${events} order.created events`);
    const check = await checkStoredSchedule(pgb.db, plant);
    must(check.feasible, `${where}: the stored schedule of plant ${plant} is INFEASIBLE (min slack ${check.minSlackMinutes} min)`);
    must(check.committed === w.orders, `${where}: plant ${plant}: ${check.committed} committed orders vs ${w.orders} rows`);
    checks.push(check);
    rows += added;
  }
  const us = (s: number) => ((s / load.requests) * 1e6).toFixed(0);
  ctx.log(
    `  ${where}: ${created} × 201 = ${rows} rows, ${load.rps.toFixed(0)} req/s, p50 ${load.p50.toFixed(1)} ms, p99 ${load.p99.toFixed(1)} ms; stored schedules feasible; ` +
      `CPU per request ${us(cpu.client + cpu.service + cpu.postgres)} µs = client ${us(cpu.client)} + services ${us(cpu.service)} + PostgreSQL backends ${us(cpu.postgres)}`,
  );
  return { key, label, plants, load, created, rows, checks, cpu };
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
 * Before the measured runs, the same load on the runs' own plants, unmeasured, then ANALYZE.
 * Two reasons. A fresh process spends its first seconds compiling the write path (V8's
 * optimising compiler runs on background threads and counts as service CPU): without a
 * warm-up the first run measured that (services ≈ 1000–1300 µs per order in a process's first
 * 5 s, ≈ 400–500 µs after; in 10 s runs back to back after the first 10 s, 374, 307, 296 and
 * 273 µs). And a plant in service has orders and statistics (autovacuum analyses a table within
 * a minute or so of its growth), while the bench's database is minutes old: whether a run met
 * its tables analysed, and its plant in the statistics, was luck, and with it the plans the
 * service's connections keep for their life. A plant the statistics do not know (new, or
 * analysed when it was empty) is estimated at one row, every index led by plant_id costs the
 * same, and PostgreSQL picked orders_owner_principal and filtered: the foreign-key check of
 * every operation row (order_operations → orders) then scanned the plant's orders (27–118 µs
 * per order) and so did each catch-up read (≈ 2 ms each; pg_stat_statements and EXPLAIN
 * ANALYZE, 2026-11-30), and the PostgreSQL column of one plant varied 173–401 µs per order
 * between identical runs. ANALYZE also invalidates the plans the connections keep.
 */
async function warmUp(ctx: BenchContext, services: Service[], runs: readonly (readonly string[])[]) {
  // Each run's plants get an equal share of the warm-up, with the run's own lanes.
  const seconds = ctx.opts.confirmWarmUpSeconds / runs.length;
  for (const plants of runs) {
    const load = merge(
      'warm-up',
      (await drive(ctx, 'warm-up', services, [...plants], seconds, 'bench-warm-up')).map((x) => x.r),
    );
    must(
      load.errors === 0 && load.statuses['201'] === load.requests,
      `warm-up: not every order was created: ${JSON.stringify(load.statuses)}`,
    );
    ctx.log(`  warm-up (not measured): ${load.requests} orders in ${seconds.toFixed(1)} s on ${plants.join(', ')}`);
  }
  await sql`ANALYZE plants, orders, order_operations, schedule_events, products`.execute(ctx.pg!.db);
}

/**
 * Far enough out, and small enough, that every order of the warm-up and of all rounds fits on
 * one plant: three shifts six days a week hold ≈ 123k 10-minute orders per 1000 days, and one
 * plant took 3,600 orders/s (40-minute orders filled a 1000-day drum within a 10 s run; 10-minute
 * ones would fill it within three rounds of 10 s after the warm-up). 1700 days hold ≈ 209k, inside
 * the planning horizon (1826 days). A run that meets a full drum fails (not every request a 201).
 * What an order costs the write path does not depend on its size.
 */
const PROMISE_DAYS = 1700;
const CONFIRM_ORDER = { sku: BENCH_SKU, quantity: 10, promiseDate: daysFromNow(PROMISE_DAYS) };

/** Sets up the plants; each process sends the plant a few quotes first (see the comment inside). */
async function preparePlants(ctx: BenchContext, services: Service[], plants: readonly string[], historyEvents = 0) {
  const pgb = ctx.pg!;
  for (const plant of plants) {
    await setupPlant(pgb.db, plant);
    if (historyEvents) await addHistory(pgb.db, plant, historyEvents);
    // Quotes before the orders: sent only at the start of a measured run, a process's first
    // requests on another route de-optimised shared code (--trace-deopt: ~70 "wrong map"
    // bail-outs at once, in Fastify's request path, auth, rate limit), and the run paid the
    // re-optimisation.
    for (const s of services) {
      for (let i = 0; i < 3; i++) {
        await expectStatus(
          call(s.url, 'POST', `/v1/plants/${plant}/quotes`, pgb.keys.sales, { sku: BENCH_SKU, quantity: 1 }),
          200,
          `warm ${plant}`,
        );
      }
    }
  }
}

/**
 * One round: the 32-client commit floor, the serial floor and every confirm run, back to back,
 * in that order in even rounds (0-based) and reversed in odd ones, so a drift of the machine's
 * load does not always meet the same run first.
 */
async function confirmRound(
  ctx: BenchContext,
  index: number,
  services: Service[],
  plants: Record<ConfirmRunKey, string[]>,
  labels: Record<ConfirmRunKey, string>,
): Promise<ConfirmRound> {
  const pgb = ctx.pg!;
  const round = index + 1;
  const loadAverage = os.loadavg()[0]!;
  let floor: CommitFloor | undefined;
  let serialFloor: CommitFloor | undefined;
  const runs = new Map<ConfirmRunKey, ConfirmRun>();
  const steps = [
    {
      name: 'commit floor',
      run: async () => {
        floor = await commitFloor(pgb.url, ctx.opts.confirmClients, ctx.opts.confirmSeconds);
        ctx.log(
          `  round ${round}, commit floor: ${floor.tps.toFixed(0)} commits/s with ${floor.clients} clients (p50 ${floor.p50.toFixed(2)} ms)`,
        );
      },
    },
    {
      name: 'serial floor',
      run: async () => {
        serialFloor = await commitFloor(pgb.url, 1, ctx.opts.confirmSerialFloorSeconds);
        ctx.log(
          `  round ${round}, serial commit floor: ${serialFloor.tps.toFixed(0)} commits/s from 1 client (p50 ${serialFloor.p50.toFixed(2)} ms)`,
        );
      },
    },
    ...CONFIRM_RUNS.map((key) => ({
      name: labels[key],
      run: async () => {
        runs.set(key, await confirmRun(ctx, round, key, labels[key], services, plants[key]));
      },
    })),
  ];
  const order = roundOrder(steps, index);
  ctx.log(
    `  round ${round} of ${ctx.opts.confirmRounds} (load average ${loadAverage.toFixed(1)}): ${order.map((s) => s.name).join(' → ')}`,
  );
  for (const step of order) await step.run();
  return {
    round,
    order: order.map((s) => s.name),
    reversed: reversedRound(index),
    loadAverage,
    floor: floor!,
    serialFloor: serialFloor!,
    runs: CONFIRM_RUNS.map((key) => runs.get(key)!),
  };
}

export async function confirmScenario(ctx: BenchContext): Promise<ConfirmResult> {
  const pgb = ctx.pg!;
  const historyEvents = ctx.opts.quick ? 10_000 : 100_000;
  const services = [
    await startService({ name: 'confirm-a', databaseUrl: pgb.url }),
    await startService({ name: 'confirm-b', databaseUrl: pgb.url }),
  ];
  try {
    const plants: Record<ConfirmRunKey, string[]> = {
      one: ['confirm-one'],
      eight: Array.from({ length: 8 }, (_, i) => `confirm-${i}`),
      history: ['confirm-history'],
    };
    const labels: Record<ConfirmRunKey, string> = {
      one: 'one plant',
      eight: 'eight plants',
      history: `one plant with ${historyEvents / 1000}k past events`,
    };
    await preparePlants(ctx, services, [...plants.one, ...plants.eight]);
    await preparePlants(ctx, services, plants.history, historyEvents);
    // Once, before the first round: every round meets warm processes and analysed tables.
    await warmUp(ctx, services, [plants.one, plants.eight, plants.history]);
    const rounds: ConfirmRound[] = [];
    for (let i = 0; i < ctx.opts.confirmRounds; i++) rounds.push(await confirmRound(ctx, i, services, plants, labels));
    return { rounds, historyEvents, promiseDays: PROMISE_DAYS };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
  }
}
