import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../../db/database.ts';
import {
  findBreakdown,
  insertBreakdown,
  insertBreakdownDowntime,
  listBreakdowns,
  revokeBreakdownDowntime,
  updateBreakdown,
  type BreakdownRow,
} from '../../db/repos/breakdowns.ts';
import { committedOrdersByIds } from '../../db/repos/orders.ts';
import { capacityChangeException } from '../../planning-rules/effective-calendar.ts';
import { downtimeDays } from '../../planning-rules/breakdown-downtime.ts';
import { actorLabel, type Actor } from '../actor.ts';
import { endOfLocalDate } from '../../engine/index.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { engineOf, storedDemand } from '../promising/evaluate.ts';
import { replanAtEarliest, replanAtOwnPromise } from '../promising/reserve.ts';
import { fromMinute, toMinute } from '../schedule/plant-cache.ts';
import type { ScheduleDeps } from '../schedule/schedule-writer.ts';
import { flagOrdersMadeLate } from '../schedule/at-risk.ts';
import { tickOverdueWork } from '../schedule/release-tick.ts';
import type { WriteContext } from '../schedule/write-context.ts';
import { evaluateTarget, resourceCalendars, type Evaluated } from './capacity-changes.ts';
import { persistRepaired, repairOffDrum, switchToNewRules } from './route-capacity.ts';
import { recoverAtRisk } from './recover-at-risk.ts';

/** How far back a breakdown may start and how far ahead it may be expected to end: a fact, not a plan for next year. */
const SPAN_DAYS = 366;

export interface BreakdownInput {
  resource: string;
  start: string;
  expectedEnd: string;
  reason: string;
}

export interface BreakdownPatch {
  expectedEnd?: string | undefined;
  endedAt?: string | undefined;
  reason?: string | undefined;
}

/** An order a fact made late: planned at its earliest date, its promise kept as given until a planner re-promises. */
export interface LateByFact {
  orderId: string;
  promiseDate: string;
  earliestPromiseDate: string;
  projectedFinish: string | null;
}

const view = (r: BreakdownRow) => ({
  id: r.id,
  resource: r.resource_id,
  start: r.started_at.toISOString(),
  expectedEnd: r.expected_end_at.toISOString(),
  endedAt: r.ended_at?.toISOString() ?? null,
  reason: r.reason,
  createdBy: r.created_by,
});

const floorMinute = (iso: string) => Math.floor(new Date(iso).getTime() / 60_000);
const ceilMinute = (iso: string) => Math.ceil(new Date(iso).getTime() / 60_000);

function checkSpan(nowMinute: number, from: number, to: number, fields: { from: string; to: string }) {
  const errors: { field: string; message: string }[] = [];
  if (to <= from) errors.push({ field: fields.to, message: 'must be after the start of the breakdown' });
  if (from < nowMinute - SPAN_DAYS * 1440) errors.push({ field: fields.from, message: `is more than ${SPAN_DAYS} days in the past` });
  if (to > nowMinute + SPAN_DAYS * 1440) errors.push({ field: fields.to, message: `is more than ${SPAN_DAYS} days ahead` });
  if (errors.length) throw invalid(errors, 'The breakdown is invalid.');
}

/**
 * Records a breakdown: a fact, never refused for what it does to the schedule (issue 13,
 * item 4). Its downtime enters the resource's calendar; orders whose plan it breaks are
 * planned again at their own promise when that still holds, else at their earliest date with
 * their promise unchanged (late: their drum deadline stays, the plan's is their effective
 * one), and the answer names them with that date for the planner's explicit re-promise.
 */
export async function recordBreakdown(deps: ScheduleDeps, plantId: string, actor: Actor, input: BreakdownInput) {
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const from = floorMinute(input.start);
    const to = ceilMinute(input.expectedEnd);
    checkSpan(ctx.nowMinute, from, to, { from: 'body.start', to: 'body.expectedEnd' });
    if (!ctx.state.config.resources.has(input.resource))
      throw invalid([{ field: 'body.resource', message: `Unknown resource "${input.resource}" in plant "${plantId}"` }]);
    const row = await insertBreakdown(ctx.tx, {
      plant_id: plantId,
      id: randomUUID(),
      resource_id: input.resource,
      started_at: fromMinute(from),
      expected_end_at: fromMinute(to),
      ended_at: null,
      reason: input.reason,
      created_by: actorLabel(actor),
      created_at: ctx.now,
      updated_at: ctx.now,
      schedule_version: ctx.nextVersion,
    });
    const lateOrders = await takeDown(ctx, row, to, actor);
    ctx.emit({ type: 'breakdown.recorded', data: { ...view(row), lateOrders: lateOrders.map((l) => l.orderId) } });
    return { breakdown: view(row), lateOrders };
  });
  return { ...result, scheduleVersion: version };
}

/**
 * Extends, shortens or closes a breakdown (`endedAt`: it is over; no later than now). Its
 * downtime is written again for the new span; a longer one is handled like a new fact.
 */
export async function changeBreakdown(deps: ScheduleDeps, plantId: string, actor: Actor, id: string, patch: BreakdownPatch) {
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const existing = await findBreakdown(ctx.tx, plantId, id);
    if (!existing) throw notFound(`Breakdown "${id}"`);
    if (existing.ended_at) throw conflict(`Breakdown ${id} was closed at ${existing.ended_at.toISOString()}.`);
    if (patch.expectedEnd === undefined && patch.endedAt === undefined && patch.reason === undefined)
      throw invalid([{ field: 'body', message: 'give expectedEnd, endedAt or reason' }], 'Nothing to change.');
    const from = toMinute(existing.started_at);
    const ended = patch.endedAt === undefined ? null : ceilMinute(patch.endedAt);
    const expected = patch.expectedEnd === undefined ? toMinute(existing.expected_end_at) : ceilMinute(patch.expectedEnd);
    if (ended !== null && ended > ctx.nowMinute + 1)
      throw invalid([{ field: 'body.endedAt', message: 'is in the future: a breakdown still going on has an expectedEnd' }]);
    checkSpan(ctx.nowMinute, from, ended ?? expected, { from: 'body', to: ended !== null ? 'body.endedAt' : 'body.expectedEnd' });
    const row = await updateBreakdown(ctx.tx, plantId, id, {
      expected_end_at: fromMinute(Math.max(expected, from + 1)),
      ended_at: ended === null ? null : fromMinute(ended),
      ...(patch.reason !== undefined ? { reason: patch.reason } : {}),
      updated_at: ctx.now,
    });
    await revokeBreakdownDowntime(ctx.tx, plantId, id, {
      revoked_at: ctx.now,
      revoked_by: actorLabel(actor),
      revoke_reason: `breakdown ${id} changed`,
    });
    const lateOrders = await takeDown(ctx, row, ended ?? expected, actor);
    ctx.emit({ type: 'breakdown.updated', data: { ...view(row), lateOrders: lateOrders.map((l) => l.orderId) } });
    return { breakdown: view(row), lateOrders };
  });
  return { ...result, scheduleVersion: version };
}

export async function listPlantBreakdowns(db: DbOrTx, plantId: string, open: boolean) {
  return { items: (await listBreakdowns(db, plantId, open)).map(view) };
}

/** Writes the breakdown's downtime (one capacity change per local day) and re-plans what it breaks. */
async function takeDown(ctx: WriteContext, row: BreakdownRow, to: number, actor: Actor): Promise<LateByFact[]> {
  const { state } = ctx;
  const days = downtimeDays(state.config.timeZone, toMinute(row.started_at), to).map((d) => ({ ...d, id: randomUUID() }));
  const exceptions = days.map((d) =>
    capacityChangeException({ id: d.id, kind: 'downtime', date: d.date, start_time: d.start, end_time: d.end }),
  );
  // The resource's calendar read in this transaction: without this breakdown's earlier downtime when it was just revoked.
  const target = await resourceCalendars(ctx.tx, state, row.resource_id, 'body.resource', (ex) => [...ex, ...exceptions]);
  const e = await evaluateTarget(ctx.tx, state, ctx.nowMinute, target, days[0]?.date ?? state.config.timeZone);
  await insertBreakdownDowntime(
    ctx.tx,
    days.map((d) => ({
      plant_id: state.config.plantId,
      id: d.id,
      resource_id: row.resource_id,
      kind: 'downtime' as const,
      date: d.date,
      start_time: d.start,
      end_time: d.end,
      reason: `breakdown: ${row.reason}`,
      created_by: actorLabel(actor),
      created_at: ctx.now,
      schedule_version: ctx.nextVersion,
      breakdown_id: row.id,
    })),
  );
  const late = await replanAfterFact(ctx, e, `Order planning after the breakdown of ${row.resource_id}`, { pastPromiseOnly: true });
  // At risk in the fact's own version, with the fact as the reason (issue 13 item 1).
  await flagOrdersMadeLate(
    ctx,
    late.map((l) => l.orderId),
    'breakdown',
  );
  return late;
}

/**
 * The new rules in force. Off the drum, the right-shift repair (§8.1, RouteBook.recalendar)
 * moves first what the change takes time from and what waits behind it, every order keeping
 * its place in every queue; the orders it leaves late (`pastPromiseOnly`: past their promised
 * day, else past their ship-ready time, as a planner's change is judged) are the ones it
 * breaks. Every order whose plan the new rules break is planned again in drum order:
 * at its own promise when that holds (it moves, keeping its date), else at the earliest date
 * the schedule can keep, which leaves every other order on time (the quote's guarantee). Its
 * promise and drum deadline stay as given; the plan's drum deadline becomes its effective
 * one (D̂ > D, design note §8.3), so it is late and at risk until a planner re-promises it.
 * Orders on the drum or frozen keep their place; they are named when their plan now ends
 * after their promised day.
 */
export async function replanAfterFact(
  ctx: WriteContext,
  e: Evaluated,
  what: string,
  options: { pastPromiseOnly?: boolean } = {},
): Promise<LateByFact[]> {
  await ctx.changeCapacityRules();
  const route = engineOf(ctx.state).route;
  // Off the drum: the right-shift repair first (§8.1): every order keeps its place in every
  // queue and moves by the least amount; only the orders it leaves late are planned again.
  const repaired = e.offDrum
    ? repairOffDrum(route, ctx.nowMinute, e.offDrum, options.pastPromiseOnly ? 'promise-day' : 'ship-ready')
    : null;
  const hit = new Set(
    repaired ? repaired.late : [...e.losing, ...[...(e.plan?.late ?? []), ...(e.plan?.stillLate ?? [])].map((l) => l.orderId)],
  );
  const unread = [...hit].filter((id) => !e.rows.has(id));
  if (unread.length) for (const [id, r] of await committedOrdersByIds(ctx.tx, ctx.state.config.plantId, unread)) e.rows.set(id, r);
  const pinned = [...hit].filter((id) => route.get(id)?.pinned);
  const moving = route
    .orders()
    .map((o) => o.id)
    .filter((id) => hit.has(id) && !route.get(id)!.pinned && e.rows.has(id));
  const demands = new Map(moving.map((id) => [id, storedDemand(ctx.state, e.rows.get(id)!)]));
  for (const id of moving) route.remove(id);
  const gone = new Set(moving);
  await switchToNewRules(ctx);
  if (repaired)
    await persistRepaired(
      ctx,
      repaired.changed.map((r) => r.id).filter((id) => !gone.has(id)),
    );
  const late: Omit<LateByFact, 'projectedFinish'>[] = [];
  for (const id of moving) {
    const row = e.rows.get(id)!;
    const d = demands.get(id)!;
    const r = await replanAtOwnPromise(ctx, row, d, what);
    if ('plan' in r) continue;
    if (r.earliest === null) throw r.refusal;
    const earliest = r.earliest;
    // Keepable at its earliest date by the quote's own rule (keepability is monotone in the date).
    await replanAtEarliest(ctx, row, d, earliest, what);
    late.push({ orderId: id, promiseDate: row.promise_date, earliestPromiseDate: earliest });
  }
  const wt = engineOf(ctx.state).wt;
  for (const id of pinned) {
    const row = e.rows.get(id);
    const end = endOf(ctx, id);
    if (row && end > endOfLocalDate(wt, row.promise_date))
      late.push({
        orderId: id,
        promiseDate: row.promise_date,
        earliestPromiseDate: Number.isFinite(end) ? wt.localDateOf(end) : 'never',
      });
  }
  // An order re-committed at its earliest date has its work after the drum placed from that
  // date's drum deadline; the tick lowers its D̂ to its drum finish and pulls that work back
  // (§8.3). Done here, in the fact's own version, so the finish reported below is the one the
  // published plan keeps, not one the next read already improves.
  if (late.length > 0) await tickOverdueWork(ctx);
  // Capacity the fact gives back (a breakdown closed or expected to end early) reaches the orders at risk.
  await recoverAtRisk(ctx, what);
  // Read once every order is re-committed: one re-planned later may take the drum ahead of an earlier one.
  // `pastPromiseOnly` (a breakdown's answer): listed only when its plan now ends after its promised
  // day; one that ships inside it (into its shipping buffer) is not late, and a planner acting on
  // the list would re-promise it for nothing. A what-if lists what the live rule refuses for.
  return late
    .filter((l) => !options.pastPromiseOnly || endOf(ctx, l.orderId) > endOfLocalDate(wt, l.promiseDate))
    .map((l) => ({ ...l, projectedFinish: finishOf(ctx, l.orderId) }));
}

/** Where the order's published plan now ends: its last operation's end (Infinity: no date within reach). */
function endOf(ctx: WriteContext, id: string): number {
  const p = engineOf(ctx.state).route.planOf(ctx.nowMinute, id);
  return p?.operations.at(-1)?.end ?? Infinity;
}

const finishOf = (ctx: WriteContext, id: string) => {
  const end = endOf(ctx, id);
  return Number.isFinite(end) ? fromMinute(end).toISOString() : null;
};
