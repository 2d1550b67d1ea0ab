import type { Insertable, Selectable } from 'kysely';
import type { CapacityChangesTable, DbOrTx } from '../database.ts';

export type CapacityChangeRow = Selectable<CapacityChangesTable>;

/** Active (not revoked) capacity changes of a plant, optionally of one resource, by date. */
export async function activeCapacityChanges(db: DbOrTx, plantId: string, resourceId?: string) {
  let q = db.selectFrom('capacity_changes').selectAll().where('plant_id', '=', plantId).where('revoked_at', 'is', null);
  if (resourceId !== undefined) q = q.where('resource_id', '=', resourceId);
  return q.orderBy('date').orderBy('created_at').execute();
}

export async function listCapacityChanges(db: DbOrTx, plantId: string, includeRevoked: boolean) {
  let q = db.selectFrom('capacity_changes').selectAll().where('plant_id', '=', plantId);
  if (!includeRevoked) q = q.where('revoked_at', 'is', null);
  return q.orderBy('date').orderBy('created_at').execute();
}

export async function findCapacityChange(db: DbOrTx, plantId: string, id: string) {
  return db.selectFrom('capacity_changes').selectAll().where('plant_id', '=', plantId).where('id', '=', id).executeTakeFirst();
}

/** A resource's own calendar (without capacity changes), for a capacity change to edit. */
export async function findResourceCalendar(db: DbOrTx, plantId: string, resourceId: string) {
  return db
    .selectFrom('resources')
    .select(['id', 'is_drum', 'calendar'])
    .where('plant_id', '=', plantId)
    .where('id', '=', resourceId)
    .executeTakeFirst();
}

export async function insertCapacityChange(tx: DbOrTx, values: Insertable<CapacityChangesTable>) {
  return tx.insertInto('capacity_changes').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function markCapacityChangeRevoked(
  tx: DbOrTx,
  plantId: string,
  id: string,
  revoked: { revoked_at: Date; revoked_by: string; revoke_reason: string | null },
) {
  return tx
    .updateTable('capacity_changes')
    .set(revoked)
    .where('plant_id', '=', plantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
