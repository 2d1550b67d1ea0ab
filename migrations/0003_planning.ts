import { sql, type Kysely } from 'kysely';

// Planner operations. Like 0001/0002: plain SQL, plant_id leading every key so the
// tables distribute by plant unchanged.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A capacity change is a dated calendar exception on one resource, kept apart from the
  // resource's base calendar so it can be listed, attributed and revoked on its own.
  await sql`
    CREATE TABLE capacity_changes (
      plant_id     text NOT NULL REFERENCES plants (id),
      id           uuid NOT NULL,
      resource_id  text NOT NULL,
      kind         text NOT NULL CHECK (kind IN ('overtime', 'extra_shift', 'downtime', 'holiday')),
      date         date NOT NULL,
      start_time   text,
      end_time     text,
      reason       text NOT NULL,
      created_by   text NOT NULL,
      created_at   timestamptz NOT NULL,
      schedule_version bigint NOT NULL,
      revoked_at   timestamptz,
      revoked_by   text,
      revoke_reason text,
      PRIMARY KEY (plant_id, id),
      FOREIGN KEY (plant_id, resource_id) REFERENCES resources (plant_id, id)
    )`.execute(db);
  await sql`CREATE INDEX capacity_changes_active ON capacity_changes (plant_id, resource_id, date) WHERE revoked_at IS NULL`.execute(db);

  // Every production-buffer change applied from a DBM suggestion: DBM waits one
  // replenishment time (the cooling period) after the last change before suggesting again.
  await sql`
    CREATE TABLE buffer_changes (
      plant_id     text NOT NULL REFERENCES plants (id),
      id           uuid NOT NULL,
      -- NULL: the plant policy; else the product whose override changed
      sku          text,
      from_days    integer NOT NULL,
      to_days      integer NOT NULL,
      reason       text NOT NULL,
      actor        text NOT NULL,
      at           timestamptz NOT NULL,
      PRIMARY KEY (plant_id, id)
    )`.execute(db);
  await sql`CREATE INDEX buffer_changes_at ON buffer_changes (plant_id, sku, at)`.execute(db);
  // Completed and shipped orders by time: the KPI and DBM windows.
  await sql`CREATE INDEX orders_completed_at ON orders (plant_id, completed_at) WHERE completed_at IS NOT NULL`.execute(db);
  await sql`CREATE INDEX orders_shipped_at ON orders (plant_id, shipped_at) WHERE shipped_at IS NOT NULL`.execute(db);
  await sql`CREATE INDEX schedule_events_type_at ON schedule_events (plant_id, type, at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX schedule_events_type_at, orders_shipped_at, orders_completed_at`.execute(db);
  await sql`DROP TABLE buffer_changes, capacity_changes`.execute(db);
}
