import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // An order row carries only the commitment (load, deadline, sequence). Planned drum
  // start/finish and release dates are derived by the engine from the committed set; storing
  // them would turn every insertion into O(n) row writes.
  await sql`
    CREATE TABLE orders (
      plant_id                text NOT NULL,
      id                      uuid NOT NULL,
      status                  text NOT NULL CHECK (status IN
                                ('held','confirmed','released','in_progress','completed','shipped','cancelled','expired')),
      sku                     text NOT NULL,
      quantity                integer NOT NULL CHECK (quantity > 0),
      customer                text,
      external_id             text,
      requested_date          date,
      promise_date            date NOT NULL,
      drum_deadline           timestamptz NOT NULL,
      drum_load_minutes       integer NOT NULL CHECK (drum_load_minutes >= 0),
      drum_done_minutes       integer NOT NULL DEFAULT 0 CHECK (drum_done_minutes >= 0),
      production_buffer_days  integer NOT NULL,
      shipping_buffer_days    integer NOT NULL,
      seq                     bigint NOT NULL,
      pinned                  boolean NOT NULL DEFAULT false,
      hold_expires_at         timestamptz,
      released_at             timestamptz,
      completed_at            timestamptz,
      shipped_at              timestamptz,
      promise_kept            boolean,
      penetration_at_completion double precision,
      -- the schedule version that last changed this row: lets a process catch its cache up
      changed_version         bigint NOT NULL,
      created_by              text NOT NULL,
      created_at              timestamptz NOT NULL,
      updated_at              timestamptz NOT NULL,
      PRIMARY KEY (plant_id, id),
      FOREIGN KEY (plant_id, sku) REFERENCES products (plant_id, sku),
      CHECK (drum_done_minutes <= drum_load_minutes),
      CHECK ((status = 'held') = (hold_expires_at IS NOT NULL)),
      CHECK (drum_deadline <= (promise_date + 1)::timestamp AT TIME ZONE 'UTC' + interval '14 hours')
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX orders_external_id ON orders (plant_id, external_id) WHERE external_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX orders_status ON orders (plant_id, status)`.execute(db);
  await sql`CREATE INDEX orders_changed ON orders (plant_id, changed_version)`.execute(db);
  // Bumped with schedule_version whenever capacity or load rules change (drum calendar,
  // buffer policy, routings), telling caches to rebuild rather than catch up row by row.
  await sql`ALTER TABLE plants ADD COLUMN config_version bigint NOT NULL DEFAULT 0`.execute(db);
  await sql`CREATE INDEX orders_hold_expiry ON orders (plant_id, hold_expires_at) WHERE status = 'held'`.execute(db);

  // The audit log: a gap-free per-plant sequence assigned under the plant lock.
  await sql`
    CREATE TABLE schedule_events (
      plant_id          text NOT NULL REFERENCES plants (id),
      seq               bigint NOT NULL,
      schedule_version  bigint NOT NULL,
      type              text NOT NULL,
      actor             text NOT NULL,
      at                timestamptz NOT NULL,
      order_id          uuid,
      data              jsonb NOT NULL DEFAULT '{}',
      PRIMARY KEY (plant_id, seq)
    )`.execute(db);

  // Quotes are recorded for the promise KPIs; written in batches off the request path.
  await sql`
    CREATE TABLE quote_log (
      plant_id               text NOT NULL REFERENCES plants (id),
      id                     uuid NOT NULL,
      at                     timestamptz NOT NULL,
      actor                  text NOT NULL,
      sku                    text NOT NULL,
      quantity               integer NOT NULL,
      requested_date         date,
      earliest_promise_date  date NOT NULL,
      requested_feasible     boolean,
      drum_load_minutes      integer NOT NULL,
      schedule_version       bigint NOT NULL,
      PRIMARY KEY (plant_id, id)
    )`.execute(db);
  await sql`CREATE INDEX quote_log_at ON quote_log (plant_id, at)`.execute(db);

  await sql`
    CREATE TABLE idempotency_keys (
      api_key_id    text NOT NULL,
      key           text NOT NULL,
      method        text NOT NULL,
      path          text NOT NULL,
      request_hash  text NOT NULL,
      status_code   integer NOT NULL,
      response      jsonb NOT NULL,
      created_at    timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (api_key_id, key)
    )`.execute(db);
  await sql`CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)`.execute(db);

  // The database refuses a schedule bypass: any insert of an order, or change to its load,
  // deadline, promise or status, must happen in a transaction that also bumped the plant's
  // schedule_version (recording its txid) and appended the event for that version. Deferred
  // to commit so the service may write in any order inside its transaction.
  await sql`
    CREATE FUNCTION drumbeat_check_reschedule() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      p plants%ROWTYPE;
    BEGIN
      SELECT * INTO p FROM plants WHERE id = NEW.plant_id;
      IF p.version_txid IS DISTINCT FROM txid_current() THEN
        RAISE EXCEPTION 'order % of plant % changed outside a reschedule', NEW.id, NEW.plant_id
          USING ERRCODE = 'P0A01', HINT = 'Orders enter or change only through the Drumbeat API, which reschedules.';
      END IF;
      IF NOT EXISTS (SELECT 1 FROM schedule_events e
                     WHERE e.plant_id = NEW.plant_id AND e.schedule_version = p.schedule_version) THEN
        RAISE EXCEPTION 'schedule version % of plant % has no event', p.schedule_version, NEW.plant_id
          USING ERRCODE = 'P0A01';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER orders_reschedule_gate_insert
      AFTER INSERT ON orders DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION drumbeat_check_reschedule()`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER orders_reschedule_gate_update
      AFTER UPDATE OF status, drum_deadline, promise_date, drum_load_minutes, drum_done_minutes, seq, pinned ON orders
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION drumbeat_check_reschedule()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE idempotency_keys, quote_log, schedule_events, orders`.execute(db);
  await sql`DROP FUNCTION drumbeat_check_reschedule()`.execute(db);
}
