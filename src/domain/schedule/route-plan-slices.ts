import type { DrumPlanCursor, RouteBook, RoutePlan } from '../../engine/index.ts';
import { SLICE_SIZE, SLICED_TRIES, yieldToEventLoop } from '../event-loop-slices.ts';
import type { PlantState } from './plant-cache.ts';
import { withTimePassed } from './release-tick.ts';

/**
 * Every order's published plan, as route.plan(nowMinute) under time passing would give it,
 * a page at a time with a yield between pages, so the release list, GET …/plan and the
 * load report never block other requests for a whole O(n log m) plan (0.9–1.5 s at 100k).
 *
 * Each page is computed inside its own synchronous time-passing overlay at the same minute:
 * the tick is deterministic for a given state and minute, so pages from different overlays
 * agree with one plan of one overlay. A write while the walk yields (a new version, another
 * book, or the book's revision moved outside the overlay) restarts the walk; after
 * SLICED_TRIES restarts one unsliced plan answers, so a busy plant still gets a plan of a
 * single state, never a mix of two. Only of committed states: a write batch that took the
 * state while the walk yielded (its changes are not committed yet) restarts it too, and the
 * walk (or the unsliced plan) starts only once the batch is over.
 */
export async function routePlanInSlices(state: PlantState, route: RouteBook, nowMinute: number, size = SLICE_SIZE): Promise<RoutePlan[]> {
  for (let attempt = 0; attempt < SLICED_TRIES; attempt++) {
    await committed(state);
    const version = state.version;
    const out: RoutePlan[] = [];
    let after: DrumPlanCursor | undefined;
    for (;;) {
      if (state.route !== route) break;
      const page = withTimePassed(state, nowMinute, () => route.planPage(nowMinute, after, size));
      // Read after the overlay: its own tick and rollback move the revision too.
      const revision = route.revision;
      for (const p of page.plans) out.push(p);
      if (!page.next) return out;
      after = page.next;
      await yieldToEventLoop();
      if (state.pendingWrites() || state.version !== version || state.route !== route || route.revision !== revision) break;
    }
  }
  await committed(state);
  const current = state.route ?? route;
  return withTimePassed(state, nowMinute, () => current.plan(nowMinute));
}

/** Waits until no write batch has the state (no wait when none has). */
async function committed(state: PlantState) {
  for (let writes = state.pendingWrites(); writes; writes = state.pendingWrites()) await writes;
}
