import type { Selectable } from 'kysely';
import type { DbOrTx, OrdersTable, OrderStatus } from '../database.ts';

export type OrderRow = Selectable<OrdersTable>;

/** Statuses that hold drum capacity: the committed set the feasibility invariant is about. */
export const COMMITTED: readonly OrderStatus[] = ['held', 'confirmed', 'released', 'in_progress'];

export async function findOrder(db: DbOrTx, plantId: string, id: string) {
  return db.selectFrom('orders').selectAll().where('plant_id', '=', plantId).where('id', '=', id).executeTakeFirst();
}

export async function findOrderByExternalId(db: DbOrTx, plantId: string, externalId: string) {
  return db.selectFrom('orders').selectAll().where('plant_id', '=', plantId).where('external_id', '=', externalId).executeTakeFirst();
}

/** The engine's view of the orders changed after `sinceVersion` (all committed ones when undefined). */
export async function drumRows(db: DbOrTx, plantId: string, sinceVersion?: number) {
  let q = db
    .selectFrom('orders')
    .select([
      'id',
      'status',
      'drum_load_minutes',
      'drum_done_minutes',
      'drum_deadline',
      'seq',
      'pinned',
      'hold_expires_at',
      'production_buffer_days',
      'pin_rank',
    ])
    .where('plant_id', '=', plantId);
  q = sinceVersion === undefined ? q.where('status', 'in', COMMITTED) : q.where('changed_version', '>', sinceVersion);
  return q.execute();
}

export async function listOrders(
  db: DbOrTx,
  plantId: string,
  filter: {
    status?: OrderStatus | undefined;
    customer?: string | undefined;
    createdByKey?: string | undefined;
    after?: { createdAt: Date; id: string } | undefined;
    limit: number;
  },
) {
  let q = db.selectFrom('orders').selectAll().where('plant_id', '=', plantId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.customer) q = q.where('customer', '=', filter.customer);
  if (filter.createdByKey) q = q.where('created_by_key', '=', filter.createdByKey);
  if (filter.after) {
    const { createdAt, id } = filter.after;
    q = q.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
  }
  return q
    .orderBy('created_at')
    .orderBy('id')
    .limit(filter.limit + 1)
    .execute();
}

/** The plant's orders with these ids (a page of the schedule), in no particular order. */
export async function ordersByIds(db: DbOrTx, plantId: string, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('orders').selectAll().where('plant_id', '=', plantId).where('id', 'in', ids).execute();
}

export async function committedOrders(db: DbOrTx, plantId: string) {
  return db.selectFrom('orders').selectAll().where('plant_id', '=', plantId).where('status', 'in', COMMITTED).execute();
}
