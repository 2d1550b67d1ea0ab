import { heldDrumMinutes } from '../../db/repos/orders.ts';
import type { Actor } from '../actor.ts';
import { DomainError } from '../errors.ts';
import type { WriteContext } from '../schedule/write-context.ts';

/**
 * A refusal by the plant's hold policy, naming the limit by its policy field, its value and
 * what the request asked for. Refused, never clamped: a silently shortened hold would be a
 * promise the salesperson did not get.
 */
const refused = (
  limit: 'maxHoldTtlSeconds' | 'holdCapDrumMinutes',
  limitValue: number,
  requestedValue: number,
  detail: string,
  field: string,
  more: Record<string, unknown> = {},
) => new DomainError('hold-policy', detail, { limit, limitValue, requestedValue, ...more }, [{ field, message: detail }]);

/** Refuses a TTL above the plant's maximum (before any planning work). */
export function assertHoldTtl(ctx: WriteContext, ttlSeconds: number | undefined) {
  const max = ctx.state.config.policy.maxHoldTtlSeconds;
  if (ttlSeconds !== undefined && ttlSeconds > max) {
    throw refused(
      'maxHoldTtlSeconds',
      max,
      ttlSeconds,
      `A hold may last at most ${max} s in plant "${ctx.state.config.plantId}"; ${ttlSeconds} s was asked. A planner can extend a hold explicitly.`,
      'body.ttlSeconds',
    );
  }
}

/**
 * Refuses a hold that would take its principal past the plant's cap on drum minutes held at
 * once, so one salesperson cannot corner the drum with long or many holds. Counted under the
 * plant lock, after due holds expired, so two concurrent holds cannot both slip under it.
 */
export async function assertHoldCap(ctx: WriteContext, actor: Actor, drumLoadMinutes: number) {
  const cap = ctx.state.config.policy.holdCapDrumMinutes;
  if (cap === null) return;
  const held = await heldDrumMinutes(ctx.tx, ctx.state.config.plantId, actor.principal, ctx.now);
  if (held + drumLoadMinutes > cap) {
    throw refused(
      'holdCapDrumMinutes',
      cap,
      held + drumLoadMinutes,
      `"${actor.principal}" may hold at most ${cap} drum minutes at once in plant "${ctx.state.config.plantId}"; it holds ${held} and this hold needs ${drumLoadMinutes}. Confirm or release a hold first.`,
      'body.quantity',
      { heldDrumMinutes: held, drumLoadMinutes },
    );
  }
}
