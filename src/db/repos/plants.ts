import type { Insertable } from 'kysely';
import type { Db, DbOrTx, PlantsTable } from '../database.ts';

/** Inserts a plant unless its id is taken; undefined when it already exists. */
export async function insertPlantIfAbsent(tx: DbOrTx, values: Insertable<PlantsTable>) {
  return tx
    .insertInto('plants')
    .values(values)
    .onConflict((oc) => oc.column('id').doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Plants by id; only the `visible` ones when given (an empty list matches none). */
export async function listPlantRows(db: Db, visible: string[] | null) {
  let q = db.selectFrom('plants').selectAll().orderBy('id');
  if (visible) q = q.where('id', 'in', visible.length ? visible : ['']);
  return q.execute();
}

export async function findPlant(db: DbOrTx, id: string) {
  return db.selectFrom('plants').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findPlantTimeZone(db: DbOrTx, plantId: string) {
  return (await db.selectFrom('plants').select('time_zone').where('id', '=', plantId).executeTakeFirst())?.time_zone;
}
