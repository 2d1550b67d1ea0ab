import { afterEach, describe, expect, it, vi } from 'vitest';
import { RouteBook, type StoredRouteOrder } from '../../src/engine/index.ts';
import { DEFAULT_PLANT } from '../../sim/plant.ts';
import { drumbeatRoutePolicy } from '../../sim/policies/drumbeat-route.ts';
import { routeBuffersFromRouting } from '../../sim/buffer-sizing.ts';
import { generateScenario } from '../../sim/scenario.ts';
import { simulate } from '../../sim/simulator.ts';

// Review of issue 18 (docs/simulation.md): the whole-route policy is the study's headline
// because it "drives the service's RouteBook exactly as the service calls it". These tests
// compare its shift report with what the service does on the same book.

/** The study's whole-route policy (sim/study.ts drumbeatRouteMaker) at `protection` days. */
const routePolicy = (protection = 1) =>
  drumbeatRoutePolicy({
    buffers: { productionBufferDays: 3, shippingBufferDays: protection, standardLeadTimeDays: 0 },
    productBuffers: routeBuffersFromRouting(DEFAULT_PLANT, protection),
    calendar: DEFAULT_PLANT.calendar,
    minutesPerDay: DEFAULT_PLANT.minutesPerDay,
    stations: DEFAULT_PLANT.stations.map((s) => s.id),
    drum: DEFAULT_PLANT.drum,
    frozenWindowMinutes: 480,
    bufferManagement: true,
  });

const scenario = () =>
  generateScenario(DEFAULT_PLANT, { seed: 20261130, replication: 0, load: 0.9, warmupDays: 10, measureDays: 30, tailDays: 10 });

/**
 * Orders the policy newly freezes (pin rank ≥ 1; the in-progress rank is −1) while the drum
 * plan it read at that shift report said they were not ready by now (the service's test).
 */
function frozenWhileNotReady(): { frozen: number; notReady: { now: number; id: string; ready: number }[] } {
  let now = -Infinity;
  let waiting = new Map<string, number>();
  let frozen = 0;
  const notReady: { now: number; id: string; ready: number }[] = [];
  const plan = RouteBook.prototype.drumPlan;
  vi.spyOn(RouteBook.prototype, 'drumPlan').mockImplementation(function (this: RouteBook, at, until) {
    const out = plan.call(this, at, until);
    now = at;
    waiting = new Map(out.filter((d) => !d.pinned && d.load > 0 && d.ready > at).map((d) => [d.id, d.ready]));
    return out;
  });
  const upsert = RouteBook.prototype.upsert;
  vi.spyOn(RouteBook.prototype, 'upsert').mockImplementation(function (this: RouteBook, rec: StoredRouteOrder) {
    const before = this.get(rec.id);
    if (rec.pinned && (rec.pinRank ?? 0) >= 1 && !before?.pinned) {
      frozen++;
      const ready = waiting.get(rec.id);
      if (ready !== undefined) notReady.push({ now, id: rec.id, ready });
    }
    return upsert.call(this, rec);
  });
  simulate(scenario(), routePolicy());
  return { frozen, notReady };
}

describe('review: the whole-route policy freezes the drum as the service does', () => {
  afterEach(() => vi.restoreAllMocks());

  // Found in review (medium), fixed: the policy froze every order planned to start on the drum
  // within the window, ready or not; the service (src/domain/schedule/frozen-window.ts,
  // enteringFrozenWindow) freezes only a prefix of orders ready by now and never unpins them.
  // The policy now uses the same rule (sim/policies/frozen-window.ts; test/sim/frozen-window.test.ts
  // checks it against the service's withFrozenWindow).
  it('never freezes an order that the drum plan says is not ready by the shift report', () => {
    const { frozen, notReady } = frozenWhileNotReady();
    expect(frozen).toBeGreaterThan(0);
    expect(notReady).toEqual([]);
  });
});

// The review's test that docs/simulation.md reproduces on the merged code pinned the old printed
// numbers of the full study (minutes to run); it is replaced by test/sim/simulation-doc.test.ts,
// which re-runs the small fixed configuration the study prints beside its tables.

describe('review: the whole-route policy quotes on the book the service would quote on', () => {
  afterEach(() => vi.restoreAllMocks());

  // Found in review (medium), fixed: the service answers every quote as the next write would see
  // the plan (src/domain/promising/quotes.ts: withTimePassed → RouteBook.tick, then the frozen
  // window), and every write ticks and freezes first; the policy quoted on the book as the last
  // shift report left it. It now ticks and freezes before every quote and commit.
  it('never quotes while the tick is due (service: withTimePassed before every quote)', () => {
    let quotes = 0;
    let due = 0;
    const quote = RouteBook.prototype.quote;
    vi.spyOn(RouteBook.prototype, 'quote').mockImplementation(function (this: RouteBook, ...args: Parameters<RouteBook['quote']>) {
      quotes++;
      // As the service asks it (release-tick.ts withTimePassed): due within the tick's 30-minute step.
      if (this.tickDue(args[0], args[0] + 30)) due++;
      return quote.apply(this, args);
    });
    simulate(scenario(), routePolicy());
    expect(quotes).toBeGreaterThan(0);
    expect({ due, quotes }).toEqual({ due: 0, quotes });
  });
});
