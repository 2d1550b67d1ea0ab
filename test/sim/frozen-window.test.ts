import { afterEach, describe, expect, it, vi } from 'vitest';
import { RouteBook } from '../../src/engine/index.ts';
import { withFrozenWindow } from '../../src/domain/schedule/frozen-window.ts';
import { PlantState } from '../../src/domain/schedule/plant-cache.ts';
import type { PlantConfig } from '../../src/domain/schedule/plant-config.ts';
import { routeBuffersFromRouting } from '../../sim/buffer-sizing.ts';
import { DEFAULT_PLANT } from '../../sim/plant.ts';
import { drumbeatRoutePolicy } from '../../sim/policies/drumbeat-route.ts';
import { enteringFrozenWindow } from '../../sim/policies/frozen-window.ts';
import { generateScenario } from '../../sim/scenario.ts';
import { simulate } from '../../sim/simulator.ts';

const WINDOW = 480;

/** The orders the service's withFrozenWindow pins on this book at `now`, in rank order (the overlay is undone after). */
function serviceFreezes(route: RouteBook, now: number): string[] {
  const config = { policy: { frozenWindowMinutes: WINDOW } } as unknown as PlantConfig;
  const state = new PlantState(config, null, null, route, 7);
  const before = new Set(
    route
      .orders()
      .filter((o) => o.pinned)
      .map((o) => o.id),
  );
  return withFrozenWindow(state, now, () =>
    route
      .orders()
      .filter((o) => o.pinned && !before.has(o.id))
      .sort((a, b) => (a.pinRank ?? 0) - (b.pinRank ?? 0))
      .map((o) => o.id),
  );
}

describe("the simulator's frozen window is the service's", () => {
  afterEach(() => vi.restoreAllMocks());

  it('freezes exactly the orders the service would, at every quote and shift report of a simulated run', () => {
    let compared = 0;
    let frozen = 0;
    const mismatches: { now: number; sim: string[]; service: string[] }[] = [];
    let inside = false;
    const plan = RouteBook.prototype.drumPlan;
    vi.spyOn(RouteBook.prototype, 'drumPlan').mockImplementation(function (this: RouteBook, now, until) {
      // The policy asks for the window's plan only to freeze: compare both rules on this very book, then answer.
      if (!inside && until === now + WINDOW) {
        inside = true;
        try {
          const sim = enteringFrozenWindow(this, now, WINDOW);
          const service = serviceFreezes(this, now);
          compared++;
          frozen += sim.length;
          if (sim.join() !== service.join()) mismatches.push({ now, sim, service });
        } finally {
          inside = false;
        }
      }
      return plan.call(this, now, until);
    });
    const policy = drumbeatRoutePolicy({
      buffers: { productionBufferDays: 3, shippingBufferDays: 1, standardLeadTimeDays: 0 },
      productBuffers: routeBuffersFromRouting(DEFAULT_PLANT, 1),
      calendar: DEFAULT_PLANT.calendar,
      minutesPerDay: DEFAULT_PLANT.minutesPerDay,
      stations: DEFAULT_PLANT.stations.map((s) => s.id),
      drum: DEFAULT_PLANT.drum,
      frozenWindowMinutes: WINDOW,
      bufferManagement: true,
    });
    simulate(
      generateScenario(DEFAULT_PLANT, { seed: 20261130, replication: 0, load: 0.9, warmupDays: 10, measureDays: 30, tailDays: 10 }),
      policy,
    );
    expect(compared).toBeGreaterThan(100);
    expect(frozen).toBeGreaterThan(0);
    expect(mismatches).toEqual([]);
  });
});
