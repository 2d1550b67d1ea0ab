import type { DbOrTx } from '../../db/database.ts';
import { operationsForOrders, type OrderOperationRow } from '../../db/repos/order-operations.ts';
import { COMMITTED, committedDrumRowsPage, drumRows, type DrumRow } from '../../db/repos/orders.ts';
import {
  buildWorkingTime,
  DrumBook,
  type BookCheckpoint,
  type DrumOrder,
  type RouteBook,
  type RouteBookCheckpoint,
  type StoredRouteOrder,
  type WorkingTime,
} from '../../engine/index.ts';
import { READ_PAGE_SIZE, yieldToEventLoop } from '../event-loop-slices.ts';
import { collectAfterColdBuild } from './cold-build-gc.ts';
import { HoldExpiries, type ExpiryCheckpoint } from './hold-expiries.ts';
import { loadPlantConfig, type PlantConfig } from './plant-config.ts';
import { TICK_STEP_MINUTES } from './tick-step.ts';
import { buildRouteBook, IN_PROGRESS_RANK, opsOf, routeBookWithout, toMinute, toStoredRoute, workingTimesOf } from './route-state.ts';

export { fromMinute, IN_PROGRESS_RANK, toMinute } from './route-state.ts';

type StoredOps = StoredRouteOrder['ops'];

/** A point a PlantState can be rolled back to (see PlantState.checkpoint). */
export interface StateCheckpoint {
  readonly config: PlantConfig;
  readonly wt: WorkingTime | null;
  readonly book: DrumBook | null;
  readonly bookAt: BookCheckpoint | null;
  readonly route: RouteBook | null;
  readonly routeAt: RouteBookCheckpoint | null;
  readonly expiryAt: ExpiryCheckpoint;
}

/**
 * One plant's engine state in this process, valid for exactly one schedule version.
 * Holds only what the engine needs (≈100 bytes per order); order details stay in the database.
 *
 * Undo is explicit, like a database savepoint: checkpoint() marks the state, rollback(cp)
 * restores the drum book, the hold expiries and the capacity rules (config, calendar) as
 * they were at the mark, release(cp) keeps the changes. Group commit takes one per write, so
 * a refused write leaves no trace while the others in its batch stand.
 */
export class PlantState {
  /** Expiry minute of each hold, so reads can notice an expired hold without the sweep. */
  readonly holdExpiry = new HoldExpiries();

  /**
   * While a write batch (or a catch-up) has this state (PlantCache.take), the end of its turn;
   * else undefined. A read that yields to the event loop midway (routePlanInSlices) asks it
   * after each yield: the state may then hold changes not committed. Always undefined for a
   * state no cache holds (forRead's copies: no batch changes them).
   */
  pendingWrites: () => Promise<void> | undefined = () => undefined;

  constructor(
    private rules: PlantConfig,
    private calendar: WorkingTime | null,
    private drum: DrumBook | null,
    private routes: RouteBook | null,
    public version: number,
  ) {}

  get config(): PlantConfig {
    return this.rules;
  }

  get wt(): WorkingTime | null {
    return this.calendar;
  }

  get book(): DrumBook | null {
    return this.drum;
  }

  /** The whole-route book: every committed order's plan on every resource (design note whole-route.md). */
  get route(): RouteBook | null {
    return this.routes;
  }

  /**
   * Brings the engine state in line with a row as stored: the one way a stored order change
   * reaches it. `ops`: the order's stored operation snapshot when it changed (a new or
   * re-promised order); absent, the snapshot the route book already has is kept.
   */
  apply(row: DrumRow, ops?: StoredOps) {
    if (!this.drum) return;
    const committed = COMMITTED.includes(row.status);
    if (committed) {
      const order = toDrumOrder(row);
      if (this.drum.has(order.id)) this.drum.update(order);
      else this.drum.insert(order);
      if (this.routes) {
        const had = this.routes.get(row.id);
        const next = toStoredRoute(row, ops ?? had?.ops ?? [], this.routes.drumId);
        // The write that stored the row usually committed this very plan already (reserve, re-promise).
        if (!had || !samePlan(had, next)) this.routes.upsert(next);
      }
    } else {
      this.drum.remove(row.id);
      // Stryker disable next-line OptionalChaining: a state has a route book whenever it has a drum book (buildRouteBook)
      this.routes?.remove(row.id);
    }
    if (row.status === 'held' && row.hold_expires_at) this.holdExpiry.set(row.id, toMinute(row.hold_expires_at));
    else this.holdExpiry.delete(row.id);
  }

  /** Pins an order at the head of the drum with a rank, in memory only (an overlay under a checkpoint: withFrozenWindow). */
  pin(id: string, pinRank: number): void {
    const o = this.drum?.get(id);
    if (o) this.drum!.update({ ...o, pinned: true, pinRank });
    const r = this.routes?.get(id);
    if (r) this.routes!.upsert({ ...r, pinned: true, pinRank });
  }

  /** A copy without the holds expired at some minute, kept while the version and the rules last. */
  private readCopy: { version: number; config: PlantConfig; expired: string; state: PlantState } | null = null;

  /**
   * The state as a read at `nowMinute` must see it: holds past their expiry do not count
   * (a read never writes; the sweep or the next write expires them in the database). The
   * same state when no hold is due, else a copy without the due holds (O(n log n) once per
   * version while they linger).
   */
  forRead(nowMinute: number): PlantState {
    const due = this.holdExpiry.due(nowMinute);
    if (due.length === 0 || !this.drum || !this.calendar) return this;
    // Stryker disable next-line MethodExpression: unsorted, the same holds may only miss the cached copy (a rollback re-adds an expiry last); the copy is the same
    const expired = due.sort().join(' ');
    const c = this.readCopy;
    if (c && c.version === this.version && c.config === this.rules && c.expired === expired) return c.state;
    const gone = new Set(due);
    const book = new DrumBook(
      this.calendar,
      this.drum.orders().filter((o) => !gone.has(o.id)),
      this.drum.policy,
    );
    const routes = this.routes ? routeBookWithout(this.routes, this.rules, gone) : null;
    const state = new PlantState(this.rules, this.calendar, book, routes, this.version);
    for (const [id, minute] of this.holdExpiry.entries()) if (!gone.has(id)) state.holdExpiry.set(id, minute);
    this.readCopy = { version: this.version, config: this.rules, expired, state };
    return state;
  }

  /**
   * New capacity rules (a calendar or capacity change, buffers, routings) leave every stored
   * order as it was: only the drum's working time changes, so the book is rebuilt on the new
   * calendar from the orders in memory. False when the drum itself changed (different loads):
   * then the caller rebuilds from the database.
   */
  recalibrate(config: PlantConfig): boolean {
    // Stryker disable next-line OptionalChaining: a state with a drum book has a drum in its rules
    if (!this.drum || !config.drum || config.drum.id !== this.rules.drum?.id) return false;
    this.rules = config;
    this.calendar = buildWorkingTime(config.drum.calendar);
    this.drum = this.drum.withWorkingTime(this.calendar);
    // Stryker disable next-line OptionalChaining: a state with a drum book has a route book
    this.routes = this.routes?.withWorkingTimes(workingTimesOf(config)) ?? null;
    return true;
  }

  /**
   * An independent copy: the books copied on the same calendars (O(n)), so writes to either
   * leave the other as it was (a what-if scenario's simulation, ScheduleWriter.simulate).
   */
  fork(): PlantState {
    const state = new PlantState(
      this.rules,
      this.calendar,
      // Stryker disable next-line OptionalChaining: a state has a calendar only with a drum book
      this.calendar ? (this.drum?.withWorkingTime(this.calendar) ?? null) : null,
      this.routes?.withWorkingTimes(workingTimesOf(this.rules)) ?? null,
      this.version,
    );
    for (const [id, minute] of this.holdExpiry.entries()) state.holdExpiry.set(id, minute);
    return state;
  }

  checkpoint(): StateCheckpoint {
    return {
      config: this.rules,
      wt: this.calendar,
      book: this.drum,
      bookAt: this.drum?.checkpoint() ?? null,
      route: this.routes,
      routeAt: this.routes?.checkpoint() ?? null,
      expiryAt: this.holdExpiry.checkpoint(),
    };
  }

  rollback(cp: StateCheckpoint): void {
    // A recalibration since the mark replaced the book: the one from the mark is still intact up to its own log.
    this.rules = cp.config;
    this.calendar = cp.wt;
    this.drum = cp.book;
    // Stryker disable next-line LogicalOperator: bookAt is null exactly when book is (checkpoint), so || equals &&
    if (cp.book && cp.bookAt) cp.book.rollback(cp.bookAt);
    this.routes = cp.route;
    // Stryker disable next-line LogicalOperator: routeAt is null exactly when route is
    if (cp.route && cp.routeAt) cp.route.rollback(cp.routeAt);
    this.holdExpiry.rollback(cp.expiryAt);
  }

  release(cp: StateCheckpoint): void {
    // Stryker disable next-line LogicalOperator: bookAt is null exactly when book is
    if (cp.book && cp.bookAt) cp.book.release(cp.bookAt);
    // Stryker disable next-line LogicalOperator: routeAt is null exactly when route is
    if (cp.route && cp.routeAt) cp.route.release(cp.routeAt);
    this.holdExpiry.release(cp.expiryAt);
  }
}

/** Same plan as stored: every field the route book keeps (ops by identity, as apply passes the kept ones through). */
// Stryker disable next-line BlockStatement: never "same" only upserts an equal plan again
function samePlan(a: StoredRouteOrder, b: StoredRouteOrder): boolean {
  return (
    a.ops === b.ops &&
    a.drumLoad === b.drumLoad &&
    a.drumDeadline === b.drumDeadline &&
    a.effectiveDeadline === b.effectiveDeadline &&
    a.ready === b.ready &&
    a.key === b.key &&
    a.pinned === b.pinned &&
    a.pinRank === b.pinRank &&
    a.plannedRelease === b.plannedRelease &&
    a.promiseDate === b.promiseDate &&
    a.shippingBufferDays === b.shippingBufferDays &&
    // Stryker disable next-line BooleanLiteral,LogicalOperator: toStoredRoute always sets released, and a false "same" only upserts an equal plan
    (a.released ?? false) === (b.released ?? false) &&
    sameRisk(a.risk, b.risk)
  );
}

const sameRisk = (a: StoredRouteOrder['risk'], b: StoredRouteOrder['risk']) =>
  a === b ||
  (a !== undefined &&
    b !== undefined &&
    a.promiseDate === b.promiseDate &&
    a.projectedFinish === b.projectedFinish &&
    a.reason === b.reason &&
    a.resource === b.resource);

const toDrumOrder = (row: DrumRow): DrumOrder => ({
  id: row.id,
  load: row.drum_load_minutes - row.drum_done_minutes,
  deadline: toMinute(row.drum_deadline),
  seq: row.seq,
  pinned: row.pinned || row.status === 'in_progress',
  // The order on the drum comes first, then the frozen ones in the order they were frozen.
  ...(row.status === 'in_progress' ? { pinRank: IN_PROGRESS_RANK } : row.pin_rank !== null ? { pinRank: row.pin_rank } : {}),
  productionBufferDays: row.production_buffer_days,
});

/**
 * The per-process cache of plant engine states, keyed by schedule version. A state that is
 * behind catches up from the rows changed since its version (changed_version) instead of
 * reloading every order; a change of capacity rules (config_version) rebuilds the book on the
 * new calendar from the orders already in memory (PlantState.recalibrate).
 */
export class PlantCache {
  private states = new Map<string, PlantState>();
  /** Per plant, while its state is taken (see take): the end of the last turn handed out. */
  private readonly turns = new Map<string, Promise<void>>();
  /** Pages read by cold builds so far (tests count them). */
  buildPages = 0;

  /** `pageSize`: committed orders per query of a cold build. */
  constructor(private readonly pageSize = READ_PAGE_SIZE) {}

  invalidate(plantId: string) {
    this.states.delete(plantId);
  }

  /** Holds `state` as the plant's (a simulation's private cache of its fork). */
  adopt(plantId: string, state: PlantState): void {
    this.states.set(plantId, state);
  }

  /** The plant's state as it is now: committed only while the plant is not busy (see take). */
  peek(plantId: string): PlantState | undefined {
    return this.states.get(plantId);
  }

  /**
   * Takes the plant's state for exclusive use, after whoever asked before (first come, first
   * served), and returns the function that gives it back. A write batch holds it from when it
   * holds the plant's row lock until it committed or was rolled back (its changes in memory are
   * not committed until then: no read may see them); a read that brings the state up to date
   * holds it while it does, with a database connection taken before the turn (a batch waiting
   * here holds one: the turn's holder must never wait for the pool). One taker at a time also
   * keeps two catch-ups from applying rows to the same state at once.
   */
  async take(plantId: string): Promise<() => void> {
    const before = this.turns.get(plantId);
    let give!: () => void;
    const mine = new Promise<void>((resolve) => (give = resolve));
    const end = before ? before.then(() => mine) : mine;
    this.turns.set(plantId, end);
    if (before) await before;
    return () => {
      give();
      if (this.turns.get(plantId) === end) this.turns.delete(plantId);
    };
  }

  /** True while someone has taken the plant's state: a write batch may have changed it without committing. */
  busy(plantId: string): boolean {
    return this.turns.has(plantId);
  }

  /**
   * Calls `fn` with each plant held in this process and its last committed state (the metrics
   * gauges read them at scrape time): a plant a batch is changing is read after the batch.
   */
  async eachCommitted(fn: (plantId: string, state: PlantState) => void): Promise<void> {
    for (const plantId of [...this.states.keys()]) {
      const give = this.busy(plantId) ? await this.take(plantId) : undefined;
      try {
        const state = this.states.get(plantId);
        if (state) fn(plantId, state);
      } finally {
        give?.();
      }
    }
  }

  /** Plants held in this process whose plan time passing would move (the background sweep ticks them). */
  plantsWithOverdueWork(nowMinute: number): string[] {
    return [...this.states].filter(([, s]) => s.route?.tickDue(nowMinute, nowMinute + TICK_STEP_MINUTES)).map(([id]) => id);
  }

  /**
   * Brings the plant's state to (scheduleVersion, configVersion) as read by the caller.
   * `changes`: the orders changed since a version and their operations, read by the caller
   * at those versions (a writer reads them with its lock): a catch-up from a version at or
   * after `since` applies them instead of reading.
   */
  async sync(db: DbOrTx, plantId: string, scheduleVersion: number, configVersion: number, changes?: Changes): Promise<PlantState> {
    const cached = this.states.get(plantId);
    // Only ever forward: a state ahead of the caller's read (a batch of this process in flight) stays as it is.
    // New rules alone: the orders in memory are re-measured on them (recalibrate). New rules and
    // new rows together (another process's capacity change re-planned orders on the new
    // calendars), or rules recalibrate cannot take (another drum): the state keeps its older
    // rules (recalibrate changes nothing when it refuses), so the test below rebuilds it from the
    // database rather than re-measure stale plans. Every caller holds the plant's turn (take),
    // so nobody changes the state during the await.
    if (cached && cached.config.configVersion < configVersion && cached.version >= scheduleVersion) {
      cached.recalibrate(await loadPlantConfig(db, plantId));
    }
    if (cached && cached.config.configVersion >= configVersion) {
      if (cached.version < scheduleVersion) {
        await catchUp(db, cached, plantId, cached.version, changes && changes.since <= cached.version ? changes : undefined);
        cached.version = scheduleVersion;
      }
      return cached;
    }
    const state = await this.build(db, plantId, scheduleVersion);
    state.pendingWrites = () => this.turns.get(plantId);
    this.states.set(plantId, state);
    return state;
  }

  /**
   * A state from the database: the committed orders are read in keyset pages by id, yielding
   * between pages, so a cold build at 100k orders does not hold the event loop for the whole
   * read. Pages read outside a transaction may see different commits; rows changed after
   * `scheduleVersion` are then read again at the end, in one query, and applied (as sync
   * does), so the state is that of one moment like a single read's.
   */
  private async build(db: DbOrTx, plantId: string, scheduleVersion: number) {
    const config = await loadPlantConfig(db, plantId);
    const wt = config.drum ? buildWorkingTime(config.drum.calendar) : null;
    const drumId = config.drum?.id;
    // Each page becomes the engine's orders at once: the database rows (dates, statuses,
    // columns the engine does not keep) never all live together, which kept 100k of them in
    // the heap beside the books being built and so in the process's resident size.
    const drumOrders: DrumOrder[] = [];
    const routes: StoredRouteOrder[] = [];
    const holds: [string, number][] = [];
    let pages = 0;
    for (let after: string | undefined; ;) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: yielding (or not) changes no page read; each read awaits the database anyway
      if (pages > 0) await yieldToEventLoop();
      const page = await committedDrumRowsPage(db, plantId, after, this.pageSize);
      pages++;
      const ops = opsOf(
        await operationsForOrders(
          db,
          plantId,
          page.map((r) => r.id),
        ),
      );
      for (const row of page) {
        if (drumId !== undefined) {
          drumOrders.push(toDrumOrder(row));
          routes.push(toStoredRoute(row, ops.get(row.id) ?? [], drumId));
        }
        // Stryker disable next-line LogicalOperator: only held rows carry an expiry (every write that ends a hold clears it)
        if (row.status === 'held' && row.hold_expires_at) holds.push([row.id, toMinute(row.hold_expires_at)]);
      }
      if (page.length < this.pageSize) break;
      after = page[page.length - 1]!.id;
    }
    this.buildPages += pages;
    const book = wt ? new DrumBook(wt, drumOrders) : null;
    drumOrders.length = 0;
    const state = new PlantState(config, wt, book, buildRouteBook(config, routes), scheduleVersion);
    const orders = routes.length;
    routes.length = 0;
    for (const [id, minute] of holds) state.holdExpiry.set(id, minute);
    if (pages > 1) await catchUp(db, state, plantId, scheduleVersion);
    collectAfterColdBuild(orders);
    return state;
  }
}

/** Orders changed after `since` and the operations of the committed ones, as read together (lockPlantVersionsWithChanges). */
interface Changes {
  since: number;
  rows: DrumRow[];
  operations: OrderOperationRow[];
}

/**
 * Applies the rows changed after `sinceVersion`, with the operation snapshots of the committed
 * ones: read here, or already read (`changes`, from an earlier version: a row applied twice
 * ends as stored, so the rows changed between the two versions do no harm).
 */
async function catchUp(db: DbOrTx, state: PlantState, plantId: string, sinceVersion: number, changes?: Changes) {
  let rows: DrumRow[];
  let ops: Map<string, StoredOps>;
  if (changes) {
    rows = changes.rows;
    ops = opsOf(changes.operations);
  } else {
    rows = await drumRows(db, plantId, sinceVersion);
    const committed = rows.filter((r) => COMMITTED.includes(r.status)).map((r) => r.id);
    // Stryker disable next-line EqualityOperator: operationsForOrders reads nothing for no ids
    ops = committed.length > 0 ? opsOf(await operationsForOrders(db, plantId, committed)) : new Map<string, StoredOps>();
  }
  // Stale plans of the changed orders leave first: a stored sequence key may have moved from
  // one order to another (e.g. a key last held by an order that was since frozen), and rows
  // come in no particular order.
  for (const row of rows) state.route?.remove(row.id);
  for (const row of rows) state.apply(row, ops.get(row.id) ?? []);
}
