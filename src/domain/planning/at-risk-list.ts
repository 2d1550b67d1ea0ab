import { atRiskOrderRows } from '../../db/repos/at-risk.ts';
import { endOfLocalDate } from '../../engine/index.ts';
import { atRiskView } from '../promising/order-view.ts';
import { engineOf } from '../promising/evaluate.ts';
import { readState } from '../promising/read-state.ts';
import { toMinute } from '../schedule/plant-cache.ts';
import type { ScheduleDeps } from '../schedule/schedule-writer.ts';

/**
 * The planners' at-risk list: open orders whose stored flag is set (changed only by the
 * schedule's writes and the background sweep), most late first. Lateness is the projected
 * finish past the end of the promised day in wall-clock minutes; an order with no finish
 * within reach comes first. Reads only the flagged orders (a partial index), never a projection.
 */
export async function atRiskList(deps: ScheduleDeps, plantId: string) {
  const state = await readState(deps, plantId);
  const { wt } = engineOf(state);
  const { version } = state;
  const rows = await atRiskOrderRows(deps.db, plantId);
  const items = rows.map((r) => {
    const finish = r.at_risk_projected_finish ? toMinute(r.at_risk_projected_finish) : Infinity;
    const lateBy = finish - endOfLocalDate(wt, r.promise_date);
    return {
      orderId: r.id,
      status: r.status,
      sku: r.sku,
      quantity: r.quantity,
      customer: r.customer,
      externalId: r.external_id,
      promiseDate: r.promise_date,
      plannedRelease: r.planned_release_at?.toISOString() ?? null,
      lateByMinutes: Number.isFinite(lateBy) ? lateBy : null,
      ...atRiskView(r)!,
      sortKey: lateBy,
    };
  });
  items.sort((a, b) => b.sortKey - a.sortKey || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
  return {
    plant: plantId,
    scheduleVersion: version,
    computedAt: deps.clock.now().toISOString(),
    items: items.map(({ sortKey: _, ...rest }) => rest),
  };
}
