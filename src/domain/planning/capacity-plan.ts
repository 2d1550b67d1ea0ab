import type { OrderRow } from '../../db/repos/orders.ts';
import {
  buildWorkingTime,
  capacityChangeFromDiff,
  capacityPromiseDateFor,
  drumDeadlineFor,
  DrumBook,
  endOfLocalDate,
  type Calendar,
  type WorkingTime,
} from '../../engine/index.ts';
import { DomainError, invalid } from '../errors.ts';
import { bookWithoutLateInSlices, diffInSlices } from '../event-loop-slices.ts';
import { engineOf } from '../promising/evaluate.ts';
import { isoOrNever, type MovedPlan } from './route-capacity.ts';
import { type PlantState } from '../schedule/plant-cache.ts';

export interface RepromiseRequest {
  orderId: string;
  promiseDate: string;
  reason: string;
}

export interface LateOrderView {
  orderId: string;
  promiseDate: string;
  /** The earliest promise the order can get under the new capacity (computed jointly for all late orders). */
  earliestPromiseDate: string;
  plannedFinish: string;
  drumDeadline: string;
  lateByMinutes: number;
}

export interface DrumPlan {
  workingTime: WorkingTime;
  /** Orders whose planned start or finish moves, in drum order; the first MOVED_LISTED of them. */
  moved: MovedPlan[];
  movedCount: number;
  /** On time before, late after: each must be re-promised in the same request. */
  late: LateOrderView[];
  /** Already late before the change; re-promising them is allowed, not required. */
  stillLate: LateOrderView[];
}

/** A change early in the horizon moves nearly every order: list enough to act on, count them all. */
export const MOVED_LISTED = 200;

/**
 * The engine's diff of a new drum calendar against the current schedule. Order rows are
 * read only for the orders the answer names (late ones and `alsoIds`), not for every open
 * order. The earliest drum deadline of a late order does not depend on its shipping buffer,
 * so its earliest promise is derived with the order's own (a product may override the plant's).
 */
export async function planDrumCalendar(
  state: PlantState,
  nowMinute: number,
  calendar: Calendar,
  loadRows: (ids: string[]) => Promise<Map<string, OrderRow>>,
  alsoIds: readonly string[],
): Promise<{ plan: DrumPlan; rows: Map<string, OrderRow> }> {
  // The cached book (built on state.wt) is read, never modified: the diff is one walk of it.
  const { book } = engineOf(state);
  const policy = state.config.policy;
  // The O(n) walk and the book the late orders are re-quoted on are built in slices that
  // yield; the re-quote itself (O(late · log n)) is not sliced.
  const workingTime = buildWorkingTime(calendar);
  const seq = await diffInSlices(book, nowMinute, workingTime);
  const r = capacityChangeFromDiff(nowMinute, policy, workingTime, seq, await bookWithoutLateInSlices(seq, workingTime));
  const ids = new Set([...r.diff.late, ...r.diff.stillLate].map((l) => l.id).concat(alsoIds));
  const rows = ids.size ? await loadRows([...ids]) : new Map<string, OrderRow>();
  const view = (l: (typeof r.diff.late)[number]): LateOrderView => {
    const row = rows.get(l.id);
    const sb = row?.shipping_buffer_days ?? policy.shippingBufferDays;
    return {
      orderId: l.id,
      promiseDate: row?.promise_date ?? '',
      earliestPromiseDate: earliestDateOr(r.workingTime, l.earliestDeadline, sb),
      plannedFinish: isoOrNever(l.finish),
      drumDeadline: isoOrNever(l.deadline),
      lateByMinutes: -l.slack,
    };
  };
  const plan: DrumPlan = {
    workingTime: r.workingTime,
    // Only the listed ones are built: a change early in the horizon moves nearly all orders.
    moved: r.diff.movedSlice(0, MOVED_LISTED).map((m) => ({
      orderId: m.id,
      before: { start: isoOrNever(m.before.start), finish: isoOrNever(m.before.finish) },
      after: { start: isoOrNever(m.after.start), finish: isoOrNever(m.after.finish) },
    })),
    movedCount: r.diff.movedCount,
    late: r.diff.late.map(view),
    stillLate: r.diff.stillLate.map(view),
  };
  return { plan, rows };
}

/** Working minutes a calendar change adds (positive) or removes (negative) on one local date. */
export function minutesDelta(before: WorkingTime, after: WorkingTime, date: string): number {
  const span = (wt: WorkingTime) => wt.minutesBetween(wt.startOfLocalDate(date), endOfLocalDate(wt, date));
  return span(after) - span(before);
}

export interface AcceptedRepromise {
  row: OrderRow;
  promiseDate: string;
  deadline: number;
  reason: string;
}

/**
 * The rule for a capacity change: it may make no committed order late unless the same
 * request re-promises each such order, explicitly, to a date at or after its earliest
 * feasible one. Returns the re-promises with their new drum deadlines, or throws: 400
 * for a malformed list, 409 `schedule-infeasible` listing every order still uncovered.
 */
export function checkRepromises(
  state: PlantState,
  nowMinute: number,
  plan: DrumPlan,
  rows: Map<string, OrderRow>,
  repromises: readonly RepromiseRequest[],
  what: string,
): AcceptedRepromise[] {
  const { book } = engineOf(state);
  const wt = plan.workingTime;
  const today = wt.localDateOf(nowMinute);
  const errors: { field: string; message: string }[] = [];
  const seen = new Set<string>();
  const accepted: AcceptedRepromise[] = [];
  repromises.forEach((rp, i) => {
    const row = rows.get(rp.orderId);
    if (!row) errors.push({ field: `body.repromises[${i}].orderId`, message: `Order ${rp.orderId} is not an open order of this plant` });
    else if (seen.has(rp.orderId)) errors.push({ field: `body.repromises[${i}].orderId`, message: `Order ${rp.orderId} is listed twice` });
    else if (rp.promiseDate < today)
      errors.push({ field: `body.repromises[${i}].promiseDate`, message: `${rp.promiseDate} is in the past (today is ${today})` });
    else if (rp.promiseDate === row.promise_date)
      errors.push({
        field: `body.repromises[${i}].promiseDate`,
        message: `${rp.promiseDate} is already the promise date of order ${rp.orderId}`,
      });
    else
      accepted.push({
        row,
        promiseDate: rp.promiseDate,
        deadline: drumDeadlineFor(wt, rp.promiseDate, row.shipping_buffer_days),
        reason: rp.reason,
      });
    seen.add(rp.orderId);
  });
  if (errors.length) throw invalid(errors, 'The re-promises are invalid.');

  const byId = new Map(accepted.map((a) => [a.row.id, a]));
  const uncovered = plan.late.filter((l) => {
    const a = byId.get(l.orderId);
    return !a || a.promiseDate < l.earliestPromiseDate;
  });
  if (uncovered.length === 0) {
    // Nothing late and nothing re-promised: the engine diff already proved the new schedule.
    if (accepted.length === 0) return accepted;
    // Re-promised orders (late or not) must all be kept together under the new capacity.
    const next = new DrumBook(
      wt,
      book.orders().map((o) => (byId.has(o.id) ? { ...o, deadline: byId.get(o.id)!.deadline } : o)),
    );
    if (plan.stillLate.length === 0 && next.feasible(nowMinute)) return accepted;
    const stillLate = new Set(plan.stillLate.map((l) => l.orderId));
    const broken = next.schedule(nowMinute, state.config.policy.productionBufferDays).filter((s) => s.late && !stillLate.has(s.id));
    if (broken.length === 0) return accepted;
    throw new DomainError('schedule-infeasible', `${what} with these re-promises would leave ${broken.length} order(s) late.`, {
      lateOrders: broken.map((s) => ({
        orderId: s.id,
        promiseDate: rows.get(s.id)?.promise_date ?? null,
        plannedFinish: isoOrNever(s.finish),
        lateByMinutes: -s.slack,
      })),
    });
  }
  throw new DomainError(
    'schedule-infeasible',
    `${what} would make ${uncovered.length} committed order(s) late. Re-promise each of them in the same request (repromises: orderId, a promiseDate at or after its earliestPromiseDate, and a reason), or choose another change.`,
    { lateOrders: uncovered },
  );
}

/** A late order's earliest promise on the new calendar; 'never' when the calendar has no working day left to ship on. */
function earliestDateOr(wt: WorkingTime, earliestDeadline: number, shippingBufferDays: number): string {
  if (!Number.isFinite(earliestDeadline)) return 'never';
  try {
    return capacityPromiseDateFor(wt, earliestDeadline, shippingBufferDays);
  } catch (e) {
    if (e instanceof RangeError) return 'never';
    throw e;
  }
}
