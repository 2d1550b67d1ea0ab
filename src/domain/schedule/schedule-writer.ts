import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '../../db/database.ts';
import { appendEvents, type NewEvent } from '../../db/repos/events.ts';
import type { Actor } from '../actor.ts';
import { actorLabel } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { notFound } from '../errors.ts';
import { CHANGES_CHANNEL, type ChangeFeed } from './change-feed.ts';
import { KeyedMutex } from './mutex.ts';
import { fromMinute, toMinute, type PlantCache, type PlantState } from './plant-cache.ts';

export interface WriteContext {
  tx: Transaction<Database>;
  state: PlantState;
  now: Date;
  nowMinute: number;
  /** The version this write will commit as, if it changes the schedule. */
  nextVersion: number;
  actor: Actor | null;
  /** Record a schedule change; any change bumps the version once for the whole write. */
  emit(event: NewEvent): void;
  /** Claim the next commit sequence number (tie-break among equal deadlines). */
  nextSeq(): number;
}

export interface ScheduleDeps {
  db: Db;
  clock: Clock;
  cache: PlantCache;
  /** Absent: every read checks the plant's versions in the database. */
  feed?: ChangeFeed | undefined;
}

const mutex = new KeyedMutex();

/**
 * The only way the schedule changes. One transaction: lock the plant row, bring the engine
 * state to the locked version, expire due holds, let `fn` compute and write, then bump the
 * schedule version (recording this txid for the database's order gate) and append the events.
 * The in-memory state is dropped if anything fails, so it never holds an uncommitted change.
 */
export async function writeSchedule<T>(
  deps: ScheduleDeps,
  plantId: string,
  actor: Actor | null,
  fn: (ctx: WriteContext) => Promise<T>,
): Promise<{ result: T; version: number; state: PlantState }> {
  return mutex.run(plantId, async () => {
    try {
      const outcome = await deps.db.transaction().execute(async (tx) => {
        const plant = await tx
          .selectFrom('plants')
          .select(['schedule_version', 'config_version', 'event_seq', 'order_seq'])
          .where('id', '=', plantId)
          .forUpdate()
          .executeTakeFirst();
        if (!plant) throw notFound(`Plant "${plantId}"`);
        const state = await deps.cache.sync(tx, plantId, plant.schedule_version, plant.config_version);
        const now = deps.clock.now();
        const nowMinute = toMinute(now);
        const events: NewEvent[] = [];
        let orderSeq = plant.order_seq;
        const nextVersion = plant.schedule_version + 1;
        const ctx: WriteContext = {
          tx,
          state,
          now,
          nowMinute,
          nextVersion,
          actor,
          emit: (e) => events.push(e),
          nextSeq: () => ++orderSeq,
        };
        await expireDueHolds(ctx);
        const result = await fn(ctx);
        if (events.length === 0) return { result, version: plant.schedule_version, state };

        await tx
          .updateTable('plants')
          .set({
            schedule_version: nextVersion,
            order_seq: orderSeq,
            event_seq: plant.event_seq + events.length,
            version_txid: sql<number>`txid_current()`,
            updated_at: now,
          })
          .where('id', '=', plantId)
          // NOTIFY rides on the same statement: one round trip fewer while the plant is locked.
          .returning(sql<string>`pg_notify(${CHANGES_CHANNEL}, ${plantId})::text`.as('announced'))
          .execute();
        await appendEvents(tx, plantId, plant.event_seq, nextVersion, actor ? actorLabel(actor) : 'system', now, events);
        state.version = nextVersion;
        return { result, version: nextVersion, state };
      });
      // Our own commit also counts as news: the next read re-checks versions once.
      deps.feed?.onAnnounce(plantId);
      return outcome;
    } catch (e) {
      deps.cache.invalidate(plantId);
      throw e;
    }
  });
}

/** Holds past their expiry leave the schedule in the same transaction as whatever comes next. */
async function expireDueHolds(ctx: WriteContext) {
  const { state, nowMinute, tx } = ctx;
  const due = [...state.holdExpiry].filter(([, m]) => m <= nowMinute).map(([id]) => id);
  if (due.length === 0) return;
  const expired = await tx
    .updateTable('orders')
    .set({ status: 'expired', hold_expires_at: null, changed_version: ctx.nextVersion, updated_at: ctx.now })
    .where('plant_id', '=', state.config.plantId)
    .where('id', 'in', due)
    .where('status', '=', 'held')
    .returning(['id', 'promise_date', 'drum_load_minutes'])
    .execute();
  const dueAt = new Map(due.map((id) => [id, state.holdExpiry.get(id)!]));
  for (const id of due) {
    state.holdExpiry.delete(id);
    state.book?.remove(id);
  }
  for (const row of expired) {
    ctx.emit({
      type: 'hold.expired',
      orderId: row.id,
      data: { promiseDate: row.promise_date, drumLoadMinutes: row.drum_load_minutes, expiredAt: fromMinute(dueAt.get(row.id) ?? nowMinute).toISOString() },
    });
  }
}
