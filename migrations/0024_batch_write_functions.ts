import { sql, type Kysely } from 'kysely';

// PostgreSQL's CPU per confirmed order (issue 11). A batch's writes travel as statements with
// their values written into the text (db/literals.ts), so each batch's statements were parsed,
// analysed and planned anew: about a quarter of a one-order batch's backend CPU. The same
// statements now live in two functions whose plans PL/pgSQL keeps for the session; the batch
// sends a short call with the values as arguments (still without bind parameters, so it joins
// the batch's script: deferred-statements.ts). The rows arrive as json, not jsonb: each is read
// once, and building jsonb first cost a third more of that reading. Security invoker, like
// every function here: the service role's own rights apply, and the gate's triggers fire as
// for the statements before.
//
// orders_created_by_key (0006) is dropped: no query reads orders by created_by_key since
// ownership moved to owner_principal (0011, which has its own index), and every new order paid
// for its entry.
//
// The gate accepted an order change in any transaction that set the plant's version_txid to its
// own, even without a new version or event (the last version's event is then still the plant's
// last): version_txid now moves only with schedule_version.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX orders_created_by_key`.execute(db);

  await sql`
    CREATE FUNCTION drumbeat_insert_orders(p_plant text, p_orders json, p_operations json) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO orders SELECT * FROM json_populate_recordset(NULL::orders, p_orders);
      INSERT INTO order_operations (plant_id, order_id, position, resource_id, minutes, start_at, end_at, done_minutes, started_at, reported_at, completed_at)
      SELECT p_plant, order_id, position, resource_id, minutes, start_at, end_at, coalesce(done_minutes, 0), started_at, reported_at, completed_at
      FROM json_to_recordset(p_operations) AS o(order_id uuid, position integer, resource_id text, minutes integer,
           start_at timestamptz, end_at timestamptz, done_minutes integer, started_at timestamptz, reported_at timestamptz, completed_at timestamptz);
    END $$`.execute(db);

  await sql`
    CREATE FUNCTION drumbeat_append_events(p_plant text, p_at timestamptz, p_events json,
                                           p_schedule_version bigint, p_order_seq bigint, p_event_seq bigint,
                                           p_channel text) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO schedule_events (plant_id, seq, schedule_version, type, actor, at, order_id, data)
      SELECT p_plant, seq, schedule_version, type, actor, p_at, order_id, data
      FROM json_to_recordset(p_events) AS e(seq bigint, schedule_version bigint, type text, actor text, order_id uuid, data jsonb);
      UPDATE plants
         SET schedule_version = p_schedule_version, order_seq = p_order_seq, event_seq = p_event_seq,
             version_txid = txid_current(), updated_at = p_at
       WHERE id = p_plant;
      PERFORM pg_notify(p_channel, p_plant);
    END $$`.execute(db);

  await sql`
    CREATE TRIGGER plants_txid_moves_with_version BEFORE UPDATE OF version_txid ON plants
      FOR EACH ROW WHEN (NEW.version_txid IS DISTINCT FROM OLD.version_txid AND NEW.schedule_version IS NOT DISTINCT FROM OLD.schedule_version)
      EXECUTE FUNCTION drumbeat_refuse('a plant''s version_txid changes only with a new schedule version')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER plants_txid_moves_with_version ON plants`.execute(db);
  await sql`DROP FUNCTION drumbeat_append_events(text, timestamptz, json, bigint, bigint, bigint, text)`.execute(db);
  await sql`DROP FUNCTION drumbeat_insert_orders(text, json, json)`.execute(db);
  await sql`CREATE INDEX orders_created_by_key ON orders (plant_id, created_by_key)`.execute(db);
}
