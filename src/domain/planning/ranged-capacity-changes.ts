import { randomUUID } from 'node:crypto';
import type { CapacityBlockJson, DbOrTx, SkippedDayJson } from '../../db/database.ts';
import {
  findCapacityChange,
  findRangedCapacityChange,
  insertRangedCapacityChange,
  insertRangedChangeDays,
  rangedChangeDays,
  revokeRangedChangeDays,
  updateRangedCapacityChange,
  type CapacityChangeRow,
  type RangedCapacityChangeRow,
} from '../../db/repos/capacity-changes.ts';
import { buildWorkingTime, validateCalendar, type Calendar, type CalendarException } from '../../engine/index.ts';
import {
  blockWindow,
  clockChangeMinutes,
  daysInRange,
  MAX_RANGE_DAYS,
  overlappingBlocks,
  patternBlocks,
  type CapacityBlock,
} from '../../planning-rules/capacity-days.ts';
import { capacityChangeException } from '../../planning-rules/effective-calendar.ts';
import { replanAfterFact } from './breakdowns.ts';
import { revokeCapacityChangeWhatIf } from './capacity-change-what-if.ts';
import { actorLabel, type Actor } from '../actor.ts';
import { conflict, invalid, notFound, type FieldError } from '../errors.ts';
import type { IdempotentRequest } from '../idempotency-keys.ts';
import { readStateHeld } from '../promising/read-state.ts';
import { toMinute, type PlantState } from '../schedule/plant-cache.ts';
import type { ScheduleDeps } from '../schedule/schedule-writer.ts';
import type { WriteContext } from '../schedule/write-context.ts';
import type { RepromiseRequest } from './capacity-plan.ts';
import { rangedChangeView } from './capacity-change-views.ts';
import {
  acceptRepromises,
  assertRevision,
  evaluateTarget,
  movedCount,
  outcome,
  outcomeHooks,
  resourceCalendars,
  revokeCapacityChange,
  switchAndRepromise,
  type Evaluated,
  type Target,
} from './capacity-changes.ts';

type Kind = CapacityChangeRow['kind'];

export interface RangedChangeInput {
  resource: string;
  kind: Kind;
  reason: string;
  repromises?: RepromiseRequest[] | undefined;
  /** A weekly pattern over a range … */
  range?:
    | {
        from: string;
        to: string;
        weekdays?: number[] | undefined;
        except?: string[] | undefined;
        start?: string | undefined;
        end?: string | undefined;
      }
    | undefined;
  /** … or an explicit list of blocks. */
  blocks?: { date: string; start?: string | undefined; end?: string | undefined }[] | undefined;
}

export interface EndInput {
  from: string;
  reason?: string | undefined;
  repromises?: RepromiseRequest[] | undefined;
}

interface Options {
  preview: boolean;
  ifMatch?: number | undefined;
  idem?: IdempotentRequest | undefined;
}

const ADDS: readonly Kind[] = ['overtime', 'extra_shift'];
const ALL_WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

const todayOf = (state: PlantState, nowMinute: number) =>
  (state.wt ?? buildWorkingTime({ timeZone: state.config.timeZone, weekly: [], exceptions: [] })).localDateOf(nowMinute);

/** The blocks a request stands for, checked: a bounded range not in the past, valid times, no block overlapping another. */
function requestedBlocks(state: PlantState, nowMinute: number, input: RangedChangeInput): CapacityBlock[] {
  const today = todayOf(state, nowMinute);
  const errors: FieldError[] = [];
  const timeErrors = (blocks: readonly CapacityBlock[], fieldOf: (i: number, leaf: string) => string) => {
    const exceptions = blocks.map((b) => exceptionOf(input.kind, b, ''));
    for (const p of validateCalendar({ timeZone: state.config.timeZone, weekly: [], exceptions })) {
      const [, index, leaf] = p.path;
      errors.push({ field: fieldOf(typeof index === 'number' ? index : 0, typeof leaf === 'string' ? leaf : ''), message: p.message });
    }
  };
  const past = (date: string) => `${date} is in the past (today is ${today} in ${state.config.timeZone})`;
  if (input.range) {
    const r = input.range;
    const block = { date: r.from, start: r.start ?? null, end: r.end ?? null };
    timeErrors([block], (_, leaf) => (['start', 'end', 'kind'].includes(leaf) ? `body.${leaf}` : 'body'));
    const span = daysInRange(r.from, r.to);
    if (span < 1) errors.push({ field: 'body.to', message: `${r.to} is before ${r.from}` });
    else if (span > MAX_RANGE_DAYS)
      errors.push({ field: 'body.to', message: `the range covers ${span} days; at most ${MAX_RANGE_DAYS} in one change` });
    if (r.from < today) errors.push({ field: 'body.from', message: past(r.from) });
    (r.except ?? []).forEach((d, i) => {
      if (d < r.from || d > r.to) errors.push({ field: `body.except[${i}]`, message: `${d} is not in the range ${r.from}…${r.to}` });
    });
    if (errors.length) throw invalid(errors, 'The ranged capacity change is invalid.');
    const blocks = patternBlocks({
      ...r,
      weekdays: r.weekdays ?? ALL_WEEKDAYS,
      except: r.except ?? [],
      start: block.start,
      end: block.end,
    });
    if (blocks.length === 0)
      throw invalid([{ field: 'body.weekdays', message: `no day from ${r.from} to ${r.to} falls on these weekdays` }]);
    return blocks;
  }
  const blocks = (input.blocks ?? []).map((b) => ({ date: b.date, start: b.start ?? null, end: b.end ?? null }));
  timeErrors(blocks, (i, leaf) => (['date', 'start', 'end'].includes(leaf) ? `body.blocks[${i}].${leaf}` : `body.blocks[${i}]`));
  blocks.forEach((b, i) => {
    if (b.date < today) errors.push({ field: `body.blocks[${i}].date`, message: past(b.date) });
  });
  const dates = blocks.map((b) => b.date).sort();
  const span = dates.length ? daysInRange(dates[0]!, dates.at(-1)!) : 0;
  if (span > MAX_RANGE_DAYS)
    errors.push({ field: 'body.blocks', message: `the blocks span ${span} days; at most ${MAX_RANGE_DAYS} in one change` });
  if (errors.length === 0)
    for (const [i, j] of overlappingBlocks(blocks))
      errors.push({ field: `body.blocks[${j}]`, message: `overlaps blocks[${i}] on ${blocks[i]!.date}` });
  if (errors.length) throw invalid(errors, 'The capacity change is invalid.');
  return blocks;
}

const exceptionOf = (kind: Kind, b: CapacityBlock, id: string): CalendarException =>
  capacityChangeException({ id, kind, date: b.date, start_time: b.start, end_time: b.end });

/** Each block's working minutes added (+) or removed (−) going from `before` to `after`, and its clock change. */
function dayOutcomes(timeZone: string, before: Calendar, after: Calendar, blocks: readonly CapacityBlock[]) {
  const [a, b] = [buildWorkingTime(before), buildWorkingTime(after)];
  return blocks.map((block) => {
    const [from, to] = blockWindow(timeZone, block);
    const worked = a.minutesBetween(from, to);
    return {
      day: {
        ...block,
        minutesDelta: b.minutesBetween(from, to) - worked,
        clockChangeMinutes: clockChangeMinutes(timeZone, block),
      },
      workedAll: worked === to - from,
    };
  });
}

const ALREADY_WORKED = 'adds no working minute: the resource already works all of it (its calendar or another change)';
const TAKEN_AWAY = 'adds no working minute: downtime on that date takes away what it would add';

interface Planned {
  target: Target;
  e: Evaluated;
  /** The blocks applied, each with the id its row gets. */
  kept: (CapacityBlock & { id: string })[];
  days: ReturnType<typeof dayOutcomes>[number]['day'][];
  skipped: SkippedDayJson[];
}

/**
 * The change evaluated like a single-day one, on the calendar with all its blocks. The conflict
 * rule: a block that would add no working minute (the resource already works then, or downtime
 * on that date takes it away) is left out and named in `skippedDays`; a change left with no
 * block at all is a 409. Blocks that take capacity away are all kept, even where the resource
 * does not work now, because downtime on a date also cancels capacity added to it later.
 */
async function planRanged(
  db: DbOrTx,
  state: PlantState,
  nowMinute: number,
  input: RangedChangeInput,
  repromises: readonly RepromiseRequest[],
): Promise<Planned> {
  const blocks = requestedBlocks(state, nowMinute, input).map((b) => ({ ...b, id: randomUUID() }));
  const full = await resourceCalendars(db, state, input.resource, 'body.resource', (ex) => [
    ...ex,
    ...blocks.map((b) => exceptionOf(input.kind, b, b.id)),
  ]);
  const tz = state.config.timeZone;
  const all = dayOutcomes(tz, full.before, full.after, blocks);
  const adds = ADDS.includes(input.kind);
  const keep = all.map((d) => !adds || d.day.minutesDelta > 0);
  const kept = blocks.filter((_, i) => keep[i]);
  const skipped = blocks.flatMap((b, i) =>
    keep[i] ? [] : [{ date: b.date, start: b.start, end: b.end, why: all[i]!.workedAll ? ALREADY_WORKED : TAKEN_AWAY }],
  );
  if (kept.length === 0)
    throw conflict(`This ${input.kind} on ${input.resource} would add no working minute on any of its ${blocks.length} day(s).`, {
      skippedDays: skipped,
    });
  const target: Target =
    skipped.length === 0
      ? full
      : {
          ...full,
          after: { ...full.before, exceptions: [...full.before.exceptions, ...kept.map((b) => exceptionOf(input.kind, b, b.id))] },
        };
  const e = await evaluateTarget(
    db,
    state,
    nowMinute,
    target,
    kept.map((b) => b.date),
    repromises,
  );
  return { target, e, kept, days: all.filter((_, i) => keep[i]).map((d) => d.day), skipped };
}

const blockJson = (b: CapacityBlock): CapacityBlockJson => ({ date: b.date, start: b.start, end: b.end });

/** What a ranged change would do, without doing it: no lock, no write. */
export async function previewRangedCapacityChange(deps: ScheduleDeps, plantId: string, input: RangedChangeInput) {
  const now = deps.clock.now();
  return readStateHeld(
    deps,
    plantId,
    async (state, db) => {
      const p = await planRanged(db, state, toMinute(now), input, []);
      return {
        preview: true,
        ...outcome(p.e, []),
        days: p.days,
        skippedDays: p.skipped,
        scheduleVersion: state.version,
        capacityRevision: state.config.configVersion,
      };
    },
    now,
  );
}

/**
 * Adds or takes away capacity on many days in one reschedule, under the rule of a single-day
 * change: a change that would make committed orders late is refused unless the request
 * re-promises each of them. One row per day (the calendars read those), one event listing them.
 */
export async function createRangedCapacityChange(
  deps: ScheduleDeps,
  plantId: string,
  actor: Actor,
  input: RangedChangeInput,
  ifMatch?: number,
  idem?: IdempotentRequest,
) {
  const { result, version } = await deps.writer.write(
    plantId,
    actor,
    async (ctx) => {
      assertRevision(ctx.state, ifMatch);
      return applyRangedChange(ctx, plantId, actor, input);
    },
    outcomeHooks(idem),
  );
  return { preview: false, ...result, scheduleVersion: version };
}

/** Capacity a planner adds for someone: the capacity request it answers and the held order it is for (migration 0021). */
export interface CapacityLink {
  capacityRequestId: string;
  forOrderId: string | null;
}

/**
 * The ranged change inside a write (createRangedCapacityChange's, and a capacity request's
 * acceptance, which applies a proposal's blocks in the same transaction as its own decision).
 */
export async function applyRangedChange(
  ctx: WriteContext,
  plantId: string,
  actor: Actor,
  input: RangedChangeInput,
  link?: CapacityLink,
  whatIf = false,
) {
  const id = randomUUID();
  const repromises = whatIf ? [] : (input.repromises ?? []);
  const p = await planRanged(ctx.tx, ctx.state, ctx.nowMinute, input, repromises);
  const what = `This ${input.kind} on ${input.resource} (${p.kept.length} day(s))`;
  const accepted = whatIf ? [] : acceptRepromises(ctx, p.e, repromises, what);
  const dates = p.kept.map((b) => b.date).sort();
  const row = await insertRangedCapacityChange(ctx.tx, {
    plant_id: plantId,
    id,
    resource_id: input.resource,
    kind: input.kind,
    from_date: input.range?.from ?? dates[0]!,
    to_date: input.range?.to ?? dates.at(-1)!,
    pattern: input.range
      ? JSON.stringify({
          weekdays: [...(input.range.weekdays ?? ALL_WEEKDAYS)].sort(),
          except: input.range.except ?? [],
          start: input.range.start ?? null,
          end: input.range.end ?? null,
        })
      : null,
    blocks: input.range
      ? null
      : JSON.stringify((input.blocks ?? []).map((b) => blockJson({ date: b.date, start: b.start ?? null, end: b.end ?? null }))),
    skipped: JSON.stringify(p.skipped),
    reason: input.reason,
    created_by: actorLabel(actor),
    created_at: ctx.now,
    schedule_version: ctx.nextVersion,
    ...(link ? { capacity_request_id: link.capacityRequestId, for_order_id: link.forOrderId } : {}),
  });
  const days = await insertRangedChangeDays(
    ctx.tx,
    p.kept.map((b) => ({
      plant_id: plantId,
      id: b.id,
      resource_id: input.resource,
      kind: input.kind,
      date: b.date,
      start_time: b.start,
      end_time: b.end,
      reason: input.reason,
      created_by: actorLabel(actor),
      created_at: ctx.now,
      schedule_version: ctx.nextVersion,
      ranged_change_id: id,
    })),
  );
  // What-if only: applied as a fact (see applyRangedChangeWhatIf), the orders it makes late planned at their earliest.
  const madeLate = whatIf ? await replanAfterFact(ctx, p.e, `Order planning after ${what.toLowerCase()}`) : [];
  let replanned: string[] = [];
  const repromised = whatIf ? [] : await switchAndRepromise(ctx, p.e, accepted, id, what, (ids) => (replanned = ids));
  const view = rangedChangeView(row, sortDays(days));
  ctx.emit({
    type: 'capacity.changed',
    data: {
      ...view,
      drum: p.e.drum,
      minutesDelta: p.e.minutesDelta,
      moved: movedCount(p.e),
      repromised: repromised.map((r) => r.orderId),
      replanned,
    },
  });
  return {
    change: view,
    ...outcome(p.e, repromised),
    days: p.days,
    skippedDays: p.skipped,
    capacityRevision: ctx.state.config.configVersion,
    ...(whatIf ? { madeLate } : {}),
  };
}

/**
 * What-if only (a scenario's evaluation, inside its simulation): the ranged change applied
 * although the capacity rule refuses it live because it makes orders late, as a fact is (see
 * capacity-change-what-if.ts). The live request and a promotion never come here.
 */
export async function applyRangedChangeWhatIf(deps: ScheduleDeps, plantId: string, actor: Actor, input: RangedChangeInput) {
  const { result } = await deps.writer.write(plantId, actor, (ctx) => applyRangedChange(ctx, plantId, actor, input, undefined, true));
  return { minutesDelta: result.minutesDelta, madeLate: result.madeLate ?? [] };
}

const sortDays = (days: CapacityChangeRow[]) =>
  [...days].sort((a, b) => (a.date === b.date ? (a.start_time ?? '').localeCompare(b.start_time ?? '') : a.date < b.date ? -1 : 1));

/** A ranged change that is still in force, with its days; 404 / 409 otherwise. */
async function activeRanged(db: DbOrTx, plantId: string, id: string) {
  const row = await findRangedCapacityChange(db, plantId, id);
  if (!row) {
    if (await findCapacityChange(db, plantId, id))
      throw conflict(`Capacity change ${id} is a single-day change: revoke it (DELETE …/capacity-changes/{id}).`);
    throw notFound(`Capacity change "${id}"`);
  }
  if (row.revoked_at) throw conflict(`Capacity change ${id} was already revoked at ${row.revoked_at.toISOString()}.`);
  return { row, days: await rangedChangeDays(db, plantId, [id]) };
}

/** The days `end` (from a date) or a revoke (from null: all) takes back: the active ones, checked. */
function daysToRevoke(state: PlantState, nowMinute: number, days: readonly CapacityChangeRow[], from: string | null, id: string) {
  if (from !== null) {
    const today = todayOf(state, nowMinute);
    if (from < today)
      throw invalid([{ field: 'body.from', message: `${from} is in the past (today is ${today} in ${state.config.timeZone})` }]);
  }
  const active = days.filter((d) => d.revoked_at === null && (from === null || d.date >= from));
  if (active.length === 0)
    throw conflict(
      from === null ? `Capacity change ${id} has no day left to revoke.` : `Capacity change ${id} has no day left on or after ${from}.`,
    );
  return active;
}

interface Revoked {
  target: Target;
  e: Evaluated;
  days: Planned['days'];
}

async function planRevoke(
  db: DbOrTx,
  state: PlantState,
  nowMinute: number,
  row: RangedCapacityChangeRow,
  revoking: readonly CapacityChangeRow[],
  repromises: readonly RepromiseRequest[],
): Promise<Revoked> {
  const notes = new Set(revoking.map((d) => `capacity change ${d.id}`));
  const target = await resourceCalendars(db, state, row.resource_id, 'params.id', (ex) =>
    ex.filter((x) => x.note === undefined || !notes.has(x.note)),
  );
  const blocks = revoking.map((d) => ({ date: d.date, start: d.start_time, end: d.end_time }));
  const e = await evaluateTarget(
    db,
    state,
    nowMinute,
    target,
    blocks.map((b) => b.date),
    repromises,
  );
  return { target, e, days: dayOutcomes(state.config.timeZone, target.before, target.after, blocks).map((d) => d.day) };
}

/**
 * Ends a ranged change early (`from`: its first day revoked) or revokes it whole (`from`
 * null, as DELETE does for a single-day change): the days taken back are a capacity change
 * like any other, refused with 409 when they would make committed orders late unless the
 * request re-promises each. One event: `capacity.ended`, or `capacity.revoked` for all of it.
 */
async function takeBack(
  deps: ScheduleDeps,
  plantId: string,
  actor: Actor,
  id: string,
  from: string | null,
  input: { reason?: string | undefined; repromises?: RepromiseRequest[] | undefined },
  opts: Options,
) {
  if (opts.preview) {
    const now = deps.clock.now();
    return readStateHeld(
      deps,
      plantId,
      async (state, db) => {
        const nowMinute = toMinute(now);
        const { row, days } = await activeRanged(db, plantId, id);
        const r = await planRevoke(db, state, nowMinute, row, daysToRevoke(state, nowMinute, days, from, id), []);
        return {
          preview: true,
          change: rangedChangeView(row, days),
          ...outcome(r.e, []),
          days: r.days,
          scheduleVersion: state.version,
          capacityRevision: state.config.configVersion,
        };
      },
      now,
    );
  }
  const { result, version } = await deps.writer.write(
    plantId,
    actor,
    (ctx) => {
      assertRevision(ctx.state, opts.ifMatch);
      return applyTakeBack(ctx, plantId, actor, id, from, input, false);
    },
    outcomeHooks(opts.idem),
  );
  return { preview: false, ...result, scheduleVersion: version };
}

/**
 * The days a revoke or an early end takes back, under the capacity rule; `whatIf` (a
 * scenario's evaluation only) applies them as a fact even when they make orders late, which
 * are then in `madeLate` (see applyRangedChangeWhatIf).
 */
async function applyTakeBack(
  ctx: WriteContext,
  plantId: string,
  actor: Actor,
  id: string,
  from: string | null,
  input: { reason?: string | undefined; repromises?: RepromiseRequest[] | undefined },
  whatIf: boolean,
) {
  const { row, days } = await activeRanged(ctx.tx, plantId, id);
  const revoking = daysToRevoke(ctx.state, ctx.nowMinute, days, from, id);
  const repromises = whatIf ? [] : (input.repromises ?? []);
  const r = await planRevoke(ctx.tx, ctx.state, ctx.nowMinute, row, revoking, repromises);
  const what = from === null ? `Revoking capacity change ${id}` : `Ending capacity change ${id} from ${from}`;
  const accepted = whatIf ? [] : acceptRepromises(ctx, r.e, repromises, what);
  const stamp = { revoked_at: ctx.now, revoked_by: actorLabel(actor), revoke_reason: input.reason ?? null };
  await revokeRangedChangeDays(ctx.tx, plantId, id, from === null ? null : from, stamp);
  const left = days.some((d) => d.revoked_at === null && from !== null && d.date < from);
  const updated = await updateRangedCapacityChange(ctx.tx, plantId, id, {
    ...(from === null ? {} : { ended_from: from, ended_at: ctx.now, ended_by: actorLabel(actor), end_reason: input.reason ?? null }),
    // Nothing left in force: the change is revoked as a whole, so the active list drops it.
    ...(left ? {} : stamp),
  });
  const madeLate = whatIf ? await replanAfterFact(ctx, r.e, `Order planning after ${what.toLowerCase()}`) : [];
  const repromised = whatIf ? [] : await switchAndRepromise(ctx, r.e, accepted, id, what);
  const view = rangedChangeView(updated, await rangedChangeDays(ctx.tx, plantId, [id]));
  const common = { drum: r.e.drum, minutesDelta: r.e.minutesDelta, repromised: repromised.map((x) => x.orderId) };
  if (from === null) ctx.emit({ type: 'capacity.revoked', data: { ...view, ...common } });
  else ctx.emit({ type: 'capacity.ended', data: { ...view, ...common, revokedDays: revoking.map((d) => d.date) } });
  return {
    change: view,
    ...outcome(r.e, repromised),
    days: r.days,
    capacityRevision: ctx.state.config.configVersion,
    ...(whatIf ? { madeLate } : {}),
  };
}

/** POST …/capacity-changes/{id}/end: the days of a ranged change from `from` on are revoked under the capacity rule. */
export async function endRangedCapacityChange(
  deps: ScheduleDeps,
  plantId: string,
  actor: Actor,
  id: string,
  input: EndInput,
  opts: Options,
) {
  return takeBack(deps, plantId, actor, id, input.from, input, opts);
}

/**
 * What-if only (a scenario's evaluation, inside its simulation): DELETE …/capacity-changes/{id}
 * applied although the capacity rule refuses it live because orders count on the capacity, as
 * a fact is. The live request and a promotion never come here.
 */
export async function revokeAnyCapacityChangeWhatIf(
  deps: ScheduleDeps,
  plantId: string,
  actor: Actor,
  id: string,
  reason: string | undefined,
) {
  if (!(await findRangedCapacityChange(deps.db, plantId, id))) return revokeCapacityChangeWhatIf(deps, plantId, actor, id, reason);
  const { result } = await deps.writer.write(plantId, actor, (ctx) => applyTakeBack(ctx, plantId, actor, id, null, { reason }, true));
  return { minutesDelta: result.minutesDelta, madeLate: result.madeLate ?? [] };
}

/** DELETE …/capacity-changes/{id}: a ranged change revoked whole (its active days), else a single-day change as before. */
export async function revokeAnyCapacityChange(
  deps: ScheduleDeps,
  plantId: string,
  actor: Actor,
  id: string,
  input: { reason?: string | undefined; repromises?: RepromiseRequest[] | undefined; preview?: boolean | undefined },
  ifMatch?: number,
) {
  // Whether an id names a ranged change never changes, so it is read before the write.
  if (await findRangedCapacityChange(deps.db, plantId, id))
    return takeBack(deps, plantId, actor, id, null, input, { preview: input.preview ?? false, ifMatch });
  return revokeCapacityChange(deps, plantId, actor, id, input, ifMatch);
}
