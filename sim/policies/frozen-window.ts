import type { Minute } from '../../src/engine/index.ts';

/** What the frozen-window rule reads of one order in the drum plan (a RouteBook's PlannedDrumOrder has it). */
interface FreezeCandidate {
  id: string;
  /** Drum minutes left. */
  load: number;
  pinned: boolean;
  /** When its work before the drum is done (its release without such work); after now while it is still upstream. */
  ready: Minute;
  start: Minute;
}

/** A drum plan from now in sequence order, up to the first order starting at or after `until` (RouteBook.drumPlan). */
interface DrumPlanSource {
  drumPlan(now: Minute, until: Minute): Iterable<FreezeCandidate>;
}

/**
 * The orders the service's next write freezes (src/domain/schedule/frozen-window.ts,
 * enteringFrozenWindow), mirrored because the service's function reads a PlantState, which
 * the simulator does not build; both Drumbeat policies call this one. Walking the drum plan
 * past the orders already pinned, an order with drum work left is frozen while it is ready
 * by now and planned to start inside the window; the walk stops at the first that is not.
 * test/sim/frozen-window.test.ts checks it against the service's withFrozenWindow on the
 * simulated books.
 */
export function enteringFrozenWindow(plan: DrumPlanSource, now: Minute, windowMinutes: number): string[] {
  if (windowMinutes <= 0) return [];
  const horizon = now + windowMinutes;
  const entering: string[] = [];
  for (const s of plan.drumPlan(now, horizon)) {
    if (s.pinned || s.load === 0) continue;
    if (s.ready > now || s.start >= horizon) break;
    entering.push(s.id);
  }
  return entering;
}
