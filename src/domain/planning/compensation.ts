import { proposeCapacity, type Calendar } from '../../engine/index.ts';
import { resourcePolicy } from '../capacity-policy.ts';
import { DomainError } from '../errors.ts';
import { proposalView, type ProposalView } from '../promising/evaluate.ts';
import { toMinute } from '../schedule/plant-cache.ts';
import type { WriteContext } from '../schedule/write-context.ts';
import type { DrumPlan } from './capacity-plan.ts';

/** Candidate proposals re-planned to confirm them (a planner's 409, not the quote path). */
const CANDIDATES = 3;

/**
 * Issue 15 item 5: a drum capacity reduction refused because it would make orders late
 * answers, beside `lateOrders`, with proposals that compensate for it, priced like a quote's.
 * On the calendar after the reduction the late orders need X = their largest lateness in drum
 * working minutes; X minutes added in [now, the earliest of their drum deadlines) raise the
 * capacity before every one of those deadlines by X (the drum price's argument, §5.4), so the
 * candidates come from proposeCapacity over that window, and each is confirmed by `check` (the
 * drum plan of the calendar with the reduction and the blocks has no late order). Posting the
 * blocks and then the reduction again decides it under the full rule (the route plans too).
 * Returns `error` itself, with `proposals` added when it is that 409.
 */
export async function withCompensation(
  error: unknown,
  ctx: WriteContext,
  resource: string,
  plan: DrumPlan | null,
  after: Calendar,
  check: (calendar: Calendar) => Promise<boolean>,
): Promise<unknown> {
  if (!(error instanceof DomainError) || error.kind !== 'schedule-infeasible' || !plan || plan.late.length === 0) return error;
  const proposals = await compensation(ctx, resource, plan, after, check);
  return new DomainError(error.kind, error.message, { ...error.extensions, proposals }, error.errors);
}

async function compensation(
  ctx: WriteContext,
  resource: string,
  plan: DrumPlan,
  after: Calendar,
  check: (calendar: Calendar) => Promise<boolean>,
): Promise<ProposalView[]> {
  const wt = plan.workingTime;
  if (plan.late.some((l) => l.plannedFinish === 'never' || l.drumDeadline === 'never')) return [];
  const minuteOf = (iso: string) => toMinute(new Date(iso));
  const minutes = Math.max(...plan.late.map((l) => wt.cumulative(minuteOf(l.plannedFinish)) - wt.cumulative(minuteOf(l.drumDeadline))));
  const candidates = proposeCapacity({
    resource,
    wt,
    now: ctx.nowMinute,
    frozenUntil: ctx.nowMinute + ctx.state.config.policy.frozenWindowMinutes,
    neededAfter: ctx.nowMinute,
    neededBy: Math.min(...plan.late.map((l) => minuteOf(l.drumDeadline))),
    minutes,
    shippingBufferDays: 0,
    policy: resourcePolicy(ctx.state.config.capacityPolicy, resource),
    limit: CANDIDATES,
  });
  const confirmed: ProposalView[] = [];
  for (const p of candidates) {
    const added = p.blocks.map((b) => ({ kind: b.kind, date: b.date, start: b.start, end: b.end }));
    if (await check({ ...after, exceptions: [...after.exceptions, ...added] }))
      confirmed.push(proposalView(p, null, ctx.state.config.capacityPolicy.currency));
  }
  return confirmed;
}
