import {
  drumDeadlineFor,
  leadTimeFloorDate,
  NoCapacityError,
  priceOfDateOnBook,
  quoteOnBook,
  type BufferPolicy,
} from '../../engine/index.ts';
import { drumLoadMinutes, usesDrum } from '../drum-load.ts';
import { DEFAULT_PLANNING_HORIZON_DAYS } from '../planning-horizon.ts';
import { DomainError, invalid } from '../errors.ts';
import { fromMinute, type PlantState } from '../schedule/plant-cache.ts';
import { requireDrum } from '../schedule/plant-config.ts';

export interface Demand {
  sku: string;
  quantity: number;
}

export interface ResolvedDemand {
  sku: string;
  quantity: number;
  load: number;
  policy: BufferPolicy;
  productionBufferDays: number;
  /** How far ahead the engine may look for capacity (default: DEFAULT_PLANNING_HORIZON_DAYS). */
  planningHorizonDays?: number | undefined;
}

export interface DemandLimits {
  maxOrderQuantity: number;
  planningHorizonDays?: number | undefined;
}

/** Turns sku × quantity into drum minutes and the buffers that apply, or a 400 naming the field. */
export function resolveDemand(state: PlantState, demand: Demand, limits: DemandLimits): ResolvedDemand {
  const drum = requireDrum(state.config);
  if (demand.quantity > limits.maxOrderQuantity) {
    throw invalid([{ field: 'body.quantity', message: `At most ${limits.maxOrderQuantity} units per order` }]);
  }
  const product = state.config.products.get(demand.sku);
  if (!product) throw invalid([{ field: 'body.sku', message: `Unknown product "${demand.sku}" in plant "${state.config.plantId}"` }]);
  if (!usesDrum(product.routing, drum.id)) {
    throw invalid([
      { field: 'body.sku', message: `Product "${demand.sku}" has no operation on the drum "${drum.id}", so it cannot be promised` },
    ]);
  }
  const plant = state.config.policy;
  const productionBufferDays = product.productionBufferDays ?? plant.productionBufferDays;
  return {
    sku: demand.sku,
    quantity: demand.quantity,
    load: drumLoadMinutes(product.routing, drum.id, demand.quantity),
    productionBufferDays,
    planningHorizonDays: limits.planningHorizonDays,
    policy: {
      productionBufferDays,
      shippingBufferDays: product.shippingBufferDays ?? plant.shippingBufferDays,
      standardLeadTimeDays: plant.standardLeadTimeDays,
    },
  };
}

export function engineOf(state: PlantState) {
  if (!state.book || !state.wt) throw new DomainError('conflict', `Plant "${state.config.plantId}" has no drum resource yet.`);
  return { book: state.book, wt: state.wt };
}

export interface Evaluation {
  earliestPromiseDate: string;
  earliestDeadline: number;
  bindingLimit: 'capacity' | 'lead-time-floor';
  requestedDate: string | null;
  requestedDateFeasible: boolean | null;
  capacityNeeded?: CapacityNeededView;
}

export interface CapacityNeededView {
  minutes: number;
  neededBy: string;
  neededByDate: string;
  bindingLimit: 'capacity' | 'lead-time-floor';
  suggestion: {
    text: string;
    fits: boolean;
    days: { date: string; minutes: number; kind: 'overtime' | 'extra_shift'; start: string; end: string }[];
  };
}

export function assertNotPast(state: PlantState, date: string, nowMinute: number, field: string) {
  const today = engineOf(state).wt.localDateOf(nowMinute);
  if (date < today) throw invalid([{ field, message: `${date} is in the past (today is ${today} in ${state.config.timeZone})` }]);
}

/**
 * The honest answer for one demand: the earliest promise the schedule can keep and, for a
 * requested date, whether it can be kept and what capacity would make it keepable.
 */
export function evaluate(state: PlantState, d: ResolvedDemand, nowMinute: number, requestedDate?: string): Evaluation {
  const { book } = engineOf(state);
  const q = quoteWithCapacity(state, () => quoteOnBook(book, nowMinute, d.load, d.policy, horizonOf(d, nowMinute)));
  const base = {
    earliestPromiseDate: q.promiseDate,
    earliestDeadline: q.earliestDeadline,
    bindingLimit: q.bindingLimit,
    requestedDate: requestedDate ?? null,
    requestedDateFeasible: null,
  } satisfies Evaluation;
  if (requestedDate === undefined) return base;
  if (isFeasibleDate(state, d, nowMinute, requestedDate, q.earliestDeadline)) return { ...base, requestedDateFeasible: true };
  return { ...base, requestedDateFeasible: false, capacityNeeded: priceOf(state, d, nowMinute, requestedDate) };
}

/** Feasibility is monotone in the deadline, so a date is keepable iff its drum deadline is at or after the earliest one. */
export function isFeasibleDate(state: PlantState, d: ResolvedDemand, nowMinute: number, date: string, earliestDeadline: number) {
  const { wt } = engineOf(state);
  if (date < leadTimeFloorDate(wt, nowMinute, d.policy.standardLeadTimeDays)) return false;
  return drumDeadlineFor(wt, date, d.policy.shippingBufferDays) >= earliestDeadline;
}

function priceOf(state: PlantState, d: ResolvedDemand, nowMinute: number, date: string): CapacityNeededView {
  const { book } = engineOf(state);
  const p = quoteWithCapacity(state, () =>
    priceOfDateOnBook(book, nowMinute, d.load, date, { policy: d.policy, horizon: horizonOf(d, nowMinute) }),
  );
  return {
    minutes: p.minutes,
    neededBy: fromMinute(p.neededBy).toISOString(),
    neededByDate: p.neededByDate,
    bindingLimit: p.bindingLimit,
    suggestion: {
      text: p.suggestion.text,
      fits: p.suggestion.fits,
      days: p.suggestion.days.map(({ date, minutes, kind, start, end }) => ({ date, minutes, kind, start, end })),
    },
  };
}

/** The last instant the engine may search for capacity: now + the planning horizon. */
const horizonOf = (d: ResolvedDemand, nowMinute: number) => nowMinute + (d.planningHorizonDays ?? DEFAULT_PLANNING_HORIZON_DAYS) * 1440;

/**
 * A drum calendar without room for the work before the planning horizon (no shifts at all,
 * or a load larger than the horizon holds) cannot promise anything: a 409 of its own type,
 * found without expanding the calendar past the horizon, never a long loop or a crash.
 */
function quoteWithCapacity<T>(state: PlantState, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof NoCapacityError) {
      const horizon = Number.isFinite(e.horizon) ? engineOf(state).wt.localDateOf(e.horizon) : null;
      throw new DomainError(
        'no-capacity-within-horizon',
        `The drum calendar has no room for ${e.load} more minutes${horizon ? ` before the end of the planning horizon (${horizon})` : ''}; a planner must add capacity.`,
        { drumLoadMinutes: e.load, ...(horizon ? { planningHorizon: horizon } : {}) },
      );
    }
    throw e;
  }
}

export function infeasible(e: Evaluation, what: string): DomainError {
  const why =
    e.capacityNeeded?.bindingLimit === 'lead-time-floor'
      ? `it is inside the standard lead time`
      : `the drum would need ${e.capacityNeeded?.minutes ?? '?'} more minutes before ${e.capacityNeeded?.neededByDate ?? '?'}`;
  return new DomainError(
    'schedule-infeasible',
    `${what} cannot be kept: ${why}. The earliest date the schedule can keep is ${e.earliestPromiseDate}.`,
    {
      earliestPromiseDate: e.earliestPromiseDate,
      requestedDate: e.requestedDate,
      ...(e.capacityNeeded ? { capacityNeeded: e.capacityNeeded } : {}),
    },
  );
}
