import { capacityPromiseDateFor, drumDeadlineFor, lastWorkingDayOnOrBefore, leadTimeFloorDate, nextLocalDate } from '../buffer-days.ts';
import { NoWorkingDayError } from '../calendar-working-time.ts';
import { CowMap } from '../cow-map.ts';
import { Ledger } from '../ledger.ts';
import { LedgerOverlay } from '../ledger-overlay.ts';
import { LedgerSet, type ChainOp, type ChainPlacement } from '../ledger-set.ts';
import { NoCapacityError } from '../quote.ts';
import { RouteDrum, type DrumPlanCursor, type PlannedDrumOrder, type RouteDrumOrder } from '../route-drum/route-drum.ts';
import type { LocalDate, Minute, WorkingTime } from '../working-time.ts';
import { priceOfDateOn, type PriceContext } from './route-price.ts';
import { splitRoute, type SplitRoute } from './route-split.ts';
import { reportOperation, settleAfterDrumReport, type ProgressOutcome } from './route-progress.ts';
import { recalendarRoutes, type Recalendared } from './route-recalendar.ts';
import { tickDue, tickRoutes, type RouteTick, type TickHost } from './route-tick.ts';
import type {
  RouteBookCheckpoint,
  RouteCommit,
  RouteDemand,
  RoutePlan,
  RoutePlanOp,
  RoutePlanPage,
  RoutePrice,
  RouteQuote,
  RouteStep,
  StoredRouteOp,
  StoredRouteOrder,
} from './route-types.ts';

/** The release lookahead Δ of §5.1 when the caller gives none. */
export const DEFAULT_LOOKAHEAD = 15;

/** A route split for placement: chain ops with positions and the drum load. */
interface Route {
  up: ChainOp[];
  down: ChainOp[];
  load: number;
}

/** The quote with the placements it made (the commit reuses them). */
interface QuoteState {
  quote: RouteQuote;
  t0: Minute;
  route: Route;
}

type UndoEntry = { id: string; prev: StoredRouteOrder | undefined };

/**
 * The whole-route book of one plant (docs/design/whole-route.md §3–§5, §7): the keyed drum
 * with ready times (RouteDrum), a reservation ledger per non-drum resource (LedgerSet) and
 * the stored record of every order. Pure: no I/O, no clock (now is an argument), integer
 * UTC minutes. Quote and commit cost O(route length × log n) plus pinned orders.
 */
export class RouteBook {
  readonly drumId: string;
  private readonly wts: ReadonlyMap<string, WorkingTime>;
  private readonly drumWt: WorkingTime;
  private readonly lookahead: number;
  private drum: RouteDrum;
  private ledgers: LedgerSet;
  /** Shared with a book made by withWorkingTimes (CowMap): neither sees the other's writes. */
  private records = new CowMap<string, StoredRouteOrder>();
  /** Ids of pinned orders (few): their rank decides where a stored pinned order goes. */
  private readonly pinnedIds = new Set<string>();
  /**
   * Ids of orders whose stored interval of some ledger op may differ from its reservation's
   * (a stored start outside working time, a stale end): a capacity change rewrites those
   * records even on resources it leaves alone. A superset while a checkpoint is open.
   */
  private readonly unsettled = new Set<string>();
  private log: UndoEntry[] = [];
  private marks: number[] = [];
  /**
   * Changes on every write (commit, upsert, remove, tick, rollback, …), so a reader that
   * yields between pages of the plan can tell that the book changed meanwhile.
   */
  private writes = 0;

  constructor(
    drumId: string,
    workingTimes: ReadonlyMap<string, WorkingTime>,
    orders: Iterable<StoredRouteOrder> = [],
    options: { lookahead?: number } = {},
  ) {
    const drumWt = workingTimes.get(drumId);
    if (!drumWt) throw new RangeError(`the drum ${drumId} has no working time`);
    const lookahead = options.lookahead ?? DEFAULT_LOOKAHEAD;
    if (!Number.isInteger(lookahead) || lookahead < 0) throw new RangeError(`lookahead must be an integer ≥ 0, got ${lookahead}`);
    this.drumId = drumId;
    this.wts = workingTimes;
    this.drumWt = drumWt;
    this.lookahead = lookahead;
    const all = [...orders];
    const entries = new Map<string, { order: string; position: number; start: Minute; minutes: number }[]>();
    for (const [resource] of workingTimes) if (resource !== drumId) entries.set(resource, []);
    for (const o of all) {
      if (this.records.has(o.id)) throw new RangeError(`duplicate order id ${o.id}`);
      splitRoute(o.ops, drumId, workingTimes);
      for (const op of o.ops)
        if (op.resource !== drumId && op.start !== null && op.minutes > 0)
          entries.get(op.resource)!.push({ order: o.id, position: op.position, start: op.start, minutes: op.minutes });
      this.records.set(o.id, o);
      if (o.pinned) this.pinnedIds.add(o.id);
      if (!settled(o, drumId, workingTimes)) this.unsettled.add(o.id);
    }
    const ledgers = new LedgerSet();
    for (const [resource, list] of entries) ledgers.add(resource, Ledger.fromStarts(workingTimes.get(resource)!, list));
    this.ledgers = ledgers;
    const pinned = all.filter((o) => o.pinned).sort(pinOrder);
    const unpinned = all.filter((o) => !o.pinned);
    this.drum = new RouteDrum(drumWt, [...pinned, ...unpinned].map(drumOrderOf));
  }

  get size(): number {
    return this.records.size;
  }

  /** A counter that changes whenever the book may have changed (see `writes`); equal values mean the same plans. */
  get revision(): number {
    return this.writes;
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  get(id: string): StoredRouteOrder | undefined {
    return this.records.get(id);
  }

  /** Every stored order, in drum sequence (pinned first). O(n). */
  orders(): StoredRouteOrder[] {
    return this.drum.orders().map((o) => this.records.get(o.id)!);
  }

  /** Tree nodes visited so far by the drum and the ledgers (a complexity guard counts work, not time). */
  get visits(): number {
    let v = this.drum.visits;
    for (const r of this.ledgers.resources()) v += this.ledgers.get(r).visits;
    return v;
  }

  feasible(now: Minute): boolean {
    return this.drum.feasible(now);
  }

  /** The working time of a resource (RangeError when the plant has none). */
  workingTime(resource: string): WorkingTime {
    const wt = this.wts.get(resource);
    if (!wt) throw new RangeError(`resource ${resource} has no working time`);
    return wt;
  }

  /**
   * §5.1. t0 = max(now + lookahead, materialAvailable); ρ_x = forward(upstream, t0); D*_drum
   * from the keyed drum; V = forward(downstream, D*_drum); promise = max(capacity date of V,
   * lead-time floor). Throws NoCapacityError when there is no room before the horizon on
   * some resource, RangeError on a bad routing or a non-finite horizon.
   */
  quote(now: Minute, demand: RouteDemand, horizon: Minute): RouteQuote {
    return this.quoteState(now, demand, horizon).quote;
  }

  /** True iff promiseDate ≥ quote(...).promiseDate (false when there is no capacity). Monotone. */
  keepable(now: Minute, demand: RouteDemand, promiseDate: LocalDate, horizon: Minute): boolean {
    try {
      return promiseDate >= this.quote(now, demand, horizon).promiseDate;
    } catch (e) {
      if (e instanceof NoCapacityError) return false;
      throw e;
    }
  }

  /**
   * §5.3 for a promise ≥ the quote (null otherwise, and when there is no capacity): the
   * drum deadline from the backward downstream placement, the last valid drum position,
   * the rope release r_x = max(t0, min(ropeRelease(P), s_U)); books the upstream and
   * downstream reservations and inserts on the drum. RangeError when the id is already booked.
   */
  commit(now: Minute, id: string, demand: RouteDemand, promiseDate: LocalDate, horizon: Minute): RouteCommit | null {
    if (this.records.has(id)) throw new RangeError(`order ${id} is already booked`);
    let state: QuoteState;
    try {
      state = this.quoteState(now, demand, horizon, id);
    } catch (e) {
      if (e instanceof NoCapacityError) return null;
      throw e;
    }
    const { quote, t0, route } = state;
    if (promiseDate < quote.promiseDate) return null;
    const drumWt = this.drumWt;
    const policy = demand.policy;
    const load = route.load;
    // 1. drum deadline
    const shipBy = drumDeadlineFor(drumWt, promiseDate, policy.shippingBufferDays);
    let deadline: Minute;
    if (route.down.length === 0) deadline = shipBy;
    else {
      const back = this.ledgers.backward(route.down, shipBy, quote.earliestDeadline);
      deadline = back ? back.start : quote.earliestDeadline;
    }
    deadline = Math.max(deadline, quote.earliestDeadline);
    // 2. position
    const pos = this.drum.commitPosition(now, load, quote.ready, deadline);
    if (!pos) return null; // cannot happen: deadline ≥ D*_drum
    // 3. rope
    // t_LS: the latest instant with drum cumulative LS_x, and never after D_x (a zero drum
    // load has LS_x = c(D_x), reached again only after the drum's next break).
    const latestStart = Math.min(deadline, drumWt.instantAtCumulative(pos.latestStartCumulative + 1) - 1);
    const far = Math.max(horizon, shipBy, latestStart);
    let sU: Minute = latestStart;
    if (route.up.length > 0) {
      const back = this.ledgers.backward(route.up, latestStart, t0);
      sU = back ? back.start : t0;
    }
    const rope = this.ropeRelease(promiseDate, policy.productionBufferDays, route.up[0]?.resource ?? this.drumId);
    let release = Math.max(t0, Math.min(rope ?? sU, sU));
    let up = this.ledgers.forward(route.up, release, far);
    let ready = up && route.up.length > 0 ? up.end : release;
    if (!up || drumWt.cumulative(ready) > pos.latestStartCumulative) {
      // Defensive (F2 makes it impossible): the quote's own placement from t0.
      release = t0;
      up = this.ledgers.forward(route.up, t0, far);
      ready = quote.ready;
    }
    const down = this.ledgers.forward(route.down, deadline, far);
    if (!up || !down) return null; // cannot happen (F1, F2)
    // 4. book everything atomically
    const cp = this.checkpoint();
    try {
      this.ledgers.book(up.placements);
      this.ledgers.book(down.placements);
      const { key, rekeyed } = this.drum.insertAt({ id, load, deadline, ready }, pos.position);
      const ops = storedOps(demand.ops, this.drumId, [up, down]);
      const rec: StoredRouteOrder = {
        id,
        ops,
        drumLoad: load,
        drumDeadline: deadline,
        ready,
        key,
        pinned: false,
        plannedRelease: release,
        promiseDate,
        shippingBufferDays: policy.shippingBufferDays,
      };
      this.setRecord(id, rec);
      const moved = rekeyed.map((other) => {
        const k = this.drum.get(other)!.key;
        this.setRecord(other, { ...this.records.get(other)!, key: k });
        return { id: other, key: k };
      });
      this.release(cp);
      return { key, rekeyed: moved, plannedRelease: release, ready, drumDeadline: deadline, ops: ops.map((o) => ({ ...o })) };
    } catch (e) {
      this.rollback(cp);
      throw e;
    }
  }

  /** Inserts or replaces an order exactly as stored (replace = remove then insert). Atomic: throws (and changes nothing) on an overlap. */
  upsert(order: StoredRouteOrder): void {
    splitRoute(order.ops, this.drumId, this.wts);
    const cp = this.checkpoint();
    try {
      this.remove(order.id);
      for (const op of order.ops) {
        if (op.resource === this.drumId || op.start === null || op.minutes === 0) continue;
        const wt = this.wts.get(op.resource)!;
        this.ledgers.get(op.resource).insert({ order: order.id, position: op.position, a: wt.cumulative(op.start), minutes: op.minutes });
      }
      let pinnedIndex: number | undefined;
      if (order.pinned) {
        pinnedIndex = 0;
        for (const other of this.pinnedIds) if (pinOrder(this.records.get(other)!, order) < 0) pinnedIndex++;
      }
      this.drum.insertStored(drumOrderOf(order), pinnedIndex);
      this.setRecord(order.id, order);
      this.release(cp);
      this.noteSettled(order);
    } catch (e) {
      this.rollback(cp);
      throw e;
    }
  }

  /** Removes an order: its drum entry and every reservation. False when unknown. */
  remove(id: string): boolean {
    const rec = this.records.get(id);
    if (!rec) return false;
    for (const op of rec.ops)
      if (op.resource !== this.drumId && op.start !== null && op.minutes > 0) this.ledgers.get(op.resource).remove(id, op.position);
    this.drum.remove(id);
    this.setRecord(id, undefined);
    return true;
  }

  /** Published plans (§4) of every order, in drum sequence. O(n log m). */
  plan(now: Minute): RoutePlan[] {
    return this.drum.plan(now).map((d) => this.planFrom(d, now));
  }

  /**
   * Up to `limit` published plans after the cursor (from the first order when undefined),
   * equal to the corresponding entries of plan(now), and the next page's cursor
   * (undefined after the last order). O(log n + limit × route length × log m) + pinned:
   * a reader walks the plan in pages with a yield between them, restarting when
   * `revision` changes.
   */
  planPage(now: Minute, after: DrumPlanCursor | undefined, limit: number): RoutePlanPage {
    const page = this.drum.planFrom(now, after, limit);
    return { plans: page.orders.map((d) => this.planFrom(d, now)), next: page.next };
  }

  /** The drum's semi-active plan from now in sequence order, up to the first order starting at or after `until`. */
  drumPlan(now: Minute, until: Minute = Infinity): PlannedDrumOrder[] {
    return this.drum.plan(now, until);
  }

  /** The published plan of one order: O(log n + route length × log m) + pinned. */
  planOf(now: Minute, id: string): RoutePlan | undefined {
    if (!this.records.has(id)) return undefined;
    const d = this.drum.planOne(now, id);
    return d ? this.planFrom(d, now) : undefined;
  }

  /** A savepoint: rollback(cp) restores the drum, the ledgers and the stored records; release(cp) keeps the changes. Nestable. */
  checkpoint(): RouteBookCheckpoint {
    this.marks.push(this.log.length);
    return { depth: this.marks.length, drum: this.drum.checkpoint(), ledgers: this.ledgers.checkpoint(), log: this.log.length };
  }

  rollback(cp: RouteBookCheckpoint): void {
    this.close(cp);
    this.writes++;
    this.drum.rollback(cp.drum);
    this.ledgers.rollback(cp.ledgers);
    while (this.log.length > cp.log) {
      const u = this.log.pop()!;
      this.applyRecord(u.id, u.prev);
    }
    if (this.marks.length === 0) this.log = [];
  }

  release(cp: RouteBookCheckpoint): void {
    this.close(cp);
    this.drum.keep(cp.drum);
    this.ledgers.commit(cp.ledgers);
    if (this.marks.length === 0) this.log = [];
  }

  /**
   * keepable as `withWorkingTimes` with `resource` (not the drum) on `wt` would answer it,
   * without building that book: a quote reads the ledgers and the drum only, and more or less
   * capacity off the drum leaves the drum as it is, so only that resource's ledger changes.
   * When `wt` only adds working time on `dates` (a proposal's blocks) the quote searches an
   * overlay of that ledger (ledger-overlay.ts, O(blocks × log m)); otherwise the ledger is
   * rebuilt (O(m_r)) and swapped in for the quote. Nothing is written, and the book is restored.
   */
  keepableWith(
    resource: string,
    wt: WorkingTime,
    now: Minute,
    demand: RouteDemand,
    promiseDate: LocalDate,
    horizon: Minute,
    dates?: readonly LocalDate[],
  ): boolean {
    if (resource === this.drumId) throw new RangeError('keepableWith changes a resource off the drum only');
    const saved = this.ledgers;
    const view = dates ? LedgerOverlay.of(saved.get(resource), wt, dates) : null;
    this.ledgers = view
      ? saved.overlaid(resource, view)
      : new LedgerSet(saved.resources().map((r) => [r, r === resource ? saved.get(r).rebuilt(wt) : saved.get(r)] as const));
    try {
      return this.keepable(now, demand, promiseDate, horizon);
    } finally {
      this.ledgers = saved;
    }
  }

  /**
   * New calendars (a capacity change): a NEW book from the stored orders on the new working
   * times, this one intact. Ledger starts are kept (a start that no longer works moves to
   * the next working minute) and reservations are re-measured, so a capacity increase only
   * shrinks them (§3.2); where capacity was reduced, a reservation overlapping its
   * predecessor starts at the predecessor's new end (the ledger part of §8.1; broken
   * routing order is left to the repair). The records carry the new intervals.
   * Cost: O(m_r) per resource whose working minutes changed (fingerprint or identity),
   * array copies for the others and for the drum (O(n) conversions when its calendar
   * changed); the full cold build only when the set of resources changed.
   */
  withWorkingTimes(workingTimes: ReadonlyMap<string, WorkingTime>): RouteBook {
    const ledgers = new LedgerSet();
    const records = new ResettledRecords(this.records);
    const kept = new Set<string>();
    for (const resource of this.ledgers.resources()) {
      const wt = workingTimes.get(resource);
      if (!wt) continue;
      const old = this.ledgers.get(resource);
      if (sameMinutes(old.wt, wt)) {
        ledgers.add(resource, old.copyOn(wt));
      } else {
        // A settled record of a reservation that keeps its interval stays as it is.
        ledgers.add(
          resource,
          old.rebuilt(wt, (order, position, start, end) => records.settle(order, position, start, end)),
        );
      }
      kept.add(resource);
    }
    // Records are settled on their reservations everywhere, as a rebuild of every resource would leave them.
    for (const id of this.unsettled) {
      const rec = this.records.get(id);
      if (!rec) continue;
      for (const op of rec.ops) {
        const ledger = kept.has(op.resource) ? ledgers.get(op.resource) : undefined;
        const r = ledger?.get(id, op.position);
        if (!r) continue;
        const iv = ledger!.interval(r);
        records.settle(id, op.position, iv.start, iv.end);
      }
    }
    if (!sameResources(this.wts, workingTimes))
      return new RouteBook(
        this.drumId,
        workingTimes,
        this.orders().map((o) => records.get(o.id)),
        { lookahead: this.lookahead },
      );
    // Same resources: every route is still valid, so nothing is split or built again.
    const next = new RouteBook(this.drumId, workingTimes, [], { lookahead: this.lookahead });
    next.ledgers = ledgers;
    next.drum = this.drum.copyOn(next.drumWt, sameMinutes(this.drumWt, next.drumWt));
    next.records = records.applied(this.records.share());
    for (const id of this.pinnedIds) next.pinnedIds.add(id);
    return next;
  }

  /**
   * §8.2, time passing: unreleased orders whose planned work should have started before
   * `now` are held back to start at or after `notBefore`, and what waits behind them moves
   * (see route-tick.ts). Null (and nothing changed) when nothing is overdue. Atomic.
   */
  tick(now: Minute, notBefore: Minute, horizon: Minute): RouteTick | null {
    this.writes++;
    const cp = this.checkpoint();
    try {
      const out = tickRoutes(this.tickHost(), now, notBefore, horizon);
      this.release(cp);
      return out;
    } catch (e) {
      this.rollback(cp);
      throw e;
    }
  }

  /**
   * The floor's cumulative report on a non-drum operation (issue 13 item 2, route-progress.ts):
   * the remaining minutes are planned from the report on, what waits behind moves later when
   * it ends later, a completed operation frees its capacity. Atomic: throws (RangeError) and
   * changes nothing on a bad report.
   */
  reportOperation(now: Minute, id: string, position: number, minutesDone: number, horizon: Minute): ProgressOutcome {
    this.writes++;
    const cp = this.checkpoint();
    try {
      const out = reportOperation(this.tickHost(), now, id, position, minutesDone, horizon);
      this.release(cp);
      return out;
    } catch (e) {
      this.rollback(cp);
      throw e;
    }
  }

  /**
   * After a drum report on `id` (its record already holds the remaining drum load, pinned):
   * its work after the drum moves behind its projected drum finish when it would start
   * earlier, with what waits behind it; drum orders made late are re-positioned. Atomic.
   */
  settleDrumReport(now: Minute, id: string, horizon: Minute): ProgressOutcome {
    this.writes++;
    const cp = this.checkpoint();
    try {
      const out = settleAfterDrumReport(this.tickHost(), now, id, horizon);
      this.release(cp);
      return out;
    } catch (e) {
      this.rollback(cp);
      throw e;
    }
  }

  /** True when tick(now, notBefore, …) may move something. O((k + w + 1) log m) per resource (see route-tick.ts). */
  tickDue(now: Minute, notBefore: Minute = now): boolean {
    return tickDue(this.tickHost(), now, notBefore);
  }

  /**
   * §5.4: the capacity that would make `date` keepable, on the resource that binds; null
   * when the date is already keepable. Throws NoCapacityError like quote.
   */
  priceOfDate(now: Minute, demand: RouteDemand, date: LocalDate, horizon: Minute): RoutePrice | null {
    const { quote, route, t0 } = this.quoteState(now, demand, horizon);
    if (date >= quote.promiseDate) return null;
    const ctx: PriceContext = { drum: this.drum, drumWt: this.drumWt, ledgers: this.ledgers, drumId: this.drumId };
    return priceOfDateOn(ctx, now, quote, t0, route.up, route.down, route.load, demand.policy, date);
  }

  // --- internals ---

  private quoteState(now: Minute, demand: RouteDemand, horizon: Minute, id = '\u0000quote'): QuoteState {
    if (!Number.isSafeInteger(now)) throw new RangeError(`now must be an integer minute, got ${now}`);
    if (!Number.isSafeInteger(horizon)) throw new RangeError(`horizon must be a finite integer minute, got ${horizon}`);
    const route = this.routeOf(id, demand.ops);
    const load = route.load;
    const t0 = Math.max(now + this.lookahead, demand.materialAvailable ?? -Infinity);
    const drumWt = this.drumWt;
    if (!(t0 <= horizon)) throw new NoCapacityError(load, horizon);
    const up = this.ledgers.forward(route.up, t0, horizon);
    if (!up) throw new NoCapacityError(load, horizon);
    const ready = route.up.length > 0 ? up.end : t0;
    const dq = this.drum.quote(now, load, ready, horizon);
    if (!dq) throw new NoCapacityError(load, horizon);
    const down = this.ledgers.forward(route.down, dq.deadline, horizon);
    if (!down) throw new NoCapacityError(load, horizon);
    const shipReadyAt = route.down.length > 0 ? down.end : dq.deadline;
    let capacityPromiseDate: LocalDate, floor: LocalDate;
    try {
      capacityPromiseDate = capacityPromiseDateFor(drumWt, shipReadyAt, demand.policy.shippingBufferDays);
      floor = leadTimeFloorDate(drumWt, now, demand.policy.standardLeadTimeDays);
    } catch (e) {
      if (e instanceof NoWorkingDayError) throw new NoCapacityError(load, horizon);
      throw e;
    }
    const floorBinds = floor > capacityPromiseDate;
    // §5.1 bindingResource: the longest wall-clock wait for other orders, ties to the first on the route.
    const binding: LongestWait = { wait: 0, resource: null };
    longestWait(binding, up, t0, this.wts);
    const unhindered = Math.max(ready, now, drumWt.instantAtCumulative(drumWt.cumulative(ready) + load));
    if (dq.deadline - unhindered > binding.wait) {
      binding.wait = dq.deadline - unhindered;
      binding.resource = this.drumId;
    }
    longestWait(binding, down, dq.deadline, this.wts);
    const bindingResource = binding.resource;
    return {
      t0,
      route,
      quote: {
        earliestDeadline: dq.deadline,
        capacityPromiseDate,
        leadTimeFloorDate: floor,
        promiseDate: floorBinds ? floor : capacityPromiseDate,
        bindingLimit: floorBinds ? 'lead-time-floor' : 'capacity',
        bindingResource,
        ready,
        shipReadyAt,
        load,
        earliestRelease: t0,
      },
    };
  }

  private routeOf(id: string, ops: readonly RouteStep[]): Route {
    const indexed = ops.map((op, position) => ({ resource: op.resource, minutes: op.minutes, position, order: id }));
    const split: SplitRoute<ChainOp> = splitRoute(indexed, this.drumId, this.wts);
    // A zero-minute op takes no time and holds no reservation (published as a point).
    return { up: split.up.filter((op) => op.minutes > 0), down: split.down.filter((op) => op.minutes > 0), load: split.drumMinutes };
  }

  /** ropeRelease(P) (§7): the first working minute of `resource` on the working day PB drum working days before P; null when the drum calendar has no such day. */
  private ropeRelease(promiseDate: LocalDate, productionBufferDays: number, resource: string): Minute | null {
    const drumWt = this.drumWt;
    try {
      const last = lastWorkingDayOnOrBefore(drumWt, promiseDate);
      const day = productionBufferDays === 0 ? last : drumWt.addWorkingDays(last, -productionBufferDays);
      const dayStart = drumWt.startOfLocalDate(day);
      const first = firstWorkingMinuteAtOrAfter(this.wts.get(resource)!, dayStart);
      // Never after that day: a first resource resting that day (a holiday, a four-day week) must not push the release into the buffer.
      return first < drumWt.startOfLocalDate(nextLocalDate(day)) ? first : dayStart;
    } catch (e) {
      if (e instanceof RangeError) return null;
      throw e;
    }
  }

  private planFrom(d: ReturnType<RouteDrum['plan']>[number], now: Minute): RoutePlan {
    const rec = this.records.get(d.id)!;
    const operations: RoutePlanOp[] = [];
    // The remaining drum load belongs to the last drum ops (done work is on the earlier ones).
    const drumOps = rec.ops.filter((op) => op.resource === this.drumId);
    const remaining = new Map<StoredRouteOp, number>();
    let left = d.load;
    for (let k = drumOps.length - 1; k >= 0; k--) {
      const m = k === 0 ? left : Math.min(drumOps[k]!.minutes, left);
      remaining.set(drumOps[k]!, m);
      left -= m;
    }
    const wt = this.drumWt;
    let cum = d.startCumulative;
    let cursor = d.start;
    let prevEnd: Minute = rec.plannedRelease ?? d.ready;
    // Work started ahead of the rope lowered ρ below the planned release (route-progress.ts): the work done lies before it.
    const startedAhead = d.ready < prevEnd && workStarted(rec);
    if (startedAhead) prevEnd = d.ready;
    if (!rec.released && prevEnd < now) {
      // Not released yet: work without a reservation (zero minutes) waits for the release, which cannot be in the past.
      const first = rec.ops.find((op) => op.resource === this.drumId || (op.start !== null && op.minutes > 0));
      const firstStart = first?.resource === this.drumId ? d.start : (first?.start ?? now);
      prevEnd = Math.max(prevEnd, Math.min(now, firstStart));
    }
    for (const op of rec.ops) {
      if (op.resource === this.drumId) {
        const m = remaining.get(op)!;
        let start = cursor;
        let end = cursor;
        if (m > 0) {
          start = wt.instantAtCumulative(cum + 1) - 1;
          end = wt.instantAtCumulative(cum + m);
          cum += m;
          cursor = end;
        }
        operations.push({ position: op.position, resource: op.resource, minutes: m, start, end });
        prevEnd = end;
        continue;
      }
      const r = op.start === null || op.minutes === 0 ? undefined : this.ledgers.get(op.resource).get(d.id, op.position);
      if (!r) {
        const point: RoutePlanOp = { position: op.position, resource: op.resource, minutes: op.minutes, start: prevEnd, end: prevEnd };
        if (op.minutes > 0) point.reserved = false;
        operations.push(point);
        continue;
      }
      const iv = this.ledgers.get(op.resource).interval(r);
      operations.push({ position: op.position, resource: op.resource, minutes: r.minutes, start: iv.start, end: iv.end });
      prevEnd = iv.end;
    }
    // ... and so was the order released: the published release is no later than its first operation (never a negative wait).
    let plannedRelease = rec.plannedRelease;
    if (startedAhead && plannedRelease !== null) plannedRelease = Math.min(plannedRelease, operations[0]?.start ?? plannedRelease);
    return {
      id: d.id,
      plannedRelease,
      ready: d.ready,
      drumDeadline: d.effectiveDeadline,
      late: d.late,
      operations,
    };
  }

  private host: TickHost | undefined;

  /**
   * One per book, made when first asked: every quote asks (tickDue), and a fresh object with
   * its three closures cost ≈ 1 µs a quote. It reads the book's fields when used, so it sees
   * the ledger set keepableWith swaps in and the fields withWorkingTimes sets on a new book.
   */
  private tickHost(): TickHost {
    if (this.host) return this.host;
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters read the book's fields when used
    const book = this;
    this.host = {
      get drumId() {
        return book.drumId;
      },
      get drumWt() {
        return book.drumWt;
      },
      get drum() {
        return book.drum;
      },
      get ledgers() {
        return book.ledgers;
      },
      record: (id) => book.records.get(id),
      setRecord: (id, rec) => book.setRecord(id, rec),
      pinned: () => book.pinnedIds,
    };
    return this.host;
  }

  /** Keeps `unsettled` a superset that does not grow without bound: entries go only when no rollback can bring their record back. */
  private noteSettled(order: StoredRouteOrder): void {
    if (!settled(order, this.drumId, this.wts)) this.unsettled.add(order.id);
    else if (this.marks.length === 0) this.unsettled.delete(order.id);
  }

  private setRecord(id: string, rec: StoredRouteOrder | undefined): void {
    this.writes++;
    if (this.marks.length > 0) this.log.push({ id, prev: this.records.get(id) });
    this.applyRecord(id, rec);
  }

  private applyRecord(id: string, rec: StoredRouteOrder | undefined): void {
    if (rec) this.records.set(id, rec);
    else this.records.delete(id);
    if (rec?.pinned) this.pinnedIds.add(id);
    else this.pinnedIds.delete(id);
  }

  private close(cp: RouteBookCheckpoint): void {
    if (cp.depth < 1 || cp.depth > this.marks.length || this.marks[cp.depth - 1] !== cp.log)
      throw new RangeError('no such open checkpoint');
    this.marks.length = cp.depth - 1;
  }

  /**
   * A calendar change on `resource` (not the drum) applied to this book by the right-shift
   * repair (route-recalendar.ts): its ledger is rebuilt on `wt`, what waits behind moves by the
   * least amount, the drum follows as the tick makes it. The book's working-time map is left
   * as it is: the caller switches to the new rules next (withWorkingTimes). Atomic.
   */
  recalendar(now: Minute, resource: string, wt: WorkingTime, slack: number, horizon: Minute): Recalendared {
    this.writes++;
    const cp = this.checkpoint();
    try {
      const out = recalendarRoutes(this.tickHost(), resource, wt, now, slack, horizon);
      this.release(cp);
      return out;
    } catch (e) {
      this.rollback(cp);
      throw e;
    }
  }
}

interface LongestWait {
  wait: number;
  resource: string | null;
}

/** Raises `best` to the chain's longest wall-clock wait for other orders' work, if longer (ties stay with the earlier). */
function longestWait(best: LongestWait, placement: ChainPlacement, from: Minute, wts: ReadonlyMap<string, WorkingTime>): void {
  let prev = from;
  for (const p of placement.placements) {
    const wait = p.minutes === 0 ? 0 : p.start - firstWorkingMinuteAtOrAfter(wts.get(p.resource)!, prev);
    if (wait > best.wait) {
      best.wait = wait;
      best.resource = p.resource;
    }
    prev = p.end;
  }
}

/** Whether every ledger op of the record holds exactly its reservation's interval (a = cumulative(start)). */
function settled(o: StoredRouteOrder, drumId: string, wts: ReadonlyMap<string, WorkingTime>): boolean {
  for (const op of o.ops) {
    if (op.resource === drumId || op.start === null || op.minutes === 0) continue;
    const wt = wts.get(op.resource)!;
    const a = wt.cumulative(op.start);
    if (op.start !== wt.instantAtCumulative(a + 1) - 1 || op.end !== wt.instantAtCumulative(a + op.minutes)) return false;
  }
  return true;
}

/** Same working minutes: the same object, or equal fingerprints (a rebuilt but unchanged calendar). */
function sameMinutes(a: WorkingTime, b: WorkingTime): boolean {
  return a === b || (a.fingerprint !== undefined && a.fingerprint === b.fingerprint);
}

function sameResources(a: ReadonlyMap<string, WorkingTime>, b: ReadonlyMap<string, WorkingTime>): boolean {
  if (a.size !== b.size) return false;
  for (const resource of a.keys()) if (!b.has(resource)) return false;
  return true;
}

/** Records with some ops moved to new intervals; an order's record is copied once, on its first change. */
class ResettledRecords {
  private readonly changed = new Map<string, { rec: StoredRouteOrder; ops: StoredRouteOp[] }>();

  constructor(private readonly records: CowMap<string, StoredRouteOrder>) {}

  get(id: string): StoredRouteOrder {
    return this.changed.get(id)?.rec ?? this.records.get(id)!;
  }

  /** `records` with the changes written to it. */
  applied(records: CowMap<string, StoredRouteOrder>): CowMap<string, StoredRouteOrder> {
    for (const [id, c] of this.changed) records.set(id, c.rec);
    return records;
  }

  settle(id: string, position: number, start: Minute, end: Minute): void {
    let c = this.changed.get(id);
    const ops = c?.ops ?? this.records.get(id)!.ops;
    const k = ops[position]?.position === position ? position : ops.findIndex((op) => op.position === position);
    const op = ops[k]!;
    if (op.start === start && op.end === end) return;
    if (!c) {
      const copy = ops.slice();
      c = { rec: { ...this.records.get(id)!, ops: copy }, ops: copy };
      this.changed.set(id, c);
    }
    c.ops[k] = { ...op, start, end };
  }
}

/** The floor has reported work on the order: some operation before or after the drum, or the drum itself (pinned in progress, rank < 0). */
function workStarted(rec: StoredRouteOrder): boolean {
  return (rec.pinned && (rec.pinRank ?? 0) < 0) || rec.ops.some((op) => op.progress !== undefined);
}

function pinOrder(a: StoredRouteOrder, b: StoredRouteOrder): number {
  return (a.pinRank ?? 0) - (b.pinRank ?? 0) || a.key - b.key;
}

function drumOrderOf(o: StoredRouteOrder): RouteDrumOrder {
  const d: RouteDrumOrder = { id: o.id, load: o.drumLoad, deadline: o.drumDeadline, ready: o.ready, key: o.key, pinned: o.pinned };
  if (o.effectiveDeadline !== undefined) d.effectiveDeadline = o.effectiveDeadline;
  return d;
}

/** The first working minute at or after t (t itself when it works). */
function firstWorkingMinuteAtOrAfter(wt: WorkingTime, t: Minute): Minute {
  return wt.instantAtCumulative(wt.cumulative(t) + 1) - 1;
}

function storedOps(steps: readonly RouteStep[], drumId: string, placements: readonly ChainPlacement[]): StoredRouteOp[] {
  const at = new Map<number, { start: Minute; end: Minute }>();
  for (const chain of placements) for (const p of chain.placements) at.set(p.position, p);
  return steps.map((s, position) => {
    const p = s.resource === drumId ? undefined : at.get(position);
    return { position, resource: s.resource, minutes: s.minutes, start: p ? p.start : null, end: p ? p.end : null };
  });
}
