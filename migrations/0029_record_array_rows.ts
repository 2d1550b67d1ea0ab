import { sql, type Kysely } from 'kysely';

// PostgreSQL's CPU per confirmed order (issue 11): a batch's new orders and their operations
// now arrive as arrays of the tables' own row types (`orders[]`, `order_operations[]`), which
// PostgreSQL reads field by field in attribute order, instead of 0024's json, which
// json_populate_recordset reads through a hash table of each object's keys. On the confirm
// bench's own batches (16 orders with one operation each, backend CPU, two runs of 5
// alternating rounds of 300 batches): 58 µs per order with its operation against 67–69 µs
// with json (db/row-json.ts rowsRecordArray). The function keeps 0024's name, as an overload; 0024's json one stays
// for processes of the previous release that still run during an upgrade.
//
// SET search_path as every function here (migration 0026; a test checks every function).
export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  const schema = rows[0]!.schema;
  await sql`
    CREATE FUNCTION drumbeat_insert_orders(p_plant text, p_orders orders[], p_operations order_operations[]) RETURNS void
    LANGUAGE plpgsql SET search_path = ${sql.id(schema)}, pg_temp AS $$
    BEGIN
      INSERT INTO orders SELECT * FROM unnest(p_orders);
      INSERT INTO order_operations (plant_id, order_id, position, resource_id, minutes, start_at, end_at, done_minutes, started_at, reported_at, completed_at)
      SELECT p_plant, o.order_id, o.position, o.resource_id, o.minutes, o.start_at, o.end_at, coalesce(o.done_minutes, 0), o.started_at, o.reported_at, o.completed_at
      FROM unnest(p_operations) AS o;
    END $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION drumbeat_insert_orders(text, orders[], order_operations[])`.execute(db);
}
