import type { Policy } from '../policy.ts';

/**
 * The vicious circle of seed 002, steps 1–4: sales say "yes" to the customer's date
 * (or give the lead time they always give when the customer has no date) without
 * asking the planner; the order goes to the floor at once ("we'll squeeze it in"); the
 * floor works first come, first served, except that orders already late are expedited
 * to the front of every queue. Nothing here looks at the load.
 *
 * Not modelled, so this baseline is kind to the vicious circle: the cost of expediting
 * (broken setups, overtime fights) and steps 5–6 (buffers and quotes inflating over time).
 */
export function viciousCirclePolicy(salesLeadDays: number): Policy {
  return {
    name: 'Vicious circle',
    onArrival(order, ctx) {
      const requested = order.job.requestedDue;
      order.quotedDue = requested ?? ctx.clock.endOfDay(ctx.clock.addWorking(ctx.now, salesLeadDays * ctx.minutesPerDay));
      order.due = order.quotedDue;
      ctx.release(order);
    },
    // Late orders first; within each class the simulator breaks ties first come, first served.
    priority: (order, _station, now) => (now > order.due ? 0 : 1),
  };
}
