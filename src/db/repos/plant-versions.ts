import { sql } from 'kysely';
import type { DbOrTx } from '../database.ts';

/** The channel every process LISTENs on; the payload is the plant id. */
export const CHANGES_CHANNEL = 'drumbeat_changes';

/** Locks the plant row for a schedule write and reads its counters. */
export async function lockPlantVersions(tx: DbOrTx, plantId: string) {
  return tx
    .selectFrom('plants')
    .select(['schedule_version', 'config_version', 'event_seq', 'order_seq'])
    .where('id', '=', plantId)
    .forUpdate()
    .executeTakeFirst();
}

/** Moves the plant's config version; NOTIFY rides on the same statement (delivered at commit). */
export async function bumpConfigVersion(tx: DbOrTx, plantId: string, now: Date): Promise<number> {
  const row = await tx
    .updateTable('plants')
    .set((eb) => ({ config_version: eb('config_version', '+', 1), updated_at: now }))
    .where('id', '=', plantId)
    .returning(['config_version', sql<string>`pg_notify(${CHANGES_CHANNEL}, ${plantId})::text`.as('announced')])
    .executeTakeFirstOrThrow();
  return row.config_version;
}

/**
 * Stores the plant's new schedule version and counters, with this transaction's id for the
 * database's order gate; NOTIFY rides on the same statement: one round trip fewer while the
 * plant is locked.
 */
export async function commitScheduleVersion(
  tx: DbOrTx,
  plantId: string,
  v: { scheduleVersion: number; orderSeq: number; eventSeq: number; now: Date },
) {
  await tx
    .updateTable('plants')
    .set({
      schedule_version: v.scheduleVersion,
      order_seq: v.orderSeq,
      event_seq: v.eventSeq,
      version_txid: sql<number>`txid_current()`,
      updated_at: v.now,
    })
    .where('id', '=', plantId)
    .returning(sql<string>`pg_notify(${CHANGES_CHANNEL}, ${plantId})::text`.as('announced'))
    .execute();
}

/** The plant's versions as committed (for reads); config_version is also the capacity revision (ETag). */
export async function plantVersions(db: DbOrTx, plantId: string) {
  return db.selectFrom('plants').select(['schedule_version', 'config_version', 'time_zone']).where('id', '=', plantId).executeTakeFirst();
}

/**
 * Bounds, for the rest of this transaction, both how long it waits for a lock and how long one
 * statement runs (a what-if simulation must not keep the plant's writes waiting long).
 */
export async function limitTransactionWaits(tx: DbOrTx, ms: number) {
  const limit = `${Math.round(ms)}ms`;
  await sql`select set_config('lock_timeout', ${limit}, true), set_config('statement_timeout', ${limit}, true)`.execute(tx);
}
