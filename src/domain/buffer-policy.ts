import type { DbOrTx } from '../db/database.ts';
import { findBufferPolicy, updateBufferPolicy } from '../db/repos/buffer-policies.ts';
import type { Actor } from './actor.ts';
import { recordAudit } from './audit.ts';
import { invalid, notFound, preconditionFailed } from './errors.ts';
import { leadTimeChanges, productLeadTimeDays, storedLeadTimes, type LeadTimeChange } from './lead-time.ts';
import type { ConfigWriteDeps } from './schedule/config-write.ts';

export interface BufferPolicyInput {
  productionBufferDays: number;
  shippingBufferDays?: number | undefined;
  standardLeadTimeDays?: number | undefined;
  holdTtlSeconds?: number | undefined;
  maxHoldTtlSeconds?: number | undefined;
  /** null: remove the cap; undefined: keep it. */
  holdCapDrumMinutes?: number | null | undefined;
  frozenWindowMinutes?: number | undefined;
  atRiskToleranceMinutes?: number | undefined;
  atRiskRecoveryMinutes?: number | undefined;
}

export interface BufferPolicyView {
  productionBufferDays: number;
  shippingBufferDays: number;
  standardLeadTimeDays: number;
  /** max(standard lead time, production buffer): the lead time of a product without overrides. */
  effectiveLeadTimeDays: number;
  holdTtlSeconds: number;
  maxHoldTtlSeconds: number;
  holdCapDrumMinutes: number | null;
  frozenWindowMinutes: number;
  /** The at-risk band (planning-rules/at-risk.ts): tolerance past the promised day, recovery margin inside it. */
  atRiskToleranceMinutes: number;
  atRiskRecoveryMinutes: number;
  revision: number;
  updatedAt: string;
}

export async function getBufferPolicy(db: DbOrTx, plantId: string): Promise<BufferPolicyView> {
  const r = await findBufferPolicy(db, plantId);
  if (!r) throw notFound(`Plant "${plantId}"`);
  return {
    productionBufferDays: r.production_buffer_days,
    shippingBufferDays: r.shipping_buffer_days,
    standardLeadTimeDays: r.standard_lead_time_days,
    effectiveLeadTimeDays: productLeadTimeDays(
      { productionBufferDays: r.production_buffer_days, standardLeadTimeDays: r.standard_lead_time_days },
      { productionBufferDays: null, standardLeadTimeDays: null },
    ),
    holdTtlSeconds: r.hold_ttl_seconds,
    maxHoldTtlSeconds: r.hold_max_ttl_seconds,
    holdCapDrumMinutes: r.hold_cap_drum_minutes,
    frozenWindowMinutes: r.frozen_window_minutes,
    atRiskToleranceMinutes: r.at_risk_tolerance_minutes,
    atRiskRecoveryMinutes: r.at_risk_recovery_minutes,
    revision: r.revision,
    updatedAt: r.updated_at.toISOString(),
  };
}

/**
 * Replaces the policy. Defaults follow S-DBR practice: shipping buffer ½ PB (rounded up to
 * whole working days), standard lead time = PB. Orders already committed keep the buffers
 * they were promised with; the policy shapes new promises.
 *
 * A standard lead time below the production buffer is accepted, not refused: buffer
 * management may grow the buffer past it at any time, so the plant's lead time is a
 * minimum and the effective one is max(LT, PB) (per product with its overrides). The
 * answer lists the products whose effective lead time the change moves.
 */
export async function putBufferPolicy(
  deps: ConfigWriteDeps,
  actor: Actor | null,
  plantId: string,
  input: BufferPolicyInput,
  ifMatch?: number,
): Promise<BufferPolicyView & { effectiveLeadTimeChanges: LeadTimeChange[] }> {
  const { result } = await deps.writer.write(plantId, actor, async (ctx) => {
    const { tx, now } = ctx;
    const current = await getBufferPolicy(tx, plantId);
    if (ifMatch !== undefined && ifMatch !== current.revision) {
      throw preconditionFailed(`The buffer policy changed (revision ${current.revision}); reload it and retry.`, {
        currentRevision: current.revision,
      });
    }
    const pb = input.productionBufferDays;
    const holdTtl = input.holdTtlSeconds ?? current.holdTtlSeconds;
    // Raising the default TTL alone raises the maximum with it; an explicit maximum below the default is a contradiction.
    const maxHoldTtl = input.maxHoldTtlSeconds ?? Math.max(current.maxHoldTtlSeconds, holdTtl);
    if (maxHoldTtl < holdTtl) throw invalid([{ field: 'body.maxHoldTtlSeconds', message: `Must be at least holdTtlSeconds (${holdTtl})` }]);
    const before = await storedLeadTimes(tx, plantId);
    await updateBufferPolicy(tx, plantId, {
      production_buffer_days: pb,
      shipping_buffer_days: input.shippingBufferDays ?? Math.ceil(pb / 2),
      standard_lead_time_days: input.standardLeadTimeDays ?? pb,
      hold_ttl_seconds: holdTtl,
      hold_max_ttl_seconds: maxHoldTtl,
      hold_cap_drum_minutes: input.holdCapDrumMinutes === undefined ? current.holdCapDrumMinutes : input.holdCapDrumMinutes,
      frozen_window_minutes: input.frozenWindowMinutes ?? current.frozenWindowMinutes,
      at_risk_tolerance_minutes: input.atRiskToleranceMinutes ?? current.atRiskToleranceMinutes,
      at_risk_recovery_minutes: input.atRiskRecoveryMinutes ?? current.atRiskRecoveryMinutes,
      revision: current.revision + 1,
      updated_at: now,
    });
    await recordAudit(tx, actor, 'buffer-policy.changed', { plantId, id: plantId }, { before: current, after: input }, now);
    // New buffers shape new promises and the rope: the state is rebuilt on them.
    await ctx.changeCapacityRules();
    return {
      ...(await getBufferPolicy(tx, plantId)),
      effectiveLeadTimeChanges: leadTimeChanges(before, await storedLeadTimes(tx, plantId)),
    };
  });
  return result;
}
