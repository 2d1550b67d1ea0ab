import type { OrderState, Policy } from '../policy.ts';
import type { Job } from '../scenario.ts';

/**
 * The classic exogenous due-date rules of the scheduling literature (Conway 1965;
 * Baker & Bertrand 1981; Ragatz & Mabert 1984), with release on arrival and
 * earliest-due-date dispatching at every station:
 *   CON  due = arrival + k                 (k in days: one lead time for everything)
 *   TWK  due = arrival + k × work content  (k a multiple of the planned routing minutes)
 *   SLK  due = arrival + work content + k  (k in days of slack on top of the work)
 * None of them looks at the shop's load, which is exactly what S-DBR's load-based quote
 * adds. The date promised is the rule's date, or the customer's requested date when
 * later (the same courtesy the Drumbeat policy gets), rounded to the end of the day.
 */
export type DueDateRule = 'CON' | 'TWK' | 'SLK';

function ruleLeadMinutes(rule: DueDateRule, k: number, job: Job, minutesPerDay: number): number {
  switch (rule) {
    case 'CON':
      return k * minutesPerDay;
    case 'TWK':
      return k * job.workContent;
    case 'SLK':
      return job.workContent + k * minutesPerDay;
  }
}

export function dueDateRulePolicy(rule: DueDateRule, k: number): Policy {
  return {
    name: rule,
    onArrival(order: OrderState, ctx) {
      const job = order.job;
      order.quotedDue = ctx.clock.endOfDay(ctx.clock.addWorking(ctx.now, ruleLeadMinutes(rule, k, job, ctx.minutesPerDay)));
      order.due = Math.max(order.quotedDue, job.requestedDue ?? -Infinity);
      ctx.release(order);
    },
    priority: (order) => order.due,
  };
}
