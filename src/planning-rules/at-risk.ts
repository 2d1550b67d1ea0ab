import {
  endOfLocalDate,
  longestWaitOf,
  projectedFinishOf,
  type Minute,
  type StoredRisk,
  type StoredRouteOrder,
  type WorkingTime,
} from '../engine/index.ts';

/**
 * The plant policy's at-risk band (issue 13 item 3). An order is at risk once its projected
 * completion ends more than `toleranceMinutes` after the end of its promised day; it is on
 * track again only once the projection is back inside the promised day by at least
 * `recoveryMinutes`. Between the two it keeps the state it had, so a projection that moves a
 * little around the end of the day (a tick every 30 minutes, a shift report) does not flap.
 */
export interface AtRiskRule {
  toleranceMinutes: number;
  recoveryMinutes: number;
}

export const DEFAULT_AT_RISK_RULE: AtRiskRule = { toleranceMinutes: 0, recoveryMinutes: 240 };

/** Why an order is at risk: the one list the database type, the contract and the event schema take. */
export const AT_RISK_REASONS = ['release-overdue', 'resource', 'progress-behind', 'breakdown', 'initial-load', 'material-late'] as const;
export type AtRiskReason = (typeof AT_RISK_REASONS)[number];

/** What changes for one order: nothing, it becomes at risk, it is on track again, or it stays at risk with a new projection. */
export type RiskVerdict =
  | { kind: 'unchanged' }
  | { kind: 'at-risk'; projectedFinish: Minute; lateBy: Minute; reason: AtRiskReason; resource: string | null }
  | { kind: 'on-track'; projectedFinish: Minute; why: 'recovered' | 'repromised' }
  | { kind: 'still-at-risk'; projectedFinish: Minute }
  /** At risk already; a newly recorded fact is now why (late material after a breakdown: no capacity helps). */
  | { kind: 'new-cause'; projectedFinish: Minute; lateBy: Minute; reason: AtRiskReason; resource: string | null };

/**
 * The state an order should be in, from its stored plan and its stored flag. A promise that
 * changed since the flag was set (a re-promise) is a new commitment and is judged afresh,
 * without the hysteresis band. `cause` names the fact that made it late when the caller knows
 * it (a breakdown); otherwise the reason is read from the plan (see reasonOf). A fact named for
 * an order already at risk for another reason, and late past the tolerance, becomes its reason.
 */
export function judgeRisk(
  rec: StoredRouteOrder,
  ctx: {
    drumId: string;
    drumWt: WorkingTime;
    now: Minute;
    rule: AtRiskRule;
    cause?: AtRiskReason | undefined;
    /** Where the plan ends when the caller knows better than the record (an order on the drum: its drum finish). */
    finish?: Minute | undefined;
  },
): RiskVerdict {
  const finish = ctx.finish ?? projectedFinishOf(rec, ctx.drumId);
  const dayEnd = dayEndOf(ctx.drumWt, rec.promiseDate);
  const late = finish > dayEnd + ctx.rule.toleranceMinutes;
  const flag = rec.risk;
  if (!flag || flag.promiseDate !== rec.promiseDate) {
    if (late) return { kind: 'at-risk', projectedFinish: finish, lateBy: finish - dayEnd, ...reasonOf(rec, ctx) };
    return flag ? { kind: 'on-track', projectedFinish: finish, why: 'repromised' } : { kind: 'unchanged' };
  }
  if (finish <= dayEnd - ctx.rule.recoveryMinutes) return { kind: 'on-track', projectedFinish: finish, why: 'recovered' };
  if (ctx.cause && ctx.cause !== flag.reason && late)
    return { kind: 'new-cause', projectedFinish: finish, lateBy: finish - dayEnd, ...reasonOf(rec, ctx) };
  return sameFinish(flag, finish) ? { kind: 'unchanged' } : { kind: 'still-at-risk', projectedFinish: finish };
}

/** endOfLocalDate per calendar and date, remembered: a tick judges many orders promised for the same few days. */
const dayEnds = new WeakMap<WorkingTime, Map<string, Minute>>();
function dayEndOf(wt: WorkingTime, date: string): Minute {
  let ends = dayEnds.get(wt);
  if (!ends) dayEnds.set(wt, (ends = new Map<string, Minute>()));
  let end = ends.get(date);
  if (end === undefined) ends.set(date, (end = endOfLocalDate(wt, date)));
  return end;
}

const sameFinish = (flag: StoredRisk, finish: Minute) =>
  flag.projectedFinish === null ? !Number.isFinite(finish) : flag.projectedFinish === finish;

/**
 * Why an order is late, read from its plan: unreleased past its planned release → the
 * release is overdue; released and waiting longest on the drum → its progress is behind the
 * plan; otherwise the resource it waits on longest. A recorded fact the caller names wins
 * (with the resource it waits on, none for late material).
 */
export function reasonOf(
  rec: StoredRouteOrder,
  ctx: { drumId: string; now: Minute; cause?: AtRiskReason | undefined; drumWt?: WorkingTime | undefined },
): { reason: AtRiskReason; resource: string | null } {
  const wait = longestWaitOf(rec, ctx.drumId, ctx.drumWt, ctx.now);
  // Late material: the order waits on its material, not on a resource that capacity could free.
  if (ctx.cause) return { reason: ctx.cause, resource: ctx.cause === 'material-late' ? null : wait };
  if (!rec.released && rec.plannedRelease !== null && rec.plannedRelease < ctx.now) return { reason: 'release-overdue', resource: null };
  // On the drum (in progress, pinned): its lateness is its own progress, whatever waits after it.
  if (rec.released && (rec.pinned || wait === ctx.drumId || wait === null)) return { reason: 'progress-behind', resource: null };
  return { reason: 'resource', resource: wait ?? ctx.drumId };
}
