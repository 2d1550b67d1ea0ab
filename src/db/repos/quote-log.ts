import { sql } from 'kysely';
import type { Db, DbOrTx } from '../database.ts';

/** One quote_log row as sent to the database (timestamps as ISO strings; the id is generated). */
export interface QuoteLogInsert {
  plant_id: string;
  at: string;
  actor: string;
  sku: string;
  quantity: number;
  requested_date: string | null;
  earliest_promise_date: string;
  requested_feasible: boolean | null;
  drum_load_minutes: number;
  schedule_version: number;
}

/**
 * Writes a batch of quote records in one statement. Raw SQL because the builder cannot say
 * `jsonb_to_recordset`: one JSON parameter instead of eleven per row, since building and
 * sending thousands of bind parameters cost the service more CPU than the quotes themselves.
 */
export async function insertQuoteLog(db: Db, rows: readonly QuoteLogInsert[]) {
  await sql`
    INSERT INTO quote_log (plant_id, id, at, actor, sku, quantity, requested_date, earliest_promise_date,
                           requested_feasible, drum_load_minutes, schedule_version)
    SELECT plant_id, gen_random_uuid(), at, actor, sku, quantity, requested_date, earliest_promise_date,
           requested_feasible, drum_load_minutes, schedule_version
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS q(plant_id text, at timestamptz, actor text, sku text, quantity integer,
         requested_date date, earliest_promise_date date, requested_feasible boolean, drum_load_minutes integer,
         schedule_version bigint)`.execute(db);
}

/** Quotes answered in [a, b). */
export async function quotesBetween(db: DbOrTx, plantId: string, a: Date, b: Date) {
  return db
    .selectFrom('quote_log')
    .select(['at', 'earliest_promise_date'])
    .where('plant_id', '=', plantId)
    .where('at', '>=', a)
    .where('at', '<', b)
    .execute();
}
