import type { Minute, RouteBook } from '../../src/engine/index.ts';

/**
 * The orders the service's next write freezes (src/domain/schedule/frozen-window.ts,
 * enteringFrozenWindow), mirrored because the service's function reads a PlantState, which
 * the simulator does not build: walking the drum plan past the orders already pinned, an
 * order with drum work left is frozen while it is ready by now and planned to start inside
 * the window; the walk stops at the first that is not. test/sim/frozen-window.test.ts checks
 * it against the service's withFrozenWindow on the simulated books.
 */
export function enteringFrozenWindow(route: RouteBook, now: Minute, windowMinutes: number): string[] {
  if (windowMinutes <= 0 || route.size === 0) return [];
  const horizon = now + windowMinutes;
  const entering: string[] = [];
  for (const s of route.drumPlan(now, horizon)) {
    if (s.pinned || s.load === 0) continue;
    if (s.ready > now || s.start >= horizon) break;
    entering.push(s.id);
  }
  return entering;
}
