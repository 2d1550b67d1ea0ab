import { sql, type Kysely } from 'kysely';

// At-risk orders (issue 13 item 3): the flag is stored on the order and changed only by a
// schedule write under the plant lock, so `order.at-risk` / `order.on-track` are appended
// once whatever the number of processes. `at_risk_promise_date` is the promise the order was
// judged against: a re-promise is a new commitment, judged afresh (no hysteresis across it).
// The plant policy holds the tolerance (how far past the end of its promised day the
// projection may end before the order is at risk) and the recovery margin (how far back
// inside the promised day it must come before it is on track again: the hysteresis band).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE orders
      ADD COLUMN at_risk                  boolean NOT NULL DEFAULT false,
      ADD COLUMN at_risk_reason           text CHECK (at_risk_reason IN ('release-overdue', 'resource', 'progress-behind', 'breakdown', 'initial-load')),
      ADD COLUMN at_risk_resource         text,
      ADD COLUMN at_risk_projected_finish timestamptz,
      ADD COLUMN at_risk_promise_date     date,
      ADD COLUMN at_risk_since            timestamptz`.execute(db);
  // The planners' at-risk list reads only flagged orders.
  await sql`CREATE INDEX orders_at_risk ON orders (plant_id) WHERE at_risk`.execute(db);
  await sql`
    ALTER TABLE buffer_policies
      ADD COLUMN at_risk_tolerance_minutes integer NOT NULL DEFAULT 0 CHECK (at_risk_tolerance_minutes BETWEEN 0 AND 10080),
      ADD COLUMN at_risk_recovery_minutes  integer NOT NULL DEFAULT 240 CHECK (at_risk_recovery_minutes BETWEEN 0 AND 10080)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE buffer_policies DROP COLUMN at_risk_tolerance_minutes, DROP COLUMN at_risk_recovery_minutes`.execute(db);
  await sql`DROP INDEX orders_at_risk`.execute(db);
  await sql`
    ALTER TABLE orders
      DROP COLUMN at_risk, DROP COLUMN at_risk_reason, DROP COLUMN at_risk_resource,
      DROP COLUMN at_risk_projected_finish, DROP COLUMN at_risk_promise_date, DROP COLUMN at_risk_since`.execute(db);
}
