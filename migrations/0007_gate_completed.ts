import { sql, type Kysely } from 'kysely';

// The order gate (0002, 0004) covered inserts and changes to promise, load and status. The
// rest of what a schedule is made of is now protected too: an order is never deleted
// (cancelling is a status) nor moved to another plant; owner, quantity, product, buffers, pin
// rank and hold expiry change only in a reschedule; the event log is append-only; and a
// schedule version bump must carry its event. These refuse raw SQL of the service's own role;
// the table owner could drop them, which is why the service runs as a role that owns nothing
// (see grantServiceRole and the README's "Trust boundary").
const PROTECTED_ORDER_COLUMNS = [
  'status',
  'sku',
  'quantity',
  'external_id',
  'promise_date',
  'drum_deadline',
  'drum_load_minutes',
  'drum_done_minutes',
  'production_buffer_days',
  'shipping_buffer_days',
  'seq',
  'pinned',
  'pin_rank',
  'hold_expires_at',
  'changed_version',
  'created_by',
  'created_by_key',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION drumbeat_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '%', TG_ARGV[0]
        USING ERRCODE = 'P0A01', HINT = 'Schedule data changes only through the Drumbeat API.';
    END $$`.execute(db);

  await sql`
    CREATE TRIGGER orders_never_deleted BEFORE DELETE ON orders
      FOR EACH ROW EXECUTE FUNCTION drumbeat_refuse('orders are never deleted: cancel instead')`.execute(db);
  await sql`
    CREATE TRIGGER orders_never_truncated BEFORE TRUNCATE ON orders
      FOR EACH STATEMENT EXECUTE FUNCTION drumbeat_refuse('orders are never deleted: cancel instead')`.execute(db);
  await sql`
    CREATE TRIGGER orders_keep_identity BEFORE UPDATE OF id, plant_id ON orders
      FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.plant_id IS DISTINCT FROM NEW.plant_id)
      EXECUTE FUNCTION drumbeat_refuse('an order never changes its id or plant')`.execute(db);

  await sql`DROP TRIGGER orders_reschedule_gate_update ON orders`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER orders_reschedule_gate_update
      AFTER UPDATE OF ${sql.join(PROTECTED_ORDER_COLUMNS.map((c) => sql.id(c)))} ON orders
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION drumbeat_check_reschedule()`.execute(db);

  await sql`
    CREATE TRIGGER schedule_events_append_only BEFORE UPDATE OR DELETE ON schedule_events
      FOR EACH ROW EXECUTE FUNCTION drumbeat_refuse('the event log is append-only')`.execute(db);
  await sql`
    CREATE TRIGGER schedule_events_never_truncated BEFORE TRUNCATE ON schedule_events
      FOR EACH STATEMENT EXECUTE FUNCTION drumbeat_refuse('the event log is append-only')`.execute(db);

  // A bumped schedule version must end its transaction with its event as the plant's last one.
  await sql`
    CREATE FUNCTION drumbeat_check_version_event() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      p plants%ROWTYPE;
    BEGIN
      SELECT * INTO p FROM plants WHERE id = NEW.id;
      IF NOT EXISTS (SELECT 1 FROM schedule_events e
                     WHERE e.plant_id = p.id AND e.seq = p.event_seq AND e.schedule_version = p.schedule_version) THEN
        RAISE EXCEPTION 'schedule version % of plant % has no event', p.schedule_version, p.id
          USING ERRCODE = 'P0A01', HINT = 'Every schedule change is an event.';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER plants_version_carries_event
      AFTER UPDATE OF schedule_version ON plants
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW WHEN (NEW.schedule_version IS DISTINCT FROM OLD.schedule_version)
      EXECUTE FUNCTION drumbeat_check_version_event()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER plants_version_carries_event ON plants`.execute(db);
  await sql`DROP FUNCTION drumbeat_check_version_event()`.execute(db);
  await sql`DROP TRIGGER schedule_events_never_truncated ON schedule_events`.execute(db);
  await sql`DROP TRIGGER schedule_events_append_only ON schedule_events`.execute(db);
  await sql`DROP TRIGGER orders_reschedule_gate_update ON orders`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER orders_reschedule_gate_update
      AFTER UPDATE OF status, drum_deadline, promise_date, drum_load_minutes, drum_done_minutes, seq, pinned ON orders
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION drumbeat_check_reschedule()`.execute(db);
  await sql`DROP TRIGGER orders_keep_identity ON orders`.execute(db);
  await sql`DROP TRIGGER orders_never_truncated ON orders`.execute(db);
  await sql`DROP TRIGGER orders_never_deleted ON orders`.execute(db);
  await sql`DROP FUNCTION drumbeat_refuse()`.execute(db);
}
