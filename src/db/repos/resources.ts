import type { Insertable, Updateable } from 'kysely';
import type { DbOrTx, ResourcesTable } from '../database.ts';

export async function findResource(db: DbOrTx, plantId: string, resourceId: string) {
  return db.selectFrom('resources').selectAll().where('plant_id', '=', plantId).where('id', '=', resourceId).executeTakeFirst();
}

/** A plant's resources by id. */
export async function listResourceRows(db: DbOrTx, plantId: string) {
  return db.selectFrom('resources').selectAll().where('plant_id', '=', plantId).orderBy('id').execute();
}

export async function resourceIds(db: DbOrTx, plantId: string) {
  const rows = await db.selectFrom('resources').select('id').where('plant_id', '=', plantId).execute();
  return rows.map((r) => r.id);
}

/** The plant's drum unless it is `exceptId`: a plant has at most one. */
export async function findOtherDrum(db: DbOrTx, plantId: string, exceptId: string) {
  return db
    .selectFrom('resources')
    .select('id')
    .where('plant_id', '=', plantId)
    .where('is_drum', '=', true)
    .where('id', '!=', exceptId)
    .executeTakeFirst();
}

export async function insertResource(tx: DbOrTx, values: Insertable<ResourcesTable>) {
  await tx.insertInto('resources').values(values).execute();
}

export async function updateResource(tx: DbOrTx, plantId: string, resourceId: string, values: Updateable<ResourcesTable>) {
  await tx.updateTable('resources').set(values).where('plant_id', '=', plantId).where('id', '=', resourceId).execute();
}
