import {
  type BufferPolicy,
  type Calendar,
  DrumBook,
  type DrumOrder,
  type LocalDate,
  type Minute,
  type WorkingTime,
  buildWorkingTime,
  drumDeadlineFor,
  endOfLocalDate,
  localDateEndingAt,
  penetration,
  quoteOnBook,
} from '../../src/engine/index.ts';
import type { OrderState, Policy, SimContext } from '../policy.ts';

/**
 * Drumbeat as the service runs it, on the service's own engine module:
 * - promise: the engine's quote (earliest feasible drum deadline + shipping buffer, never
 *   before the standard lead time), or the customer's requested date when later;
 * - commit: the order joins the drum book with the drum deadline of its promise;
 * - rope: material is released when the engine's schedule says (⌈PB/2⌉ working days
 *   before the planned drum start), re-planned whenever the book changes;
 * - floor: the drum works its schedule (earliest drum deadline first); every other
 *   station takes the waiting order with the highest buffer penetration.
 * The engine is kept on the actual state, as the service would be from progress
 * reports: the order on the drum is pinned with its remaining planned minutes, and an
 * order leaves the book when the drum finishes it.
 */

/** The local date simulation time 0 starts (a Monday, so that day 0 is a working day). */
const SIM_START_DATE: LocalDate = '2027-01-04';

export interface DrumbeatOptions {
  /** The plant's buffer policy. */
  buffers: BufferPolicy;
  /** Per-product overrides of the plant policy (the domain allows them), by product id. */
  productBuffers?: ReadonlyMap<string, BufferPolicy>;
  /** The plant calendar, the drum's included; the engine sees exactly this capacity. */
  calendar: Calendar;
  /** Working minutes per working day of that calendar (the simulation's day). */
  minutesPerDay: number;
}

export function drumbeatPolicy(options: DrumbeatOptions): Policy {
  const wt: WorkingTime = buildWorkingTime(options.calendar);
  const buffers = options.buffers;
  // The simulation counts working minutes; the engine counts wall-clock minutes. The
  // engine's cumulative capacity is the bridge: sim minute t is the instant the
  // (c0 + t)-th working minute of the calendar ends.
  const c0 = wt.cumulative(wt.startOfLocalDate(SIM_START_DATE));
  const firstDay = wt.minutesBetween(wt.startOfLocalDate(SIM_START_DATE), wt.startOfLocalDate('2027-01-05'));
  if (firstDay !== options.minutesPerDay) {
    throw new RangeError(`calendar gives ${firstDay} working minutes on ${SIM_START_DATE}, the plant says ${options.minutesPerDay}`);
  }
  const book = new DrumBook(wt, []);
  const promiseDates = new Map<OrderState, LocalDate>();
  const productionBuffer = new Map<OrderState, number>();
  const drumDeadline = new Map<OrderState, Minute>();
  let drumStation = -1;
  const plannedRelease = new Map<OrderState, number>();
  const byId = new Map<string, OrderState>();
  let onDrum: OrderState | undefined;

  // Whole minutes, rounded up: never credits the drum with capacity it does not have.
  const toEngine = (t: number): Minute => wt.instantAtCumulative(c0 + Math.max(1, Math.ceil(t - 1e-9)));
  const fromEngine = (m: Minute): number => wt.cumulative(m) - c0;
  const drumOrder = (o: OrderState): DrumOrder => book.get(String(o.job.id))!;

  /** Re-bases the order in work on what is actually left of it. */
  function syncDrum(ctx: SimContext): void {
    if (!onDrum) return;
    const left = Math.max(0, Math.ceil(onDrum.job.drumLoad - ctx.drumWorkDone(onDrum) - 1e-9));
    const current = drumOrder(onDrum);
    if (current.load !== left) book.update({ ...current, load: left });
  }

  /** Rope: (re)plan the release of every order still in the pool from the engine's schedule. */
  function replanReleases(ctx: SimContext): void {
    for (const s of book.schedule(toEngine(ctx.now), buffers.productionBufferDays)) {
      const order = byId.get(s.id);
      if (!order || order.released !== undefined) continue;
      const at = fromEngine(s.release);
      if (plannedRelease.get(order) === at) continue;
      plannedRelease.set(order, at);
      ctx.planRelease(order, at);
    }
  }

  return {
    name: 'Drumbeat',
    onArrival(order, ctx) {
      drumStation = ctx.drum;
      syncDrum(ctx);
      const now = toEngine(ctx.now);
      const job = order.job;
      const own = options.productBuffers?.get(job.product) ?? buffers;
      const quote = quoteOnBook(book, now, job.drumLoad, own);
      const quotedDue = fromEngine(endOfLocalDate(wt, quote.promiseDate));
      let promiseDate = quote.promiseDate;
      let deadline = quote.drumDeadline;
      if (job.requestedDue !== undefined && job.requestedDue > quotedDue) {
        // The customer's later date is kept: more slack for the drum, the same promise rules.
        promiseDate = localDateEndingAt(wt, toEngine(job.requestedDue));
        deadline = drumDeadlineFor(wt, promiseDate, own.shippingBufferDays);
      }
      order.quotedDue = quotedDue;
      order.due = fromEngine(endOfLocalDate(wt, promiseDate));
      promiseDates.set(order, promiseDate);
      productionBuffer.set(order, own.productionBufferDays);
      drumDeadline.set(order, deadline);
      const id = String(job.id);
      byId.set(id, order);
      book.insert({ id, load: job.drumLoad, deadline, seq: job.id, productionBufferDays: own.productionBufferDays });
      replanReleases(ctx);
    },
    onDrumStart(order) {
      // In progress: pinned at the front of the drum sequence, as the service pins it.
      onDrum = order;
      book.update({ ...drumOrder(order), pinned: true, pinRank: 0 });
    },
    onDrumFinish(order, ctx) {
      onDrum = undefined;
      book.remove(String(order.job.id));
      byId.delete(String(order.job.id));
      replanReleases(ctx);
    },
    priority(order, station, now) {
      // The drum works its schedule: earliest drum deadline first (the engine's sequence).
      if (station === drumStation) return drumDeadline.get(order)!;
      const status = penetration(
        wt,
        { id: String(order.job.id), promiseDate: promiseDates.get(order)!, productionBufferDays: productionBuffer.get(order)! },
        toEngine(now),
      );
      // Highest penetration first; orders not yet in their buffer (0 %) by due date, as the engine's prioritize does.
      return status.percent > 0 ? -status.percent : order.due;
    },
  };
}
