import { sql, type Kysely } from 'kysely';

// A plant the statistics do not know (new on a busy database, or grown since the last ANALYZE;
// autovacuum re-analyses only after 10 % of the whole table changed) is estimated at one row.
// Every index led by plant_id then costs the same for `plant_id = X`, the planner keeps the
// first it considers (the most recently created), and the write path's checks scanned the
// plant's rows: the foreign key of every operation row (`orders` by (plant_id, id), plans
// cached per connection) through orders_owner_principal, orders_changed or orders_status; the
// gate's last-event check of every order row (`schedule_events` by (plant_id, seq)) through
// schedule_events_type_at; catch-up reads through orders_owner_principal. Turning btree
// deduplication off does not help: the costs tie whenever the trees have the same height.
//
// So these indexes become partial on a condition every reader of theirs implies and a lookup
// by key does not: `col IS NOT NULL` on their second column. Any strict comparison of that
// column (`status = $1`, `status IN (…)`, `changed_version > $1`, `type IN (…)`) proves it, so
// their readers keep their plans; `plant_id = $1 AND id = $2` cannot, so the primary key is the
// only index left for it. The columns are NOT NULL except owner_principal (an unowned order is
// never read by owner), so the indexes still hold the same rows. A new plant_id-led index on
// orders or schedule_events must follow suit (test/integration/plan-robustness.test.ts).
const INDEXES = [
  ['orders_status', 'orders (plant_id, status)', 'status'],
  ['orders_changed', 'orders (plant_id, changed_version)', 'changed_version'],
  ['orders_owner_principal', 'orders (plant_id, owner_principal, status)', 'owner_principal'],
  ['schedule_events_type_at', 'schedule_events (plant_id, type, at)', 'type'],
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
