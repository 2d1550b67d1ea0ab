import { sql, type Kysely } from 'kysely';

// Late material is a fact (DOMAIN.md "Facts and time"): an ERP push that moves an order's
// material date later is recorded, and the order it makes late is at risk with the late
// material as its reason. The reason's CHECK (migration 0013, named by PostgreSQL) gains it.
const REASONS_BEFORE = sql`('release-overdue', 'resource', 'progress-behind', 'breakdown', 'initial-load')`;
const REASONS = sql`('release-overdue', 'resource', 'progress-behind', 'breakdown', 'initial-load', 'material-late')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE orders
      DROP CONSTRAINT orders_at_risk_reason_check,
      ADD CONSTRAINT orders_at_risk_reason_check CHECK (at_risk_reason IN ${REASONS})`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // An order flagged for late material keeps its flag under the older rule as one a resource made late.
  await sql`UPDATE orders SET at_risk_reason = 'resource' WHERE at_risk_reason = 'material-late'`.execute(db);
  await sql`
    ALTER TABLE orders
      DROP CONSTRAINT orders_at_risk_reason_check,
      ADD CONSTRAINT orders_at_risk_reason_check CHECK (at_risk_reason IN ${REASONS_BEFORE})`.execute(db);
}
