import { sql, type Kysely } from 'kysely';

// Progress per operation (issue 13 item 2): the floor's cumulative report on each operation of
// an order's snapshot. `minutes` stays the operation's planned minutes; what remains is
// `minutes - done_minutes`, and the planned interval (`start_at`, `end_at`) is that remaining
// work from the last report on (null once completed: it no longer reserves capacity). Rows
// change only in a reschedule (the gate of 0009 covers every column).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE order_operations
      ADD COLUMN done_minutes integer NOT NULL DEFAULT 0,
      ADD COLUMN started_at   timestamptz,
      ADD COLUMN reported_at  timestamptz,
      ADD COLUMN completed_at timestamptz,
      ADD CONSTRAINT order_operations_done_within CHECK (done_minutes >= 0 AND done_minutes <= minutes),
      ADD CONSTRAINT order_operations_completed_done CHECK (completed_at IS NULL OR done_minutes = minutes)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE order_operations
      DROP CONSTRAINT order_operations_completed_done,
      DROP CONSTRAINT order_operations_done_within,
      DROP COLUMN completed_at,
      DROP COLUMN reported_at,
      DROP COLUMN started_at,
      DROP COLUMN done_minutes`.execute(db);
}
