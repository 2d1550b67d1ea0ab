import type { RoutePlan } from '../../engine/index.ts';

/**
 * The rope read off an order's published route plan (design note whole-route.md §7): the
 * stored planned release, where its first operation starts and where its last one ends.
 * Pure, O(route length).
 */
export interface RopeView {
  /** The rope instant (minute): stored at commit; for a legacy order without one, `legacy()`. */
  plannedRelease: number;
  /** End of the last planned operation (minute); not finite when a calendar has no room. */
  projectedFinish: number;
  /** Wall-clock minutes from the planned release to the first operation's start (≥ 0); null when it has no finite start. */
  queueMinutes: number | null;
  /** The drum operation's start (minute) and its remaining minutes (merged drum ops summed). */
  drumStart: number;
  drumMinutes: number;
}

/**
 * `legacy` gives the release of an order promised before whole-route planning (no stored
 * planned release): the old rule, drum start − ⌈PB/2⌉ working days (engine/buffer-days.ts).
 */
export function ropeOf(plan: RoutePlan, drumId: string, legacy: () => number): RopeView {
  const plannedRelease = plan.plannedRelease ?? legacy();
  const ops = plan.operations;
  const first = ops[0]?.start ?? plannedRelease;
  const drum = ops.filter((op) => op.resource === drumId);
  const working = drum.find((op) => op.minutes > 0) ?? drum[0];
  return {
    plannedRelease,
    projectedFinish: ops.at(-1)?.end ?? plan.ready,
    queueMinutes: Number.isFinite(first) ? Math.max(0, first - plannedRelease) : null,
    drumStart: working?.start ?? first,
    drumMinutes: drum.reduce((sum, op) => sum + op.minutes, 0),
  };
}
