import type { Insertable } from 'kysely';
import type { BufferChangesTable, DbOrTx } from '../database.ts';

/** When the buffer of one scope (the plant policy when `sku` is null, else one product) last changed. */
export async function lastBufferChange(db: DbOrTx, plantId: string, sku: string | null) {
  let q = db.selectFrom('buffer_changes').select('at').where('plant_id', '=', plantId).orderBy('at', 'desc').limit(1);
  q = sku === null ? q.where('sku', 'is', null) : q.where('sku', '=', sku);
  return q.executeTakeFirst();
}

export async function insertBufferChange(tx: DbOrTx, values: Insertable<BufferChangesTable>) {
  await tx.insertInto('buffer_changes').values(values).execute();
}
