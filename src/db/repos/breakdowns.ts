import type { Insertable, Selectable, Updateable } from 'kysely';
import type { BreakdownsTable, CapacityChangesTable, DbOrTx } from '../database.ts';

export type BreakdownRow = Selectable<BreakdownsTable>;

export async function insertBreakdown(tx: DbOrTx, values: Insertable<BreakdownsTable>): Promise<BreakdownRow> {
  return tx.insertInto('breakdowns').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateBreakdown(tx: DbOrTx, plantId: string, id: string, set: Updateable<BreakdownsTable>): Promise<BreakdownRow> {
  return tx
    .updateTable('breakdowns')
    .set(set)
    .where('plant_id', '=', plantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findBreakdown(db: DbOrTx, plantId: string, id: string): Promise<BreakdownRow | undefined> {
  return db.selectFrom('breakdowns').selectAll().where('plant_id', '=', plantId).where('id', '=', id).executeTakeFirst();
}

/** A plant's breakdowns, latest start first; `open`: only those not closed. */
export async function listBreakdowns(db: DbOrTx, plantId: string, open: boolean): Promise<BreakdownRow[]> {
  let q = db.selectFrom('breakdowns').selectAll().where('plant_id', '=', plantId);
  if (open) q = q.where('ended_at', 'is', null);
  return q.orderBy('started_at', 'desc').orderBy('id').limit(500).execute();
}

/** The downtime a breakdown stands for: every day's row in one statement. */
export async function insertBreakdownDowntime(tx: DbOrTx, rows: readonly Insertable<CapacityChangesTable>[]): Promise<void> {
  if (rows.length > 0)
    await tx
      .insertInto('capacity_changes')
      .values([...rows])
      .execute();
}

/** Takes a breakdown's downtime out of the calendars (revoked, kept for the record) before it is written again. */
export async function revokeBreakdownDowntime(
  tx: DbOrTx,
  plantId: string,
  breakdownId: string,
  revoked: { revoked_at: Date; revoked_by: string; revoke_reason: string },
): Promise<void> {
  await tx
    .updateTable('capacity_changes')
    .set(revoked)
    .where('plant_id', '=', plantId)
    .where('breakdown_id', '=', breakdownId)
    .where('revoked_at', 'is', null)
    .execute();
}
