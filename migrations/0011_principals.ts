import { sql, type Kysely } from 'kysely';

// Ownership moves from the API key to the person (or system) behind it, so rotating a key keeps
// access and a planner can hand orders over. Every existing key becomes its own principal (its
// id: stable and unique), and every order and Idempotency-Key record follows its key's
// principal, so nothing loses access. Owner and customer number change only in a reschedule, like
// created_by_key before them (a trigger of their own, so the main gate's column list stays 0009's).
// The hold policy gains a maximum TTL (refused above it, never clamped) and an optional cap on
// the drum minutes one principal may hold at once in a plant.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE api_keys ADD COLUMN principal text`.execute(db);
  await sql`UPDATE api_keys SET principal = id WHERE principal IS NULL`.execute(db);
  await sql`ALTER TABLE api_keys ALTER COLUMN principal SET NOT NULL`.execute(db);
  await sql`CREATE INDEX api_keys_principal ON api_keys (principal)`.execute(db);

  await sql`ALTER TABLE orders ADD COLUMN owner_principal text, ADD COLUMN customer_id text`.execute(db);
  await sql`
    UPDATE orders o SET owner_principal = COALESCE((SELECT k.principal FROM api_keys k WHERE k.id = o.created_by_key), o.created_by_key)
     WHERE o.created_by_key IS NOT NULL`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER orders_owner_gate
      AFTER UPDATE OF owner_principal, customer_id ON orders
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION drumbeat_check_reschedule()`.execute(db);
  await sql`CREATE INDEX orders_owner_principal ON orders (plant_id, owner_principal, status)`.execute(db);
  await sql`CREATE INDEX orders_customer_id ON orders (plant_id, customer_id) WHERE customer_id IS NOT NULL`.execute(db);

  await sql`ALTER TABLE idempotency_keys ADD COLUMN principal text`.execute(db);
  await sql`
    UPDATE idempotency_keys i SET principal = COALESCE(
      (SELECT k.principal FROM api_keys k WHERE k.id = i.api_key_id), i.api_key_id)`.execute(db);
  await sql`ALTER TABLE idempotency_keys ALTER COLUMN principal SET NOT NULL`.execute(db);
  await sql`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey`.execute(db);
  await sql`ALTER TABLE idempotency_keys ADD PRIMARY KEY (principal, key)`.execute(db);

  await sql`
    ALTER TABLE buffer_policies
      ADD COLUMN hold_max_ttl_seconds integer NOT NULL DEFAULT 86400 CHECK (hold_max_ttl_seconds > 0),
      ADD COLUMN hold_cap_drum_minutes integer CHECK (hold_cap_drum_minutes > 0)`.execute(db);
  await sql`UPDATE buffer_policies SET hold_max_ttl_seconds = GREATEST(hold_max_ttl_seconds, hold_ttl_seconds)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE buffer_policies DROP COLUMN hold_cap_drum_minutes, DROP COLUMN hold_max_ttl_seconds`.execute(db);
  await sql`DELETE FROM idempotency_keys a USING idempotency_keys b
             WHERE a.api_key_id = b.api_key_id AND a.key = b.key AND a.ctid > b.ctid`.execute(db);
  await sql`ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey`.execute(db);
  await sql`ALTER TABLE idempotency_keys ADD PRIMARY KEY (api_key_id, key)`.execute(db);
  await sql`ALTER TABLE idempotency_keys DROP COLUMN principal`.execute(db);
  await sql`DROP TRIGGER orders_owner_gate ON orders`.execute(db);
  await sql`DROP INDEX orders_customer_id`.execute(db);
  await sql`DROP INDEX orders_owner_principal`.execute(db);
  await sql`ALTER TABLE orders DROP COLUMN customer_id, DROP COLUMN owner_principal`.execute(db);
  await sql`DROP INDEX api_keys_principal`.execute(db);
  await sql`ALTER TABLE api_keys DROP COLUMN principal`.execute(db);
}
