import { capacityChangeException, effectiveCalendar } from '../../planning-rules/effective-calendar.ts';
import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../../db/database.ts';
import {
  activeCapacityChanges,
  findCapacityChange,
  findResourceCalendar,
  insertCapacityChange,
  markCapacityChangeRevoked,
  type CapacityChangeRow,
} from '../../db/repos/capacity-changes.ts';
import { committedOrdersByIds, type OrderRow } from '../../db/repos/orders.ts';
import {
  buildWorkingTime,
  NoCapacityError,
  RouteBook,
  validateCalendar,
  type Calendar,
  type CalendarException,
  type StoredRouteOrder,
} from '../../engine/index.ts';
import { workingTimesOf } from '../schedule/route-state.ts';
import { actorLabel, type Actor } from '../actor.ts';
import { conflict, DomainError, invalid, notFound, preconditionFailed } from '../errors.ts';
import { readStateHeld } from '../promising/read-state.ts';
import { toMinute, type PlantState } from '../schedule/plant-cache.ts';
import { type ScheduleDeps } from '../schedule/schedule-writer.ts';
import { checkRepromises, minutesDelta, MOVED_LISTED, planDrumCalendar, type DrumPlan, type RepromiseRequest } from './capacity-plan.ts';
import { withCompensation } from './compensation.ts';
import { applyRepromise } from './repromise.ts';
import {
  assertRoutesKeepable,
  lateAfterRepair,
  persistRepaired,
  repairOffDrum,
  shipBufferTaken,
  switchToNewRules,
  type MovedPlan,
  type OffDrumChange,
} from './route-capacity.ts';
import { engineOf, horizonOf, routeDemandOf, storedDemand } from '../promising/evaluate.ts';
import { persistPlan, planColumns, recommitRoute } from '../promising/reserve.ts';
import type { WriteContext } from '../schedule/write-context.ts';
import { idempotencyHooks, type IdempotentRequest } from '../idempotency-keys.ts';
import { capacityChangeView } from './capacity-change-views.ts';
import { recoverAtRisk } from './recover-at-risk.ts';

export interface CapacityChangeInput {
  resource: string;
  kind: CapacityChangeRow['kind'];
  date: string;
  start?: string | undefined;
  end?: string | undefined;
  reason: string;
  repromises?: RepromiseRequest[] | undefined;
}

/** Stores a write's answer under its Idempotency-Key as the route sends it. */
export const outcomeHooks = <T extends object>(idem: IdempotentRequest | undefined) =>
  idempotencyHooks<T>(idem, (o) => ({ preview: false, ...o.result, scheduleVersion: o.version }));

/** The If-Match/ETag of capacity rules is the plant's config version: any calendar, capacity or buffer change moves it. */
export function assertRevision(state: PlantState, ifMatch: number | undefined) {
  const current = state.config.configVersion;
  if (ifMatch !== undefined && ifMatch !== current) {
    throw preconditionFailed(`The plant's capacity rules changed (revision ${current}); reload the capacity changes and retry.`, {
      currentRevision: current,
    });
  }
}

export interface Target {
  resource: { id: string; is_drum: boolean };
  /** The resource's calendar with its active changes, before and after this change. */
  before: Calendar;
  after: Calendar;
}

export async function resourceCalendars(
  db: DbOrTx,
  state: PlantState,
  resourceId: string,
  field: string,
  edit: (ex: CalendarException[]) => CalendarException[],
): Promise<Target> {
  const r = await findResourceCalendar(db, state.config.plantId, resourceId);
  if (!r) throw invalid([{ field, message: `Unknown resource "${resourceId}" in plant "${state.config.plantId}"` }]);
  const changes = await activeCapacityChanges(db, state.config.plantId, resourceId);
  const { exceptions = [] } = effectiveCalendar(state.config.timeZone, r.calendar, changes);
  const base = { timeZone: state.config.timeZone, weekly: r.calendar.weekly };
  return {
    resource: { id: r.id, is_drum: r.is_drum },
    before: { ...base, exceptions },
    after: { ...base, exceptions: edit(exceptions) },
  };
}

/** Open (committed) orders by id: the only rows a capacity change needs to read (in chunks: bind-parameter limits). */
function openOrders(db: DbOrTx, plantId: string) {
  return (ids: string[]) => committedOrdersByIds(db, plantId, ids);
}

export interface Evaluated {
  drum: boolean;
  plan: DrumPlan | null;
  /**
   * Off the drum: the orders whose plan the repair changes, in drum order (the first
   * MOVED_LISTED with the stretch of their plan that moves), all of them counted. On the drum
   * the plan's `moved` says it (drum slots).
   */
  offDrumMoved: { moved: MovedPlan[]; movedCount: number } | null;
  rows: Map<string, OrderRow>;
  minutesDelta: number;
  /**
   * Off the drum: the orders the change leaves late once the right-shift repair (design note
   * §8.1) has moved what it takes time from, every order keeping its place in every queue.
   * On the drum: orders waiting for work before the drum whose route plan it makes late.
   */
  losing: string[];
  /** Off the drum (and a route book): the change the repair applies when the write switches to the new rules. */
  offDrum: OffDrumChange | null;
  /** Their earliest promise under the new capacity, planned jointly in drum order. */
  earliest: Map<string, string>;
}

export async function evaluateTarget(
  db: DbOrTx,
  state: PlantState,
  nowMinute: number,
  target: Target,
  dates: string | readonly string[],
  repromises: readonly RepromiseRequest[] = [],
): Promise<Evaluated> {
  const drum = target.resource.is_drum && state.book !== null;
  const [before, after] = [buildWorkingTime(target.before), buildWorkingTime(target.after)];
  let delta = 0;
  for (const date of new Set(typeof dates === 'string' ? [dates] : dates)) delta += minutesDelta(before, after, date);
  const ids = repromises.map((r) => r.orderId);
  if (!drum) {
    // The repair moves what the change takes time from, and what waits behind it, by the least
    // amount; only orders that then miss their promise are listed (the book is left as it was).
    // Run whether the change takes time or adds it: added time moves orders too (earlier), and the answer lists them.
    const offDrum = state.route ? { resource: target.resource.id, wt: after } : null;
    const repaired = state.route ? lateAfterRepair(state.route, nowMinute, offDrum!, MOVED_LISTED) : null;
    const losing = repaired?.late ?? [];
    const rows =
      losing.length || ids.length
        ? await openOrders(db, state.config.plantId)([...new Set([...losing, ...ids])])
        : new Map<string, OrderRow>();
    const earliest = losing.length
      ? earliestAfterLosing(state, nowMinute, target, losing, rows, repaired!.orders)
      : new Map<string, string>();
    const offDrumMoved = repaired ? { moved: repaired.moved, movedCount: repaired.movedCount } : null;
    return { drum, plan: null, offDrumMoved, rows, minutesDelta: delta, losing, earliest, offDrum };
  }
  const { plan, rows } = await planDrumCalendar(state, nowMinute, target.after, openOrders(db, state.config.plantId), ids);
  // The drum-only diff assumes every order ready now; an order waiting for work before the drum
  // can still lose its plan. Those are planned again like the orders a change off the drum takes
  // time from: at their own promise when it holds, else listed.
  const listed = new Set([...plan.late, ...plan.stillLate].map((l) => l.orderId));
  const losing = state.route ? routeLateUnder(state, nowMinute, target).filter((id) => !listed.has(id)) : [];
  if (losing.length) for (const [id, r] of await openOrders(db, state.config.plantId)(losing)) rows.set(id, r);
  const earliest = losing.length
    ? earliestAfterLosing(state, nowMinute, target, losing, rows, engineOf(state).route.orders())
    : new Map<string, string>();
  return { drum, plan, offDrumMoved: null, rows, minutesDelta: delta, losing, earliest, offDrum: null };
}

export function validateChange(state: PlantState, nowMinute: number, input: CapacityChangeInput, exception: CalendarException) {
  const problems = validateCalendar({ timeZone: state.config.timeZone, weekly: [], exceptions: [exception] });
  const errors = problems.map((p) => {
    const leaf = p.path.at(-1);
    return {
      field: typeof leaf === 'string' && ['date', 'start', 'end', 'kind'].includes(leaf) ? `body.${leaf}` : 'body',
      message: p.message,
    };
  });
  const wt = state.wt ?? buildWorkingTime({ timeZone: state.config.timeZone, weekly: [], exceptions: [] });
  const today = wt.localDateOf(nowMinute);
  if (input.date < today)
    errors.push({ field: 'body.date', message: `${input.date} is in the past (today is ${today} in ${state.config.timeZone})` });
  if (errors.length) throw invalid(errors, 'The capacity change is invalid.');
}

/** Orders the change moves: on the drum, those whose drum slot moves; off it, those whose plan the repair changes. */
export const movedCount = (e: Evaluated) => e.plan?.movedCount ?? e.offDrumMoved?.movedCount ?? 0;

export const outcome = (e: Evaluated, repromised: { orderId: string; from: string; to: string; reason: string }[]) => ({
  drum: e.drum,
  minutesDelta: e.minutesDelta,
  moved: e.plan?.moved ?? e.offDrumMoved?.moved ?? [],
  movedCount: movedCount(e),
  late: [...(e.plan?.late ?? []), ...e.losing.filter((id) => lateAfterLosing(id, e)).map((id) => losingView(id, e))],
  stillLate: e.plan?.stillLate ?? [],
  repromised,
});

/** The change's row, in this write's version. */
export function storeCapacityChange(ctx: WriteContext, actor: Actor, input: CapacityChangeInput, id: string) {
  return insertCapacityChange(ctx.tx, {
    plant_id: ctx.state.config.plantId,
    id,
    resource_id: input.resource,
    kind: input.kind,
    date: input.date,
    start_time: input.start ?? null,
    end_time: input.end ?? null,
    reason: input.reason,
    created_by: actorLabel(actor),
    created_at: ctx.now,
    schedule_version: ctx.nextVersion,
  });
}

export function exceptionFor(input: CapacityChangeInput, id: string): CalendarException {
  return capacityChangeException({ id, kind: input.kind, date: input.date, start_time: input.start ?? null, end_time: input.end ?? null });
}

/** What a capacity change would do, without doing it: no lock, no write. */
export async function previewCapacityChange(deps: ScheduleDeps, plantId: string, input: CapacityChangeInput) {
  const now = deps.clock.now();
  return readStateHeld(
    deps,
    plantId,
    async (state, db) => {
      const nowMinute = toMinute(now);
      const exception = exceptionFor(input, 'preview');
      validateChange(state, nowMinute, input, exception);
      const target = await resourceCalendars(db, state, input.resource, 'body.resource', (ex) => [...ex, exception]);
      const e = await evaluateTarget(db, state, nowMinute, target, input.date);
      return { preview: true, ...outcome(e, []), scheduleVersion: state.version, capacityRevision: state.config.configVersion };
    },
    now,
  );
}

/**
 * Adds capacity or takes it away: one reschedule. A drum change that would make committed
 * orders late is refused unless the request re-promises each of them (see checkRepromises).
 */
export async function createCapacityChange(
  deps: ScheduleDeps,
  plantId: string,
  actor: Actor,
  input: CapacityChangeInput,
  ifMatch?: number,
  idem?: IdempotentRequest,
) {
  const apply = async (ctx: WriteContext) => {
    assertRevision(ctx.state, ifMatch);
    const id = randomUUID();
    const exception = exceptionFor(input, id);
    validateChange(ctx.state, ctx.nowMinute, input, exception);
    const target = await resourceCalendars(ctx.tx, ctx.state, input.resource, 'body.resource', (ex) => [...ex, exception]);
    const repromises = input.repromises ?? [];
    const e = await evaluateTarget(ctx.tx, ctx.state, ctx.nowMinute, target, input.date, repromises);
    let accepted: Accepted[];
    try {
      accepted = acceptRepromises(ctx, e, repromises, `This ${input.kind} on ${input.resource}`);
    } catch (error) {
      // Issue 15 item 5: a drum reduction refused for the orders it makes late offers capacity that compensates for it.
      throw await withCompensation(error, ctx, input.resource, e.plan, target.after, async (after) => {
        const { plan } = await planDrumCalendar(ctx.state, ctx.nowMinute, after, openOrders(ctx.tx, plantId), []);
        return plan.late.length === 0 && plan.stillLate.length === e.plan!.stillLate.length;
      });
    }

    const row = await storeCapacityChange(ctx, actor, input, id);
    // Capacity rules changed: engine caches rebuild, and the capacity ETag moves (for non-drum changes too).
    const what = `This ${input.kind} on ${input.resource}`;
    let replanned: string[] = [];
    const repromised = await switchAndRepromise(ctx, e, accepted, id, what, (ids) => (replanned = ids));
    ctx.emit({
      type: 'capacity.changed',
      data: {
        ...capacityChangeView(row),
        drum: e.drum,
        minutesDelta: e.minutesDelta,
        moved: movedCount(e),
        repromised: repromised.map((r) => r.orderId),
        replanned,
      },
    });
    return { change: capacityChangeView(row), ...outcome(e, repromised), capacityRevision: ctx.state.config.configVersion };
  };
  const { result, version } = await deps.writer.write(plantId, actor, apply, outcomeHooks(idem));
  return { preview: false, ...result, scheduleVersion: version };
}

/** Revoking is the same kind of reschedule: taking back overtime may not silently make orders late either. */
export async function revokeCapacityChange(
  deps: ScheduleDeps,
  plantId: string,
  actor: Actor,
  id: string,
  input: { reason?: string | undefined; repromises?: RepromiseRequest[] | undefined; preview?: boolean | undefined },
  ifMatch?: number,
) {
  const without = (ex: CalendarException[]) => ex.filter((x) => x.note !== `capacity change ${id}`);
  if (input.preview) {
    const now = deps.clock.now();
    return readStateHeld(
      deps,
      plantId,
      async (state, db) => {
        const existing = await activeChange(db, plantId, id);
        const target = await resourceCalendars(db, state, existing.resource_id, 'params.id', without);
        const e = await evaluateTarget(db, state, toMinute(now), target, existing.date);
        return {
          preview: true,
          change: capacityChangeView(existing),
          ...outcome(e, []),
          scheduleVersion: state.version,
          capacityRevision: state.config.configVersion,
        };
      },
      now,
    );
  }
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    assertRevision(ctx.state, ifMatch);
    const existing = await activeChange(ctx.tx, plantId, id);
    const target = await resourceCalendars(ctx.tx, ctx.state, existing.resource_id, 'params.id', without);
    const repromises = input.repromises ?? [];
    const e = await evaluateTarget(ctx.tx, ctx.state, ctx.nowMinute, target, existing.date, repromises);
    const accepted = acceptRepromises(ctx, e, repromises, `Revoking capacity change ${id}`);
    const row = await markCapacityChangeRevoked(ctx.tx, plantId, id, {
      revoked_at: ctx.now,
      revoked_by: actorLabel(actor),
      revoke_reason: input.reason ?? null,
    });
    const repromised = await switchAndRepromise(ctx, e, accepted, id, `Revoking capacity change ${id}`);
    ctx.emit({
      type: 'capacity.revoked',
      data: { ...capacityChangeView(row), drum: e.drum, minutesDelta: e.minutesDelta, repromised: repromised.map((r) => r.orderId) },
    });
    return { change: capacityChangeView(row), ...outcome(e, repromised), capacityRevision: ctx.state.config.configVersion };
  });
  return { preview: false, ...result, scheduleVersion: version };
}

/**
 * Switches the write to the new capacity rules, re-plans the orders the planner re-promises
 * in this request and checks that every other order still has a plan that works: nothing is
 * made late silently, on the drum or on any other resource.
 */
export async function switchAndRepromise(
  ctx: WriteContext,
  e: Evaluated,
  accepted: readonly Accepted[],
  changeId: string,
  what: string,
  /** Told the orders whose plan the change moved (right-shifted or planned again), in drum order. */
  onReplanned?: (ids: string[]) => void,
) {
  await ctx.changeCapacityRules();
  const route = engineOf(ctx.state).route;
  // Off the drum: the right-shift repair first (§8.1); the orders it leaves late are those in `losing`, planned again below.
  const repaired = e.offDrum ? repairOffDrum(route, ctx.nowMinute, e.offDrum, 'ship-ready') : null;
  const inDrumOrder = route.orders().map((o) => o.id);
  const losing = new Set(repaired ? repaired.late : e.losing);
  const unread = [...losing].filter((id) => !e.rows.has(id));
  if (unread.length) for (const [id, r] of await openOrders(ctx.tx, ctx.state.config.plantId)(unread)) e.rows.set(id, r);
  // Their snapshots before their plans leave the book (the plans the new calendar breaks), to be planned again below, in drum order.
  const demands = new Map([...e.rows.values()].filter((r) => route.has(r.id)).map((r) => [r.id, storedDemand(ctx.state, r)]));
  for (const id of losing) route.remove(id);
  await switchToNewRules(ctx);
  if (repaired)
    await persistRepaired(
      ctx,
      repaired.changed.map((r) => r.id).filter((id) => !losing.has(id)),
    );
  const byId = new Map(accepted.map((a) => [a.row.id, a]));
  const repromised = [];
  const late: string[] = [];
  for (const id of [...accepted.map((a) => a.row.id).filter((x) => !losing.has(x)), ...inDrumOrder.filter((x) => losing.has(x))]) {
    const a = byId.get(id);
    if (a) {
      const { plan } = recommitRoute(ctx, a.row, demands.get(id) ?? storedDemand(ctx.state, a.row), a.promiseDate, what);
      repromised.push(
        await applyRepromise(ctx, { row: a.row, promiseDate: a.promiseDate, plan, reason: a.reason }, { capacityChangeId: changeId }),
      );
      continue;
    }
    // Not re-promised: its work moves on the new calendar if it can still keep its date.
    const row = e.rows.get(id)!;
    try {
      const { plan } = recommitRoute(ctx, row, demands.get(id)!, row.promise_date, what);
      await ctx.orders.update(id, planColumns(plan));
      await persistPlan(ctx, id, plan);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      late.push(id);
    }
  }
  assertRoutesKeepable(ctx, late, what);
  const recovered = await recoverAtRisk(ctx, what);
  if (onReplanned) {
    const moved = new Set([...(repaired?.changed.map((r) => r.id) ?? []), ...losing, ...recovered]);
    onReplanned(inDrumOrder.filter((id) => moved.has(id)));
  }
  return repromised;
}

/**
 * A resource's own calendar replaced (PUT …/resources/{id}) is a capacity change on it and
 * follows the same rule: evaluated before `write` stores the new calendar, then the write
 * switches to the new rules, plans again at their own promise the orders whose planned work
 * loses time and that still keep it, and refuses (409, `lateOrders` / `ordersLosingCapacity`)
 * when any committed order would be late: on the drum (its plan and the route plan, so an
 * order waiting for work before the drum is seen) or off it. The planner re-promises those
 * orders first. Returns the orders whose plan it moved (right-shifted, or planned again).
 */
export async function changeResourceCalendar(
  ctx: WriteContext,
  resource: Target['resource'],
  before: Calendar,
  after: Calendar,
  write: () => Promise<void>,
): Promise<string[]> {
  const what = `This calendar of ${resource.id}`;
  const today = buildWorkingTime(after).localDateOf(ctx.nowMinute);
  const e = await evaluateTarget(ctx.tx, ctx.state, ctx.nowMinute, { resource, before, after }, today);
  try {
    acceptRepromises(ctx, e, [], what);
  } catch (error) {
    // The same list as a capacity change, but this request carries no re-promises: they come first.
    if (!(error instanceof DomainError) || error.kind !== 'schedule-infeasible') throw error;
    // Late on the drum plan or losing planned time off the drum: one count of the orders named.
    const ids = new Set([
      ...((error.extensions.lateOrders as { orderId: string }[] | undefined) ?? []).map((o) => o.orderId),
      ...((error.extensions.ordersLosingCapacity as string[] | undefined) ?? []),
    ]);
    const late = ids.size;
    throw new DomainError(
      error.kind,
      `${what} would make ${late} committed order(s) late: re-promise them first (POST …/orders/{id}/repromise) or keep the capacity.`,
      error.extensions,
    );
  }
  await write();
  let replanned: string[] = e.losing;
  await switchAndRepromise(ctx, e, [], '', what, (ids) => (replanned = ids));
  return replanned;
}

type Accepted = ReturnType<typeof checkRepromises>[number];

/**
 * The re-promises a capacity write may carry. On the drum, the drum plan's rule
 * (checkRepromises). Elsewhere, each must name an order whose planned work the change
 * takes time from, for a later date; whether the new dates hold is decided by re-planning
 * them on the new calendars (switchAndRepromise), like any other promise.
 */
export function acceptRepromises(ctx: WriteContext, e: Evaluated, repromises: readonly RepromiseRequest[], what: string): Accepted[] {
  if (e.plan) return checkRepromises(ctx.state, ctx.nowMinute, e.plan, e.rows, repromises, what);
  const losing = new Set(e.losing);
  const errors: { field: string; message: string }[] = [];
  const accepted: Accepted[] = [];
  const seen = new Set<string>();
  repromises.forEach((rp, i) => {
    const row = e.rows.get(rp.orderId);
    if (!row || !losing.has(rp.orderId))
      errors.push({
        field: `body.repromises[${i}].orderId`,
        message: `Order ${rp.orderId} has no planned work this change takes time from`,
      });
    else if (seen.has(rp.orderId)) errors.push({ field: `body.repromises[${i}].orderId`, message: `Order ${rp.orderId} is listed twice` });
    else if (rp.promiseDate <= row.promise_date)
      errors.push({
        field: `body.repromises[${i}].promiseDate`,
        message: `${rp.promiseDate} is not after the promise ${row.promise_date}`,
      });
    else accepted.push({ row, promiseDate: rp.promiseDate, deadline: 0, reason: rp.reason });
    seen.add(rp.orderId);
  });
  if (errors.length) throw invalid(errors, 'The re-promises are invalid.');
  // The orders the preview lists as late (losingView), refused with the same list unless this request re-promises each.
  const answered = new Set(accepted.map((a) => a.row.id));
  const unanswered = e.losing.filter((id) => lateAfterLosing(id, e) && !answered.has(id));
  if (unanswered.length)
    throw new DomainError(
      'schedule-infeasible',
      `${what} would make ${unanswered.length} committed order(s) late on their route: re-promise them in this request (repromises) or choose other capacity.`,
      { lateOrders: unanswered.map((id) => losingView(id, e)), ordersLosingCapacity: unanswered },
    );
  return accepted;
}

/** Orders whose route plan the new calendar makes late that were not late before (O(n): a planner write). */
function routeLateUnder(state: PlantState, nowMinute: number, target: Target): string[] {
  const route = engineOf(state).route;
  const before = new Set(
    route
      .plan(nowMinute)
      .filter((p) => p.late)
      .map((p) => p.id),
  );
  const wts = workingTimesOf(state.config);
  wts.set(target.resource.id, buildWorkingTime(target.after));
  const next = route.withWorkingTimes(wts);
  const late = next
    .plan(nowMinute)
    .filter((p) => p.late && !before.has(p.id))
    .map((p) => p.id);
  // A planner's change may not take an order's shipping buffer either (the rule off the drum).
  return target.resource.is_drum ? [...late, ...shipBufferTaken(route, next, nowMinute, new Set([...late, ...before]))] : late;
}

/** An order the change takes planned time from that cannot keep its promise on the new calendar. */
const lateAfterLosing = (id: string, e: Evaluated) => {
  const earliest = e.earliest.get(id);
  return earliest === undefined || earliest > (e.rows.get(id)?.promise_date ?? '');
};

const losingView = (id: string, e: Evaluated) => ({
  orderId: id,
  promiseDate: e.rows.get(id)?.promise_date ?? '',
  earliestPromiseDate: e.earliest.get(id) ?? 'never',
  plannedFinish: '',
  drumDeadline: e.rows.get(id)?.drum_deadline.toISOString() ?? '',
  lateByMinutes: 0,
});

/**
 * The earliest promise of each order `losing` (a change leaves it late): the other orders
 * keep their plans (`plans`, in drum order: off the drum, as the right-shift repair leaves
 * them), these are planned again one after another in drum order on the new calendar, each at
 * its earliest date (so the dates can be taken together).
 */
function earliestAfterLosing(
  state: PlantState,
  nowMinute: number,
  target: Target,
  losing: readonly string[],
  rows: ReadonlyMap<string, OrderRow>,
  plans: readonly StoredRouteOrder[],
): Map<string, string> {
  const route = engineOf(state).route;
  const gone = new Set(losing);
  const wts = workingTimesOf(state.config);
  wts.set(target.resource.id, buildWorkingTime(target.after));
  const next = new RouteBook(
    route.drumId,
    wts,
    plans.filter((o) => !gone.has(o.id)),
    { lookahead: 0 },
  );
  const out = new Map<string, string>();
  for (const o of plans) {
    const row = rows.get(o.id);
    if (!gone.has(o.id) || !row) continue;
    const d = storedDemand(state, row);
    const horizon = horizonOf(d, nowMinute);
    try {
      const q = next.quote(nowMinute, routeDemandOf(d), horizon);
      // Planned at its own promise when it can keep it, so the dates of the others hold together.
      next.commit(nowMinute, o.id, routeDemandOf(d), q.promiseDate > row.promise_date ? q.promiseDate : row.promise_date, horizon);
      out.set(o.id, q.promiseDate);
    } catch (e) {
      if (!(e instanceof NoCapacityError)) throw e;
    }
  }
  return out;
}

export async function activeChange(db: DbOrTx, plantId: string, id: string) {
  const row = await findCapacityChange(db, plantId, id);
  if (!row) throw notFound(`Capacity change "${id}"`);
  if (row.revoked_at) throw conflict(`Capacity change ${id} was already revoked at ${row.revoked_at.toISOString()}.`);
  if (row.breakdown_id)
    throw conflict(`Capacity change ${id} is downtime of breakdown ${row.breakdown_id}: change the breakdown (PATCH …/breakdowns/{id}).`, {
      breakdownId: row.breakdown_id,
    });
  if (row.ranged_change_id)
    throw conflict(
      `Capacity change ${id} is a day of the ranged change ${row.ranged_change_id}: revoke that change or end it early (POST …/capacity-changes/{id}/end).`,
      { rangedChangeId: row.ranged_change_id },
    );
  return row;
}
