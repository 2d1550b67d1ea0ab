import type { Insertable } from 'kysely';
import type { CapacityPoliciesTable, DbOrTx } from '../database.ts';

export async function findCapacityPolicy(db: DbOrTx, plantId: string) {
  return db.selectFrom('capacity_policies').selectAll().where('plant_id', '=', plantId).executeTakeFirst();
}

export async function upsertCapacityPolicy(tx: DbOrTx, values: Insertable<CapacityPoliciesTable>) {
  const { plant_id: _, ...set } = values;
  await tx
    .insertInto('capacity_policies')
    .values(values)
    .onConflict((oc) => oc.column('plant_id').doUpdateSet(set))
    .execute();
}
