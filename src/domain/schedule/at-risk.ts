import { judgeRisk, type AtRiskReason, type AtRiskRule } from '../../planning-rules/at-risk.ts';
import { fromMinute } from './route-state.ts';
import type { WriteContext } from './write-context.ts';

const iso = (m: number) => (Number.isFinite(m) ? fromMinute(m).toISOString() : null);

/** The plant policy's at-risk band. */
const atRiskRuleOf = (ctx: Pick<WriteContext, 'state'>): AtRiskRule => ({
  toleranceMinutes: ctx.state.config.policy.atRiskToleranceMinutes,
  recoveryMinutes: ctx.state.config.policy.atRiskRecoveryMinutes,
});

/**
 * Judges the given orders against their promise (planning-rules/at-risk.ts) and changes their
 * stored flag through this write: `order.at-risk` when one becomes at risk, `order.on-track`
 * when it is on track again, both in this write's version; a projection that moved while the
 * order stays at risk is stored without an event. Incremental: only the orders named are
 * read, O(route length) each, plus one row write per change. The writer calls it after every
 * write with the orders that write changed (the tick's moved orders included), under the plant
 * lock, so a second process finds the flag already set and writes nothing.
 */
export async function reviewAtRisk(ctx: WriteContext, ids: Iterable<string>, cause?: AtRiskReason): Promise<void> {
  const route = ctx.state.route;
  const drumWt = ctx.state.wt;
  if (!route || !drumWt) return;
  const rule = atRiskRuleOf(ctx);
  for (const id of [...new Set(ids)].sort()) {
    const rec = route.get(id);
    if (!rec) continue;
    // A pinned order (on the drum, frozen) is never re-positioned, so its record has no D̂: its plan says where it ends.
    const finish = rec.pinned ? (route.planOf(ctx.nowMinute, id)?.operations.at(-1)?.end ?? Infinity) : undefined;
    const v = judgeRisk(rec, { drumId: route.drumId, drumWt, now: ctx.nowMinute, rule, cause, finish });
    if (v.kind === 'unchanged') continue;
    const projected = Number.isFinite(v.projectedFinish) ? fromMinute(v.projectedFinish) : null;
    if (v.kind === 'still-at-risk') {
      await ctx.orders.update(id, { at_risk_projected_finish: projected });
    } else if (v.kind === 'at-risk' || v.kind === 'new-cause') {
      // A new cause keeps the time the order first became at risk.
      await ctx.orders.update(id, {
        at_risk: true,
        at_risk_reason: v.reason,
        at_risk_resource: v.resource,
        at_risk_projected_finish: projected,
        at_risk_promise_date: rec.promiseDate,
        ...(v.kind === 'at-risk' ? { at_risk_since: ctx.now } : {}),
      });
      ctx.emit({
        type: 'order.at-risk',
        orderId: id,
        data: {
          promiseDate: rec.promiseDate,
          projectedFinish: iso(v.projectedFinish),
          lateByMinutes: Number.isFinite(v.lateBy) ? v.lateBy : null,
          reason: v.reason,
          resource: v.resource,
        },
      });
    } else {
      await ctx.orders.update(id, {
        at_risk: false,
        at_risk_reason: null,
        at_risk_resource: null,
        at_risk_projected_finish: null,
        at_risk_promise_date: null,
        at_risk_since: null,
      });
      ctx.emit({
        type: 'order.on-track',
        orderId: id,
        data: { promiseDate: rec.promiseDate, projectedFinish: iso(v.projectedFinish), reason: v.why },
      });
    }
  }
}

/**
 * The hook for recorded facts (issue 13 item 1: a breakdown, late progress, a go-live load):
 * every order the fact made late is at risk in the same version as the fact, with the fact
 * as its reason. Call it inside the fact's write, after the plans it moved are stored; orders
 * that are in fact not late past the tolerance are left as they are.
 * The breakdown and go-live facts (issue 13 items 4, 5) call it.
 */
export async function flagOrdersMadeLate(ctx: WriteContext, orderIds: Iterable<string>, cause: AtRiskReason = 'breakdown'): Promise<void> {
  await reviewAtRisk(ctx, orderIds, cause);
}
