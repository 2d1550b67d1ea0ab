import { SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { Transaction } from 'kysely';
import type { Database, Db } from '../../db/database.ts';
import type { VersionedEvent } from '../../db/repos/events.ts';
import { insertOrdersWithOperationsQuery, replaceOperations } from '../../db/repos/order-operations.ts';
import {
  completeOrderRow,
  expireHolds,
  insertOrderRowsQuery,
  ORDER_ROWS_PER_STATEMENT,
  updateOrder,
  type OrderRow,
} from '../../db/repos/orders.ts';
import {
  bumpConfigVersion,
  changesSinceUnderLock,
  commitScheduleVersionWithEventsQuery,
  limitTransactionWaits,
  lockFreePlantVersionsWithChanges,
  lockPlantVersions,
  lockPlantVersionsWithChanges,
  type LockedPlant,
} from '../../db/repos/plant-versions.ts';
import { isTransactionWaitLimit } from '../../db/errors.ts';
import { beforeEachStatement, sendLater, type RunStatement } from '../../db/deferred-statements.ts';
import { rollbackToSavepoint, savepointQuery } from '../../db/savepoints.ts';
import type { Actor } from '../actor.ts';
import { actorLabel } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { DomainError, isDatabaseUnavailable, notFound } from '../errors.ts';
import type { ChangeFeed } from './change-feed.ts';
import { withdrawRequestsOfDeadOrders } from '../planning/capacity-request-withdrawal.ts';
import { recoverAtRisk } from '../planning/recover-at-risk.ts';
import { eventData, type ScheduleEvent } from './event-types.ts';
import { reviewAtRisk } from './at-risk.ts';
import { freezeHead } from './frozen-window.ts';
import { planLegacyOrders } from './legacy-plans.ts';
import { tickOverdueWork } from './release-tick.ts';
import { fromMinute, PlantCache, toMinute, type PlantState, type StateCheckpoint } from './plant-cache.ts';
import { yieldToEventLoop } from '../event-loop-slices.ts';
import { CommitLoop, type GroupOutcome, type PendingBatch } from './commit-group.ts';
import type { OperationRow, WriteContext } from './write-context.ts';

export type { OrderChange, WriteContext } from './write-context.ts';

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

/**
 * Work a caller adds to its write's own transaction: `succeeded` runs after the write, with
 * the version it commits as (a refusal thrown here undoes the write); `refused` runs after a
 * refused write was rolled back, so a refusal can be recorded too (idempotent replays).
 */
export interface WriteHooks<T> {
  succeeded?(tx: Transaction<Database>, outcome: { result: T; version: number }): Promise<void>;
  refused?(tx: Transaction<Database>, error: DomainError): Promise<void>;
}

/** Runs in the transaction that appends events, after they are appended (at-risk flags, webhook outbox). */
export type AfterAppend = (tx: Transaction<Database>, plantId: string, events: readonly VersionedEvent[]) => Promise<void>;

/** Sees each batch's transaction time and number of writes, committed or not (metrics). */
export type BatchObserver = (seconds: number, size: number) => void;

/** A running simulation (ScheduleWriter.simulate). */
export interface Simulation {
  /** The simulation's transaction (always rolled back): reads inside it see the simulated writes. */
  readonly tx: Transaction<Database>;
  /** The fork the simulated writes change, never the cached state. */
  readonly state: PlantState;
  readonly now: Date;
  /** The live schedule version the simulation started from. */
  readonly scheduleVersion: number;
  /** A cache holding only the fork (for use cases that read through ScheduleDeps). */
  readonly cache: PlantCache;
  /** One write, as in a batch; a refusal undoes it alone and is thrown. */
  write<R>(actor: Actor | null, fn: (ctx: WriteContext) => Promise<R>): Promise<WriteOutcome<R>>;
}

interface Job {
  actor: Actor | null;
  fn: (ctx: WriteContext) => Promise<unknown>;
  hooks: WriteHooks<unknown>;
  resolve(outcome: WriteOutcome<unknown>): void;
  reject(e: unknown): void;
}

type Settled = { ok: true; result: unknown; version: number } | { ok: false; error: unknown };

/** A batch's part of a transaction that committed: each write's outcome, whether the plant changed, its state. */
interface Committed {
  settled: Settled[];
  changed: boolean;
  state: PlantState;
}

/** The state a batch started from, as committed: what a failed batch rolls it back to. */
interface BatchUndo {
  at?: { state: PlantState; checkpoint: StateCheckpoint; version: number };
  /** Gives the plant's turn back (PlantCache.take): set once the batch holds it. */
  give?: () => void;
}

const MAX_BATCH = 64;

/**
 * How long a simulation may wait for the plant's row lock, run one statement, or hold the lock
 * (checked before each of its writes): the plant's writes in every process wait that long at
 * most behind one simulation.
 */
const SIMULATION_LIMIT_MS = 5000;

/** A simulation that hit SIMULATION_LIMIT_MS: the plant is busy, the caller may retry shortly. */
const simulationBusy = () =>
  new DomainError(
    'service-unavailable',
    `The plant is busy: the simulation could not run within ${SIMULATION_LIMIT_MS / 1000} s; retry shortly.`,
    { retryAfterSeconds: Math.ceil(SIMULATION_LIMIT_MS / 1000) },
  );

// The API's tracer is a no-op until an SDK registers (src/tracing.ts): tracing off costs a call.
const tracer = trace.getTracer('drumbeat');

/**
 * The only way the schedule changes; one per process (created with the app, passed in deps).
 * Each write runs inside a transaction that locks the plant row, brings the engine state to
 * the locked version and expires due holds; `fn` decides with the engine and writes its rows
 * through the context's typed operations, which stamp the version and update the engine state
 * through PlantState.apply(row); its events (checked against their schemas) get the next
 * schedule version (with this txid recorded for the database's order gate) and consecutive
 * sequence numbers.
 *
 * Writes that queue up behind a running transaction for the same plant are committed
 * together in the next one, each inside its own savepoint: one refused write rolls back only
 * itself (database rows and, through PlantState.checkpoint/rollback, the engine state), and
 * the fsync of the commit is shared. A write that changes capacity rules makes the batch
 * rebuild its engine state before the next write. A write's outcome is reported only after
 * the commit. The batches of several plants that are ready at once go in one transaction
 * (CommitLoop, runGroup): the fsync and the per-transaction work are then shared by the
 * writes of all of them.
 */
export class ScheduleWriter {
  /** Writes waiting per plant; a plant has an entry while a batch of it is in flight. */
  private readonly queues = new Map<string, Job[]>();
  private readonly afterAppendHooks: AfterAppend[] = [];
  /** Per plant, while a simulation of this process runs or waits: the end of the last one. */
  private readonly simulations = new Map<string, Promise<void>>();
  /** Per plant: whether the last batch's lock found another process's commit (commitBatch). */
  private readonly othersWrite = new Map<string, boolean>();
  private batchObserver: BatchObserver | undefined;
  /** Test seam: sees each cross-plant group transaction's number of locked plants. */
  groupObserver: ((plants: number) => void) | undefined;
  private readonly loop = new CommitLoop<Job>({
    single: (p, locked) => this.runBatch(p.plantId, p.batch, p.later, locked),
    group: (group) => this.runGroup(group),
  });

  constructor(readonly deps: Omit<ScheduleDeps, 'writer'>) {}

  write<T>(
    plantId: string,
    actor: Actor | null,
    fn: (ctx: WriteContext) => Promise<T>,
    hooks: WriteHooks<NoInfer<T>> = {},
  ): Promise<WriteOutcome<T>> {
    const queue = this.queues.get(plantId);
    return new Promise<WriteOutcome<T>>((resolve, reject) => {
      const job: Job = { actor, fn, hooks: hooks, resolve: resolve as Job['resolve'], reject };
      if (queue) {
        queue.push(job);
        return;
      }
      this.queues.set(plantId, [job]);
      void this.drain(plantId);
    });
  }

  /** Adds work to every transaction that appends events, after they are appended. */
  afterAppend(hook: AfterAppend): void {
    this.afterAppendHooks.push(hook);
  }

  /** Reports every batch to `observer` (one per process: the metrics). */
  observeBatches(observer: BatchObserver): void {
    this.batchObserver = observer;
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
      await this.loop.commit(plantId, batch, queue);
    }
    this.queues.delete(plantId);
  }

  /**
   * One span per batch; the statements of its transaction are its children. `later`: the
   * plant's queue, whose writes join the batch once it holds the lock (commitBatch).
   */
  private runBatch(plantId: string, batch: Job[], later: Job[] | null = null, locked?: () => void): Promise<void> {
    const attributes = { 'drumbeat.plant': plantId, 'drumbeat.batch.size': batch.length };
    return tracer.startActiveSpan('drumbeat.write_batch', { attributes }, async (span) => {
      try {
        await this.settleBatch(plantId, batch, later, span, locked);
      } finally {
        span.setAttribute('drumbeat.batch.size', batch.length);
        span.end();
      }
    });
  }

  private async settleBatch(plantId: string, batch: Job[], later: Job[] | null, span: Span, locked?: () => void) {
    const { db } = this.deps;
    let out: Committed;
    const started = this.batchObserver ? performance.now() : 0;
    // The batch changes the cached engine state as it goes, long before its commit: it takes
    // the plant's state for itself (PlantCache.take) until the outcome is known, so no read of
    // this process sees a change that is not committed (and may never be). Readers wait for it
    // (readState); the alternatives, a copy of the state per batch or a read view of the
    // engine's checkpoint, would cost every batch or every engine structure, to spare reads
    // ≈ one batch of waiting under write load only. The turn is taken in commitBatch, once the
    // plant's row lock is held: a batch waiting for the lock (another process's batch or a
    // scenario evaluation holds it) has changed nothing, and reads keep answering from the
    // committed state meanwhile. A reader that holds the turn already has its connection
    // (readState takes it first), so a batch waiting for the turn while holding one cannot
    // starve it of the pool.
    const undo: BatchUndo = {};
    try {
      out = await db.transaction().execute((tx) => this.commitBatch(tx, plantId, batch, later, undo, locked));
    } catch (e) {
      this.restore(plantId, undo);
      this.batchObserver?.((performance.now() - started) / 1000, batch.length);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
      // A failure no refusal explains (a row PostgreSQL rejected, a bug) cannot be pinned on
      // one write of a set-form batch: the batch is gone, and its writes run again one per
      // transaction, so only the write that fails fails. Not while the database is away: the
      // retries would only wait for it one by one.
      if (batch.length > 1 && !(e instanceof DomainError) && !isDatabaseUnavailable(e)) {
        for (const job of batch) await this.runBatch(plantId, [job]);
        return;
      }
      for (const job of batch) job.reject(e);
      return;
    }
    this.batchObserver?.((performance.now() - started) / 1000, batch.length);
    span.setAttribute('drumbeat.schedule.version', out.state.version);
    this.settle(plantId, batch, undo, out);
  }

  /**
   * A failed batch's plant as committed: the state goes, but a read that took it before the
   * batch (a walk in slices) may still hold it: it finds it as committed, not with the changes
   * of a batch that never was.
   */
  private restore(plantId: string, undo: BatchUndo) {
    if (undo.at) {
      undo.at.state.rollback(undo.at.checkpoint);
      undo.at.state.version = undo.at.version;
    }
    this.deps.cache.invalidate(plantId);
    undo.give?.();
  }

  /** A committed batch: the plant's turn back, the news, each write's outcome. */
  private settle(plantId: string, batch: Job[], undo: BatchUndo, out: Committed) {
    // Stryker disable next-line OptionalChaining: a committed batch set both (commitBatch)
    undo.at?.state.release(undo.at.checkpoint);
    // Stryker disable next-line OptionalChaining: a committed batch set both (commitBatch)
    undo.give?.();
    // Our own commit is news too: the next read re-checks versions once.
    if (out.changed) this.deps.feed?.onAnnounce(plantId);
    out.settled.forEach((s, i) =>
      s.ok ? batch[i]!.resolve({ result: s.result, version: s.version, state: out.state }) : batch[i]!.reject(s.error),
    );
  }

  /**
   * The batches of several plants in one transaction (CommitLoop): the plants' rows are
   * locked together, skipping those someone else holds (returned, for the loop to try again);
   * each locked plant's batch then runs as commitBatch runs it, one after the other, with
   * savepoint names of its own. A refusal undoes its write alone, as in any batch; any other
   * failure rolls back the whole transaction, every plant's state with it, and each plant's
   * batch runs again on its own (runBatch, which runs its writes one at a time if it fails
   * again), so only the write that fails fails. Outcomes are told only after the commit.
   */
  private runGroup(group: PendingBatch<Job>[]): Promise<GroupOutcome<Job>> {
    const attributes = { 'drumbeat.group.plants': group.length };
    return tracer.startActiveSpan('drumbeat.write_group', { attributes }, async (span) => {
      try {
        return await this.settleGroup(group, span);
      } finally {
        span.end();
      }
    });
  }

  private async settleGroup(group: PendingBatch<Job>[], span: Span): Promise<GroupOutcome<Job>> {
    const started = this.batchObserver ? performance.now() : 0;
    const since = new Map(group.map((p) => [p.plantId, this.deps.cache.peek(p.plantId)?.version]));
    // Known only once the lock answered: a failure before it (no connection, BEGIN or the lock
    // itself failed) skipped no plant.
    let skipped: PendingBatch<Job>[] | undefined;
    const parts: { p: PendingBatch<Job>; undo: BatchUndo; out?: Committed }[] = [];
    try {
      await this.deps.db.transaction().execute(async (tx) => {
        const locked = await lockFreePlantVersionsWithChanges(
          tx,
          group.map((p) => ({ id: p.plantId, since: this.guessSince(p.plantId, since.get(p.plantId)) })),
        );
        skipped = group.filter((p) => !locked.has(p.plantId));
        for (const p of group) if (locked.has(p.plantId)) parts.push({ p, undo: {} });
        this.groupObserver?.(parts.length);
        // Each plant's turn is taken when its part starts (commitLocked), not for the whole
        // group at once: a read of one plant must not wait for another plant's writes.
        for (const [k, part] of parts.entries()) {
          const { plantId, batch, later } = part.p;
          part.out = await this.commitLocked(tx, plantId, batch, later, part.undo, locked.get(plantId)!, since.get(plantId), `${k}_`);
        }
      });
    } catch (e) {
      for (const { p, undo } of parts) this.restore(p.plantId, undo);
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
      for (const { p } of parts) this.batchObserver?.((performance.now() - started) / 1000, p.batch.length);
      const fail = (plants: readonly PendingBatch<Job>[]) => {
        for (const { batch } of plants) for (const job of batch) job.reject(e);
      };
      if (skipped === undefined) {
        // Before the lock answered no plant took part: the group goes back to the loop, as if
        // skipped (so retries stay within the loop's bounds). The database away (or one stale
        // pooled connection, which looks the same): one more try, on another connection; a
        // write whose plant already went back once fails now, as a single plant's batch does,
        // rather than waiting for the database again and again.
        if (!isDatabaseUnavailable(e)) return { skipped: group, alone: [] };
        fail(group.filter((p) => p.skips > 0));
        return { skipped: group.filter((p) => p.skips === 0), alone: [] };
      }
      // The plants it skipped never touched this transaction: they go back to the loop whatever
      // failed. The database away: the locked plants' writes fail now, as a single plant's
      // batch does (settleBatch). Else each locked plant's batch runs again on its own.
      if (isDatabaseUnavailable(e)) {
        fail(parts.map(({ p }) => p));
        return { skipped, alone: [] };
      }
      return { skipped, alone: parts.map(({ p }) => p) };
    }
    for (const { p, undo, out } of parts) {
      this.batchObserver?.((performance.now() - started) / 1000, p.batch.length);
      this.settle(p.plantId, p.batch, undo, out!);
    }
    return { skipped: skipped!, alone: [] };
  }

  /** The version to read the plant's changes from together with its lock, if the guess is that someone else wrote it (commitBatch). */
  private guessSince(plantId: string, since: number | undefined): number | undefined {
    return since !== undefined && (this.othersWrite.get(plantId) ?? true) ? since : undefined;
  }

  private async commitBatch(
    tx: Transaction<Database>,
    plantId: string,
    batch: Job[],
    later: Job[] | null,
    undo: BatchUndo,
    onLocked?: () => void,
  ) {
    // The catch-up reads (from the version this process's state is at) go with the lock, one
    // round trip with BEGIN, only where the last batch found another process's commit: on a
    // plant only this process writes they would cost PostgreSQL two reads for nothing. A wrong
    // guess costs one round trip more, under the lock. The state is brought forward only once
    // the turn is ours (sync).
    const since = this.deps.cache.peek(plantId)?.version;
    const locked = await lockPlantVersionsWithChanges(tx, plantId, this.guessSince(plantId, since));
    onLocked?.();
    return this.commitLocked(tx, plantId, batch, later, undo, locked, since);
  }

  /** commitBatch once the plant is locked; `savepoints` tells its savepoint names from those of other plants in the transaction. */
  private async commitLocked(
    tx: Transaction<Database>,
    plantId: string,
    batch: Job[],
    later: Job[] | null,
    undo: BatchUndo,
    locked: LockedPlant,
    since: number | undefined,
    savepoints = '',
  ): Promise<Committed> {
    const plant = locked.versions;
    if (!plant) throw notFound(`Plant "${plantId}"`);
    let changes = locked.changes;
    if (since !== undefined) {
      const moved = plant.schedule_version !== since;
      this.othersWrite.set(plantId, moved);
      if (moved && !changes) changes = await changesSinceUnderLock(tx, plantId, since);
    }
    // The plant's turn, now that the lock is ours (see settleBatch); then a turn of the event
    // loop: a read whose turn just ended uses the state before anything changes it.
    undo.give = await this.deps.cache.take(plantId);
    await yieldToEventLoop();
    const state = await this.deps.cache.sync(tx, plantId, plant.schedule_version, plant.config_version, changes);
    undo.at = { state, checkpoint: state.checkpoint(), version: state.version };
    // Writes that queued while the batch waited for its connection and the plant's lock (in a
    // busy plant, another process's batch holds it about half the time) join it now: they
    // would otherwise wait for this batch's commit and pay a batch of their own (lock,
    // catch-up, events, commit) for fewer writes. Only now, before the batch reads the clock:
    // every write it decides was sent before its `now`, so a hold that expired before a
    // confirm was sent is expired for that confirm too. Taken from the queue, a write is this
    // batch's (a failed batch runs it again alone, as its others).
    if (later !== null && later.length > 0 && batch.length < MAX_BATCH) batch.push(...later.splice(0, MAX_BATCH - batch.length));
    const b = new Batch(tx, plantId, state, plant, this.deps.clock.now());
    await b.watchStatements();

    await b.run(null, housekeeping);
    const settled: Settled[] = [];
    let rulesChanged = false;
    for (const [i, job] of batch.entries()) {
      const s = await this.settleJob(b, job, `drumbeat_write_${savepoints}${i}`, this.deps.cache, plant.schedule_version);
      settled.push(s);
      if (s.ok && s.rulesChanged) rulesChanged = true;
    }

    await b.flushRows();
    const versionMoved = b.version !== plant.schedule_version;
    if (versionMoved) {
      // Events and the new version in one statement, sent with the rows and the COMMIT (one
      // round trip while the plant is locked), or before the first statement of a hook; the
      // hooks run after it, still inside the transaction, so a failing hook undoes both.
      await sendLater(
        tx,
        commitScheduleVersionWithEventsQuery(tx, plantId, plant.event_seq, b.pending, {
          scheduleVersion: b.version,
          orderSeq: b.orderSeq,
          now: b.now,
        }),
      );
      for (const hook of this.afterAppendHooks) await hook(tx, plantId, b.pending);
      b.state.version = b.version;
    }
    return { settled, changed: versionMoved || rulesChanged, state: b.state };
  }

  /**
   * One write of a batch inside its own savepoint: a refusal (DomainError) rolls back its rows,
   * its counters and, through PlantState.checkpoint/rollback, the engine state, and is settled
   * as a refusal; anything else fails the whole batch. New capacity rules make the batch bring
   * its state (from `cache`) to them before the next write.
   */
  private async settleJob(
    b: Batch,
    job: Pick<Job, 'actor' | 'fn' | 'hooks'>,
    savepoint: string,
    cache: PlantCache,
    scheduleVersion: number,
  ): Promise<Settled & { rulesChanged?: boolean }> {
    const { tx, plantId } = b;
    const checkpoint = b.state.checkpoint();
    const marks = b.marks();
    const sp = b.openSavepoint(savepoint, marks);
    b.savepoint = sp;
    let done: { result: unknown; version: number };
    try {
      done = await b.run(job.actor, job.fn);
      await job.hooks.succeeded?.(tx, done);
    } catch (error) {
      b.savepoint = null;
      b.state.rollback(checkpoint);
      // Anything but a refusal (a bug, a lost connection) fails the whole batch.
      if (!(error instanceof DomainError)) throw error;
      if (sp.sent) await rollbackToSavepoint(tx, sp.name);
      b.rollbackTo(marks);
      await job.hooks.refused?.(tx, error);
      return { ok: false, error };
    }
    b.savepoint = null;
    // The savepoint stays until the commit: releasing it would cost a round trip and buy nothing (names are unique per batch).
    b.state.release(checkpoint);
    // New capacity rules: the next write of this batch is decided on them, not on the old calendar.
    if (b.rulesChangedTo === null) return { ok: true, ...done };
    // The rebuild reads the stored orders and plans.
    await b.flushRows();
    b.state = await cache.sync(tx, plantId, scheduleVersion, b.rulesChangedTo);
    return { ok: true, ...done, rulesChanged: true };
  }

  /**
   * Runs writes as the write path would run them now, on a fork of the plant's engine state,
   * in a transaction that is always rolled back: nothing is committed, no event is appended,
   * no version moves, and the cached state every reader of this process sees is never
   * changed (what-if scenarios). Each `sim.write` is one write of a batch (its own savepoint:
   * a refusal undoes it alone and is thrown to the caller). The transaction locks the plant's
   * versions row like a write, so a simulation sees one live version, serialised with the
   * plant's writes in every process (its own writes take row locks; without the plant lock
   * first they could deadlock with a live write).
   *
   * Why a fork and not checkpoint/rollback of the cached state under the plant's turn
   * (PlantCache.take): the simulated writes await the database between their changes, and
   * every read of the plant in this process would wait behind the whole evaluation (≈ 0.3 s
   * at 10k orders) instead of behind one batch. The fork costs one copy of the books (O(n));
   * the turn is held only while the live state catches up and is copied, so a read waits for
   * a simulation at most that long, never for its operations.
   *
   * Writes do wait for it: it holds the plant's row lock. So that they wait for one simulation
   * at most, a process runs one simulation per plant at a time (the others wait in the process,
   * holding no connection and no lock), and a simulation that waits for the lock, runs a
   * statement or holds the lock longer than SIMULATION_LIMIT_MS gives up: a 503
   * `service-unavailable` with `retryAfterSeconds`.
   */
  async simulate<T>(plantId: string, run: (sim: Simulation) => Promise<T>): Promise<T> {
    const before = this.simulations.get(plantId);
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const end = before ? before.then(() => mine) : mine;
    this.simulations.set(plantId, end);
    try {
      if (before) await before;
      return await this.simulateNow(plantId, run);
    } catch (e) {
      throw isTransactionWaitLimit(e) ? simulationBusy() : e;
    } finally {
      done();
      if (this.simulations.get(plantId) === end) this.simulations.delete(plantId);
    }
  }

  private async simulateNow<T>(plantId: string, run: (sim: Simulation) => Promise<T>): Promise<T> {
    let out: { value: T } | undefined;
    try {
      await this.deps.db.transaction().execute(async (tx) => {
        await limitTransactionWaits(tx, SIMULATION_LIMIT_MS);
        const plant = await lockPlantVersions(tx, plantId);
        if (!plant) throw notFound(`Plant "${plantId}"`);
        const deadline = performance.now() + SIMULATION_LIMIT_MS;
        // The live state catches up under the plant's turn, as a batch's does (one catch-up at a
        // time; no read sees it half applied), and is copied; the turn ends before the operations.
        const give = await this.deps.cache.take(plantId);
        const own = new PlantCache();
        try {
          const live = await this.deps.cache.sync(tx, plantId, plant.schedule_version, plant.config_version);
          own.adopt(plantId, live.fork());
        } finally {
          give();
        }
        const b = new Batch(tx, plantId, own.peek(plantId)!, plant, this.deps.clock.now());
        await b.watchStatements();
        await b.run(null, housekeeping);
        let writes = 0;
        const sim: Simulation = {
          tx,
          get state() {
            return b.state;
          },
          now: b.now,
          scheduleVersion: plant.schedule_version,
          cache: own,
          write: async <R>(actor: Actor | null, fn: (ctx: WriteContext) => Promise<R>) => {
            if (performance.now() > deadline) throw simulationBusy();
            const s = await this.settleJob(b, { actor, fn, hooks: {} }, `drumbeat_write_${writes++}`, own, plant.schedule_version);
            if (!s.ok) throw s.error;
            return { result: s.result as R, version: s.version, state: b.state };
          },
        };
        out = { value: await run(sim) };
        throw ROLLED_BACK;
      });
    } catch (e) {
      if (e !== ROLLED_BACK) throw e;
    }
    return out!.value;
  }
}

/** One batch's running counters and pending events: what a refused write's rollback restores. */
class Batch {
  version: number;
  orderSeq: number;
  /** Events of the whole batch go out in one INSERT at the end; a refused write's never do. */
  pending: VersionedEvent[] = [];
  /** New orders of the batch's writes, complete rows in order; the first `ordersSent` are in the database. */
  private newOrders: OrderRow[] = [];
  private ordersSent = 0;
  /** Operation rows written by the batch's writes, in order, flushed once (flushOperations). */
  private operations: { orderId: string; rows: readonly OperationRow[]; fresh: boolean }[] = [];
  /** Set by a write that changed capacity rules: the config version the state must be rebuilt at. */
  rulesChangedTo: number | null = null;
  /** The running write's savepoint (openSavepoint), opened before its first statement; null between writes. */
  savepoint: { open: (run: RunStatement) => Promise<void> } | null = null;
  readonly nowMinute: number;

  constructor(
    readonly tx: Transaction<Database>,
    readonly plantId: string,
    public state: PlantState,
    plant: { schedule_version: number; order_seq: number },
    readonly now: Date,
  ) {
    this.version = plant.schedule_version;
    this.orderSeq = plant.order_seq;
    this.nowMinute = toMinute(now);
  }

  marks() {
    return {
      version: this.version,
      orderSeq: this.orderSeq,
      pending: this.pending.length,
      operations: this.operations.length,
      orders: this.newOrders.length,
    };
  }

  /** Undoes a refused write in the batch's counters; its rows in the database went with its savepoint. */
  rollbackTo(m: ReturnType<Batch['marks']>) {
    this.version = m.version;
    this.orderSeq = m.orderSeq;
    this.pending.length = m.pending;
    this.operations.length = m.operations;
    this.newOrders.length = m.orders;
    this.ordersSent = Math.min(this.ordersSent, m.orders);
  }

  /**
   * A write's savepoint, opened only if the write sends a statement of its own (see
   * deferred-statements.ts): right before its first statement, the new orders of the writes
   * before it go out, then the savepoint; before each of its statements, its own new orders
   * not yet sent; so that every statement sees every row written before it (read-your-writes)
   * and rolling back to the savepoint undoes this write alone. A write that sends nothing (a new order is a row in
   * memory) costs its batch no statement.
   */
  openSavepoint(name: string, marks: { orders: number }) {
    const sp = {
      name,
      sent: false,
      open: async (run: RunStatement) => {
        if (!sp.sent) {
          await this.flushOrders(run, marks.orders);
          await run(savepointQuery(this.tx, name));
          sp.sent = true;
        }
        await this.flushOrders(run);
      },
    };
    return sp;
  }

  /**
   * Has the transaction's connection open the running write's savepoint before each
   * statement (deferred-statements.ts): registered once per batch, so a write costs no
   * control round trip through Kysely of its own.
   */
  async watchStatements() {
    await beforeEachStatement(this.tx, (run) => this.savepoint?.open(run) ?? Promise.resolve());
  }

  /** Inserts the new orders not yet in the database (up to index `upTo`), ORDER_ROWS_PER_STATEMENT per statement. */
  async flushOrders(run: RunStatement = (q) => this.tx.executeQuery(q), upTo = this.newOrders.length) {
    while (this.ordersSent < upTo) {
      const end = Math.min(upTo, this.ordersSent + ORDER_ROWS_PER_STATEMENT);
      await run(insertOrderRowsQuery(this.tx, this.newOrders.slice(this.ordersSent, end)));
      this.ordersSent = end;
    }
  }

  /**
   * The batch's rows not yet in the database: new orders first (operation rows name them).
   * The common batch, new orders and only their operations, is one statement for both.
   */
  async flushRows() {
    const ops = this.takeOperations();
    const unsent = this.newOrders.length - this.ordersSent;
    if (ops && ops.replaced.length === 0 && unsent > 0 && unsent <= ORDER_ROWS_PER_STATEMENT) {
      // Nobody waits for its answer: it goes with the next statement (the events, the COMMIT).
      await sendLater(this.tx, insertOrdersWithOperationsQuery(this.tx, this.plantId, this.newOrders.slice(this.ordersSent), ops.rows));
      this.ordersSent = this.newOrders.length;
      return;
    }
    await this.flushOrders();
    if (ops) await replaceOperations(this.tx, this.plantId, ops.replaced, ops.rows);
  }

  /**
   * Takes the operations collected so far: the last rows written per order, and the orders
   * that had stored rows before this batch (to delete first); null when there are none.
   */
  private takeOperations(): { replaced: string[]; rows: OperationRow[] } | null {
    if (this.operations.length === 0) return null;
    const last = new Map<string, readonly OperationRow[]>();
    const replaced = new Set<string>();
    for (const { orderId, rows, fresh } of this.operations) {
      if (!fresh && !last.has(orderId)) replaced.add(orderId);
      last.set(orderId, rows);
    }
    this.operations = [];
    return { replaced: [...replaced], rows: [...last.values()].flat() };
  }

  /** Runs one write against the batch: its context, its events, its version. */
  async run(actor: Actor | null, fn: (ctx: WriteContext) => Promise<unknown>) {
    const { tx, plantId, now, state } = this;
    const events: ScheduleEvent[] = [];
    const seqBefore = this.orderSeq;
    const nextVersion = this.version + 1;
    this.rulesChangedTo = null;
    const stamp = { changed_version: nextVersion, updated_at: now };
    // The orders this write changed: only they can have changed at-risk state (at-risk.ts).
    const touched = new Set<string>();
    const ctx: WriteContext = {
      tx,
      state,
      now,
      nowMinute: this.nowMinute,
      nextVersion,
      actor,
      emit: (e) => events.push(e),
      nextSeq: () => ++this.orderSeq,
      operations: {
        replace: (orderId, rows, fresh = false) => void this.operations.push({ orderId, rows, fresh }),
      },
      changeCapacityRules: async () => {
        this.rulesChangedTo = await bumpConfigVersion(tx, plantId, now);
      },
      orders: {
        insert: async (values) => (await ctx.orders.insertMany([values]))[0]!,
        insertMany: async (values) => {
          const orderStamp = { plant_id: plantId, created_at: now, ...stamp };
          const rows = values.map((v) => completeOrderRow(v, orderStamp));
          this.newOrders.push(...rows);
          for (const row of rows) state.apply(row);
          for (const row of rows) touched.add(row.id);
          return rows;
        },
        update: async (id, set) => {
          const row = await updateOrder(tx, plantId, id, { ...set, ...stamp });
          state.apply(row);
          touched.add(row.id);
          return row;
        },
      },
    };
    const result = await fn(ctx);
    if (touched.size > 0) await reviewAtRisk(ctx, touched);
    if (events.length === 0) {
      this.orderSeq = seqBefore;
      return { result, version: this.version };
    }
    this.version = nextVersion;
    const label = actor ? actorLabel(actor) : 'system';
    for (const e of events)
      this.pending.push({ type: e.type, orderId: e.orderId ?? null, data: eventData(e), version: nextVersion, actor: label });
    return { result, version: nextVersion };
  }
}

/** Deps with a write path of their own, for scripts outside a running service (seeding, benches). */
export function standaloneScheduleDeps(db: Db, clock: Clock): ScheduleDeps {
  const writer = new ScheduleWriter({ db, clock, cache: new PlantCache() });
  return { ...writer.deps, writer };
}

/** What every batch does first, before its writes: due holds expire, legacy orders get plans, time passes, the head freezes. */
async function housekeeping(ctx: WriteContext) {
  await expireDueHolds(ctx);
  await planLegacyOrders(ctx);
  await tickOverdueWork(ctx);
  await freezeHead(ctx);
}

/** Thrown to roll a simulation's transaction back (never escapes simulate). */
const ROLLED_BACK = new Error('simulation rolled back');

/** Holds past their expiry leave the schedule in the same transaction as whatever comes next. */
async function expireDueHolds(ctx: WriteContext) {
  const { state, nowMinute, tx } = ctx;
  const due = state.holdExpiry.due(nowMinute);
  if (due.length === 0) return;
  const dueAt = new Map(due.map((id) => [id, state.holdExpiry.get(id)!]));
  const expired = await expireHolds(tx, state.config.plantId, due, ctx.nextVersion, ctx.now);
  for (const row of expired) state.apply(row);
  // Expiries of holds no longer held (changed by another process meanwhile) are forgotten too.
  for (const id of due) {
    state.holdExpiry.delete(id);
    if (expired.some((r) => r.id === id)) continue;
    state.book?.remove(id);
    state.route?.remove(id);
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
  await withdrawRequestsOfDeadOrders(
    ctx,
    expired.map((r) => r.id),
    { label: 'system', role: 'system' },
    'hold expired',
  );
  if (expired.length > 0) await recoverAtRisk(ctx, 'Order planning after holds expired');
}
