import { sql } from 'kysely';
import type { Db } from './database.ts';

/**
 * Tables the service may delete from: expired idempotency records, a product's replaced
 * routing, old quote records, an order's replaced operations (gated: only in a reschedule), a
 * deleted webhook subscription, webhook delivery attempts past their retention, and a signed-out or expired web session.
 */
const DELETABLE = [
  'idempotency_keys',
  'product_operations',
  'quote_log',
  'order_operations',
  'webhook_subscriptions',
  'webhook_deliveries',
  'scenarios',
  'web_sessions',
];
const MIGRATION_TABLES = ['kysely_migration', 'kysely_migration_lock'];

/**
 * Functions the service calls (migrations 0024 and 0029: a batch's writes). Granted by name, not left to
 * PUBLIC's default EXECUTE: an owner who revokes that would otherwise stop every write. The
 * gate's trigger functions need no grant (EXECUTE is checked when a trigger is created).
 */
const CALLED_FUNCTIONS = [
  'drumbeat_insert_orders(text, json, json)',
  'drumbeat_insert_orders(text, drumbeat_order_row_v1[], drumbeat_operation_row_v1[])',
  'drumbeat_append_events(text, timestamptz, json, bigint, bigint, bigint, text)',
];

/**
 * The trust boundary on PostgreSQL: the service connects as a role that owns nothing, so it
 * cannot drop or disable the gate's triggers, truncate, or delete orders and events; only the
 * owner (who runs migrations) can. Run by the owner after each migration, since grants on
 * "all tables" cover only the tables that exist.
 */
export async function grantServiceRole(owner: Db, role: string): Promise<void> {
  const r = sql.id(role);
  await sql`GRANT USAGE ON SCHEMA public TO ${r}`.execute(owner);
  await sql`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${r}`.execute(owner);
  await sql`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO ${r}`.execute(owner);
  await sql`REVOKE INSERT, UPDATE ON ${sql.join(MIGRATION_TABLES.map((t) => sql.id(t)))} FROM ${r}`.execute(owner);
  await sql`GRANT DELETE ON ${sql.join(DELETABLE.map((t) => sql.id(t)))} TO ${r}`.execute(owner);
  await sql`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`.execute(owner);
  await sql`GRANT EXECUTE ON FUNCTION ${sql.raw(CALLED_FUNCTIONS.join(', '))} TO ${r}`.execute(owner);
}

export async function currentRole(db: Db): Promise<string> {
  const { rows } = await sql<{ role: string }>`SELECT current_user AS role`.execute(db);
  return rows[0]!.role;
}
