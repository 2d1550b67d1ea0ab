import { atRiskOpenOrders } from '../../db/repos/at-risk.ts';
import type { RouteBook, RouteCommit } from '../../engine/index.ts';
import { DomainError } from '../errors.ts';
import { storedDemand } from '../promising/evaluate.ts';
import { recommitRoute, replanAtOwnPromise, storeAtEarliest } from '../promising/reserve.ts';
import { tickOverdueWork } from '../schedule/release-tick.ts';
import type { WriteContext } from '../schedule/write-context.ts';

/**
 * Capacity came back (an order cancelled, overtime added, a breakdown closed early, downtime
 * revoked): the orders at risk get it, in drum order. The right-shift repair and the tick only
 * ever move work later (design note §8.1–8.3); without this an order stayed late behind an idle
 * resource until a planner re-promised it.
 *
 * Each is planned again by the quote's rule on its stored demand, so every other order keeps
 * its plan: at its own promise when that holds; else, when the earliest date the schedule can
 * keep finishes its drum work earlier than its plan does now, at that date (its promise and
 * drum deadline kept, D̂ > D), and the tick then lowers D̂ to the drum finish and pulls the work
 * after the drum back, as after a breakdown: an order whose route now ends inside its promised
 * day (into its shipping buffer) is on track again. Otherwise it keeps its plan and its flag.
 * Pinned orders (on the drum, frozen) keep their place. The write path's at-risk review then
 * judges the orders moved, with `order.on-track`, in this write's version. Returns the orders
 * planned again. One indexed read when no order is at risk.
 */
export async function recoverAtRisk(ctx: WriteContext, what: string): Promise<string[]> {
  const route = ctx.state.route;
  if (!route) return [];
  const rows = (await atRiskOpenOrders(ctx.tx, ctx.state.config.plantId)).filter((r) => {
    const rec = route.get(r.id);
    return rec !== undefined && !rec.pinned;
  });
  rows.sort((a, b) => route.get(a.id)!.key - route.get(b.id)!.key || (a.id < b.id ? -1 : 1));
  const moved: string[] = [];
  for (const row of rows) {
    const d = storedDemand(ctx.state, row);
    const was = drumFinish(route, ctx.nowMinute, row.id);
    const r = await replanAtOwnPromise(ctx, row, d, what);
    if ('plan' in r) {
      moved.push(row.id);
      continue;
    }
    if (r.earliest === null) continue;
    // Kept only when its drum work then ends earlier than it does now.
    const cp = ctx.state.checkpoint();
    let plan: RouteCommit | null = null;
    try {
      plan = recommitRoute(ctx, row, d, r.earliest, what).plan;
    } catch (error) {
      if (!(error instanceof DomainError)) {
        ctx.state.rollback(cp);
        throw error;
      }
    }
    if (plan === null || !(drumFinish(route, ctx.nowMinute, row.id) < was)) {
      ctx.state.rollback(cp);
      continue;
    }
    ctx.state.release(cp);
    await storeAtEarliest(ctx, row, plan);
    moved.push(row.id);
  }
  if (moved.length > 0) await tickOverdueWork(ctx);
  return moved;
}

/** The end of the order's drum work in its plan (Infinity: none within reach). */
function drumFinish(route: RouteBook, nowMinute: number, id: string): number {
  const ops = route.planOf(nowMinute, id)?.operations.filter((op) => op.resource === route.drumId) ?? [];
  return ops.length === 0 ? Infinity : Math.max(...ops.map((op) => op.end));
}
