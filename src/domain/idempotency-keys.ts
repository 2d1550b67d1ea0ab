import type { Db } from '../db/database.ts';

/** Idempotency keys are honoured for 24 hours, then forgotten. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;

export async function purgeIdempotencyKeys(db: Db, now: Date) {
  await db
    .deleteFrom('idempotency_keys')
    .where('created_at', '<', new Date(now.getTime() - IDEMPOTENCY_TTL_MS))
    .execute();
}
