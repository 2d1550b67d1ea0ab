import { sql, type Kysely } from 'kysely';

// Migration 0027's tie on two more tables. For a plant the statistics do not know, a lookup by
// key (`plant_id = X AND id = Y`: a capacity request's foreign-key check from
// ranged_capacity_changes, finding or updating a request or a scenario by id) costs the same
// through every plant-led index, and the planner took capacity_requests_owner or
// scenarios_plant_status and read the plant's rows
// (test/integration/plan-robustness-requests.test.ts). As in 0027, they become partial on
// their second column `IS NOT NULL`: their readers compare it strictly (`status = $1`,
// `owner_principal = $1`), which proves it, a key lookup cannot, so the primary key is the only
// index left for it. The columns are NOT NULL, so the indexes hold the same rows.
const INDEXES = [
  ['capacity_requests_status', 'capacity_requests (plant_id, status, filed_at)', 'status'],
  ['capacity_requests_owner', 'capacity_requests (plant_id, owner_principal, filed_at)', 'owner_principal'],
  ['scenarios_plant_status', 'scenarios (plant_id, status, created_at)', 'status'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, on, column] of INDEXES) {
    await sql`DROP INDEX ${sql.id(name)}`.execute(db);
    await sql`CREATE INDEX ${sql.id(name)} ON ${sql.raw(on)} WHERE ${sql.id(column)} IS NOT NULL`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name, on] of INDEXES) {
    await sql`DROP INDEX ${sql.id(name)}`.execute(db);
    await sql`CREATE INDEX ${sql.id(name)} ON ${sql.raw(on)}`.execute(db);
  }
}
