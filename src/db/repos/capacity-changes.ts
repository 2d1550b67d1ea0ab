import type { Insertable, Selectable, Updateable } from 'kysely';
import type { CapacityChangesTable, DbOrTx, RangedCapacityChangesTable } from '../database.ts';

export type CapacityChangeRow = Selectable<CapacityChangesTable>;
export type RangedCapacityChangeRow = Selectable<RangedCapacityChangesTable>;

/** Active (not revoked) capacity changes of a plant, optionally of one resource, by date. */
export async function activeCapacityChanges(db: DbOrTx, plantId: string, resourceId?: string) {
  let q = db.selectFrom('capacity_changes').selectAll().where('plant_id', '=', plantId).where('revoked_at', 'is', null);
  if (resourceId !== undefined) q = q.where('resource_id', '=', resourceId);
  return q.orderBy('date').orderBy('created_at').execute();
}

/** Single-day changes (and a breakdown's days); the days of a ranged change are listed with it (rangedChangeDays). */
export async function listCapacityChanges(db: DbOrTx, plantId: string, includeRevoked: boolean) {
  let q = db.selectFrom('capacity_changes').selectAll().where('plant_id', '=', plantId).where('ranged_change_id', 'is', null);
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

export async function insertRangedCapacityChange(tx: DbOrTx, values: Insertable<RangedCapacityChangesTable>) {
  return tx.insertInto('ranged_capacity_changes').values(values).returningAll().executeTakeFirstOrThrow();
}

/** The days of a ranged change: every block's row in one statement. */
export async function insertRangedChangeDays(tx: DbOrTx, rows: readonly Insertable<CapacityChangesTable>[]): Promise<CapacityChangeRow[]> {
  if (rows.length === 0) return [];
  return tx
    .insertInto('capacity_changes')
    .values([...rows])
    .returningAll()
    .execute();
}

export async function findRangedCapacityChange(db: DbOrTx, plantId: string, id: string) {
  return db.selectFrom('ranged_capacity_changes').selectAll().where('plant_id', '=', plantId).where('id', '=', id).executeTakeFirst();
}

export async function listRangedCapacityChanges(db: DbOrTx, plantId: string, includeRevoked: boolean) {
  let q = db.selectFrom('ranged_capacity_changes').selectAll().where('plant_id', '=', plantId);
  if (!includeRevoked) q = q.where('revoked_at', 'is', null);
  return q.orderBy('from_date').orderBy('created_at').execute();
}

/** The days (rows) of the given ranged changes, revoked ones included, by date and start. */
export async function rangedChangeDays(db: DbOrTx, plantId: string, rangedIds: readonly string[]) {
  if (rangedIds.length === 0) return [];
  return db
    .selectFrom('capacity_changes')
    .selectAll()
    .where('plant_id', '=', plantId)
    .where('ranged_change_id', 'in', [...rangedIds])
    .orderBy('date')
    .orderBy('start_time')
    .execute();
}

/** Revokes a ranged change's active days on or after `fromDate` (all of them when null); returns the rows revoked. */
export async function revokeRangedChangeDays(
  tx: DbOrTx,
  plantId: string,
  rangedId: string,
  fromDate: string | null,
  revoked: { revoked_at: Date; revoked_by: string; revoke_reason: string | null },
) {
  let q = tx
    .updateTable('capacity_changes')
    .set(revoked)
    .where('plant_id', '=', plantId)
    .where('ranged_change_id', '=', rangedId)
    .where('revoked_at', 'is', null);
  if (fromDate !== null) q = q.where('date', '>=', fromDate);
  return q.returningAll().execute();
}

export async function updateRangedCapacityChange(tx: DbOrTx, plantId: string, id: string, set: Updateable<RangedCapacityChangesTable>) {
  return tx
    .updateTable('ranged_capacity_changes')
    .set(set)
    .where('plant_id', '=', plantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
