import type { RouteTick, StoredRouteOrder } from '../../engine/index.ts';
import { DEFAULT_PLANNING_HORIZON_DAYS } from '../planning-horizon.ts';
import type { PlantState } from './plant-cache.ts';
import { TICK_STEP_MINUTES } from './tick-step.ts';
import { timePassingDue } from './time-due.ts';
import { fromMinute, operationRows } from './route-state.ts';
import type { WriteContext } from './write-context.ts';

/** RouteBook.tick finds the overdue work itself (null when there is none): no tickDue scan first. */
function tickOn(state: PlantState, nowMinute: number): RouteTick | null {
  const route = state.route;
  if (!route) return null;
  return route.tick(nowMinute, nowMinute + TICK_STEP_MINUTES, nowMinute + DEFAULT_PLANNING_HORIZON_DAYS * 1440);
}

/**
 * A read answered as the next write would see the plan: time passing applied first (as
 * every write applies it, see tickOverdueWork), then undone. Synchronous, so no other work
 * sees the overlay; O(log n) when nothing is overdue.
 */
export function withTimePassed<T>(state: PlantState, nowMinute: number, read: () => T): T {
  if (!timePassingDue(state, nowMinute)) return read();
  const cp = state.checkpoint();
  try {
    tickOn(state, nowMinute);
    return read();
  } finally {
    state.rollback(cp);
  }
}

/**
 * withTimePassed for a read that awaits midway (a capacity preview reads rows between engine
 * steps): the state itself when time passing moves nothing at `nowMinute`, else a copy with
 * it applied. An overlay on the shared state cannot be held across awaits (other reads would
 * see it); the copy costs O(n), and only after time passed with no write since.
 */
export function timePassedCopy(state: PlantState, nowMinute: number): PlantState {
  if (!timePassingDue(state, nowMinute)) return state;
  const copy = state.fork();
  tickOn(copy, nowMinute);
  return copy;
}

/**
 * Time passing as a write (design note §8.2), run first by every schedule write and by the
 * background sweep: unreleased orders whose planned work should already have started are
 * held back (their work and what waits behind it moves later, RouteBook.tick); orders it
 * makes miss their promise are reported at risk in the same version. Nothing is refused:
 * time passing is a fact. Persists and emits only when a plan moved.
 */
export async function tickOverdueWork(ctx: WriteContext): Promise<void> {
  const t = tickOn(ctx.state, ctx.nowMinute);
  if (!t) return;
  for (const rec of t.changed) await persistTicked(ctx, rec);
  ctx.emit({
    type: 'schedule.time-passed',
    data: {
      overdueOrderIds: t.overdue,
      movedOrderIds: t.changed.map((o) => o.id),
      atRisk: t.atRisk.map((r) => ({
        orderId: r.id,
        projectedFinish: Number.isFinite(r.projectedFinish) ? fromMinute(r.projectedFinish).toISOString() : null,
      })),
      bufferConsumed: t.bufferConsumed,
      notBefore: fromMinute(ctx.nowMinute + TICK_STEP_MINUTES).toISOString(),
    },
  });
}

/** An order as the tick left it: its row (through the write path, which re-applies it) and its planned intervals. */
export async function persistTicked(ctx: WriteContext, rec: StoredRouteOrder) {
  await ctx.orders.update(rec.id, {
    ready_at: fromMinute(rec.ready),
    drum_key: rec.key,
    effective_deadline: rec.effectiveDeadline === undefined ? null : deadlineColumn(rec.effectiveDeadline),
    ...(rec.pinned ? {} : { pinned: false, pin_rank: null }),
  });
  ctx.operations.replace(rec.id, operationRows(rec.id, rec.ops));
}

/** At risk with no finish within reach (no capacity left on a calendar): a deadline that constrains nothing. */
const NO_DATE = new Date('9999-12-31T00:00:00Z');
const deadlineColumn = (m: number) => (Number.isFinite(m) ? fromMinute(m) : NO_DATE);
