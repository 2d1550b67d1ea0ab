import { sql, type Insertable } from 'kysely';
import type { ApiKeysTable, DbOrTx } from '../database.ts';
import { CHANGES_CHANNEL } from './plant-versions.ts';

export async function insertApiKey(db: DbOrTx, row: Insertable<ApiKeysTable>) {
  return db
    .insertInto('api_keys')
    .values(row)
    .returning(['id', 'name', 'role', 'principal', 'plant_ids', 'created_at'])
    .executeTakeFirstOrThrow();
}

/** Every key, oldest first (never the hash). */
export async function listApiKeyRows(db: DbOrTx) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'principal', 'plant_ids', 'created_at', 'revoked_at'])
    .orderBy('created_at')
    .execute();
}

/** The plants a key is limited to (null: every plant); undefined when there is no such key. */
export async function findApiKeyPlants(db: DbOrTx, id: string) {
  return db.selectFrom('api_keys').select('plant_ids').where('id', '=', id).executeTakeFirst();
}

/** The unrevoked key with this hash, as the request authenticator needs it. */
export async function findActiveApiKeyByHash(db: DbOrTx, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'principal', 'plant_ids'])
    .where('key_hash', '=', keyHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/** Whether the key with this id exists and is not revoked (a long-lived stream re-checks its key). */
export async function isApiKeyActive(db: DbOrTx, id: string): Promise<boolean> {
  const row = await db.selectFrom('api_keys').select('id').where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return row !== undefined;
}

/**
 * Marks an unrevoked key revoked and returns what the audit record needs (undefined when the key
 * is missing or already revoked). `announce` is sent on the change channel by the same statement
 * (delivered at commit), and only when a row was revoked.
 */
export async function revokeApiKeyRow(tx: DbOrTx, id: string, at: Date, announce: string) {
  return tx
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning(['plant_ids', 'name', 'role', sql<string>`pg_notify(${CHANGES_CHANNEL}, ${announce})::text`.as('announced')])
    .executeTakeFirst();
}

/** Whether some unrevoked key of this principal reaches the plant (a hand-over must go to someone who can act there). */
export async function principalHasActiveKey(db: DbOrTx, principal: string, plantId: string): Promise<boolean> {
  const row = await db
    .selectFrom('api_keys')
    .select('id')
    .where('principal', '=', principal)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('plant_ids', 'is', null), sql<boolean>`${plantId} = ANY(plant_ids)`]))
    .executeTakeFirst();
  return row !== undefined;
}
