import { afterEach, describe, expect, it, vi } from 'vitest';
import { RouteBook, type StoredRouteOrder } from '../../src/engine/index.ts';
import { DEFAULT_PLANT } from '../../sim/plant.ts';
import { drumbeatRoutePolicy } from '../../sim/policies/drumbeat-route.ts';
import { routeBuffersFromRouting } from '../../sim/buffer-sizing.ts';
import { generateScenario } from '../../sim/scenario.ts';
import { simulate } from '../../sim/simulator.ts';
import { runPolicy, scenariosFor } from '../../sim/experiment.ts';

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

  // Defect (medium): sim/policies/drumbeat-route.ts `report` freezes every order whose planned
  // drum start falls inside the frozen window (`route.drumPlan(now, now + window)`, only
  // `load > 0` checked). The service (src/domain/schedule/frozen-window.ts, enteringFrozenWindow)
  // freezes only a prefix of orders READY BY NOW (ready ≤ now) and stops at the first one still
  // waiting for upstream work or its release: "pinning a not-ready order would hold the drum for
  // it". So the headline rows run a frozen window the service does not run (docs/simulation.md,
  // "Engine integration notes": "the frozen window pinned from drumPlan", "exactly as the
  // service calls it").
  // Measured (probe, not committed: the service's prefix rule in the policy, test seed × 8 at
  // 90 %, 4 d protection, on main): quote 11.92 → 11.71 days, kept 98.47 → 98.32 %: small.
  // Expected: no order newly frozen while the drum plan says its ready time is after now.
  it.fails('never freezes an order that the drum plan says is not ready by the shift report', () => {
    const { frozen, notReady } = frozenWhileNotReady();
    expect(frozen).toBeGreaterThan(0);
    expect(notReady).toEqual([]);
  });
});

describe('review: docs/simulation.md reproduces on the merged code', () => {
  // Defect (high): the generated tables were produced on the sim3 branch (03ac211) before main's
  // engine changes (latekey, ledger: src/engine/route-book, route-drum) were merged with it
  // (d1ffea6). On the merged code the whole-route rows no longer reproduce, although the doc
  // says "the numbers below are reproduced exactly by npm run simulate". The drum-only and
  // comparator rows are unchanged (checked on replications 0–1). The disturbance grid's base
  // point, whole route (90 %, CV 0.3, 1 h repairs, exact standards, 4 d protection, test seed
  // 20261130 × 8, warm-up 120 d, 800 measured days) is printed as 99.4 % kept and 10.95 days
  // quoted; on main it is 98.47 % and 11.92 days. (The headline row, 20 replications, is
  // 98.48 ± 0.31 % on main against the printed 99.5 ± 0.3 %: the ≥ 99 % base target is missed.)
  // Expected: the printed numbers are what the code on main produces (re-run the study).
  it.fails(
    'the whole-route grid base point keeps the printed 99.4 % with the printed 10.95-day quote',
    () => {
      const scenarios = scenariosFor(
        { plant: DEFAULT_PLANT, seed: 20261130, replications: 8, warmupDays: 120, measureDays: 800, tailDays: 100 },
        0.9,
      );
      const r = runPolicy(scenarios, () => routePolicy(4)).summary;
      expect(r.onTimePct.mean.toFixed(1)).toBe('99.4');
      expect(r.meanQuotedLeadDays.mean.toFixed(2)).toBe('10.95');
    },
    300_000,
  );
});

describe('review: the whole-route policy quotes on the book the service would quote on', () => {
  afterEach(() => vi.restoreAllMocks());

  // Defect (medium): the service answers every quote as the next write would see the plan —
  // time passing first (src/domain/promising/quotes.ts: withTimePassed → RouteBook.tick), then
  // the frozen window — and every commit runs tickOverdueWork and freezeHead first
  // (schedule-writer). The simulated policy quotes and commits at each arrival on the book as
  // the last shift report left it: it ticks only at the end of the working day
  // (drumbeat-route.ts `report`), so between reports it quotes on plans whose unreleased work
  // should already have started (RouteBook.tickDue(now) true), which the service never does.
  // Expected: at every quote the policy makes, nothing is due for the tick.
  it.fails('never quotes while the tick is due (service: withTimePassed before every quote)', () => {
    let quotes = 0;
    let due = 0;
    const quote = RouteBook.prototype.quote;
    vi.spyOn(RouteBook.prototype, 'quote').mockImplementation(function (this: RouteBook, ...args: Parameters<RouteBook['quote']>) {
      quotes++;
      if (this.tickDue(args[0])) due++;
      return quote.apply(this, args);
    });
    simulate(scenario(), routePolicy());
    expect(quotes).toBeGreaterThan(0);
    expect({ due, quotes }).toEqual({ due: 0, quotes });
  });
});
