import type { Insertable, Selectable } from 'kysely';
import type { DbOrTx, IdempotencyKeysTable } from '../database.ts';

export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

export async function findIdempotencyRecord(db: DbOrTx, apiKeyId: string, key: string) {
  return db.selectFrom('idempotency_keys').selectAll().where('api_key_id', '=', apiKeyId).where('key', '=', key).executeTakeFirst();
}

/** Stores an answer unless the key already has one; true when this one was stored. */
export async function insertIdempotencyRecord(db: DbOrTx, row: Insertable<IdempotencyKeysTable>): Promise<boolean> {
  const stored = await db
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['api_key_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return stored !== undefined;
}

/** Forgets one key's answer once it is older than `cutoff` (a key is honoured for a limited time). */
export async function deleteStaleIdempotencyRecord(db: DbOrTx, apiKeyId: string, key: string, cutoff: Date) {
  await db
    .deleteFrom('idempotency_keys')
    .where('api_key_id', '=', apiKeyId)
    .where('key', '=', key)
    .where('created_at', '<', cutoff)
    .execute();
}

export async function purgeIdempotencyRecords(db: DbOrTx, cutoff: Date) {
  await db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).execute();
}
