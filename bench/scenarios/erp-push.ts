import type { BenchContext } from '../context.ts';
import { call } from '../http.ts';
import { percentile } from '../load.ts';
import { BENCH_SKU, daysFromNow, loadOf, setupPlant } from '../seed.ts';
import { startService } from '../service.ts';
import { checkStoredSchedule, countWrites, must } from '../verify.ts';

export interface ErpResult {
  orders: number;
  retried: number;
  requests: number;
  concurrency: number;
  seconds: number;
  ordersPerSecond: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  rows: number;
  duplicates: number;
  feasible: boolean;
}

const PLANT = 'erp';

/**
 * An ERP pushes N orders by external id from `concurrency` workers. Every 10th order is
 * sent twice with the same body: half of those retries race the original (sent at the same
 * moment, as after a timeout), half follow its answer. Each external id must yield exactly
 * one 201 and one row; the retry a 200.
 */
export async function erpScenario(ctx: BenchContext): Promise<ErpResult> {
  const pgb = ctx.pg!;
  const { erpOrders: n, erpConcurrency } = ctx.opts;
  await setupPlant(pgb.db, PLANT);
  const service = await startService({ name: 'erp', databaseUrl: pgb.url });
  try {
    const token = pgb.keys.erp;
    const push = (i: number) =>
      call(service.url, 'PUT', `/v1/plants/${PLANT}/orders/by-external-id/ERP-${i}`, token, {
        sku: BENCH_SKU,
        quantity: loadOf(i),
        // spread over ~2 years: the drum stays well below full
        promiseDate: daysFromNow(20 + (i % 700)),
        customer: `erp-customer-${i % 50}`,
      });
    await push(n); // one extra order (id n) warms the plant cache and the route
    const statuses: Record<string, number> = {};
    const perId = new Map<number, number[]>();
    const latencies: number[] = [];
    const record = (i: number, r: { status: number; ms: number }) => {
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      latencies.push(r.ms);
      perId.set(i, [...(perId.get(i) ?? []), r.status]);
    };
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: erpConcurrency }, async () => {
        for (let i = next++; i < n; i = next++) {
          if (i % 20 === 0) {
            const both = await Promise.all([push(i), push(i)]);
            for (const r of both) record(i, r);
          } else {
            record(i, await push(i));
            if (i % 20 === 10) record(i, await push(i));
          }
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const retried = [...perId.values()].filter((s) => s.length > 1).length;
    const badIds = [...perId.entries()].filter(([, s]) => s.filter((x) => x === 201).length !== 1 || s.some((x) => x !== 201 && x !== 200));
    const w = await countWrites(pgb.db, PLANT, 'erp:');
    const check = await checkStoredSchedule(pgb.db, PLANT);
    const duplicates = w.orders - w.distinctExternalIds;
    must(duplicates === 0, `ERP push: ${duplicates} duplicated orders`);
    must(w.orders === n + 1, `ERP push: ${w.orders} rows for ${n + 1} external ids (${w.orders > n + 1 ? 'duplicated' : 'lost'} orders)`);
    must(
      badIds.length === 0,
      `ERP push: ${badIds.length} external ids without exactly one 201 (e.g. ${JSON.stringify(badIds.slice(0, 3))})`,
    );
    must(check.feasible, `ERP push: the stored schedule is INFEASIBLE`);
    const sorted = Float64Array.from(latencies).sort();
    const result: ErpResult = {
      orders: n,
      retried,
      requests: latencies.length,
      concurrency: erpConcurrency,
      seconds,
      ordersPerSecond: n / seconds,
      requestsPerSecond: latencies.length / seconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      statuses,
      rows: w.orders - 1,
      duplicates,
      feasible: check.feasible,
    };
    ctx.log(
      `  ERP: ${n} orders (+${retried} retried) in ${seconds.toFixed(1)} s = ${result.ordersPerSecond.toFixed(0)} orders/s, ` +
        `p50 ${result.p50.toFixed(1)} ms, statuses ${JSON.stringify(statuses)}; 0 duplicates, schedule feasible`,
    );
    return result;
  } finally {
    await service.stop();
  }
}
