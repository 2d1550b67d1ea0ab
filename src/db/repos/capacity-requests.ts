import type { Insertable, Selectable, Updateable } from 'kysely';
import type { CapacityRequestStatus, CapacityRequestsTable, DbOrTx } from '../database.ts';

export type CapacityRequestRow = Selectable<CapacityRequestsTable>;

export async function insertCapacityRequest(tx: DbOrTx, values: Insertable<CapacityRequestsTable>) {
  return tx.insertInto('capacity_requests').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findCapacityRequest(db: DbOrTx, plantId: string, id: string) {
  return db.selectFrom('capacity_requests').selectAll().where('plant_id', '=', plantId).where('id', '=', id).executeTakeFirst();
}

/** The inbox: newest first, optionally one status and one owner (a salesperson's own). */
export async function listCapacityRequests(
  db: DbOrTx,
  plantId: string,
  filter: { status?: CapacityRequestStatus | undefined; owner?: string | undefined; limit: number },
) {
  let q = db.selectFrom('capacity_requests').selectAll().where('plant_id', '=', plantId);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (filter.owner !== undefined) q = q.where('owner_principal', '=', filter.owner);
  return q.orderBy('filed_at', 'desc').orderBy('id').limit(filter.limit).execute();
}

export async function updateCapacityRequest(tx: DbOrTx, plantId: string, id: string, set: Updateable<CapacityRequestsTable>) {
  return tx
    .updateTable('capacity_requests')
    .set(set)
    .where('plant_id', '=', plantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Capacity still in force that accepted requests added for an order: requests naming the held
 * order itself, or the quote the order was placed from (a quote-based request's salesperson
 * holds the date afterwards with that quoteId).
 */
export async function capacityLinkedToOrder(
  db: DbOrTx,
  plantId: string,
  order: { id: string; quote_id: string | null; owner_principal: string | null },
) {
  return db
    .selectFrom('ranged_capacity_changes as c')
    .innerJoin('capacity_requests as r', (j) => j.onRef('r.plant_id', '=', 'c.plant_id').onRef('r.id', '=', 'c.capacity_request_id'))
    .select(['c.id as change_id', 'r.id as request_id'])
    .where('c.plant_id', '=', plantId)
    .where('c.revoked_at', 'is', null)
    .where('r.status', '=', 'accepted')
    .where((eb) =>
      eb.or([
        eb('r.order_id', '=', order.id),
        ...(order.quote_id !== null && order.owner_principal !== null
          ? [eb.and([eb('r.quote_id', '=', order.quote_id), eb('r.owner_principal', '=', order.owner_principal)])]
          : []),
      ]),
    )
    .orderBy('c.created_at')
    .execute();
}

/** Closes the open requests naming these orders (cancelled or expired with them); the rows closed. */
export async function closeOpenRequestsOfOrders(
  tx: DbOrTx,
  plantId: string,
  orderIds: readonly string[],
  set: Pick<Updateable<CapacityRequestsTable>, 'status' | 'decided_by' | 'decided_at' | 'decision_reason'>,
) {
  if (orderIds.length === 0) return [];
  return tx
    .updateTable('capacity_requests')
    .set(set)
    .where('plant_id', '=', plantId)
    .where('status', '=', 'open')
    .where('order_id', 'in', orderIds)
    .returningAll()
    .execute();
}

/** How many requests one principal has open in a plant (the cap on filing). */
export async function countOpenRequestsOf(db: DbOrTx, plantId: string, owner: string) {
  const row = await db
    .selectFrom('capacity_requests')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('plant_id', '=', plantId)
    .where('status', '=', 'open')
    .where('owner_principal', '=', owner)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
