import { sql, type Kysely } from 'kysely';

// A ranged capacity change (issue 15 item 3): one planner decision over a date range with a
// weekly pattern, or over an explicit list of blocks, previewed and applied as one change with
// one event. Its days reach every calendar consumer as ordinary capacity_changes rows (one per
// block) naming it, as a breakdown's downtime does, so the engine, the load report and a
// calendar edit see the same capacity. Ending it early revokes the rows from a date on.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE ranged_capacity_changes (
      plant_id     text NOT NULL REFERENCES plants (id),
      id           uuid NOT NULL,
      resource_id  text NOT NULL,
      kind         text NOT NULL CHECK (kind IN ('overtime', 'extra_shift', 'downtime', 'holiday')),
      from_date    date NOT NULL,
      to_date      date NOT NULL,
      -- {weekdays, except, start, end} for a weekly pattern; NULL for a list of blocks
      pattern      jsonb,
      -- [{date, start, end}] as requested for a list of blocks; NULL for a pattern
      blocks       jsonb,
      -- the requested days left out, each with why (see planning-rules/capacity-days.ts)
      skipped      jsonb NOT NULL,
      reason       text NOT NULL,
      created_by   text NOT NULL,
      created_at   timestamptz NOT NULL,
      schedule_version bigint NOT NULL,
      ended_from   date,
      ended_at     timestamptz,
      ended_by     text,
      end_reason   text,
      revoked_at   timestamptz,
      revoked_by   text,
      revoke_reason text,
      PRIMARY KEY (plant_id, id),
      FOREIGN KEY (plant_id, resource_id) REFERENCES resources (plant_id, id),
      CHECK (from_date <= to_date),
      CHECK ((pattern IS NULL) <> (blocks IS NULL))
    )`.execute(db);
  await sql`ALTER TABLE capacity_changes ADD COLUMN ranged_change_id uuid`.execute(db);
  await sql`
    ALTER TABLE capacity_changes ADD FOREIGN KEY (plant_id, ranged_change_id) REFERENCES ranged_capacity_changes (plant_id, id)`.execute(
    db,
  );
  await sql`
    CREATE INDEX capacity_changes_ranged ON capacity_changes (plant_id, ranged_change_id, date)
      WHERE ranged_change_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE capacity_changes DROP COLUMN ranged_change_id`.execute(db);
  await sql`DROP TABLE ranged_capacity_changes`.execute(db);
}
