import { sql, type Kysely } from 'kysely';

// PostgreSQL's CPU per confirmed order (issue 11): a batch's new orders and their operations
// now arrive as arrays of records, which PostgreSQL reads field by field in attribute order,
// instead of 0024's json, which json_populate_recordset reads through a hash table of each
// object's keys. On the confirm bench's own batches (16 orders with one operation each, backend
// CPU, two runs of 5 alternating rounds of 300 batches): 58 µs per order with its operation
// against 67–69 µs with json (db/row-json.ts rowsRecordArray). The function keeps 0024's name,
// as an overload; 0024's json one stays for processes of the previous release that still run
// during an upgrade.
//
// The records are not the tables' own row types but versioned types of their own, frozen here
// with the tables' columns as they are now: a record literal must have exactly its type's
// fields, so with `orders[]` the next migration that adds a column to orders would make every
// order write of a process still on this release fail ("malformed record literal") during a
// rolling upgrade. A release that writes more columns adds a _v2 type and function.
//
// SET search_path as every function here (migration 0026; a test checks every function).
const TYPES = [
  ['orders', 'drumbeat_order_row_v1'],
  ['order_operations', 'drumbeat_operation_row_v1'],
] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  const schema = rows[0]!.schema;
  const columns = new Map<string, string>();
  for (const [table, type] of TYPES) {
    const { rows: def } = await sql<{ fields: string; names: string }>`
      SELECT string_agg(format('%I %s', attname, format_type(atttypid, atttypmod)), ', ' ORDER BY attnum) AS fields,
             string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS names
        FROM pg_attribute WHERE attrelid = ${table}::regclass AND attnum > 0 AND NOT attisdropped`.execute(db);
    await sql`CREATE TYPE ${sql.id(type)} AS (${sql.raw(def[0]!.fields)})`.execute(db);
    columns.set(table, def[0]!.names);
  }
  await sql`
    CREATE FUNCTION drumbeat_insert_orders(p_plant text, p_orders drumbeat_order_row_v1[], p_operations drumbeat_operation_row_v1[])
    RETURNS void LANGUAGE plpgsql SET search_path = ${sql.id(schema)}, pg_temp AS $$
    BEGIN
      INSERT INTO orders (${sql.raw(columns.get('orders')!)}) SELECT * FROM unnest(p_orders);
      INSERT INTO order_operations (plant_id, order_id, position, resource_id, minutes, start_at, end_at, done_minutes, started_at, reported_at, completed_at)
      SELECT p_plant, o.order_id, o.position, o.resource_id, o.minutes, o.start_at, o.end_at, coalesce(o.done_minutes, 0), o.started_at, o.reported_at, o.completed_at
      FROM unnest(p_operations) AS o;
    END $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP FUNCTION drumbeat_insert_orders(text, drumbeat_order_row_v1[], drumbeat_operation_row_v1[])`.execute(db);
  for (const [, type] of TYPES) await sql`DROP TYPE ${sql.id(type)}`.execute(db);
}
