import { sql } from 'kysely';
import type { DbOrTx } from '../database.ts';
import type { VersionedEvent } from './events.ts';

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

/**
 * appendEvents and commitScheduleVersion in one statement: the events in a data-modifying
 * CTE (one JSON parameter, their `data` as jsonb as it is), the plant's new version and
 * counters in the outer UPDATE, NOTIFY riding on it. One round trip instead of two while the
 * plant is locked; the database's gate (migration 0007) still checks at commit that the
 * version's event is the plant's last. Raw SQL because the builder cannot say
 * `jsonb_to_recordset`. Returns the new event sequence number.
 */
export async function commitScheduleVersionWithEvents(
  tx: DbOrTx,
  plantId: string,
  lastSeq: number,
  events: readonly VersionedEvent[],
  v: { scheduleVersion: number; orderSeq: number; now: Date },
): Promise<number> {
  const eventSeq = lastSeq + events.length;
  const rows = events.map((e, i) => ({
    seq: lastSeq + i + 1,
    schedule_version: e.version,
    type: e.type,
    actor: e.actor,
    order_id: e.orderId ?? null,
    data: e.data ?? {},
  }));
  await sql`
    WITH appended AS (
      INSERT INTO schedule_events (plant_id, seq, schedule_version, type, actor, at, order_id, data)
      SELECT ${plantId}, seq, schedule_version, type, actor, ${v.now}, order_id, data
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS e(seq bigint, schedule_version bigint, type text, actor text, order_id uuid, data jsonb))
    UPDATE plants
    SET schedule_version = ${v.scheduleVersion}, order_seq = ${v.orderSeq}, event_seq = ${eventSeq},
        version_txid = txid_current(), updated_at = ${v.now}
    WHERE id = ${plantId}
    RETURNING pg_notify(${CHANGES_CHANNEL}, ${plantId})::text AS announced`.execute(tx);
  return eventSeq;
}
