import type { Insertable } from 'kysely';
import type { DbOrTx, WebSessionsTable } from '../database.ts';

export async function insertWebSession(db: DbOrTx, row: Insertable<WebSessionsTable>) {
  await db.insertInto('web_sessions').values(row).execute();
}

/**
 * The unexpired session with this token hash and its key, as the request authenticator needs
 * them; nothing when the session is unknown or expired or its key is revoked (so a revocation
 * ends every session of the key at its next request).
 */
export async function findLiveWebSession(db: DbOrTx, tokenHash: string, now: Date) {
  return db
    .selectFrom('web_sessions as s')
    .innerJoin('api_keys as k', 'k.id', 's.key_id')
    .select(['s.csrf_token', 's.expires_at', 'k.id', 'k.name', 'k.role', 'k.principal', 'k.plant_ids'])
    .where('s.token_hash', '=', tokenHash)
    .where('s.expires_at', '>', now)
    .where('k.revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function deleteWebSession(db: DbOrTx, tokenHash: string) {
  await db.deleteFrom('web_sessions').where('token_hash', '=', tokenHash).execute();
}

/** Forgets sessions that ran out (they no longer authenticate anyway); the hourly retention keeps the table small with it. */
export async function deleteExpiredWebSessions(db: DbOrTx, now: Date) {
  await db.deleteFrom('web_sessions').where('expires_at', '<=', now).execute();
}
