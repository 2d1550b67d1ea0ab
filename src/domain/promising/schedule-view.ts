import { committedOrders } from '../../db/repos/orders.ts';
import { penetration } from '../../engine/index.ts';
import { fromMinute, toMinute } from '../schedule/plant-cache.ts';
import { engineOf } from './evaluate.ts';
import type { PromisingDeps } from './quotes.ts';
import { readState } from './read-state.ts';

/** The drum schedule as planners and ERPs read it: engine timing joined with order details. */
export async function scheduleView(deps: PromisingDeps, plantId: string) {
  const state = await readState(deps, plantId);
  const { book, wt } = engineOf(state);
  const now = deps.clock.now();
  const nowMinute = toMinute(now);
  const rows = new Map((await committedOrders(deps.db, plantId)).map((r) => [r.id, r]));
  const planned = book.schedule(nowMinute, state.config.policy.productionBufferDays);
  const orders = planned.flatMap((s) => {
    const r = rows.get(s.id);
    if (!r) return [];
    const status = penetration(wt, { id: r.id, promiseDate: r.promise_date, productionBufferDays: r.production_buffer_days }, nowMinute);
    return [
      {
        id: s.id,
        sku: r.sku,
        quantity: r.quantity,
        customer: r.customer,
        status: r.status,
        promiseDate: r.promise_date,
        drumLoadMinutes: s.load,
        plannedStart: fromMinute(s.start).toISOString(),
        plannedFinish: fromMinute(s.finish).toISOString(),
        releaseDate: s.releaseDate,
        drumDeadline: fromMinute(s.deadline).toISOString(),
        slackMinutes: s.slack,
        bufferZone: status.zone,
        bufferPenetration: status.percent,
        late: s.late,
      },
    ];
  });
  return {
    plant: plantId,
    scheduleVersion: state.version,
    computedAt: now.toISOString(),
    feasible: orders.every((o) => !o.late),
    orders,
  };
}
