import type { Insertable } from 'kysely';
import type { AuditLogTable, DbOrTx } from '../database.ts';

export async function insertAudit(db: DbOrTx, row: Insertable<AuditLogTable>): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

/** Newest first; `plants` null means every entry, else entries of those plants only. */
export async function listAuditRows(db: DbOrTx, plants: readonly string[] | null, limit: number, beforeId: number | undefined) {
  let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
  if (plants !== null) q = q.where('plant_id', 'in', plants.length > 0 ? [...plants] : ['']);
  if (beforeId !== undefined) q = q.where('id', '<', beforeId);
  return q.execute();
}
