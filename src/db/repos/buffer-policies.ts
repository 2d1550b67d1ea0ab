import type { Insertable, Updateable } from 'kysely';
import type { BufferPoliciesTable, DbOrTx } from '../database.ts';

export async function insertBufferPolicy(tx: DbOrTx, values: Insertable<BufferPoliciesTable>) {
  await tx.insertInto('buffer_policies').values(values).execute();
}

/** Sets the plant-wide production buffer and moves the policy's revision (its ETag). */
export async function setPlantProductionBuffer(tx: DbOrTx, plantId: string, days: number, at: Date) {
  await tx
    .updateTable('buffer_policies')
    .set((eb) => ({ production_buffer_days: days, revision: eb('revision', '+', 1), updated_at: at }))
    .where('plant_id', '=', plantId)
    .execute();
}

export async function findBufferPolicy(db: DbOrTx, plantId: string) {
  return db.selectFrom('buffer_policies').selectAll().where('plant_id', '=', plantId).executeTakeFirst();
}

export async function updateBufferPolicy(tx: DbOrTx, plantId: string, set: Omit<Updateable<BufferPoliciesTable>, 'plant_id'>) {
  await tx.updateTable('buffer_policies').set(set).where('plant_id', '=', plantId).execute();
}
