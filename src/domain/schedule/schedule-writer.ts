import { sql, type Transaction } from 'kysely';
import type { Database, Db } from '../../db/database.ts';
import { appendEvents, type NewEvent, type VersionedEvent } from '../../db/repos/events.ts';
import type { Actor } from '../actor.ts';
import { actorLabel } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { DomainError, notFound } from '../errors.ts';
import { CHANGES_CHANNEL, type ChangeFeed } from './change-feed.ts';
import { fromMinute, PlantCache, toMinute, type PlantState } from './plant-cache.ts';
import { freezeHead } from './frozen-window.ts';

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
  /**
   * Records that this write changed capacity or load rules (a calendar, a capacity change,
   * buffers, routings): the plant's config version moves, every process rebuilds its engine
   * state, and so does this batch before its next write, which is decided on the new rules.
   */
  changeCapacityRules(): Promise<void>;
}

/** What reads and writes of the schedule need: the database, the clock and this process's engine state. */
export interface ScheduleDeps {
  db: Db;
  clock: Clock;
  cache: PlantCache;
  /** Absent: every read checks the plant's versions in the database. */
  feed?: ChangeFeed | undefined;
  /** The process's one write path (see ScheduleWriter). */
  writer: ScheduleWriter;
}

export interface WriteOutcome<T> {
  result: T;
  version: number;
  state: PlantState;
}

type WriteFn = (ctx: WriteContext) => Promise<unknown>;

interface Job {
  actor: Actor | null;
  fn: WriteFn;
  resolve(outcome: WriteOutcome<unknown>): void;
  reject(e: unknown): void;
}

type Settled = { ok: true; result: unknown; version: number } | { ok: false; error: unknown };

const MAX_BATCH = 64;

/**
 * The only way the schedule changes; one per process (created with the app, passed in deps).
 * Each write runs inside a transaction that locks the plant row, brings the engine state to
 * the locked version and expires due holds; `fn` decides with the engine and writes its
 * rows; its events get the next schedule version (with this txid recorded for the
 * database's order gate) and consecutive sequence numbers.
 *
 * Writes that queue up behind a running transaction for the same plant are committed
 * together in the next one, each inside its own savepoint: one refused write rolls back only
 * itself (database rows and, through PlantState.checkpoint/rollback, the engine state), and the fsync of
 * the commit is shared. A write's outcome is reported only after the commit.
 */
export class ScheduleWriter {
  /** Writes waiting per plant; a plant has an entry while a batch of it is in flight. */
  private readonly queues = new Map<string, Job[]>();

  constructor(readonly deps: Omit<ScheduleDeps, 'writer'>) {}

  write<T>(plantId: string, actor: Actor | null, fn: (ctx: WriteContext) => Promise<T>): Promise<WriteOutcome<T>> {
    const queue = this.queues.get(plantId);
    return new Promise<WriteOutcome<T>>((resolve, reject) => {
      const job: Job = { actor, fn, resolve: resolve as Job['resolve'], reject };
      if (queue) {
        queue.push(job);
        return;
      }
      this.queues.set(plantId, [job]);
      void this.drain(plantId);
    });
  }

  /**
   * Test seam: writes to the plant queue up without committing until the returned function
   * is called; then they commit together, as one batch of up to MAX_BATCH writes.
   */
  hold(plantId: string): () => void {
    if (this.queues.has(plantId)) throw new Error(`writes to plant "${plantId}" are already in flight`);
    this.queues.set(plantId, []);
    return () => void this.drain(plantId);
  }

  /** How many writes wait for the plant's next batch. */
  queued(plantId: string): number {
    return this.queues.get(plantId)?.length ?? 0;
  }

  private async drain(plantId: string) {
    const queue = this.queues.get(plantId)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      await runBatch(this.deps, plantId, batch);
    }
    this.queues.delete(plantId);
  }
}

/** Deps with a write path of their own, for scripts outside a running service (seeding, benches). */
export function standaloneScheduleDeps(db: Db, clock: Clock): ScheduleDeps {
  const writer = new ScheduleWriter({ db, clock, cache: new PlantCache() });
  return { ...writer.deps, writer };
}

async function runBatch(deps: Omit<ScheduleDeps, 'writer'>, plantId: string, batch: Job[]) {
  let settled: Settled[];
  let changed: boolean;
  let state: PlantState;
  try {
    ({ settled, changed, state } = await deps.db.transaction().execute((tx) => commitBatch(deps, tx, plantId, batch)));
  } catch (e) {
    deps.cache.invalidate(plantId);
    for (const job of batch) job.reject(e);
    return;
  }
  // Our own commit is news too: the next read re-checks versions once.
  if (changed) deps.feed?.onAnnounce(plantId);
  settled.forEach((s, i) => (s.ok ? batch[i]!.resolve({ result: s.result, version: s.version, state }) : batch[i]!.reject(s.error)));
}

async function commitBatch(
  deps: Omit<ScheduleDeps, 'writer'>,
  tx: Transaction<Database>,
  plantId: string,
  batch: Job[],
): Promise<{ settled: Settled[]; changed: boolean; state: PlantState }> {
  const plant = await tx
    .selectFrom('plants')
    .select(['schedule_version', 'config_version', 'event_seq', 'order_seq'])
    .where('id', '=', plantId)
    .forUpdate()
    .executeTakeFirst();
  if (!plant) throw notFound(`Plant "${plantId}"`);
  let state = await deps.cache.sync(tx, plantId, plant.schedule_version, plant.config_version);
  const now = deps.clock.now();
  const nowMinute = toMinute(now);
  let version = plant.schedule_version;
  let orderSeq = plant.order_seq;
  // Events of the whole batch go out in one INSERT at the end; a refused write's never do.
  let pending: VersionedEvent[] = [];
  // Set by a write that changed capacity rules: the config version the state must be rebuilt at.
  let rulesChangedTo: number | null = null;

  const apply = async (actor: Actor | null, fn: (ctx: WriteContext) => Promise<unknown>) => {
    const events: NewEvent[] = [];
    const seqBefore = orderSeq;
    rulesChangedTo = null;
    const ctx: WriteContext = {
      tx,
      state,
      now,
      nowMinute,
      nextVersion: version + 1,
      actor,
      emit: (e) => events.push(e),
      nextSeq: () => ++orderSeq,
      changeCapacityRules: async () => {
        const row = await tx
          .updateTable('plants')
          .set((eb) => ({ config_version: eb('config_version', '+', 1), updated_at: now }))
          .where('id', '=', plantId)
          // Every process rebuilds on the notification (delivered at commit), even when no event is written.
          .returning(['config_version', sql<string>`pg_notify(${CHANGES_CHANNEL}, ${plantId})::text`.as('announced')])
          .executeTakeFirstOrThrow();
        rulesChangedTo = row.config_version;
      },
    };
    const result = await fn(ctx);
    if (events.length === 0) {
      orderSeq = seqBefore;
      return { result, version };
    }
    version += 1;
    const label = actor ? actorLabel(actor) : 'system';
    pending.push(...events.map((e) => ({ ...e, version, actor: label })));
    return { result, version };
  };

  await apply(null, async (ctx) => {
    await expireDueHolds(ctx);
    await freezeHead(ctx);
  });
  const settled: Settled[] = [];
  for (const [i, job] of batch.entries()) {
    const savepoint = sql.raw(`drumbeat_write_${i}`);
    await sql`SAVEPOINT ${savepoint}`.execute(tx);
    const checkpoint = state.checkpoint();
    const marks = { version, orderSeq, pendingCount: pending.length };
    let done: { result: unknown; version: number };
    try {
      done = await apply(job.actor, job.fn);
    } catch (error) {
      state.rollback(checkpoint);
      // Anything but a refusal (a bug, a lost connection) fails the whole batch.
      if (!(error instanceof DomainError)) throw error;
      await sql`ROLLBACK TO SAVEPOINT ${savepoint}`.execute(tx);
      ({ version, orderSeq } = marks);
      pending = pending.slice(0, marks.pendingCount);
      settled.push({ ok: false, error });
      continue;
    }
    state.release(checkpoint);
    await sql`RELEASE SAVEPOINT ${savepoint}`.execute(tx);
    settled.push({ ok: true, ...done });
    // New capacity rules: the next write of this batch is decided on them, not on the old calendar.
    if (rulesChangedTo !== null) state = await deps.cache.sync(tx, plantId, plant.schedule_version, rulesChangedTo);
  }

  if (version !== plant.schedule_version) {
    const eventSeq = await appendEvents(tx, plantId, plant.event_seq, now, pending);
    await tx
      .updateTable('plants')
      .set({
        schedule_version: version,
        order_seq: orderSeq,
        event_seq: eventSeq,
        version_txid: sql<number>`txid_current()`,
        updated_at: now,
      })
      .where('id', '=', plantId)
      // NOTIFY rides on the same statement: one round trip fewer while the plant is locked.
      .returning(sql<string>`pg_notify(${CHANGES_CHANNEL}, ${plantId})::text`.as('announced'))
      .execute();
    state.version = version;
  }
  return { settled, changed: version !== plant.schedule_version, state };
}

/** Holds past their expiry leave the schedule in the same transaction as whatever comes next. */
async function expireDueHolds(ctx: WriteContext) {
  const { state, nowMinute, tx } = ctx;
  const due = state.holdExpiry.due(nowMinute);
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
      data: {
        promiseDate: row.promise_date,
        drumLoadMinutes: row.drum_load_minutes,
        expiredAt: fromMinute(dueAt.get(row.id) ?? nowMinute).toISOString(),
      },
    });
  }
}
