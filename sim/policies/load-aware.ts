import type { OrderState, Policy, SimContext } from '../policy.ts';

/**
 * The load-aware quoting rule the review asked for, in one line: due = arrival + the
 * drum's backlog (planned drum minutes of every accepted order not yet through the drum)
 * + the order's own work content + k days. It sees the shop's load as S-DBR does, but
 * without a schedule, buffers or a rope, so it separates "quoting on the load" from
 * "S-DBR". The date promised is the rule's date or the customer's later one.
 */
export function loadAwareDue(order: OrderState, ctx: SimContext, k: number): number {
  const lead = ctx.drumBacklog() + order.job.workContent + k * ctx.minutesPerDay;
  return ctx.clock.endOfDay(ctx.clock.addWorking(ctx.now, lead));
}

/** The load-aware rule with release on arrival and earliest-due-date dispatching everywhere. */
export function loadAwarePolicy(k: number): Policy {
  return {
    name: 'Load-aware',
    onArrival(order, ctx) {
      order.quotedDue = loadAwareDue(order, ctx, k);
      order.due = Math.max(order.quotedDue, order.job.requestedDue ?? -Infinity);
      ctx.release(order);
    },
    priority: (order) => order.due,
  };
}
