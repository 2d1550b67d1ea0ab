import type { WriteContext } from './write-context.ts';

/**
 * Orders whose planned drum start falls inside the plant's frozen window keep their place:
 * they are pinned at the head of the drum, in their current order, before any write of this
 * transaction can move them. Ranks grow with the schedule version, so orders frozen later
 * queue behind those frozen earlier. O(log n + orders in the window) per write when a window
 * is set (0 disables it).
 */
export async function freezeHead(ctx: WriteContext) {
  const { state, nowMinute } = ctx;
  const window = state.config.policy.frozenWindowMinutes;
  const route = state.route;
  if (window <= 0 || !route || route.size === 0) return;
  const horizon = nowMinute + window;
  // The plan every promise rests on (ready times included); starts never decrease along the
  // drum sequence, so the walk stops at the first order starting past the window.
  const entering = route
    .drumPlan(nowMinute, horizon)
    .filter((s) => !s.pinned && s.load > 0 && s.start < horizon)
    .map((s) => s.id);
  if (entering.length === 0) return;
  const rankBase = ctx.nextVersion * 100_000;
  for (const [i, id] of entering.entries()) await ctx.orders.update(id, { pinned: true, pin_rank: rankBase + i });
  ctx.emit({ type: 'schedule.frozen', data: { orderIds: entering, frozenWindowMinutes: window } });
}
