import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Db, DbOrTx } from '../database.ts';
import { copyFrom } from '../deferred-statements.ts';
import { quoteLogColumns, quoteLogCopyBinary, type QuoteLogInsert } from './quote-log-columns.ts';

export type { QuoteLogInsert };

/** A confirmed order names this quote: it converted (once, however many orders name it). */
export const quoteConverted = (eb: ExpressionBuilder<Database, 'quote_log'>) =>
  eb.exists(
    eb
      .selectFrom('orders')
      .select(sql`1`.as('one'))
      .whereRef('orders.plant_id', '=', 'quote_log.plant_id')
      .whereRef('orders.quote_id', '=', 'quote_log.id')
      .where('orders.confirmed_at', 'is not', null),
  );

const COPY_QUOTE_LOG = `COPY quote_log (plant_id, id, at, actor, sku, quantity, requested_date, earliest_promise_date,
  requested_feasible, drum_load_minutes, schedule_version, owner, customer) FROM STDIN (FORMAT binary)`;

/**
 * Writes a batch of quote records in one statement. A first write on PostgreSQL is a binary
 * COPY FROM STDIN: COPY inserts a page of rows at a time (one WAL record per page, not per row),
 * and the binary format spares the text input parsers: PostgreSQL CPU a row 6.3 µs (INSERT …
 * SELECT FROM unnest) → 4.0 (text COPY) → 2.8 (binary COPY), 4,000-row batches into 100k rows,
 * on a slow day.
 * `mayExist`: some rows may already be stored (a retry after a write whose outcome is unknown),
 * so rows already there are skipped, which COPY cannot do: then (and on PGlite, which has no
 * COPY FROM STDIN here) the rows go as thirteen array literals, a column per bind parameter,
 * whatever the batch size (thousands of parameters cost the service more CPU than the quotes
 * themselves), read by `unnest` (≈ 1.7 µs less PostgreSQL CPU a row than `json_to_recordset`),
 * with ON CONFLICT DO NOTHING only when `mayExist` (its speculative insertion costs ≈ 2–3 µs a row).
 */
export async function insertQuoteLog(db: Db, rows: readonly QuoteLogInsert[], { mayExist = true }: { mayExist?: boolean } = {}) {
  if (!mayExist && (await copyFrom(db, COPY_QUOTE_LOG, () => quoteLogCopyBinary(rows)))) return;
  const c = quoteLogColumns(rows);
  await sql`
    INSERT INTO quote_log (plant_id, id, at, actor, sku, quantity, requested_date, earliest_promise_date,
                           requested_feasible, drum_load_minutes, schedule_version, owner, customer)
    SELECT * FROM unnest(${c.plantId}::text[], ${c.id}::uuid[], ${c.at}::timestamptz[], ${c.actor}::text[], ${c.sku}::text[],
         ${c.quantity}::integer[], ${c.requestedDate}::date[], ${c.earliestPromiseDate}::date[], ${c.requestedFeasible}::boolean[],
         ${c.drumLoadMinutes}::integer[], ${c.scheduleVersion}::bigint[], ${c.owner}::text[], ${c.customer}::text[])
    ${mayExist ? sql`ON CONFLICT (plant_id, at, id) DO NOTHING` : sql``}`.execute(db);
}

export interface QuoteFilter {
  from: Date;
  to: Date;
  sku?: string | undefined;
  customer?: string | undefined;
  owner?: string | undefined;
  converted?: boolean | undefined;
  after?: { at: Date; id: string } | undefined;
  limit: number;
}

/**
 * One page of recorded quotes answered in [from, to), oldest first by (at, id) after the
 * cursor, with whether each converted (a confirmed order names it). One row more than the
 * limit tells the caller there is a next page.
 */
export async function listQuotes(db: DbOrTx, plantId: string, f: QuoteFilter) {
  let q = db
    .selectFrom('quote_log')
    .selectAll('quote_log')
    .select((eb) => quoteConverted(eb).as('converted'))
    .where('plant_id', '=', plantId)
    .where('at', '>=', f.from)
    .where('at', '<', f.to);
  if (f.sku) q = q.where('sku', '=', f.sku);
  if (f.customer) q = q.where('customer', '=', f.customer);
  if (f.owner) q = q.where('owner', '=', f.owner);
  if (f.after) {
    const { at, id } = f.after;
    q = q.where((eb) => eb.or([eb('at', '>', at), eb.and([eb('at', '=', at), eb('id', '>', id)])]));
  }
  if (f.converted !== undefined) q = q.where((eb) => (f.converted ? quoteConverted(eb) : eb.not(quoteConverted(eb))));
  return q
    .orderBy('at')
    .orderBy('id')
    .limit(f.limit + 1)
    .execute();
}
