import type { PlantState } from './plant-cache.ts';
import type { WriteContext } from './write-context.ts';

/** Rank of the i-th order frozen by the write that commits as `version`: later freezes queue behind. */
const frozenRank = (version: number, i: number) => version * 100_000 + i;

/**
 * The orders the next write will freeze (design note §3.3: only orders on the drum's doorstep
 * are pinned). The rule: walking the drum sequence after the orders already pinned, each
 * order with work left is frozen while it is READY BY NOW (its ready time ρ, the end of its
 * work before the drum, or its release without such work, is ≤ now) and its planned drum
 * start is before now + the frozen window. The walk stops at the first order that fails
 * either test: an order still waiting for upstream work (or for its release) is not frozen,
 * even when its planned drum start falls inside the window, and neither is any order behind
 * it, so freezing only ever pins a prefix of the sequence in its current order and moves no
 * planned drum start (pinning a not-ready order would hold the drum for it, and freezing an
 * order behind it would put it ahead). Such an order is frozen by the first write after its
 * ready time, while it still starts inside the window. Orders without drum work left are
 * passed over. Starts never decrease along the drum sequence: O(log n + orders in the window).
 */
function enteringFrozenWindow(state: PlantState, nowMinute: number): string[] {
  const window = state.config.policy.frozenWindowMinutes;
  const route = state.route;
  if (window <= 0 || !route || route.size === 0) return [];
  const horizon = nowMinute + window;
  const entering: string[] = [];
  for (const s of route.drumPlan(nowMinute, horizon)) {
    if (s.pinned || s.load === 0) continue;
    if (s.ready > nowMinute || s.start >= horizon) break;
    entering.push(s.id);
  }
  return entering;
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
 * Orders ready by now whose planned drum start falls inside the plant's frozen window keep
 * their place (enteringFrozenWindow has the exact rule): they are pinned at the head of the drum, in their current order, before any write of this
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
