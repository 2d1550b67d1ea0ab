import { sql, type CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrders, setupPlant } from '../../bench/seed.ts';
import { operationsOfChangedOrdersQuery } from '../../src/db/repos/order-operations.ts';
import { changedDrumRowsQuery } from '../../src/db/repos/orders.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { explainAnalyze, rowsTouched } from '../helpers/query-plans.ts';

// A process that finds another's commit reads the orders changed since its version, and their
// operations, with its plant lock (db/repos/plant-versions.ts): on one plant written by two
// processes, that is nearly every batch. Those reads must cost what changed, not what the plant
// holds. Counted in rows the scans of orders touch (EXPLAIN ANALYZE), not in milliseconds, on a
// table as young as a busy plant's (no statistics yet: the planner judges by defaults).

// Two ways a table is young for one plant: never analysed (a fresh database), or analysed
// while the plant held nothing (a new plant on a busy database, or any plant growing faster
// than autovacuum analyses: the bench's case). In the second, the statistics say the plant has
// no rows, every index led by plant_id costs the same, and the planner took one that reads
// every order (orders_owner_principal) and every operation of the plant, per catch-up.
describe.each(databaseKinds().flatMap((kind) => [[kind, 'never analysed'] as const, [kind, 'analysed before the plant grew'] as const]))(
  'catch-up reads on %s, tables %s',
  (kind, stats) => {
    let db: TestDb;
    const plant = 'catch-up';
    beforeAll(async () => {
      db = await openTestDb({ kind });
      if (stats === 'analysed before the plant grew') {
        await setupPlant(db.db, 'older-plant');
        await seedOrders(db.db, 'older-plant', 2_000, 2_000);
        await addDrumOperations('older-plant');
        await sql`ANALYZE orders`.execute(db.db);
        await sql`ANALYZE order_operations`.execute(db.db);
      }
      await setupPlant(db.db, plant);
      await seedOrders(db.db, plant, 10_000, 2_000);
      await seedOrders(db.db, plant, 2);
      await addDrumOperations(plant);
    });

    // The seed writes drum-only orders without operation rows; one each, written around the
    // gate (a test's own connection, replication role: no triggers), so the scans of
    // order_operations have a plant's worth of rows to skip.
    async function addDrumOperations(plantId: string) {
      await db.db.connection().execute(async (c) => {
        await sql`SET session_replication_role = replica`.execute(c);
        await sql`INSERT INTO order_operations (plant_id, order_id, position, resource_id, minutes)
          SELECT plant_id, id, 0, 'drum', drum_load_minutes FROM orders WHERE plant_id = ${plantId}`.execute(c);
        await sql`SET session_replication_role = DEFAULT`.execute(c);
      });
    }
    afterAll(async () => db.close());

    async function touched(query: CompiledQuery, table: string) {
      return rowsTouched(await explainAnalyze(db.db, query.sql), table);
    }

    it('read only the orders the last batch changed and their operations, however many the plant holds', async () => {
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
      expect(await touched(changedDrumRowsQuery(db.db, plant, since), 'orders')).toBeLessThanOrEqual(2);
      const operations = operationsOfChangedOrdersQuery(db.db, plant, since);
      expect(await touched(operations, 'orders')).toBeLessThanOrEqual(2);
      expect(await touched(operations, 'order_operations')).toBeLessThanOrEqual(2);
      const rows = (await db.db.executeQuery(operations)).rows as { order_id: string }[];
      expect(rows.map((r) => r.order_id).sort()).toEqual(changed.map((c) => c.id).sort());
      expect(rows.map((r) => r.order_id)).toEqual([...rows.map((r) => r.order_id)].sort());
    });
  },
);
