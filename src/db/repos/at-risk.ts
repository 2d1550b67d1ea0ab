import type { DbOrTx } from '../database.ts';
import { COMMITTED } from './orders.ts';
import { FLOOR_ORDER_COLUMNS } from './planning-reports.ts';

const AT_RISK_COLUMNS = [
  'at_risk',
  'at_risk_reason',
  'at_risk_resource',
  'at_risk_projected_finish',
  'at_risk_promise_date',
  'at_risk_since',
] as const;

/** The plant's open orders flagged at risk (partial index orders_at_risk). */
const openAtRisk = (db: DbOrTx, plantId: string) =>
  db.selectFrom('orders').where('plant_id', '=', plantId).where('at_risk', '=', true).where('status', 'in', COMMITTED);

/** The at-risk list's columns of the plant's open orders flagged at risk. */
export async function atRiskOrderRows(db: DbOrTx, plantId: string) {
  return openAtRisk(db, plantId)
    .select(['id', 'status', 'sku', 'quantity', 'customer', 'external_id', 'promise_date', 'planned_release_at', ...AT_RISK_COLUMNS])
    .execute();
}

/** The plant's open orders flagged at risk, whole rows. */
export async function atRiskOpenOrders(db: DbOrTx, plantId: string) {
  return openAtRisk(db, plantId).selectAll().execute();
}

/**
 * The floor lists' orders (buffer board, release list): every confirmed, released and in-progress
 * order of the plant with its planned release and at-risk flag. The callers pick by status and
 * planned release in memory, so one read per schedule version serves both lists at any `now`
 * (see floor-rows-cache.ts).
 */
export async function floorOrderRows(db: DbOrTx, plantId: string) {
  return db
    .selectFrom('orders')
    .select([...FLOOR_ORDER_COLUMNS, 'planned_release_at', ...AT_RISK_COLUMNS])
    .where('plant_id', '=', plantId)
    .where('status', 'in', ['confirmed', 'released', 'in_progress'])
    .execute();
}

/**
 * Events about orders, and the steps of capacity requests (which may name no order), after
 * `after`, oldest first, at most `limit` (the caller filters by owner).
 */
export async function orderEventRows(db: DbOrTx, plantId: string, after: number, limit: number) {
  return db
    .selectFrom('schedule_events')
    .selectAll()
    .where('plant_id', '=', plantId)
    .where('seq', '>', after)
    .where((eb) => eb.or([eb('order_id', 'is not', null), eb('type', 'like', 'capacity-request.%')]))
    .orderBy('seq')
    .limit(limit)
    .execute();
}
