import type { OrderStatus } from '../../db/database.ts';
import { committedOrdersByIds } from '../../db/repos/orders.ts';
import type { RoutePlan } from '../../engine/index.ts';
import { drumDeadlineFor, endOfLocalDate } from '../../engine/index.ts';
import type { Actor } from '../actor.ts';
import { notFound } from '../errors.ts';
import { fromMinute, toMinute } from '../schedule/plant-cache.ts';
import type { ScheduleDeps } from '../schedule/schedule-writer.ts';
import { engineOf } from './evaluate.ts';
import { findOrderFor } from './order-access.ts';
import { readState } from './read-state.ts';
import { withTimePassed } from '../schedule/release-tick.ts';
import { routePlanInSlices } from '../schedule/route-plan-slices.ts';

const iso = (m: number | null) => (m === null || !Number.isFinite(m) ? null : fromMinute(m).toISOString());

export interface PlanRow {
  id: string;
  status: OrderStatus;
  promise_date: string;
  shipping_buffer_days: number;
  material_available_at: Date | null;
  released_at: Date | null;
}

/** One order's published plan (design note §4): an interval per operation on its resource's own calendar. */
function view(p: RoutePlan, row: PlanRow, wt: Parameters<typeof drumDeadlineFor>[0]) {
  const shipReadyBy = drumDeadlineFor(wt, row.promise_date, row.shipping_buffer_days);
  const due = endOfLocalDate(wt, row.promise_date);
  // Where the plan ends: its last operation, or the drum's finish when the drum is late (D̂ is its projected finish).
  const finish = Math.max(p.operations.at(-1)?.end ?? p.ready, p.late ? Infinity : -Infinity);
  return {
    orderId: p.id,
    status: row.status,
    promiseDate: row.promise_date,
    shippingBufferDays: row.shipping_buffer_days,
    materialAvailableAt: row.material_available_at?.toISOString() ?? null,
    plannedRelease: iso(p.plannedRelease),
    releasedAt: row.released_at?.toISOString() ?? null,
    ready: iso(p.ready),
    drumDeadline: iso(p.drumDeadline),
    shipReadyBy: fromMinute(shipReadyBy).toISOString(),
    due: fromMinute(due).toISOString(),
    late: finish > due,
    bufferConsumed: finish > shipReadyBy && finish <= due,
    operations: p.operations.map((op) => ({
      position: op.position,
      resource: op.resource,
      minutes: op.minutes,
      start: iso(op.start)!,
      end: iso(op.end),
    })),
  };
}

export async function getOrderPlan(deps: ScheduleDeps, plantId: string, actor: Actor, id: string) {
  const now = deps.clock.now();
  const row = await findOrderFor(deps.db, plantId, id, actor);
  const state = await readState(deps, plantId, now);
  const { route, wt } = engineOf(state);
  const plan = withTimePassed(state, toMinute(now), () => route.planOf(toMinute(now), id));
  if (!plan) throw notFound(`A plan for order "${id}" (it is ${row.status}; only open orders have one)`);
  return { ...view(plan, row, wt), scheduleVersion: state.version };
}

/** Every open order's plan, in drum sequence: the timeline of every resource (computed in pages that yield). */
export async function getPlantPlan(deps: ScheduleDeps, plantId: string) {
  const now = deps.clock.now();
  const state = await readState(deps, plantId, now);
  const { route, wt } = engineOf(state);
  const plans = await routePlanInSlices(state, route, toMinute(now));
  const rows = await committedOrdersByIds(
    deps.db,
    plantId,
    plans.map((p) => p.id),
  );
  return {
    scheduleVersion: state.version,
    orders: plans.flatMap((p) => {
      const row = rows.get(p.id);
      return row ? [view(p, row, wt)] : [];
    }),
  };
}
