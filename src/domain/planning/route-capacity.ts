import type { Calendar, RouteBook, WorkingTime } from '../../engine/index.ts';
import { buildWorkingTime } from '../../engine/index.ts';
import { DomainError } from '../errors.ts';
import { fromMinute } from '../schedule/plant-cache.ts';
import { loadPlantConfig } from '../schedule/plant-config.ts';
import type { WriteContext } from '../schedule/write-context.ts';

/**
 * Orders whose planned operation on `resource` would lose working time under a new calendar:
 * their interval no longer holds the minutes it was planned with. Capacity taken away
 * elsewhere (or added anywhere) leaves every plan on that resource as it is: a reservation
 * keeps its start and, on an increase, ends earlier (design note §3.2). A planner write, so
 * one walk of the plans (O(n · route length)).
 */
export function ordersLosingTime(route: RouteBook, resource: string, calendar: Calendar): string[] {
  if (resource === route.drumId) return [];
  const wt: WorkingTime = buildWorkingTime(calendar);
  const hit: string[] = [];
  for (const o of route.orders()) {
    const lost = o.ops.some(
      (op) =>
        op.resource === resource && op.start !== null && op.end !== null && wt.cumulative(op.end) - wt.cumulative(op.start) < op.minutes,
    );
    if (lost) hit.push(o.id);
  }
  return hit;
}

/** A capacity write switches its own state to the new rules at once, so what it does next (re-promises, the check) runs on them. */
export async function switchToNewRules(ctx: WriteContext): Promise<void> {
  const config = await loadPlantConfig(ctx.tx, ctx.state.config.plantId);
  if (!ctx.state.recalibrate(config)) throw new Error('the drum resource changed inside a capacity write');
}

/**
 * The whole-route check after a capacity change: every committed order still has a plan
 * that works on every resource's calendar. Orders it would make late are listed (409); the
 * planner re-promises them explicitly, never the service silently.
 */
export function assertRoutesKeepable(ctx: WriteContext, losing: readonly string[], what: string): void {
  const route = ctx.state.route;
  if (!route) return;
  const late = route
    .plan(ctx.nowMinute)
    .filter((p) => p.late)
    .map((p) => ({ orderId: p.id, drumDeadline: fromMinute(p.drumDeadline).toISOString() }));
  if (late.length === 0 && losing.length === 0) return;
  // Orders the change takes planned time from and that cannot keep their date: the planner re-promises them in the same request.
  throw new DomainError(
    'schedule-infeasible',
    `${what} would make ${late.length + losing.length} committed order(s) late on their route: re-promise them first (POST …/orders/{id}/repromise) or choose other capacity.`,
    { lateOrders: late, ordersLosingCapacity: [...losing] },
  );
}
