import type { PlantState } from './plant-cache.ts';
import type { WriteContext } from './write-context.ts';

/** Rank of the i-th order frozen by the write that commits as `version`: later freezes queue behind. */
const frozenRank = (version: number, i: number) => version * 100_000 + i;

/**
 * The orders the next write will freeze: unpinned, with work left, planned to start on the
 * drum before now + the frozen window (ready times included). Starts never decrease along
 * the drum sequence, so the walk stops at the first order starting past the window:
 * O(log n + orders in the window).
 */
function enteringFrozenWindow(state: PlantState, nowMinute: number): string[] {
  const window = state.config.policy.frozenWindowMinutes;
  const route = state.route;
  if (window <= 0 || !route || route.size === 0) return [];
  const horizon = nowMinute + window;
  return route
    .drumPlan(nowMinute, horizon)
    .filter((s) => !s.pinned && s.load > 0 && s.start < horizon)
    .map((s) => s.id);
}

/**
 * A read answered as the next write would decide it: the frozen window applied first, as
 * every write applies it, then undone (design note §5.1, issue 12 item 9: a quote and a hold
 * at the same minute and version agree). Synchronous, so no other work sees the overlay.
 */
export function withFrozenWindow<T>(state: PlantState, nowMinute: number, read: () => T): T {
  const entering = enteringFrozenWindow(state, nowMinute);
  if (entering.length === 0) return read();
  const cp = state.checkpoint();
  try {
    entering.forEach((id, i) => state.pin(id, frozenRank(state.version + 1, i)));
    return read();
  } finally {
    state.rollback(cp);
  }
}

/**
 * Orders whose planned drum start falls inside the plant's frozen window keep their place:
 * they are pinned at the head of the drum, in their current order, before any write of this
 * transaction can move them. Ranks grow with the schedule version, so orders frozen later
 * queue behind those frozen earlier. O(log n + orders in the window) per write when a window
 * is set (0 disables it).
 */
export async function freezeHead(ctx: WriteContext) {
  const entering = enteringFrozenWindow(ctx.state, ctx.nowMinute);
  if (entering.length === 0) return;
  for (const [i, id] of entering.entries()) await ctx.orders.update(id, { pinned: true, pin_rank: frozenRank(ctx.nextVersion, i) });
  ctx.emit({ type: 'schedule.frozen', data: { orderIds: entering, frozenWindowMinutes: ctx.state.config.policy.frozenWindowMinutes } });
}
