import type { Updateable } from 'kysely';
import type { BufferPoliciesTable, DbOrTx } from '../database.ts';

export async function findBufferPolicy(db: DbOrTx, plantId: string) {
  return db.selectFrom('buffer_policies').selectAll().where('plant_id', '=', plantId).executeTakeFirst();
}

export async function updateBufferPolicy(tx: DbOrTx, plantId: string, set: Omit<Updateable<BufferPoliciesTable>, 'plant_id'>) {
  await tx.updateTable('buffer_policies').set(set).where('plant_id', '=', plantId).execute();
}
