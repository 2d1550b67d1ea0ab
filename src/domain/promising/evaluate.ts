import {
  localDateEndingAt,
  NoCapacityError,
  priceOfDateOnBook,
  routeProposals,
  type CapacityProposal,
  suggestCapacity,
  type BufferPolicy,
  type RouteDemand,
  type RouteStep,
  type Suggestion,
} from '../../engine/index.ts';
import type { Actor } from '../actor.ts';
import { resourcePolicy } from '../capacity-policy.ts';
import { drumLoadMinutes, usesDrum } from '../drum-load.ts';
import { DEFAULT_PLANNING_HORIZON_DAYS } from '../planning-horizon.ts';
import { DomainError, invalid } from '../errors.ts';
import { productLeadTimeDays } from '../lead-time.ts';
import { fromMinute, toMinute, type PlantState } from '../schedule/plant-cache.ts';
import type { OrderRow } from '../../db/repos/orders.ts';
import { requireDrum } from '../schedule/plant-config.ts';
import { drumOpsConsecutive, routeSteps } from '../schedule/route-state.ts';

export interface Demand {
  sku: string;
  quantity: number;
  /** Plant-local date the material arrives: nothing is released or worked before that day starts. */
  materialAvailableDate?: string | undefined;
}

export interface ResolvedDemand {
  sku: string;
  quantity: number;
  load: number;
  /** The operations the order is promised on (its snapshot), the drum's as one step of `load` minutes. */
  steps: RouteStep[];
  /** No release before this minute (the material arrives then); null: no constraint. */
  materialAvailable?: number | null | undefined;
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
  if (!drumOpsConsecutive(product.routing, drum.id)) {
    throw invalid([
      {
        field: 'body.sku',
        message: `Product "${demand.sku}" visits the drum "${drum.id}" in more than one block of operations, so no plan can be promised for it; make its drum operations consecutive`,
      },
    ]);
  }
  const plant = state.config.policy;
  const productionBufferDays = product.productionBufferDays ?? plant.productionBufferDays;
  const load = drumLoadMinutes(product.routing, drum.id, demand.quantity);
  return {
    sku: demand.sku,
    quantity: demand.quantity,
    load,
    steps: routeSteps(product.routing, drum.id, demand.quantity, load),
    materialAvailable: demand.materialAvailableDate ? engineOf(state).wt.startOfLocalDate(demand.materialAvailableDate) : null,
    productionBufferDays,
    planningHorizonDays: limits.planningHorizonDays,
    policy: {
      productionBufferDays,
      shippingBufferDays: product.shippingBufferDays ?? plant.shippingBufferDays,
      // The floor: max(the product's lead time or the plant's, its production buffer).
      standardLeadTimeDays: productLeadTimeDays(plant, product),
    },
  };
}

export function engineOf(state: PlantState) {
  if (!state.book || !state.wt || !state.route)
    throw new DomainError('conflict', `Plant "${state.config.plantId}" has no drum resource yet.`);
  return { book: state.book, wt: state.wt, route: state.route };
}

/**
 * The demand of an order already promised: its own operation snapshot (never today's
 * routing: new standards reach open orders only by an explicit planner action) and its own
 * buffers, without the lead-time floor, which guards new promises only.
 */
export function storedDemand(state: PlantState, row: OrderRow): ResolvedDemand {
  const { route } = engineOf(state);
  const stored = route.get(row.id);
  const steps = stored?.ops.map((o) => ({ resource: o.resource, minutes: o.minutes })) ?? [
    { resource: route.drumId, minutes: row.drum_load_minutes },
  ];
  return {
    sku: row.sku,
    quantity: row.quantity,
    load: row.drum_load_minutes,
    steps,
    materialAvailable: row.material_available_at ? toMinute(row.material_available_at) : null,
    productionBufferDays: row.production_buffer_days,
    policy: { productionBufferDays: row.production_buffer_days, shippingBufferDays: row.shipping_buffer_days, standardLeadTimeDays: 0 },
  };
}

/**
 * The order as it was promised (storedDemand: its routing snapshot, buffers and load) with a new
 * material date: a material fact changes when its work may start, never what the work is, so
 * today's product (routing, lead time, limits) does not come into it.
 */
export function storedDemandWithMaterial(
  state: PlantState,
  row: OrderRow,
  materialAvailable: number | null,
  planningHorizonDays: number | undefined,
): ResolvedDemand {
  return { ...storedDemand(state, row), materialAvailable, planningHorizonDays };
}

/** What the route book is asked about a demand. */
export const routeDemandOf = (d: ResolvedDemand): RouteDemand => ({
  ops: d.steps,
  policy: d.policy,
  materialAvailable: d.materialAvailable ?? null,
});

export interface Evaluation {
  earliestPromiseDate: string;
  earliestDeadline: number;
  bindingLimit: 'capacity' | 'lead-time-floor';
  /** The resource the order waits longest for (other orders' work on it); null when it waits nowhere. */
  bindingResource: string | null;
  requestedDate: string | null;
  requestedDateFeasible: boolean | null;
  capacityNeeded?: CapacityNeededView;
  /** Priced ways to buy the requested date (issue 15 item 2), best first; with costs (see proposalsFor). */
  proposals?: ProposalView[];
}

export interface ProposalView {
  resource: string;
  totalMinutes: number;
  totalCost?: number;
  currency?: string;
  /** The date the proposal makes keepable: the requested one (absent on a compensation for a capacity reduction). */
  earliestPromiseDate?: string;
  /** The instant the last block ends. */
  readyBy: string;
  leavesShippingBuffer: boolean;
  blocks: {
    resource: string;
    kind: 'overtime' | 'extra_shift';
    source: 'overtime' | 'extra_shift' | 'night_shift';
    date: string;
    start: string;
    end: string;
    minutes: number;
    cost?: number;
  }[];
}

export interface EvaluateOptions {
  /** Compute the priced proposals of a refused date (default true; a bulk load that only needs the date turns them off). */
  proposals?: boolean;
}

export interface CapacityNeededView {
  /** The resource the minutes are needed on (the drum, or e.g. heat treatment before it). */
  resource: string;
  minutes: number;
  /** Capacity before this instant cannot help. */
  neededAfter: string;
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
export function evaluate(
  state: PlantState,
  d: ResolvedDemand,
  nowMinute: number,
  requestedDate?: string,
  options: EvaluateOptions = {},
): Evaluation {
  const { route } = engineOf(state);
  const q = quoteWithCapacity(state, () => route.quote(nowMinute, routeDemandOf(d), horizonOf(d, nowMinute)));
  const base = {
    earliestPromiseDate: q.promiseDate,
    earliestDeadline: q.earliestDeadline,
    bindingLimit: q.bindingLimit,
    bindingResource: q.bindingResource,
    requestedDate: requestedDate ?? null,
    requestedDateFeasible: null,
  } satisfies Evaluation;
  if (requestedDate === undefined) return base;
  // Keepability is monotone in the date (design note §6): a date is keepable iff it is at or after the earliest one.
  if (requestedDate >= q.promiseDate) return { ...base, requestedDateFeasible: true };
  const { capacityNeeded, proposals } = priceOf(state, d, nowMinute, requestedDate, options.proposals ?? true);
  return { ...base, requestedDateFeasible: false, capacityNeeded, proposals };
}

/**
 * The price of a requested date (design note §5.4): the capacity, on the resource that
 * binds, that would make it keepable. Inside the standard lead time no capacity helps
 * (the drum-only rule answers that); otherwise the route book names the resource and the
 * window the extra minutes must fall in, and the suggestion spreads them over that
 * resource's own calendar.
 */
function priceOf(
  state: PlantState,
  d: ResolvedDemand,
  nowMinute: number,
  date: string,
  withProposals: boolean,
): { capacityNeeded: CapacityNeededView; proposals: ProposalView[] } {
  const { book, route } = engineOf(state);
  const horizon = horizonOf(d, nowMinute);
  const p = quoteWithCapacity(state, () => priceOfDateOnBook(book, nowMinute, d.load, date, { policy: d.policy, horizon }));
  const onRoute =
    p.bindingLimit === 'capacity' ? quoteWithCapacity(state, () => route.priceOfDate(nowMinute, routeDemandOf(d), date, horizon)) : null;
  if (!onRoute) {
    const capacityNeeded: CapacityNeededView = {
      resource: route.drumId,
      minutes: p.minutes,
      neededAfter: fromMinute(nowMinute).toISOString(),
      neededBy: fromMinute(p.neededBy).toISOString(),
      neededByDate: p.neededByDate,
      bindingLimit: p.bindingLimit,
      suggestion: suggestionView(p.suggestion),
    };
    // Inside the lead-time floor (or past the drum deadline) no capacity buys the date: nothing to propose.
    return { capacityNeeded, proposals: [] };
  }
  const wt = route.workingTime(onRoute.bindingResource);
  const after = Math.max(nowMinute, onRoute.neededAfter);
  const proposals = withProposals
    ? quoteWithCapacity(state, () =>
        routeProposals(route, nowMinute, routeDemandOf(d), date, horizon, onRoute, {
          frozenUntil: nowMinute + state.config.policy.frozenWindowMinutes,
          policy: resourcePolicy(state.config.capacityPolicy, onRoute.bindingResource),
        }),
      ).map((p) => proposalView(p, date, state.config.capacityPolicy.currency))
    : [];
  const capacityNeeded: CapacityNeededView = {
    resource: onRoute.bindingResource,
    minutes: onRoute.minutes,
    neededAfter: fromMinute(after).toISOString(),
    neededBy: fromMinute(onRoute.neededBy).toISOString(),
    neededByDate: localDateEndingAt(wt, onRoute.neededBy),
    bindingLimit: 'capacity',
    suggestion: suggestionView(
      suggestCapacity(wt, after, onRoute.neededBy, onRoute.minutes, {
        ...(onRoute.bindingResource === route.drumId ? {} : { resource: `"${onRoute.bindingResource}"` }),
      }),
    ),
  };
  return { capacityNeeded, proposals };
}

/** A proposal as answers show it; `date`: the requested date it makes keepable (null: a compensation, which keeps every promise). */
export const proposalView = (p: CapacityProposal, date: string | null, currency: string): ProposalView => ({
  resource: p.blocks[0]!.resource,
  totalMinutes: p.totalMinutes,
  totalCost: p.totalCost,
  currency,
  ...(date === null ? {} : { earliestPromiseDate: date }),
  readyBy: fromMinute(p.readyBy).toISOString(),
  leavesShippingBuffer: p.leavesShippingBuffer,
  blocks: p.blocks.map(({ resource, kind, source, date: day, start, end, minutes, cost }) => ({
    resource,
    kind,
    source,
    date: day,
    start,
    end,
    minutes,
    cost,
  })),
});

/** Costs are the planners' business: a salesperson (or the ERP) sees the proposals without them. */
export function proposalsFor(viewer: Actor | null, proposals: readonly ProposalView[]): ProposalView[] {
  if (viewer === null || viewer.role === 'planner' || viewer.role === 'admin') return [...proposals];
  return proposals.map(({ totalCost: _c, currency: _k, blocks, ...rest }) => ({
    ...rest,
    blocks: blocks.map(({ cost: _b, ...b }) => b),
  }));
}

const suggestionView = (s: Suggestion): CapacityNeededView['suggestion'] => ({
  text: s.text,
  fits: s.fits,
  days: s.days.map(({ date, minutes, kind, start, end }) => ({ date, minutes, kind, start, end })),
});

/** The last instant the engine may search for capacity: now + the planning horizon. */
export const horizonOf = (d: ResolvedDemand, nowMinute: number) =>
  nowMinute + (d.planningHorizonDays ?? DEFAULT_PLANNING_HORIZON_DAYS) * 1440;

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
        `The calendars of this route (the drum or another resource it visits) have no room for this order (${e.load} drum minutes)${horizon ? ` before the end of the planning horizon (${horizon})` : ''}; a planner must add capacity.`,
        { drumLoadMinutes: e.load, ...(horizon ? { planningHorizon: horizon } : {}) },
      );
    }
    throw e;
  }
}

export function infeasible(e: Evaluation, what: string, viewer: Actor | null = null): DomainError {
  const why =
    e.capacityNeeded?.bindingLimit === 'lead-time-floor'
      ? `it is inside the standard lead time`
      : `${e.capacityNeeded?.resource ?? 'the drum'} would need ${e.capacityNeeded?.minutes ?? '?'} more minutes by the end of ${e.capacityNeeded?.neededByDate ?? '?'}`;
  return new DomainError(
    'schedule-infeasible',
    `${what} cannot be kept: ${why}. The earliest date the schedule can keep is ${e.earliestPromiseDate}.`,
    {
      earliestPromiseDate: e.earliestPromiseDate,
      requestedDate: e.requestedDate,
      ...(e.capacityNeeded ? { capacityNeeded: e.capacityNeeded } : {}),
      ...(e.proposals ? { proposals: proposalsFor(viewer, e.proposals) } : {}),
    },
  );
}
