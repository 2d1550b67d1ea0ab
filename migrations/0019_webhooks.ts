import { sql, type Kysely } from 'kysely';

// Signed webhooks (issue 16 item 3). Deliveries come from the event log itself: a subscription
// keeps a cursor (the last event sequence of its plant it is done with), so there is no second
// outbox table to keep in step with `schedule_events`. A process claims a due subscription with
// a lease (lease_token, lease_until: taken with FOR UPDATE SKIP LOCKED, renewed before each
// send) instead of holding a row lock across HTTP calls; every cursor move is fenced by the token.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE webhook_subscriptions (
      plant_id         text NOT NULL REFERENCES plants (id),
      id               uuid NOT NULL,
      url              text NOT NULL,
      event_types      jsonb NOT NULL,
      description      text,
      secret_sealed    text NOT NULL,
      status           text NOT NULL CHECK (status IN ('active', 'paused')),
      paused_reason    text CHECK (paused_reason IN ('failures', 'manual')),
      cursor_seq       bigint NOT NULL CHECK (cursor_seq >= 0),
      failures         integer NOT NULL DEFAULT 0,
      next_attempt_at  timestamptz NOT NULL,
      last_error       text,
      lease_token      uuid,
      lease_until      timestamptz,
      created_by       text NOT NULL,
      created_at       timestamptz NOT NULL,
      updated_at       timestamptz NOT NULL,
      PRIMARY KEY (plant_id, id),
      CHECK ((status = 'paused') = (paused_reason IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX webhook_subscriptions_due ON webhook_subscriptions (next_attempt_at) WHERE status = 'active'`.execute(db);
  // One row per attempt (the delivery log the API shows), not a queue: nothing reads it to decide what to send.
  await sql`
    CREATE TABLE webhook_deliveries (
      id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      plant_id         text NOT NULL,
      subscription_id  uuid NOT NULL,
      event_seq        bigint NOT NULL,
      event_type       text NOT NULL,
      attempt          integer NOT NULL,
      at               timestamptz NOT NULL,
      duration_ms      integer NOT NULL,
      status_code      integer,
      error            text,
      succeeded        boolean NOT NULL,
      FOREIGN KEY (plant_id, subscription_id) REFERENCES webhook_subscriptions (plant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (plant_id, subscription_id, id)`.execute(db);
  // Attempts older than the retention (WEBHOOK_DELIVERY_LOG_DAYS) are pruned by time.
  await sql`CREATE INDEX webhook_deliveries_at ON webhook_deliveries (at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE webhook_deliveries`.execute(db);
  await sql`DROP TABLE webhook_subscriptions`.execute(db);
}
