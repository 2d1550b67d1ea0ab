/**
 * What-if scenarios (issue 15 item 6): the cost of one evaluation (GET …/scenarios/{id}/evaluation
 * without its cache) at 1k and 10k open orders, on the embedded database in memory, with the
 * bench plant of bench/seed.ts (one drum, three shifts Monday to Saturday, 80 % booked). The
 * scenario: an extra shift on the drum on a Sunday, a re-promise of one order, one hypothetical
 * order. An evaluation forks the engine state (O(n)), runs the operations through the live use
 * cases in a rolled-back transaction, and plans, loads and quotes the plant twice (before and
 * after; only the fork and the operations under the plant's lock). Measured: wall time, the part
 * under the lock and process CPU time (the machine is shared) per evaluation.
 *
 *   npm run bench:scenarios [-- --only=10000]
 *
 * A script, not a test, and not part of `npm run bench`; it prints its figures.
 */
import { openPglite } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { evaluateScenario } from '../../src/domain/scenarios/scenario-evaluation.ts';
import type { ScenarioOperation } from '../../src/domain/scenarios/scenario-operations.ts';
import { standaloneScheduleDeps } from '../../src/domain/schedule/schedule-writer.ts';
import { BENCH_SKU, DRUM, seedOrders, setupPlant } from '../seed.ts';

const only = process.argv.find((a) => a.startsWith('--only='));
const sizes = only ? [Number(only.slice(7))] : [1_000, 10_000];
const RUNS = 5;
const planner = { keyId: 'bench', role: 'planner' as const, principal: 'bench', plantIds: null, name: 'bench' };

/** The first Sunday at least two weeks ahead, "YYYY-MM-DD". */
function sundayAhead(): string {
  const d = new Date(Date.now() + 14 * 86_400_000);
  d.setUTCDate(d.getUTCDate() + ((7 - d.getUTCDay()) % 7));
  return d.toISOString().slice(0, 10);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const n of sizes) {
  const handle = await openPglite(undefined);
  await migrateToLatest(handle.db);
  const plantId = `scen-${n}`;
  await setupPlant(handle.db, plantId);
  await seedOrders(handle.db, plantId, n);
  const deps = standaloneScheduleDeps(handle.db, systemClock);
  // The part under the plant's lock (the writes of that plant wait for it): the simulation itself.
  const simulate = deps.writer.simulate.bind(deps.writer);
  let lockedMs = 0;
  deps.writer.simulate = (async (p: string, run: Parameters<typeof simulate>[1]) => {
    const t0 = performance.now();
    try {
      return await simulate(p, run);
    } finally {
      lockedMs = performance.now() - t0;
    }
  }) as typeof simulate;
  const some = await handle.db
    .selectFrom('orders')
    .select(['id', 'promise_date'])
    .where('plant_id', '=', plantId)
    .orderBy('promise_date', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  const later = new Date(Date.parse(`${some.promise_date}T00:00:00Z`) + 30 * 86_400_000).toISOString().slice(0, 10);
  const ops: ScenarioOperation[] = [
    {
      type: 'capacity-change',
      change: { resource: DRUM, kind: 'extra_shift', date: sundayAhead(), start: '06:00', end: '14:00', reason: 'bench' },
    },
    { type: 'repromise', orderId: some.id, promiseDate: later, reason: 'bench' },
    { type: 'hypothetical-order', sku: BENCH_SKU, quantity: 40 },
  ];
  const limits = { maxOrderQuantity: 1_000_000 };
  const options = { weeks: 6, quoteQuantity: 40 };
  // Warm: the first read builds the cached engine state (a cold build is not the evaluation's cost).
  const first = await evaluateScenario(deps, limits, plantId, planner, ops, options);
  const applied = first.operations.filter((o) => o.applied).length;
  const wall: number[] = [];
  const cpu: number[] = [];
  const locked: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await evaluateScenario(deps, limits, plantId, planner, ops, options);
    wall.push(performance.now() - t0);
    locked.push(lockedMs);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  console.log(
    `${n} open orders: evaluation median ${median(wall).toFixed(0)} ms wall (${median(locked).toFixed(0)} ms of it under the plant lock), ${median(cpu).toFixed(0)} ms CPU (${RUNS} runs; ${applied}/${ops.length} operations applied, ${first.ordersMovedCount} orders moved)`,
  );
  await handle.close();
}
