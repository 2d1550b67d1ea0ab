import { randomUUID } from 'node:crypto';
import { markCapacityChangeRevoked } from '../../db/repos/capacity-changes.ts';
import type { CalendarException } from '../../engine/index.ts';
import { actorLabel, type Actor } from '../actor.ts';
import type { ScheduleDeps } from '../schedule/schedule-writer.ts';
import { replanAfterFact } from './breakdowns.ts';
import { capacityChangeView } from './capacity-change-views.ts';
import {
  activeChange,
  evaluateTarget,
  exceptionFor,
  resourceCalendars,
  storeCapacityChange,
  validateChange,
  type CapacityChangeInput,
} from './capacity-changes.ts';

/**
 * What-if only (a scenario's evaluation, inside its simulation): a capacity change applied
 * although the capacity rule refuses it live because it makes orders late. It is applied as
 * a fact is (a breakdown, breakdowns.ts): every order whose plan it breaks is planned again
 * at its own promise when that holds, else at its earliest date with its promise kept, and
 * is returned as made late. The live request and a promotion never come here: they refuse.
 */
export async function applyCapacityChangeWhatIf(deps: ScheduleDeps, plantId: string, actor: Actor, input: CapacityChangeInput) {
  const { result } = await deps.writer.write(plantId, actor, async (ctx) => {
    const id = randomUUID();
    const exception = exceptionFor(input, id);
    validateChange(ctx.state, ctx.nowMinute, input, exception);
    const target = await resourceCalendars(ctx.tx, ctx.state, input.resource, 'body.resource', (ex) => [...ex, exception]);
    const e = await evaluateTarget(ctx.tx, ctx.state, ctx.nowMinute, target, input.date);
    const row = await storeCapacityChange(ctx, actor, input, id);
    const madeLate = await replanAfterFact(ctx, e, `Order planning after this ${input.kind} on ${input.resource}`);
    return { change: capacityChangeView(row), minutesDelta: e.minutesDelta, madeLate };
  });
  return result;
}

/**
 * What-if only: a single-day capacity change revoked although the capacity rule refuses it
 * live because orders count on it ("what if we cancel Saturday?"), applied as a fact is (see
 * applyCapacityChangeWhatIf). The live request and a promotion never come here.
 */
export async function revokeCapacityChangeWhatIf(
  deps: ScheduleDeps,
  plantId: string,
  actor: Actor,
  id: string,
  reason: string | undefined,
) {
  const { result } = await deps.writer.write(plantId, actor, async (ctx) => {
    const existing = await activeChange(ctx.tx, plantId, id);
    const without = (ex: CalendarException[]) => ex.filter((x) => x.note !== `capacity change ${id}`);
    const target = await resourceCalendars(ctx.tx, ctx.state, existing.resource_id, 'params.id', without);
    const e = await evaluateTarget(ctx.tx, ctx.state, ctx.nowMinute, target, existing.date);
    await markCapacityChangeRevoked(ctx.tx, plantId, id, {
      revoked_at: ctx.now,
      revoked_by: actorLabel(actor),
      revoke_reason: reason ?? null,
    });
    const madeLate = await replanAfterFact(ctx, e, `Order planning after revoking capacity change ${id}`);
    return { minutesDelta: e.minutesDelta, madeLate };
  });
  return result;
}
