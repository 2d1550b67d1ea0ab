import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbOrTx, ScenariosTable } from '../database.ts';

export type ScenarioRow = Selectable<ScenariosTable>;

export async function insertScenario(db: DbOrTx, values: Insertable<ScenariosTable>): Promise<ScenarioRow> {
  return db.insertInto('scenarios').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findScenario(db: DbOrTx, plantId: string, id: string): Promise<ScenarioRow | undefined> {
  return db.selectFrom('scenarios').selectAll().where('plant_id', '=', plantId).where('id', '=', id).executeTakeFirst();
}

/** The row locked for a change (PATCH, promotion): concurrent changes of one scenario queue up. */
export async function lockScenario(db: DbOrTx, plantId: string, id: string): Promise<ScenarioRow | undefined> {
  return db.selectFrom('scenarios').selectAll().where('plant_id', '=', plantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function listScenarios(db: DbOrTx, plantId: string): Promise<ScenarioRow[]> {
  return db.selectFrom('scenarios').selectAll().where('plant_id', '=', plantId).orderBy('created_at', 'desc').orderBy('id').execute();
}

export async function countOpenScenarios(db: DbOrTx, plantId: string): Promise<number> {
  const r = await db
    .selectFrom('scenarios')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('plant_id', '=', plantId)
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function updateScenario(
  db: DbOrTx,
  plantId: string,
  id: string,
  set: Updateable<ScenariosTable>,
): Promise<ScenarioRow | undefined> {
  return db.updateTable('scenarios').set(set).where('plant_id', '=', plantId).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function deleteScenario(db: DbOrTx, plantId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('scenarios').where('plant_id', '=', plantId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Open scenarios past their expiry become expired; those expired before `pruneBefore` are deleted. */
export async function expireScenarios(db: DbOrTx, plantId: string, now: Date, pruneBefore: Date): Promise<void> {
  await db
    .updateTable('scenarios')
    .set({ status: 'expired' })
    .where('plant_id', '=', plantId)
    .where('status', '=', 'open')
    .where('expires_at', '<=', now)
    .execute();
  await db
    .deleteFrom('scenarios')
    .where('plant_id', '=', plantId)
    .where('status', '=', 'expired')
    .where('expires_at', '<', pruneBefore)
    .execute();
}
