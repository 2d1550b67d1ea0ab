import {
  type BufferPolicy,
  type Calendar,
  DrumBook,
  type DrumOrder,
  type LocalDate,
  type Minute,
  type SequenceKey,
  type WorkingTime,
  buildWorkingTime,
  drumDeadlineFor,
  effectiveLeadTimeDays,
  endOfLocalDate,
  localDateEndingAt,
  penetration,
  quoteOnBook,
} from '../../src/engine/index.ts';
import type { SimClock } from '../clock.ts';
import type { OrderState, Policy, SimContext } from '../policy.ts';
import { BufferManager, type CommittedOrder } from './buffer-manager.ts';
import { enteringFrozenWindow } from './frozen-window.ts';

/**
 * Drumbeat as the service runs it, on the service's own engine module:
 * - promise: the engine's quote (earliest feasible drum deadline + shipping buffer, never
 *   before the product's effective standard lead time max(LT, PB)), or the customer's
 *   requested date when later;
 * - commit: the order joins the drum book with the drum deadline of its promise;
 * - rope: material is released when the engine's schedule says (⌈PB/2⌉ working days
 *   before the planned drum start), re-planned whenever the book changes;
 * - floor: the drum works its schedule (frozen orders first, then earliest drum deadline);
 *   every other station takes the waiting order with the highest buffer penetration.
 * What the planner knows is what the floor reports, once per shift (at the end of each
 * working day): the drum's progress on the order in work (pinned with its remaining
 * planned minutes) and the orders it finished, which then leave the book. Between reports
 * quotes are made on the book as last reported. Before every quote and before and after
 * each shift's reports the frozen window is applied by the service's rule (shared with the
 * whole-route policy, frozen-window.ts): only orders waiting at the drum (released, their
 * work before it reported done) and planned to start inside the window are pinned, a
 * prefix of the drum sequence behind the orders pinned before; a frozen order is never
 * unpinned, the one in work on the drum is pinned ahead of them all.
 * Buffer management (optional): every shift the service's DBM rule
 * (src/planning-rules/dbm.ts) judges each product's production buffer from the
 * penetration its orders completed with, and the simulated planner applies every
 * suggestion at once. The planner never re-promises: a promise is kept or broken
 * against the date first given.
 */

/** The local date simulation time 0 starts (a Monday, so that day 0 is a working day). */
const SIM_START_DATE: LocalDate = '2027-01-04';

export interface DrumbeatOptions {
  /** The plant's buffer policy. */
  buffers: BufferPolicy;
  /** Per-product overrides of the plant policy (the service's products accept PB, SB and the standard lead time). */
  productBuffers?: ReadonlyMap<string, BufferPolicy>;
  /** The plant calendar, the drum's included; the engine sees exactly this capacity. */
  calendar: Calendar;
  /** Working minutes per working day of that calendar (the simulation's day). */
  minutesPerDay: number;
  /** The service's frozen window (wall-clock minutes); 0 freezes only the order in work. */
  frozenWindowMinutes?: number;
  /** Run the service's DBM rule every shift and apply its suggestions. */
  bufferManagement?: boolean;
  /** Receives every production-buffer change DBM makes: (sim minute, product, new PB days). */
  onBufferChange?: (at: number, product: string, productionBufferDays: number) => void;
  /** The scenario's clock when the plant runs on the wall clock (per-station calendars); working time otherwise. */
  clock?: SimClock;
  /**
   * The planner's answer to an order at risk, judged at every shift report as the service's rule judges it
   * (planning-rules/at-risk.ts: projected finish after the end of the promised day; on track again 240 minutes
   * inside it), the projection being the drum plan's finish plus the planned work after the drum: 'expedite'
   * lets it pass every order that is not at risk on the non-drum centres. The drum keeps the engine's sequence and the rope its release.
   */
  atRisk?: 'expedite';
}

/** Rank of the order on the drum now: ahead of frozen ones (the service's IN_PROGRESS_RANK). */
const IN_PROGRESS_RANK = -1;
/** Orders read per page of the drum schedule while walking the frozen window. */
const FREEZE_PAGE = 16;

/** The service's recovery band (DEFAULT_AT_RISK_RULE): on track again once the projection is this far inside the day. */
const RECOVERY_MINUTES = 240;
/** Larger than any dispatching key's range (penetration %, or a due time in sim minutes). */
const EXPEDITE = 1e12;

export function drumbeatPolicy(options: DrumbeatOptions): Policy {
  const wt: WorkingTime = buildWorkingTime(options.calendar);
  const plantBuffers = options.buffers;
  const frozenWindow = options.frozenWindowMinutes ?? 0;
  // The simulation counts working minutes; the engine counts wall-clock minutes. The
  // engine's cumulative capacity is the bridge: sim minute t is the instant the
  // (c0 + t)-th working minute of the calendar ends.
  const c0 = wt.cumulative(wt.startOfLocalDate(SIM_START_DATE));
  const firstDay = wt.minutesBetween(wt.startOfLocalDate(SIM_START_DATE), wt.startOfLocalDate('2027-01-05'));
  if (firstDay !== options.minutesPerDay) {
    throw new RangeError(`calendar gives ${firstDay} working minutes on ${SIM_START_DATE}, the plant says ${options.minutesPerDay}`);
  }
  // Current buffers per product: DBM changes the production buffer of a product's scope.
  let simNow = 0;
  const dbm = new BufferManager(wt, options.productBuffers ?? new Map(), (product, pb) => options.onBufferChange?.(simNow, product, pb));
  const own = (product: string) => dbm.of(product, plantBuffers);

  const book = new DrumBook(wt, []);
  const committed = new Map<OrderState, CommittedOrder>();
  let drumStation = -1;
  const plannedRelease = new Map<OrderState, number>();
  const byId = new Map<string, OrderState>();
  // The floor's facts not yet reported: the order in work on the drum, the drum operations finished.
  let onDrum: OrderState | undefined;
  const drumFinished: OrderState[] = [];
  /** Orders through the drum and not finished, and the ones flagged at risk. */
  const pastDrum = new Set<OrderState>();
  const atRisk = new Set<OrderState>();

  // Whole minutes, rounded up: never credits the drum with capacity it does not have.
  const wall = options.clock?.wallClock ? options.clock : undefined;
  const toEngine = (t: number): Minute => (wall ? wall.toEngine(t) : wt.instantAtCumulative(c0 + Math.max(1, Math.ceil(t - 1e-9))));
  const fromEngine = (m: Minute): number => (wall ? wall.fromEngine(m) : wt.cumulative(m) - c0);
  const drumOrder = (o: OrderState): DrumOrder | undefined => book.get(String(o.job.id));

  /**
   * Waiting at the drum as the planner knows it: released (its own recorded act, known at once) and, for an order
   * with work before the drum, that work reported done at a shift report. Any other order is still upstream.
   */
  const reachedDrum = new Set<OrderState>();
  const isReady = (o: OrderState) => o.released !== undefined && (o.job.drumOp === 0 || reachedDrum.has(o));
  /** The last rank given to a frozen order: later freezes queue behind earlier ones, as the service's version-based ranks do. */
  let frozenRank = 0;

  /** The drum plan as the service's frozen-window rule reads it, a page at a time: the walk stops early. */
  function* drumPlan(now: Minute, until: Minute) {
    for (let after: SequenceKey | undefined, more = true; more;) {
      const page = book.schedulePage(now, plantBuffers.productionBufferDays, after, FREEZE_PAGE);
      for (const s of page.orders) {
        if (s.start >= until) return;
        const o = byId.get(s.id);
        yield { ...s, ready: o && isReady(o) ? now : Infinity };
      }
      more = page.next !== null;
      after = page.next ?? undefined;
    }
  }

  /** What every write of the service does first and every quote overlays: the orders entering the frozen window are pinned. */
  function freeze(now: Minute): void {
    for (const id of enteringFrozenWindow({ drumPlan }, now, frozenWindow))
      book.update({ ...book.get(id)!, pinned: true, pinRank: ++frozenRank });
  }

  /** The shift report: the drum's progress, its finished orders and the orders that reached it; the frozen window before and after. */
  function report(ctx: SimContext): void {
    const now = toEngine(ctx.now);
    freeze(now);
    for (const o of drumFinished) {
      book.remove(String(o.job.id));
      byId.delete(String(o.job.id));
      reachedDrum.delete(o);
    }
    drumFinished.length = 0;
    if (onDrum) {
      const current = drumOrder(onDrum);
      const left = Math.max(0, Math.ceil(onDrum.job.drumLoad - ctx.drumWorkDone(onDrum) - 1e-9));
      if (current) book.update({ ...current, load: left, pinned: true, pinRank: IN_PROGRESS_RANK });
    }
    for (const o of byId.values()) if (o.released !== undefined && o.opIndex >= o.job.drumOp) reachedDrum.add(o);
    freeze(now);
  }

  /** Rope: (re)plan the release of every order still in the pool from the engine's schedule. */
  function replanReleases(ctx: SimContext): void {
    for (const s of book.schedule(toEngine(ctx.now), plantBuffers.productionBufferDays)) {
      const order = byId.get(s.id);
      if (!order || order.released !== undefined) continue;
      const at = fromEngine(s.release);
      if (plannedRelease.get(order) === at) continue;
      plannedRelease.set(order, at);
      ctx.planRelease(order, at);
    }
  }

  /** Planned minutes of the order's operations from `from` on (the current one less what it has done). */
  const plannedFrom = (o: OrderState, from: number, ctx: SimContext) => {
    let m = 0;
    for (let k = from; k < o.job.ops.length; k++) m += o.job.ops[k]!.planned;
    return from === o.opIndex ? Math.max(0, m - ctx.opWorkDone(o)) : m;
  };

  function reviewRisk(ctx: SimContext): void {
    const judge = (o: OrderState, finish: number) => {
      if (finish > o.due) {
        atRisk.add(o);
      } else if (finish <= o.due - RECOVERY_MINUTES) atRisk.delete(o);
    };
    for (const s of book.schedule(toEngine(ctx.now), plantBuffers.productionBufferDays)) {
      const o = byId.get(s.id);
      if (o) judge(o, fromEngine(s.finish) + plannedFrom(o, o.job.drumOp + 1, ctx));
    }
    for (const o of pastDrum) judge(o, ctx.now + plannedFrom(o, o.opIndex, ctx));
  }

  return {
    name: 'Drumbeat',
    onArrival(order, ctx) {
      drumStation = ctx.drum;
      const now = toEngine(ctx.now);
      const job = order.job;
      const b = own(job.product);
      // The quote and the commit see the book as the service's would: the head frozen first.
      freeze(now);
      // The floor: the product's effective standard lead time, max(LT, PB), as the service computes it.
      const policy = { ...b, standardLeadTimeDays: effectiveLeadTimeDays(b.standardLeadTimeDays, b.productionBufferDays) };
      const quote = quoteOnBook(book, now, job.drumLoad, policy);
      const quotedDue = fromEngine(endOfLocalDate(wt, quote.promiseDate));
      let promiseDate = quote.promiseDate;
      let deadline = quote.drumDeadline;
      if (job.requestedDue !== undefined && job.requestedDue > quotedDue) {
        // The customer's later date is kept: more slack for the drum, the same promise rules.
        promiseDate = localDateEndingAt(wt, toEngine(job.requestedDue));
        deadline = drumDeadlineFor(wt, promiseDate, b.shippingBufferDays);
      }
      order.quotedDue = quotedDue;
      order.due = fromEngine(endOfLocalDate(wt, promiseDate));
      const id = String(job.id);
      committed.set(order, { id, promiseDate, productionBufferDays: b.productionBufferDays, committedAt: now });
      byId.set(id, order);
      book.insert({ id, load: job.drumLoad, deadline, seq: job.id, productionBufferDays: b.productionBufferDays });
      replanReleases(ctx);
    },
    onDrumStart(order) {
      onDrum = order;
    },
    onDrumFinish(order) {
      if (onDrum === order) onDrum = undefined;
      drumFinished.push(order);
      if (options.atRisk) pastDrum.add(order);
    },
    onComplete(order, ctx) {
      pastDrum.delete(order);
      atRisk.delete(order);
      if (!options.bufferManagement) return;
      dbm.orderCompleted(order.job.product, committed.get(order)!, toEngine(ctx.now));
    },
    onShiftEnd(ctx) {
      report(ctx);
      simNow = ctx.now;
      if (options.bufferManagement) dbm.judge(toEngine(ctx.now));
      replanReleases(ctx);
      if (options.atRisk) reviewRisk(ctx);
    },
    priority(order, station, now) {
      if (station === drumStation) {
        // The drum works its schedule: frozen (pinned) orders in their rank, then earliest drum deadline.
        const d = drumOrder(order);
        if (d?.pinned) return -1e12 + (d.pinRank ?? 0);
        return d?.deadline ?? -Infinity;
      }
      const status = penetration(wt, committed.get(order)!, toEngine(now));
      // Highest penetration first; orders not yet in their buffer (0 %) by due date, as the engine's prioritize does.
      const key = status.percent > 0 ? -status.percent : order.due;
      return atRisk.has(order) ? key - EXPEDITE : key;
    },
  };
}
