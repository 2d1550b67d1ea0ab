import type { Insertable, Selectable } from 'kysely';
import type { DbOrTx, IdempotencyKeysTable } from '../database.ts';

export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

/** Records belong to the principal, not the key: a retry after a key rotation finds its answer. */
export async function findIdempotencyRecord(db: DbOrTx, principal: string, key: string) {
  return db.selectFrom('idempotency_keys').selectAll().where('principal', '=', principal).where('key', '=', key).executeTakeFirst();
}

/** Stores an answer unless the key already has one; true when this one was stored. */
export async function insertIdempotencyRecord(db: DbOrTx, row: Insertable<IdempotencyKeysTable>): Promise<boolean> {
  const stored = await db
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['principal', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return stored !== undefined;
}

/** Forgets one key's answer once it is older than `cutoff` (a key is honoured for a limited time). */
export async function deleteStaleIdempotencyRecord(db: DbOrTx, principal: string, key: string, cutoff: Date) {
  await db
    .deleteFrom('idempotency_keys')
    .where('principal', '=', principal)
    .where('key', '=', key)
    .where('created_at', '<', cutoff)
    .execute();
}

export async function purgeIdempotencyRecords(db: DbOrTx, cutoff: Date) {
  await db.deleteFrom('idempotency_keys').where('created_at', '<', cutoff).execute();
}
