import { sql, type CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrders, setupPlant } from '../../bench/seed.ts';
import { operationsOfChangedOrdersQuery } from '../../src/db/repos/order-operations.ts';
import { changedDrumRowsQuery } from '../../src/db/repos/orders.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { databaseKinds } from '../helpers/planning.ts';

// A process that finds another's commit reads the orders changed since its version, and their
// operations, with its plant lock (db/repos/plant-versions.ts): on one plant written by two
// processes, that is nearly every batch. Those reads must cost what changed, not what the plant
// holds. Counted in rows the scans of orders touch (EXPLAIN ANALYZE), not in milliseconds, on a
// table as young as a busy plant's (no statistics yet: the planner judges by defaults).

interface PlanNode {
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Rows the query's scans of `orders` returned or threw away. */
function ordersRowsTouched(node: PlanNode): number {
  const own =
    node['Relation Name'] === 'orders'
      ? ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) *
        (node['Actual Loops'] ?? 1)
      : 0;
  return own + (node.Plans ?? []).reduce((n, p) => n + ordersRowsTouched(p), 0);
}

describe.each(databaseKinds())('catch-up reads on %s', (kind) => {
  let db: TestDb;
  const plant = 'catch-up';
  beforeAll(async () => {
    db = await openTestDb({ kind });
    await setupPlant(db.db, plant);
    await seedOrders(db.db, plant, 10_000, 2_000);
    await seedOrders(db.db, plant, 2);
  });
  afterAll(async () => db.close());

  async function touched(query: CompiledQuery) {
    const plan = await sql.raw<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${query.sql}`).execute(db.db);
    const raw = plan.rows[0]!['QUERY PLAN'];
    const [root] = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
    return ordersRowsTouched(root!.Plan);
  }

  it('read only the orders the last batch changed, however many the plant holds', async () => {
    const { schedule_version: version } = await db.db
      .selectFrom('plants')
      .select('schedule_version')
      .where('id', '=', plant)
      .executeTakeFirstOrThrow();
    const since = Number(version) - 1;
    const changed = await db.db
      .selectFrom('orders')
      .select('id')
      .where('plant_id', '=', plant)
      .where('changed_version', '>', since)
      .execute();
    expect(changed).toHaveLength(2);
    expect(await touched(changedDrumRowsQuery(db.db, plant, since))).toBeLessThanOrEqual(2);
    expect(await touched(operationsOfChangedOrdersQuery(db.db, plant, since))).toBeLessThanOrEqual(2);
  });
});
