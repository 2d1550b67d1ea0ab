import { sql, type Kysely } from 'kysely';

// The plant's capacity policy (issue 15 item 1): which extra capacity a planner may add per
// resource, in which windows and blocks, and at what cost per hour in the plant's currency.
// One row per plant; a plant without a row uses the defaults stated in the README. The
// policies are JSON (validated by the API's zod schema before they are written): they are
// read whole, with the plant's configuration, and never queried by field.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE capacity_policies (
      plant_id   text PRIMARY KEY REFERENCES plants (id),
      currency   text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      defaults   jsonb NOT NULL,
      resources  jsonb NOT NULL,
      revision   integer NOT NULL CHECK (revision > 0),
      updated_by text NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE capacity_policies`.execute(db);
}
