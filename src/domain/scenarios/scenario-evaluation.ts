import { activeCapacityChanges, type CapacityChangeRow } from '../../db/repos/capacity-changes.ts';
import { endOfLocalDate, nextLocalDate, NoCapacityError, type RoutePlan } from '../../engine/index.ts';
import { quotedLeadTimeDays } from '../../planning-rules/kpis.ts';
import { bucketLoad, PlannedLoad, weekOf } from '../../planning-rules/load-buckets.ts';
import type { Actor } from '../actor.ts';
import { DomainError } from '../errors.ts';
import { engineOf, evaluate, resolveDemand, type DemandLimits } from '../promising/evaluate.ts';
import { fromMinute, toMinute, type PlantState } from '../schedule/plant-cache.ts';
import { withTimePassed } from '../schedule/release-tick.ts';
import { workingTimesOf } from '../schedule/route-state.ts';
import type { ScheduleDeps, Simulation } from '../schedule/schedule-writer.ts';
import { applyCapacityChangeWhatIf } from '../planning/capacity-change-what-if.ts';
import { applyRangedChangeWhatIf, revokeAnyCapacityChangeWhatIf } from '../planning/ranged-capacity-changes.ts';
import { capacityCost } from './capacity-cost.ts';
import { applyOperation, rangedInput, stepDeps, type OperationEffect, type ScenarioOperation } from './scenario-operations.ts';

export interface EvaluationOptions {
  /** Weeks of load per resource compared, from the current one. */
  weeks: number;
  /** Quantity of the standard quote per product (projected quoted lead time). */
  quoteQuantity: number;
}

/** Orders listed as moved at most (all are counted): a change early in the horizon moves nearly every order. */
const MOVED_LISTED = 200;
/** Products quoted for the projected lead time at most (in SKU order): one quote each, twice. */
const PRODUCTS_QUOTED = 50;

export interface OperationOutcome {
  index: number;
  type: ScenarioOperation['type'];
  applied: boolean;
  effect: OperationEffect | null;
  /** Why it did not apply, or why the live request refuses what applied here only (refusedLive): the problem the live request would answer. */
  problem: { type: string; detail: string; [k: string]: unknown } | null;
  /**
   * Applied here although the live request (and so a promotion) refuses it: a capacity
   * reduction that makes orders late, applied as a what-if with those orders in
   * effect.ordersMadeLate.
   */
  refusedLive: boolean;
  /** Refused here, but applies without the scenario's hypothetical orders (as promotion would apply it). */
  refusedOnlyWithHypotheticalOrders: boolean;
  note?: string;
}

interface OrderPlan {
  finish: number;
  late: boolean;
  promiseDate: string;
}

interface Snapshot {
  plans: Map<string, OrderPlan>;
  load: Map<string, { week: string; loadMinutes: number; capacityMinutes: number }[]>;
  kpis: Kpis;
}

interface Kpis {
  openPromises: number;
  keepablePromises: number;
  keepableShare: number | null;
  quotedLeadTimeDays: { sku: string; days: number | null }[];
  averageQuotedLeadTimeDays: number | null;
  capacityCost: number;
  currency: string;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const iso = (m: number) => (Number.isFinite(m) ? fromMinute(m).toISOString() : null);

/**
 * Evaluates a scenario: its operations are applied one after another, each through the live
 * use case, inside ScheduleWriter.simulate (a fork of the engine state in a transaction that
 * is always rolled back, see there why not the cached state), and the plan before and after
 * is compared. A capacity reduction or revocation the live request would refuse because it
 * makes orders late is applied as a fact (`refusedLive`, its made-late orders listed: that is
 * the question a what-if asks); any other operation the live request would refuse (a
 * re-promise the schedule cannot keep) is reported with that refusal and left out; the others
 * still apply. Hypothetical orders are in the simulated plan only: they are left out
 * of the order lists and the KPIs, and no event or quote record is ever written.
 */
export async function evaluateScenario(
  deps: ScheduleDeps,
  limits: DemandLimits,
  plantId: string,
  actor: Actor,
  operations: readonly ScenarioOperation[],
  options: EvaluationOptions,
) {
  // Under the plant's lock only what needs it: a copy of the live state as the operations
  // meet it, the operations themselves and the capacity changes in force before and after.
  // Plans, load and quotes are computed afterwards, on the evaluation's own two states, so
  // the plant's writes wait for the operations only.
  const run = await deps.writer.simulate(plantId, async (sim) => {
    const baseline = sim.state.fork();
    const changesBefore = await activeCapacityChanges(sim.tx, plantId);
    const { outcomes, hypothetical } = await applyInOrder(sim, limits, plantId, actor, operations);
    const changesAfter = await activeCapacityChanges(sim.tx, plantId);
    return { baseline, changesBefore, changesAfter, outcomes, hypothetical, state: sim.state, now: sim.now, version: sim.scheduleVersion };
  });
  await markRefusalsOfHypotheticalOrders(deps, limits, plantId, actor, operations, run.outcomes);
  const nowMinute = toMinute(run.now);
  const days = weekDays(engineOf(run.baseline).wt.localDateOf(nowMinute), options.weeks);
  const hidden = new Set(run.hypothetical.map((h) => h.orderId));
  const before = await snapshot(run.baseline, nowMinute, days, limits, options, new Set(), run.changesBefore);
  const after = await snapshot(
    run.state,
    nowMinute,
    days,
    limits,
    options,
    hidden,
    run.changesAfter,
    keptPromises(run.outcomes, operations),
  );
  return compare(run, before, after, operations);
}

/** Applies the operations in order inside the simulation: a refused operation is reported, and left out unless it is a reduction applied as a fact (see evaluateScenario). */
async function applyInOrder(
  sim: Simulation,
  limits: DemandLimits,
  plantId: string,
  actor: Actor,
  operations: readonly ScenarioOperation[],
  only: (op: ScenarioOperation) => boolean = () => true,
) {
  const simDeps = stepDeps({ db: sim.tx, clock: { now: () => sim.now }, cache: sim.cache }, (a, fn) => sim.write(a, fn));
  const outcomes: OperationOutcome[] = [];
  const hypothetical: { index: number; orderId: string }[] = [];
  for (const [index, op] of operations.entries()) {
    if (!only(op)) continue;
    try {
      const effect = await applyOperation(simDeps, limits, plantId, actor, op);
      outcomes.push({
        index,
        type: op.type,
        applied: true,
        effect: publicEffect(op, effect),
        problem: null,
        refusedLive: false,
        refusedOnlyWithHypotheticalOrders: false,
      });
      if (op.type === 'hypothetical-order') hypothetical.push({ index, orderId: effect.orderId as string });
    } catch (e) {
      // A busy plant (the simulation ran out of time) fails the evaluation, not the operation.
      if (!(e instanceof DomainError) || e.kind === 'service-unavailable') throw e;
      const whatIf = await reductionWhatIf(simDeps, plantId, actor, op, e, hypothetical);
      if (whatIf) {
        outcomes.push({
          index,
          type: op.type,
          applied: true,
          effect: whatIf,
          problem: problemOf(e),
          refusedLive: true,
          refusedOnlyWithHypotheticalOrders: false,
          note: REFUSED_LIVE_NOTE,
        });
        continue;
      }
      outcomes.push({
        index,
        type: op.type,
        applied: false,
        effect: null,
        problem: problemOf(e),
        refusedLive: false,
        refusedOnlyWithHypotheticalOrders: false,
      });
    }
  }
  return { outcomes, hypothetical };
}

const REFUSED_LIVE_NOTE =
  'Applied in this what-if although it makes orders late (effect.ordersMadeLate): live, and on promotion, it is refused (problem) until those orders are re-promised.';

/**
 * A capacity reduction (a change of one day, a range or blocks, or the revocation of added
 * capacity) refused because it makes orders late is the question a what-if asks: it is
 * applied anyway (as a fact, capacity-change-what-if.ts) and its made-late orders listed.
 * Null for every other refusal, and for a change that carries its own re-promises (those are
 * the planner's answer to the lateness; they must fit).
 */
async function reductionWhatIf(
  deps: ScheduleDeps,
  plantId: string,
  actor: Actor,
  op: ScenarioOperation,
  e: DomainError,
  hypothetical: readonly { index: number; orderId: string }[],
) {
  if (e.kind !== 'schedule-infeasible') return null;
  const r = await applyReductionAnyway(deps, plantId, actor, op);
  if (!r) return null;
  // What is made inside a simulation has no id outside it (publicEffect): a hypothetical order is named by its operation.
  const operationOf = new Map(hypothetical.map((h) => [h.orderId, h.index]));
  return {
    ...(op.type === 'revoke-capacity-change' ? { changeId: op.id } : {}),
    minutesDelta: r.minutesDelta,
    ordersMadeLate: r.madeLate.map((l) => {
      const index = operationOf.get(l.orderId);
      const dates = { promiseDate: l.promiseDate, earliestPromiseDate: l.earliestPromiseDate };
      return index === undefined ? { orderId: l.orderId, ...dates } : { hypotheticalOrderIndex: index, ...dates };
    }),
  };
}

function applyReductionAnyway(deps: ScheduleDeps, plantId: string, actor: Actor, op: ScenarioOperation) {
  if (op.type === 'revoke-capacity-change') return revokeAnyCapacityChangeWhatIf(deps, plantId, actor, op.id, op.reason);
  if (op.type !== 'capacity-change') return null;
  const { date, from: _from, to: _to, weekdays: _w, except: _x, blocks: _b, repromises, ...rest } = op.change;
  if ((repromises?.length ?? 0) > 0) return null;
  return date === undefined
    ? applyRangedChangeWhatIf(deps, plantId, actor, rangedInput(op.change))
    : applyCapacityChangeWhatIf(deps, plantId, actor, { ...rest, date });
}

const ONLY_HYPOTHETICAL_NOTE =
  'Refused only because of the hypothetical orders of this scenario: without them it applies, and promotion (which skips hypothetical orders) would apply it.';

/**
 * Promotion skips hypothetical orders, so an operation refused only because of them (a
 * reduction that would make a hypothetical order late) would be promoted although the
 * evaluation shows it refused. When the scenario has both, the operations are simulated once
 * more without the hypothetical orders, and each refused one that applies there says so
 * (`refusedOnlyWithHypotheticalOrders`, a note). A second simulation only then: no cost for
 * scenarios without hypothetical orders or without a refusal.
 */
async function markRefusalsOfHypotheticalOrders(
  deps: ScheduleDeps,
  limits: DemandLimits,
  plantId: string,
  actor: Actor,
  operations: readonly ScenarioOperation[],
  outcomes: OperationOutcome[],
) {
  const real = (op: ScenarioOperation) => op.type !== 'hypothetical-order';
  const refused = (o: OperationOutcome) => !o.applied || o.refusedLive;
  if (!operations.some((op) => !real(op)) || !outcomes.some((o) => refused(o) && o.type !== 'hypothetical-order')) return;
  const without = await deps.writer.simulate(
    plantId,
    async (sim) => (await applyInOrder(sim, limits, plantId, actor, operations, real)).outcomes,
  );
  const applies = new Set(without.filter((o) => !refused(o)).map((o) => o.index));
  for (const o of outcomes) {
    if (!refused(o) || !applies.has(o.index)) continue;
    o.refusedOnlyWithHypotheticalOrders = true;
    o.note = ONLY_HYPOTHETICAL_NOTE;
  }
}

/**
 * The orders a what-if reduction made late, with their promises: planned at their earliest
 * date, they keep their promise (as after a fact; the simulated record keeps it too, since
 * PlantState.apply re-inserts it from the row) and count as late whatever their plan's finish,
 * as the live at-risk flag counts them, until a later re-promise in the scenario ends it.
 */
function keptPromises(outcomes: readonly OperationOutcome[], operations: readonly ScenarioOperation[]): Map<string, string> {
  const kept = new Map<string, string>();
  for (const o of outcomes) {
    const op = operations[o.index]!;
    if (o.refusedLive)
      for (const l of (o.effect?.ordersMadeLate ?? []) as { orderId?: string; promiseDate: string }[])
        if (l.orderId !== undefined && !kept.has(l.orderId)) kept.set(l.orderId, l.promiseDate);
    if (o.applied && op.type === 'repromise') kept.delete(op.orderId);
  }
  return kept;
}

/** What is made inside a simulation has no id outside it: a hypothetical order's effect names its date, a new change its minutes. */
function publicEffect(op: ScenarioOperation, effect: OperationEffect): OperationEffect {
  if (op.type === 'hypothetical-order') {
    const { orderId: _id, ...rest } = effect;
    return rest;
  }
  if (op.type === 'capacity-change') {
    const { changeId: _id, ...rest } = effect;
    return rest;
  }
  return effect;
}

export function problemOf(e: DomainError): OperationOutcome['problem'] {
  return { type: e.kind, detail: e.message, ...e.extensions, ...(e.errors.length ? { errors: e.errors } : {}) };
}

function weekDays(today: string, weeks: number): string[] {
  const days: string[] = [];
  const end = nextLocalDate(weekOf(today), weeks * 7);
  for (let d = today; d < end; d = nextLocalDate(d)) days.push(d);
  return days;
}

async function snapshot(
  state: PlantState,
  nowMinute: number,
  days: readonly string[],
  limits: DemandLimits,
  options: EvaluationOptions,
  hidden: ReadonlySet<string>,
  changes: readonly CapacityChangeRow[],
  promised: ReadonlyMap<string, string> = new Map(),
): Promise<Snapshot> {
  const { route, wt } = engineOf(state);
  const routePlans: RoutePlan[] = withTimePassed(state, nowMinute, () => route.plan(nowMinute));
  const plans = new Map<string, OrderPlan>();
  const wts = workingTimesOf(state.config);
  const load = new PlannedLoad(wts, days, nowMinute);
  for (const p of routePlans) {
    for (const op of p.operations) load.add(op);
    if (hidden.has(p.id)) continue;
    const promiseDate = promised.get(p.id) ?? route.get(p.id)?.promiseDate ?? '';
    const finish = p.operations.at(-1)?.end ?? Infinity;
    const late =
      promised.has(p.id) || p.late || !Number.isFinite(finish) || (promiseDate !== '' && finish > endOfLocalDate(wt, promiseDate));
    plans.set(p.id, { finish, late, promiseDate });
  }
  const byResource = new Map<string, { week: string; loadMinutes: number; capacityMinutes: number }[]>();
  for (const r of state.config.resources.values()) {
    const result = load.result(r.id);
    if (!result) continue;
    byResource.set(
      r.id,
      bucketLoad(wts.get(r.id)!, days, result.byDay, 'week', 1).map((p) => ({
        week: p.start,
        loadMinutes: p.loadMinutes,
        capacityMinutes: p.capacityMinutes,
      })),
    );
  }
  return { plans, load: byResource, kpis: kpisOf(state, nowMinute, plans, limits, options, changes) };
}

function kpisOf(
  state: PlantState,
  nowMinute: number,
  plans: ReadonlyMap<string, OrderPlan>,
  limits: DemandLimits,
  options: EvaluationOptions,
  changes: readonly CapacityChangeRow[],
): Kpis {
  const today = engineOf(state).wt.localDateOf(nowMinute);
  let keepable = 0;
  for (const p of plans.values()) if (!p.late) keepable++;
  const skus = [...state.config.products.keys()].sort().slice(0, PRODUCTS_QUOTED);
  const leadTimes = skus.map((sku) => ({ sku, days: standardLeadTime(state, nowMinute, sku, today, limits, options.quoteQuantity) }));
  const known = leadTimes.flatMap((l) => (l.days === null ? [] : [l.days]));
  const policy = state.config.capacityPolicy;
  return {
    openPromises: plans.size,
    keepablePromises: keepable,
    keepableShare: plans.size ? round2(keepable / plans.size) : null,
    quotedLeadTimeDays: leadTimes,
    averageQuotedLeadTimeDays: known.length ? round2(known.reduce((a, b) => a + b, 0) / known.length) : null,
    capacityCost: capacityCost(state.config, changes, today),
    currency: policy.currency,
  };
}

/** Calendar days from today to the earliest promise of a standard quote; null when the product cannot be quoted. */
function standardLeadTime(state: PlantState, nowMinute: number, sku: string, today: string, limits: DemandLimits, quantity: number) {
  try {
    const d = resolveDemand(state, { sku, quantity }, limits);
    return quotedLeadTimeDays(today, evaluate(state, d, nowMinute).earliestPromiseDate);
  } catch (e) {
    if (e instanceof DomainError || e instanceof NoCapacityError) return null;
    throw e;
  }
}

interface SimulationRun {
  state: PlantState;
  now: Date;
  version: number;
  outcomes: OperationOutcome[];
  hypothetical: { index: number; orderId: string }[];
}

function compare(run: SimulationRun, before: Snapshot, after: Snapshot, ops: readonly ScenarioOperation[]) {
  const moved = [];
  const madeLate = [];
  for (const [id, a] of after.plans) {
    const b = before.plans.get(id);
    if (!b) continue;
    if (a.finish !== b.finish || a.promiseDate !== b.promiseDate)
      moved.push({
        orderId: id,
        promiseDate: { live: b.promiseDate, scenario: a.promiseDate },
        plannedFinish: { live: iso(b.finish), scenario: iso(a.finish) },
      });
    if (a.late && !b.late) madeLate.push({ orderId: id, promiseDate: a.promiseDate, plannedFinish: iso(a.finish) });
  }
  const load = [...after.load].map(([resource, weeks]) => ({
    resource,
    weeks: weeks.map((w, i) => {
      const l = before.load.get(resource)?.[i];
      return {
        week: w.week,
        live: l ? { loadMinutes: l.loadMinutes, capacityMinutes: l.capacityMinutes } : null,
        scenario: { loadMinutes: w.loadMinutes, capacityMinutes: w.capacityMinutes },
      };
    }),
  }));
  const { route } = engineOf(run.state);
  return {
    scheduleVersion: run.version,
    evaluatedAt: run.now.toISOString(),
    operations: run.outcomes,
    ordersMoved: moved.slice(0, MOVED_LISTED),
    ordersMovedCount: moved.length,
    ordersMadeLate: madeLate,
    load,
    kpis: { live: before.kpis, scenario: after.kpis },
    hypotheticalOrders: run.hypothetical.map(({ index, orderId }) => {
      const op = ops[index] as Extract<ScenarioOperation, { type: 'hypothetical-order' }>;
      const plan = planOf(run, orderId);
      return {
        index,
        sku: op.sku,
        quantity: op.quantity,
        requestedDate: op.requestedDate ?? null,
        promiseDate: route.get(orderId)?.promiseDate ?? null,
        plannedFinish: plan ? iso(plan.finish) : null,
      };
    }),
  };
}

/** A hypothetical order's own plan (they are not in the compared lists). */
function planOf(run: SimulationRun, id: string): { finish: number } | null {
  const nowMinute = toMinute(run.now);
  const p = withTimePassed(run.state, nowMinute, () => engineOf(run.state).route.planOf(nowMinute, id));
  return p ? { finish: p.operations.at(-1)?.end ?? Infinity } : null;
}

export type ScenarioEvaluation = Awaited<ReturnType<typeof evaluateScenario>>;
