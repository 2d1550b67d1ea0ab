import { sql } from 'kysely';
import type { DbOrTx } from '../database.ts';

/** The plant's orders that name the customer. */
export async function orderIdsOfCustomer(tx: DbOrTx, plantId: string, customer: string): Promise<string[]> {
  const rows = await tx.selectFrom('orders').select('id').where('plant_id', '=', plantId).where('customer', '=', customer).execute();
  return rows.map((r) => r.id);
}

/**
 * Replaces the customer's name by the pseudonym wherever an event carries it (`customer`, and
 * `before`/`after.customer` of an ERP update); the event log's trigger allows exactly this
 * change (migration 0020). Returns how many events changed.
 */
export async function pseudonymiseEvents(tx: DbOrTx, plantId: string, customer: string, pseudonym: string): Promise<number> {
  const name = sql`to_jsonb(${customer}::text)`;
  const alias = sql`to_jsonb(${pseudonym}::text)`;
  const at = (path: string[]) => sql`(data #> ${sql.lit(`{${path.join(',')}}`)}) = ${name}`;
  const swap = (expr: ReturnType<typeof sql>, path: string[]) =>
    sql`CASE WHEN (${expr}) #> ${sql.lit(`{${path.join(',')}}`)} = ${name} THEN jsonb_set(${expr}, ${sql.lit(`{${path.join(',')}}`)}, ${alias}) ELSE ${expr} END`;
  const result = await sql`
    UPDATE schedule_events
       SET data = ${swap(swap(swap(sql`data`, ['customer']), ['before', 'customer']), ['after', 'customer'])}
     WHERE plant_id = ${plantId}
       AND (${at(['customer'])} OR ${at(['before', 'customer'])} OR ${at(['after', 'customer'])})`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}

/** The same in the quote records and their per-day counts; returns how many quote records changed. */
export async function pseudonymiseQuotes(tx: DbOrTx, plantId: string, customer: string, pseudonym: string): Promise<number> {
  const logged = await tx
    .updateTable('quote_log')
    .set({ customer: pseudonym })
    .where('plant_id', '=', plantId)
    .where('customer', '=', customer)
    .executeTakeFirst();
  await tx
    .updateTable('quote_daily')
    .set({ customer: pseudonym })
    .where('plant_id', '=', plantId)
    .where('customer', '=', customer)
    .execute();
  return Number(logged.numUpdatedRows);
}

/**
 * Stored answers kept for idempotent replays (orders and holds of this plant naming the
 * customer) get the pseudonym too, so a replay after the erasure does not bring the name back.
 */
export async function pseudonymiseReplays(tx: DbOrTx, plantId: string, customer: string, pseudonym: string): Promise<void> {
  await sql`
    UPDATE idempotency_keys
       SET response = jsonb_set(response, '{customer}', to_jsonb(${pseudonym}::text))
     WHERE starts_with(path, ${`/v1/plants/${plantId}/`})
       AND response->>'customer' = ${customer}`.execute(tx);
}
