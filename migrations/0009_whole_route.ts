import { sql, type Kysely } from 'kysely';

// Whole-route promises (docs/design/whole-route.md §3.1, §4, §5.3 step 6, §9). An order now
// stores its place in the drum's sequence (drum_key: gapped integers, the drum works unpinned
// orders in key order rather than by deadline) and the instants that decouple its route: the
// rope's planned release, its ready time (end of its last upstream op), when its material is
// available and its effective drum deadline (≥ drum_deadline once a fact made it late). Its
// operations (the routing snapshot and their planned intervals) live in order_operations.

/** Step between backfilled keys: room for 20 insertions between neighbours before a renumbering. */
const KEY_STEP = 1048576; // 2^20

/** The order columns the reschedule gate protected before this migration (0007). */
const PROTECTED_BEFORE = [
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
/** The plan is schedule data too: it changes only in a reschedule. */
const PROTECTED_NOW = [...PROTECTED_BEFORE, 'drum_key', 'ready_at', 'planned_release_at', 'material_available_at', 'effective_deadline'];

async function gateOrderUpdates(db: Kysely<unknown>, columns: string[]) {
  await sql`DROP TRIGGER orders_reschedule_gate_update ON orders`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER orders_reschedule_gate_update
      AFTER UPDATE OF ${sql.join(columns.map((c) => sql.id(c)))} ON orders
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION drumbeat_check_reschedule()`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE orders
      ADD COLUMN drum_key              bigint,
      ADD COLUMN ready_at              timestamptz,
      ADD COLUMN planned_release_at    timestamptz,
      ADD COLUMN material_available_at timestamptz,
      ADD COLUMN effective_deadline    timestamptz`.execute(db);

  // The drum-only model sequenced the committed orders by deadline (EDD, ties by seq): that
  // sequence becomes their keys. Before the gate covers drum_key, so the owner may backfill.
  await sql`
    UPDATE orders o SET drum_key = k.rn * ${sql.lit(KEY_STEP)}
    FROM (SELECT plant_id, id, row_number() OVER (PARTITION BY plant_id ORDER BY drum_deadline, seq, id) AS rn
          FROM orders WHERE status IN ('held', 'confirmed', 'released', 'in_progress')) k
    WHERE o.plant_id = k.plant_id AND o.id = k.id`.execute(db);
  await gateOrderUpdates(db, PROTECTED_NOW);

  // One row per operation of the order's routing snapshot, with its planned interval (null
  // until planned). Keyed by plant first like every plant-owned table (see 0001).
  await sql`
    CREATE TABLE order_operations (
      plant_id     text NOT NULL,
      order_id     uuid NOT NULL,
      position     integer NOT NULL,
      resource_id  text NOT NULL,
      minutes      integer NOT NULL CHECK (minutes >= 0),
      start_at     timestamptz,
      end_at       timestamptz,
      PRIMARY KEY (plant_id, order_id, position),
      FOREIGN KEY (plant_id, order_id) REFERENCES orders (plant_id, id) ON DELETE CASCADE,
      CHECK (end_at IS NULL OR start_at IS NULL OR start_at <= end_at)
    )`.execute(db);

  // Like the orders they belong to, operations change only in a reschedule (same check as the
  // order gate: the plant's version was bumped by this transaction).
  await sql`
    CREATE FUNCTION drumbeat_check_operations_reschedule() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      pid text;
      oid uuid;
      p plants%ROWTYPE;
    BEGIN
      IF TG_OP = 'DELETE' THEN
        pid := OLD.plant_id; oid := OLD.order_id;
      ELSE
        pid := NEW.plant_id; oid := NEW.order_id;
      END IF;
      SELECT * INTO p FROM plants WHERE id = pid;
      IF p.version_txid IS DISTINCT FROM txid_current() THEN
        RAISE EXCEPTION 'operations of order % of plant % changed outside a reschedule', oid, pid
          USING ERRCODE = 'P0A01', HINT = 'Orders enter or change only through the Drumbeat API, which reschedules.';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`
    CREATE CONSTRAINT TRIGGER order_operations_reschedule_gate
      AFTER INSERT OR UPDATE OR DELETE ON order_operations DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION drumbeat_check_operations_reschedule()`.execute(db);
  await sql`
    CREATE TRIGGER order_operations_never_truncated BEFORE TRUNCATE ON order_operations
      FOR EACH STATEMENT EXECUTE FUNCTION drumbeat_refuse('order operations change only in a reschedule')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE order_operations`.execute(db);
  await sql`DROP FUNCTION drumbeat_check_operations_reschedule()`.execute(db);
  await gateOrderUpdates(db, PROTECTED_BEFORE);
  await sql`
    ALTER TABLE orders
      DROP COLUMN drum_key,
      DROP COLUMN ready_at,
      DROP COLUMN planned_release_at,
      DROP COLUMN material_available_at,
      DROP COLUMN effective_deadline`.execute(db);
}
