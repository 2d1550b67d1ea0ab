import { sql, type Kysely } from 'kysely';

// Capacity requests (issue 15 item 4): a salesperson whose date was refused asks the planner
// for the capacity that would buy it. The request keeps the proposals as the server computed
// them when it was filed (never as a client sent them), and the planner's decision. Capacity a
// planner adds by accepting one is linked to the request and, for a held order, to that order,
// so cancelling the order can offer to take the capacity back.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE capacity_requests (
      plant_id        text NOT NULL REFERENCES plants (id),
      id              uuid NOT NULL,
      status          text NOT NULL CHECK (status IN ('open', 'accepted', 'declined', 'withdrawn')),
      sku             text NOT NULL,
      quantity        integer NOT NULL CHECK (quantity > 0),
      requested_date  date NOT NULL,
      -- the quote it came from, as the salesperson said (quotes are recorded off the request path: not checked)
      quote_id        uuid,
      -- the held order it would move to requested_date
      order_id        uuid,
      note            text,
      -- what the schedule answered when it was filed: the earliest date, the price, the priced proposals (costs included)
      earliest_promise_date date NOT NULL,
      capacity_needed jsonb,
      proposals       jsonb NOT NULL,
      owner_principal text NOT NULL,
      filed_by        text NOT NULL,
      filed_at        timestamptz NOT NULL,
      schedule_version bigint NOT NULL,
      decided_by      text,
      decided_at      timestamptz,
      decision_reason text,
      -- on acceptance: the blocks applied, the capacity changes they became and what happened to the order
      accepted_blocks jsonb,
      change_ids      jsonb,
      outcome         jsonb,
      PRIMARY KEY (plant_id, id),
      FOREIGN KEY (plant_id, order_id) REFERENCES orders (plant_id, id)
    )`.execute(db);
  await sql`CREATE INDEX capacity_requests_status ON capacity_requests (plant_id, status, filed_at)`.execute(db);
  await sql`CREATE INDEX capacity_requests_owner ON capacity_requests (plant_id, owner_principal, filed_at)`.execute(db);
  await sql`CREATE INDEX capacity_requests_order ON capacity_requests (plant_id, order_id) WHERE order_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX capacity_requests_quote ON capacity_requests (plant_id, quote_id) WHERE quote_id IS NOT NULL`.execute(db);
  await sql`ALTER TABLE ranged_capacity_changes ADD COLUMN capacity_request_id uuid`.execute(db);
  await sql`ALTER TABLE ranged_capacity_changes ADD COLUMN for_order_id uuid`.execute(db);
  await sql`
    ALTER TABLE ranged_capacity_changes ADD FOREIGN KEY (plant_id, capacity_request_id) REFERENCES capacity_requests (plant_id, id)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE ranged_capacity_changes DROP COLUMN for_order_id`.execute(db);
  await sql`ALTER TABLE ranged_capacity_changes DROP COLUMN capacity_request_id`.execute(db);
  await sql`DROP TABLE capacity_requests`.execute(db);
}
