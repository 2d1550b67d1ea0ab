import { sql, type CompiledQuery, type QueryResult } from 'kysely';
import type { DbOrTx } from '../database.ts';
import { sendTogether } from '../deferred-statements.ts';
import { inlineInteger, inlineJson, inlineText, inlineTimestamp } from '../literals.ts';
import { rowsJson } from '../row-json.ts';
import type { VersionedEvent } from './events.ts';
import { operationsOfChangedOrdersQuery, type OrderOperationRow } from './order-operations.ts';
import { changedDrumRowsQuery, type DrumRow } from './orders.ts';

/** The channel every process LISTENs on; the payload is the plant id. */
export const CHANGES_CHANNEL = 'drumbeat_changes';

/** The plant's counters a writer's lock reads (LockedPlant['versions']); typed by lockPlantVersions' select. */
const COUNTER_COLUMNS = ['schedule_version', 'config_version', 'event_seq', 'order_seq'] as const;
/** COUNTER_COLUMNS for the raw lock statements. */
const COUNTERS = sql.raw(COUNTER_COLUMNS.join(', '));

/** Locks the plant row for a schedule write and reads its counters. */
export async function lockPlantVersions(tx: DbOrTx, plantId: string) {
  return tx.selectFrom('plants').select(COUNTER_COLUMNS).where('id', '=', plantId).forUpdate().executeTakeFirst();
}

/** What a writer's lock read: the plant's counters and, when asked, the orders changed since a version. */
export interface LockedPlant {
  versions: { schedule_version: number; config_version: number; event_seq: number; order_seq: number } | undefined;
  /** Orders changed after `since` (DRUM_COLUMNS) and the operations of those committed, read after the lock. */
  changes?: { since: number; rows: DrumRow[]; operations: OrderOperationRow[] };
}

/**
 * lockPlantVersions, and the catch-up reads of a process whose state is at `since` (the
 * orders changed after it and the operations of those committed), in one round trip with the
 * transaction's BEGIN (deferred-statements.ts): the values are written into the statements'
 * text. Each statement of a script reads its own snapshot, so the reads after the lock see
 * every commit the lock waited for; while the lock is held nobody can change the plant's orders.
 */
export async function lockPlantVersionsWithChanges(tx: DbOrTx, plantId: string, since: number | undefined): Promise<LockedPlant> {
  // Raw SQL: built for every batch (see changedDrumRowsQuery).
  const lock = sql`SELECT ${COUNTERS} FROM plants WHERE id = ${inlineText(plantId)} FOR UPDATE`.compile(tx);
  if (since === undefined) {
    const [locked] = await sendTogether(tx, [lock]);
    return { versions: locked!.rows[0] as LockedPlant['versions'] };
  }
  const [locked, rows, operations] = await sendTogether(tx, [lock, ...changesQueries(tx, plantId, since)]);
  return { versions: locked!.rows[0] as LockedPlant['versions'], changes: changesOf(since, rows!, operations!) };
}

/**
 * lockPlantVersionsWithChanges for several plants at once (cross-plant group commit): locks
 * the rows of those not locked by anyone else, in id order, skipping the others (SKIP
 * LOCKED: a group never waits for a lock, so two groups never deadlock and two processes
 * split the plants between them instead of queueing for all of them); with the catch-up reads
 * of each plant that has a `since`, all in one round trip. A plant missing from the answer was
 * skipped (or does not exist); its reads, if any, are dropped (they were not taken under its lock).
 */
export async function lockFreePlantVersionsWithChanges(
  tx: DbOrTx,
  plants: readonly { id: string; since: number | undefined }[],
): Promise<Map<string, LockedPlant>> {
  const ids = sql.join(plants.map((p) => inlineText(p.id)));
  const lock = sql`SELECT id, ${COUNTERS} FROM plants
    WHERE id = ANY (ARRAY[${ids}]::text[]) ORDER BY id FOR UPDATE SKIP LOCKED`.compile(tx);
  const reads = plants.filter((p) => p.since !== undefined);
  const [locked, ...rest] = await sendTogether(tx, [lock, ...reads.flatMap((p) => changesQueries(tx, p.id, p.since!))]);
  const out = new Map<string, LockedPlant>();
  for (const { id, ...versions } of locked!.rows as ({ id: string } & NonNullable<LockedPlant['versions']>)[]) out.set(id, { versions });
  reads.forEach(({ id, since }, i) => {
    const plant = out.get(id);
    if (plant) plant.changes = changesOf(since!, rest[2 * i]!, rest[2 * i + 1]!);
  });
  return out;
}

/**
 * The catch-up reads of lockPlantVersionsWithChanges on their own, in one round trip: for a
 * writer that sent its lock alone and found another process's commit. Consistent only while
 * the caller holds the plant's lock (nobody can change the orders between the two reads).
 */
export async function changesSinceUnderLock(tx: DbOrTx, plantId: string, since: number): Promise<NonNullable<LockedPlant['changes']>> {
  const [rows, operations] = await sendTogether(tx, changesQueries(tx, plantId, since));
  return changesOf(since, rows!, operations!);
}

function changesQueries(tx: DbOrTx, plantId: string, since: number): CompiledQuery[] {
  return [changedDrumRowsQuery(tx, plantId, since), operationsOfChangedOrdersQuery(tx, plantId, since)];
}

/** The catch-up of a plant from the answers to its changesQueries, in that order. */
function changesOf(since: number, rowsResult: QueryResult<unknown>, opsResult: QueryResult<unknown>): NonNullable<LockedPlant['changes']> {
  return { since, rows: rowsResult.rows as DrumRow[], operations: opsResult.rows as OrderOperationRow[] };
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
 * appendEvents and commitScheduleVersion in one statement: a call of drumbeat_append_events
 * (migration 0024, plans kept for the session), which appends the events (one JSON value,
 * their `data` as jsonb as it is), moves the plant's version and counters, and announces the
 * change (NOTIFY, delivered at commit). The database's gate (migration 0007) still checks at
 * commit that the version's event is the plant's last. Compiled without parameters
 * (db/literals.ts), not run: the writer sends it with the COMMIT (deferred-statements.ts
 * sendLater), one round trip for both.
 */
export function commitScheduleVersionWithEventsQuery(
  db: DbOrTx,
  plantId: string,
  lastSeq: number,
  events: readonly VersionedEvent[],
  v: { scheduleVersion: number; orderSeq: number; now: Date },
): CompiledQuery {
  const eventSeq = lastSeq + events.length;
  const rows = events.map((e, i) => ({
    seq: lastSeq + i + 1,
    schedule_version: e.version,
    type: e.type,
    actor: e.actor,
    order_id: e.orderId ?? null,
    data: e.data ?? {},
  }));
  return sql`SELECT drumbeat_append_events(${inlineText(plantId)}, ${inlineTimestamp(v.now)}, ${inlineJson(rowsJson(rows, true))},
    ${inlineInteger(v.scheduleVersion)}, ${inlineInteger(v.orderSeq)}, ${inlineInteger(eventSeq)}, ${inlineText(CHANGES_CHANNEL)})`.compile(
    db,
  );
}
