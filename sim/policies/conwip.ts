import type { OrderState, Policy, SimContext } from '../policy.ts';
import { loadAwareDue } from './load-aware.ts';

/**
 * The release-control baseline: CONWIP (Spearman, Woodruff & Hopp 1990). At most `cap`
 * orders are on the floor; the others wait in a pool and are released in due-date order
 * whenever an order finishes. Dates come from the load-aware rule (whose backlog counts
 * the pool too), dispatching is earliest due date everywhere. It controls WIP the way the
 * rope does, without a drum schedule, so "release control" and "S-DBR" can be told apart.
 */
export function conwipPolicy(cap: number, k: number): Policy {
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`CONWIP cap must be an integer ≥ 1, got ${cap}`);
  const pool: OrderState[] = [];
  const fill = (ctx: SimContext) => {
    while (ctx.wip < cap && pool.length > 0) {
      let best = 0;
      for (let i = 1; i < pool.length; i++) {
        const a = pool[i]!;
        const b = pool[best]!;
        if (a.due < b.due || (a.due === b.due && a.job.id < b.job.id)) best = i;
      }
      ctx.release(pool.splice(best, 1)[0]!);
    }
  };
  return {
    name: 'CONWIP',
    onArrival(order, ctx) {
      order.quotedDue = loadAwareDue(order, ctx, k);
      order.due = Math.max(order.quotedDue, order.job.requestedDue ?? -Infinity);
      pool.push(order);
      fill(ctx);
    },
    onComplete(_order, ctx) {
      fill(ctx);
    },
    priority: (order) => order.due,
  };
}
