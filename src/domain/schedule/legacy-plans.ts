import { committedOrdersByIds } from '../../db/repos/orders.ts';
import { DomainError } from '../errors.ts';
import { engineOf, storedDemand } from '../promising/evaluate.ts';
import { persistPlan, planColumns, recommitRoute } from '../promising/reserve.ts';
import type { PlantState } from './plant-cache.ts';
import { drumOpsConsecutive, routeSteps } from './route-state.ts';
import type { WriteContext } from './write-context.ts';

/** Plant states already looked at (a state is per process and per build: a new build looks again). */
const checked = new WeakSet<PlantState>();

/**
 * Orders committed before whole-route planning (design note whole-route.md §9) have no
 * stored plan: no planned release and no reservation off the drum, so their work on the
 * other resources is invisible to every later quote. The first write of a plant state
 * plans them, in drum sequence (earliest deadline first, so earlier deadlines get non-drum
 * capacity first), each at its own promise through the re-promise rule (a released order
 * keeps its release; its work before the drum is planned from now). An order whose
 * promise no whole-route plan keeps is left as it was (drum-only) and named in the event:
 * nothing is re-promised silently. Orders on the drum (in progress) keep drum-only
 * treatment: their work before the drum is done. Idempotent: a planned order has a
 * planned release and is never looked at again. O(n) once per state build, plus a commit
 * per legacy order.
 */
export async function planLegacyOrders(ctx: WriteContext): Promise<void> {
  const state = ctx.state;
  if (checked.has(state) || !state.route) return;
  checked.add(state);
  const { route } = engineOf(state);
  const legacy = route
    .orders()
    .filter((o) => o.plannedRelease === null && !o.pinned)
    .map((o) => o.id);
  if (legacy.length === 0) return;
  const rows = await committedOrdersByIds(ctx.tx, state.config.plantId, legacy);
  const planned: string[] = [];
  const unplannable: string[] = [];
  for (const id of legacy) {
    const row = rows.get(id);
    const routing = row ? state.config.products.get(row.sku)?.routing : undefined;
    if (!row || !routing || !drumOpsConsecutive(routing, route.drumId)) {
      unplannable.push(id);
      continue;
    }
    const d = { ...storedDemand(state, row), steps: routeSteps(routing, route.drumId, row.quantity, row.drum_load_minutes) };
    const cp = state.checkpoint();
    try {
      const { plan } = recommitRoute(ctx, row, d, row.promise_date, `Order ${id}`);
      state.release(cp);
      await ctx.orders.update(id, planColumns(plan));
      await persistPlan(ctx, id, plan);
      planned.push(id);
    } catch (e) {
      state.rollback(cp);
      if (!(e instanceof DomainError)) throw e;
      unplannable.push(id);
    }
  }
  // Orders left drum-only are named each time a state is built and finds them (at start, after a rule change): they are at risk.
  ctx.emit({ type: 'schedule.legacy-planned', data: { plannedOrderIds: planned, unplannableOrderIds: unplannable } });
}
