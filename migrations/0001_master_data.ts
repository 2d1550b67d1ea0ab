import { sql, type Kysely } from 'kysely';

// DDL is written as plain SQL: composite keys, partial unique indexes and CHECKs read
// best as the SQL a DBA will see. Every plant-owned table leads its primary and foreign
// keys with plant_id so the schema can be distributed by plant (Citus) unchanged.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE plants (
      id               text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
      name             text NOT NULL,
      time_zone        text NOT NULL,
      schedule_version bigint NOT NULL DEFAULT 0,
      event_seq        bigint NOT NULL DEFAULT 0,
      order_seq        bigint NOT NULL DEFAULT 0,
      -- txid of the transaction that last bumped schedule_version: the order gate checks it
      version_txid     bigint,
      created_at       timestamptz NOT NULL DEFAULT now(),
      updated_at       timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE buffer_policies (
      plant_id                 text PRIMARY KEY REFERENCES plants (id),
      production_buffer_days   integer NOT NULL CHECK (production_buffer_days BETWEEN 1 AND 365),
      shipping_buffer_days     integer NOT NULL CHECK (shipping_buffer_days BETWEEN 0 AND 365),
      standard_lead_time_days  integer NOT NULL CHECK (standard_lead_time_days BETWEEN 0 AND 730),
      hold_ttl_seconds         integer NOT NULL CHECK (hold_ttl_seconds BETWEEN 10 AND 2592000),
      frozen_window_minutes    integer NOT NULL DEFAULT 0 CHECK (frozen_window_minutes >= 0),
      revision                 integer NOT NULL DEFAULT 1,
      updated_at               timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE resources (
      plant_id    text NOT NULL REFERENCES plants (id),
      id          text NOT NULL CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
      name        text NOT NULL,
      is_drum     boolean NOT NULL DEFAULT false,
      calendar    jsonb NOT NULL,
      revision    integer NOT NULL DEFAULT 1,
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (plant_id, id)
    )`.execute(db);
  // Exactly one drum per plant: S-DBR paces the plant by a single constraint.
  await sql`CREATE UNIQUE INDEX resources_one_drum ON resources (plant_id) WHERE is_drum`.execute(db);

  await sql`
    CREATE TABLE products (
      plant_id                text NOT NULL REFERENCES plants (id),
      sku                     text NOT NULL CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'),
      name                    text NOT NULL,
      production_buffer_days  integer CHECK (production_buffer_days BETWEEN 1 AND 365),
      shipping_buffer_days    integer CHECK (shipping_buffer_days BETWEEN 0 AND 365),
      created_at              timestamptz NOT NULL DEFAULT now(),
      updated_at              timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (plant_id, sku)
    )`.execute(db);

  await sql`
    CREATE TABLE product_operations (
      plant_id              text NOT NULL,
      sku                   text NOT NULL,
      position              integer NOT NULL CHECK (position >= 1),
      resource_id           text NOT NULL,
      setup_minutes         double precision NOT NULL CHECK (setup_minutes BETWEEN 0 AND 100000),
      run_minutes_per_unit  double precision NOT NULL CHECK (run_minutes_per_unit BETWEEN 0 AND 100000),
      PRIMARY KEY (plant_id, sku, position),
      FOREIGN KEY (plant_id, sku) REFERENCES products (plant_id, sku) ON DELETE CASCADE,
      FOREIGN KEY (plant_id, resource_id) REFERENCES resources (plant_id, id)
    )`.execute(db);

  await sql`
    CREATE TABLE api_keys (
      id          text PRIMARY KEY,
      name        text NOT NULL,
      role        text NOT NULL CHECK (role IN ('admin', 'planner', 'sales', 'erp')),
      -- NULL: every plant; otherwise the plants this key may touch
      plant_ids   text[],
      key_hash    text NOT NULL UNIQUE,
      created_at  timestamptz NOT NULL DEFAULT now(),
      revoked_at  timestamptz
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['api_keys', 'product_operations', 'products', 'resources', 'buffer_policies', 'plants']) {
    await sql`DROP TABLE ${sql.table(table)}`.execute(db);
  }
}
