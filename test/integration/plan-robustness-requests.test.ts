import { sql, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlant } from '../../src/domain/plants.ts';
import type { Database } from '../../src/db/database.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { explainAnalyze, inPlanMode, rowsTouched, statementNames, type PlanNode } from '../helpers/query-plans.ts';

// Migration 0027's tie, on the other plant-led tables whose second index column has a few
// values: capacity_requests (status, owner_principal) and scenarios (status). For a plant the
// statistics do not know, `plant_id = X` is estimated at one row and every plant-led index
// costs the same as the primary key; a lookup by key (a request's foreign-key check from
// ranged_capacity_changes, find/update by id) must still read one row, by the primary key
// (migration 0030 made those indexes partial). Counted in rows the scans touch (EXPLAIN ANALYZE), not in time; generic and custom plans.

function indexesOn(node: PlanNode, table: string): string[] {
  const own = node['Relation Name'] === table && node['Index Name'] ? [node['Index Name']] : [];
  return [...own, ...(node.Plans ?? []).flatMap((p) => indexesOn(p, table))];
}

describe.each(databaseKinds())('key lookups of capacity requests and scenarios on %s for a plant the statistics do not know', (kind) => {
  let db: TestDb;
  const plant = 'requests-unknown';
  const older = 'requests-known';
  const owners = 4;

  async function addRequests(tx: Transaction<Database>, plantId: string, n: number) {
    await sql`INSERT INTO capacity_requests (plant_id, id, status, sku, quantity, requested_date, earliest_promise_date,
        proposals, owner_principal, filed_by, filed_at, schedule_version)
      SELECT ${plantId}, gen_random_uuid(), (ARRAY['open', 'accepted', 'declined', 'withdrawn'])[1 + g % 4], 'P', 1,
        date '2026-12-01', date '2026-12-10', '[]'::jsonb, 'owner-' || (g % ${owners}), 'sam',
        timestamptz '2026-11-01' + g * interval '1 minute', 1
      FROM generate_series(1, ${n}::int) g`.execute(tx);
  }
  async function addScenarios(tx: Transaction<Database>, plantId: string, n: number) {
    await sql`INSERT INTO scenarios (plant_id, id, name, operations, revision, status, created_by, created_at, updated_at, expires_at)
      SELECT ${plantId}, gen_random_uuid(), 's' || g, '[]'::jsonb, 1, (ARRAY['open', 'expired'])[1 + g % 2], 'pat',
        timestamptz '2026-11-01' + g * interval '1 minute', now(), now() + interval '1 day'
      FROM generate_series(1, ${n}::int) g`.execute(tx);
  }
  async function seed(plantId: string, n: number) {
    await createPlant(db.db, { id: plantId, name: plantId, timeZone: 'UTC' });
    await db.db.transaction().execute(async (tx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(tx);
      await addRequests(tx, plantId, n);
      await addScenarios(tx, plantId, n);
    });
  }

  beforeAll(async () => {
    db = await openTestDb({ kind });
    await seed(older, 2_000);
    for (const table of ['capacity_requests', 'scenarios']) await sql`ANALYZE ${sql.id(table)}`.execute(db.db);
    await seed(plant, 6_000);
  });
  afterAll(async () => db.close());

  const inMode = <T>(mode: 'force_generic_plan' | 'force_custom_plan', fn: (tx: Transaction<Database>) => Promise<T>) =>
    inPlanMode(db.db, mode, fn);
  const statementName = statementNames();

  async function someId(table: 'capacity_requests' | 'scenarios') {
    return (await db.db.selectFrom(table).select('id').where('plant_id', '=', plant).orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
  }

  const lookups = [
    // PostgreSQL's referential-integrity check (ri_triggers.c) of ranged_capacity_changes.capacity_request_id.
    [
      'capacity_requests',
      'SELECT 1 FROM ONLY capacity_requests x WHERE plant_id OPERATOR(pg_catalog.=) $1 AND id OPERATOR(pg_catalog.=) $2 FOR KEY SHARE OF x',
    ],
    // findCapacityRequest, updateCapacityRequest's row.
    ['capacity_requests', 'SELECT * FROM capacity_requests WHERE plant_id = $1 AND id = $2'],
    // findScenario, its FOR UPDATE, update and delete by id.
    ['scenarios', 'SELECT * FROM scenarios WHERE plant_id = $1 AND id = $2 FOR UPDATE'],
  ] as const;

  for (const mode of ['force_generic_plan', 'force_custom_plan'] as const) {
    it.each(lookups)(`%s: a lookup by key reads one row by the primary key (${mode}): %s`, async (table, text) => {
      const id = await someId(table);
      const plan = await inMode(mode, async (tx) => {
        const name = statementName('key');
        await sql.raw(`PREPARE ${name}(text, uuid) AS ${text}`).execute(tx);
        return explainAnalyze(tx, `EXECUTE ${name}('${plant}', '${id}')`);
      });
      expect(indexesOn(plan, table)).toEqual([`${table}_pkey`]);
      expect(rowsTouched(plan, table)).toBe(1);
    });
  }

  // The indexes still serve the readers they exist for (the inbox, the cap on filing, the scenario list).
  it.each([
    [
      'capacity_requests',
      `SELECT id FROM capacity_requests WHERE plant_id = '${plant}' AND status = 'open' AND owner_principal = 'owner-1'`,
      1_500,
    ],
    [
      'capacity_requests',
      `SELECT id FROM capacity_requests WHERE plant_id = '${plant}' AND owner_principal = 'owner-2' ORDER BY filed_at DESC LIMIT 50`,
      50,
    ],
    [
      'capacity_requests',
      `SELECT id FROM capacity_requests WHERE plant_id = '${plant}' AND status = 'accepted' ORDER BY filed_at DESC LIMIT 50`,
      50,
    ],
    ['scenarios', `SELECT count(*) FROM scenarios WHERE plant_id = '${plant}' AND status = 'open'`, 3_000],
  ])('%s: a reader by the second column reads only its rows: %s', async (table, text, rows) => {
    const plan = await inMode('force_custom_plan', (tx) => explainAnalyze(tx, text));
    expect(rowsTouched(plan, table)).toBeLessThanOrEqual(rows);
  });
});
