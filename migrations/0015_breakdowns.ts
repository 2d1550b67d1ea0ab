import { sql, type Kysely } from 'kysely';

// A breakdown is a recorded fact (issue 13): a resource down from `started_at` until it is
// closed (`ended_at`) or, while open, until `expected_end_at`. Its lost time reaches every
// calendar consumer as downtime capacity changes (one per local day) that name it, so the
// engine, the load report and a calendar edit see the same capacity.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE breakdowns (
      plant_id        text NOT NULL REFERENCES plants (id),
      id              uuid NOT NULL,
      resource_id     text NOT NULL,
      started_at      timestamptz NOT NULL,
      expected_end_at timestamptz NOT NULL,
      ended_at        timestamptz,
      reason          text NOT NULL,
      created_by      text NOT NULL,
      created_at      timestamptz NOT NULL,
      updated_at      timestamptz NOT NULL,
      schedule_version bigint NOT NULL,
      PRIMARY KEY (plant_id, id),
      FOREIGN KEY (plant_id, resource_id) REFERENCES resources (plant_id, id),
      CHECK (started_at < expected_end_at),
      CHECK (ended_at IS NULL OR started_at < ended_at)
    )`.execute(db);
  await sql`CREATE INDEX breakdowns_started ON breakdowns (plant_id, started_at)`.execute(db);
  await sql`ALTER TABLE capacity_changes ADD COLUMN breakdown_id uuid`.execute(db);
  await sql`
    ALTER TABLE capacity_changes ADD FOREIGN KEY (plant_id, breakdown_id) REFERENCES breakdowns (plant_id, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE capacity_changes DROP COLUMN breakdown_id`.execute(db);
  await sql`DROP TABLE breakdowns`.execute(db);
}
