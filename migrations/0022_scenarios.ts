import { sql, type Kysely } from 'kysely';

// What-if scenarios (issue 15 item 6): a planner's stored, ordered list of operations
// (capacity changes, revocations, re-promises, hypothetical orders), evaluated against the
// live plan on request and never part of it until promoted. The operations are JSON
// validated by the API's zod schema before they are written and read whole. `revision`
// moves on every change (the scenario's own If-Match); an open scenario past `expires_at`
// answers 410 and is pruned lazily.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE scenarios (
      plant_id         text NOT NULL REFERENCES plants (id),
      id               uuid NOT NULL,
      name             text NOT NULL,
      operations       jsonb NOT NULL,
      revision         integer NOT NULL CHECK (revision > 0),
      status           text NOT NULL CHECK (status IN ('open', 'promoted', 'expired')),
      created_by       text NOT NULL,
      created_at       timestamptz NOT NULL,
      updated_at       timestamptz NOT NULL,
      expires_at       timestamptz NOT NULL,
      promoted_at      timestamptz,
      promoted_by      text,
      promoted_version integer,
      PRIMARY KEY (plant_id, id),
      CHECK ((status = 'promoted') = (promoted_at IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX scenarios_plant_status ON scenarios (plant_id, status, created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE scenarios`.execute(db);
}
