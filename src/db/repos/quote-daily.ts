import { sql } from 'kysely';
import type { DbOrTx, QuoteDailyTable } from '../database.ts';
import { quoteConverted } from './quote-log.ts';

/**
 * The oldest quote records answered before `before`, at most `limit`, with whether each
 * converted, locked for the caller's transaction; rows another process is folding are skipped,
 * so two processes never count the same record twice.
 */
export async function lockOldQuotes(tx: DbOrTx, plantId: string, before: Date, limit: number) {
  return tx
    .selectFrom('quote_log')
    .select((eb) => ['id', 'at', 'sku', 'customer', 'owner', 'earliest_promise_date', quoteConverted(eb).as('converted')])
    .where('plant_id', '=', plantId)
    .where('at', '<', before)
    .orderBy('at')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function insertQuoteDaily(tx: DbOrTx, rows: readonly QuoteDailyTable[]) {
  if (rows.length > 0)
    await tx
      .insertInto('quote_daily')
      .values([...rows])
      .execute();
}

/**
 * Deletes a page of records (as lockOldQuotes gave them). Bounded by the page's latest time, so
 * the primary key (plant_id, at, id) reaches them without reading the plant's later records.
 */
export async function deleteQuotes(tx: DbOrTx, plantId: string, page: readonly { id: string; at: Date }[]) {
  if (page.length === 0) return;
  let latest = -Infinity;
  for (const r of page) latest = Math.max(latest, r.at.getTime());
  await tx
    .deleteFrom('quote_log')
    .where('plant_id', '=', plantId)
    // A Date holds milliseconds, a timestamptz microseconds: the bound is a millisecond past the latest.
    .where('at', '<', new Date(latest + 1))
    .where(
      'id',
      'in',
      page.map((r) => r.id),
    )
    .execute();
}

/** The folded quote counts of local days [from, to]. */
export async function quoteDailyBetween(db: DbOrTx, plantId: string, from: string, to: string) {
  return db
    .selectFrom('quote_daily')
    .select(['day', 'sku', 'customer', 'owner', 'lead_time_days', 'converted', sql<number>`sum(quotes)::int`.as('quotes')])
    .where('plant_id', '=', plantId)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .groupBy(['day', 'sku', 'customer', 'owner', 'lead_time_days', 'converted'])
    .execute();
}
