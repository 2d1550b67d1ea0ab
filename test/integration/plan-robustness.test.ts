import { sql, type CompiledQuery, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrders, setupPlant } from '../../bench/seed.ts';
import type { Database } from '../../src/db/database.ts';
import { operationsOfChangedOrdersQuery } from '../../src/db/repos/order-operations.ts';
import { changedDrumRowsQuery, COMMITTED } from '../../src/db/repos/orders.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { explainAnalyze, inPlanMode, rowsTouched, statementNames, type PlanNode } from '../helpers/query-plans.ts';

// The statistics of a busy database know its older plants, not one that is new or grew since
// the last ANALYZE: `plant_id = X` is estimated at one row, and every index led by plant_id
// cost the same as the primary key. The write path's per-row checks (the operations' foreign
// key to orders, the gate's last-event check) and the catch-up reads then scanned the plant
// (migration 0027). Counted in rows the scans touch (EXPLAIN ANALYZE), not in time; with the
// plan the checks keep for a session either way: generic and custom.

function indexesOn(node: PlanNode, table: string): string[] {
  const own = node['Relation Name'] === table && node['Index Name'] ? [node['Index Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap((p) => indexesOn(p, table))];
}

/** EXPLAIN of a compiled query, its parameters written in as literals (plain values only). */
async function explainCompiled(tx: Transaction<Database>, query: CompiledQuery): Promise<PlanNode> {
  const text = query.sql.replace(/\$(\d+)/g, (_, n: string) => `'${String(query.parameters[Number(n) - 1]).replace(/'/g, "''")}'`);
  return explain(tx, text);
}

const explain = (tx: Transaction<Database>, text: string) => explainAnalyze(tx, text);

describe.each(databaseKinds())('plans on %s for a plant the statistics do not know', (kind) => {
  let db: TestDb;
  const plant = 'unknown-to-statistics';
  const older = 'known-to-statistics';
  beforeAll(async () => {
    db = await openTestDb({ kind });
    await setupPlant(db.db, older);
    await seedOrders(db.db, older, 2_000, 2_000);
    await withoutTriggers(async (tx) => {
      await addOperations(tx, older);
      await addEvents(tx, older, 2_000);
    });
    for (const table of ['orders', 'order_operations', 'schedule_events']) await sql`ANALYZE ${sql.id(table)}`.execute(db.db);
    await setupPlant(db.db, plant);
    await seedOrders(db.db, plant, 6_000, 2_000);
    await seedOrders(db.db, plant, 2);
    await withoutTriggers(async (tx) => {
      await addOperations(tx, plant);
      await addEvents(tx, plant, 6_000);
      await sql`UPDATE orders SET owner_principal = 'owner-1' WHERE plant_id = ${plant} AND id IN (
        SELECT id FROM orders WHERE plant_id = ${plant} ORDER BY id LIMIT 3)`.execute(tx);
    });
  });
  afterAll(async () => db.close());

  // Rows written around the gate (replication role: no triggers), so the plant has an
  // operation per order and events by the thousand, as one in service has.
  async function withoutTriggers(fn: (tx: Transaction<Database>) => Promise<void>) {
    await db.db.transaction().execute(async (tx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(tx);
      await fn(tx);
    });
  }
  async function addOperations(tx: Transaction<Database>, plantId: string) {
    await sql`INSERT INTO order_operations (plant_id, order_id, position, resource_id, minutes)
      SELECT plant_id, id, 0, 'drum', drum_load_minutes FROM orders WHERE plant_id = ${plantId}`.execute(tx);
  }
  async function addEvents(tx: Transaction<Database>, plantId: string, n: number) {
    await sql`INSERT INTO schedule_events (plant_id, seq, schedule_version, type, actor, at)
      SELECT ${plantId}, 1000000 + g, 1000000 + g, 'order.confirmed', 'test', now() FROM generate_series(1, ${n}::int) g`.execute(tx);
  }

  const inMode = <T>(mode: 'force_generic_plan' | 'force_custom_plan', fn: (tx: Transaction<Database>) => Promise<T>) =>
    inPlanMode(db.db, mode, fn);
  const statementName = statementNames();

  async function someOrder() {
    const row = await db.db.selectFrom('orders').select('id').where('plant_id', '=', plant).orderBy('id', 'desc').executeTakeFirstOrThrow();
    return row.id;
  }

  it.each(['force_generic_plan', 'force_custom_plan'] as const)(
    "an operation row's foreign-key check reads its order by key (%s)",
    async (mode) => {
      const id = await someOrder();
      const plan = await inMode(mode, async (tx) => {
        // The text of PostgreSQL's referential-integrity check (ri_triggers.c), as it prepares it.
        const name = statementName('ri_check');
        await sql`PREPARE ${sql.raw(name)}(text, uuid) AS SELECT 1 FROM ONLY orders x WHERE plant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2 FOR KEY SHARE OF x`.execute(
          tx,
        );
        return explain(tx, `EXECUTE ${name}('${plant}', '${id}')`);
      });
      expect(indexesOn(plan, 'orders')).toEqual(['orders_pkey']);
      expect(rowsTouched(plan, 'orders')).toBe(1);
    },
  );

  it.each(['force_generic_plan', 'force_custom_plan'] as const)("the gate's last-event check reads one event (%s)", async (mode) => {
    const plan = await inMode(mode, async (tx) => {
      const name = statementName('last_event');
      await sql`PREPARE ${sql.raw(name)}(text, bigint, bigint) AS SELECT 1 FROM schedule_events e
        WHERE e.plant_id = $1 AND e.seq = $2 AND e.schedule_version = $3`.execute(tx);
      return explain(tx, `EXECUTE ${name}('${plant}', 1003000, 1003000)`);
    });
    expect(indexesOn(plan, 'schedule_events')).toEqual(['schedule_events_pkey']);
    expect(rowsTouched(plan, 'schedule_events')).toBe(1);
  });

  it('catch-up reads read only what changed', async () => {
    const { schedule_version: version } = await db.db
      .selectFrom('plants')
      .select('schedule_version')
      .where('id', '=', plant)
      .executeTakeFirstOrThrow();
    const since = Number(version) - 1;
    const plans = await inMode('force_custom_plan', async (tx) => {
      const run = (q: CompiledQuery) => explain(tx, q.sql);
      return [await run(changedDrumRowsQuery(tx, plant, since)), await run(operationsOfChangedOrdersQuery(tx, plant, since))];
    });
    for (const plan of plans) expect(rowsTouched(plan, 'orders')).toBeLessThanOrEqual(2);
    expect(rowsTouched(plans[1]!, 'order_operations')).toBeLessThanOrEqual(2);
  });

  it("a cold build's page of committed orders reads about a page", async () => {
    // The query of committedDrumRowsPage (db/repos/orders.ts), compiled rather than run.
    const page = db.db
      .selectFrom('orders')
      .select(['id', 'drum_key'])
      .where('plant_id', '=', plant)
      .where('status', 'in', COMMITTED)
      .where('id', '>', '00000000-0000-0000-0000-000000000000')
      .orderBy('id')
      .limit(500)
      .compile();
    const plan = await inMode('force_custom_plan', (tx) => explainCompiled(tx, page));
    expect(rowsTouched(plan, 'orders')).toBeLessThanOrEqual(500);
  });

  // The indexes 0027 made partial still serve the readers they exist for.
  it.each([
    ['orders', `SELECT id FROM orders WHERE plant_id = '${plant}' AND owner_principal = 'owner-1' AND status = 'confirmed'`, 3],
    [
      'schedule_events',
      `SELECT seq FROM schedule_events WHERE plant_id = '${older}' AND type IN ('order.repromised', 'order.updated') AND at >= now() - interval '1 day'`,
      0,
    ],
  ])('a reader by the second column reads only its rows: %s', async (table, text, rows) => {
    const plan = await inMode('force_custom_plan', (tx) => explain(tx, text));
    expect(rowsTouched(plan, table)).toBe(rows);
  });
});
