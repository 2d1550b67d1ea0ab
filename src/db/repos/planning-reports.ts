import type { DbOrTx } from '../database.ts';

/*
 * Read-only queries behind the planning reports (floor views, DBM, KPIs) over orders
 * and schedule events. The write path's queries on those tables live in orders.ts and
 * events.ts; these only read, and no report holds a lock.
 */

/** The order columns every floor view (release list, buffer board) shows. */
export const FLOOR_ORDER_COLUMNS = [
  'id',
  'status',
  'sku',
  'quantity',
  'customer',
  'promise_date',
  'production_buffer_days',
  'drum_done_minutes',
  'drum_load_minutes',
] as const;

/**
 * Orders completed in [from, to] (both inclusive) with a recorded penetration, of the given
 * products only when `skus` is not null.
 */
export async function completionsWithPenetration(db: DbOrTx, plantId: string, from: Date, to: Date, skus: string[] | null) {
  let q = db
    .selectFrom('orders')
    .select(['completed_at', 'penetration_at_completion', 'production_buffer_days', 'created_at'])
    .where('plant_id', '=', plantId)
    .where('completed_at', '>=', from)
    .where('completed_at', '<=', to)
    .where('penetration_at_completion', 'is not', null);
  if (skus) q = q.where('sku', 'in', skus);
  return q.execute();
}
