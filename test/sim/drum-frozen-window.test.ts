import { describe, expect, it } from 'vitest';
import { clockOf } from '../../sim/clock.ts';
import { DEFAULT_PLANT } from '../../sim/plant.ts';
import { drumbeatPolicy } from '../../sim/policies/drumbeat.ts';
import type { Job, Scenario } from '../../sim/scenario.ts';
import { simulate } from '../../sim/simulator.ts';

/**
 * The drum-only policy's frozen window on small hand-made scenarios (no failures, actual
 * times as given), read from the order in which the drum starts the orders. One shift,
 * 07:00–15:00, so sim minute t of day 1 is 07:00 + t; the window is 480 wall-clock minutes.
 */
const DAY = DEFAULT_PLANT.minutesPerDay;
const stationIds = DEFAULT_PLANT.stations.map((s) => s.id);

/** An order of `product` whose operations take the given planned and actual minutes (10 each when not given). */
function job(
  id: number,
  product: string,
  arrival: number,
  minutes: Record<string, { planned: number; actual?: number }>,
  requestedDay?: number,
): Job {
  const routing = DEFAULT_PLANT.products.find((p) => p.id === product)!.routing;
  const ops = routing.map((r) => {
    const m = minutes[r.station] ?? { planned: 10 };
    return { station: stationIds.indexOf(r.station), planned: m.planned, actual: m.actual ?? m.planned };
  });
  const drumOp = routing.findIndex((r) => r.station === DEFAULT_PLANT.drum);
  return {
    id,
    product,
    quantity: 1,
    arrival,
    requestedDue: requestedDay === undefined ? undefined : requestedDay * DAY,
    ops,
    drumOp,
    drumLoad: ops[drumOp]!.planned,
    workContent: ops.reduce((s, o) => s + o.planned, 0),
  };
}

/** The ids of the orders in the order the drum started them. */
function drumSequence(jobs: Job[], frozenWindowMinutes: number): number[] {
  const scenario: Scenario = {
    plant: DEFAULT_PLANT,
    stationIds,
    drum: stationIds.indexOf(DEFAULT_PLANT.drum),
    jobs,
    breakdowns: stationIds.map(() => []),
    warmup: 0,
    measureEnd: jobs.at(-1)!.arrival + 1,
    horizon: 20 * DAY,
    clock: clockOf(DEFAULT_PLANT, stationIds),
  };
  const policy = drumbeatPolicy({
    buffers: { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 0 },
    calendar: DEFAULT_PLANT.calendar,
    minutesPerDay: DAY,
    frozenWindowMinutes,
  });
  const run = simulate(scenario, policy);
  expect(run.truncated).toBe(false);
  for (const o of run.orders) expect(o.drumStart).toBeDefined();
  return [...run.orders].sort((a, b) => a.drumStart! - b.drumStart!).map((o) => o.job.id);
}

describe("the drum-only policy's frozen window is the service's", () => {
  // X is on the drum until 301; A (promised day 10) waits at the drum behind it; C, as soon as possible, arrives at 50.
  const resequenced = [
    job(0, 'shaft', 1, { mill: { planned: 300 } }),
    job(1, 'shaft', 2, { mill: { planned: 100 } }, 10),
    job(2, 'shaft', 50, { mill: { planned: 100 } }),
  ];

  it('keeps an order waiting at the drum inside the window ahead of a later, more urgent order', () => {
    // At C's quote A waits at the drum and is planned to start at 12:50, inside 07:50 + 480: frozen.
    expect(drumSequence(resequenced, 480)).toEqual([0, 1, 2]);
  });

  it('without a window the more urgent order passes (the scenario above does re-sequence)', () => {
    expect(drumSequence(resequenced, 0)).toEqual([0, 2, 1]);
  });

  it('freezes no order behind one still upstream, even one waiting at the drum inside the window', () => {
    // B (as soon as possible) is still at the saw until 332, so the walk stops at B: A, planned at 13:30 behind it and
    // waiting at the drum, stays free and C, more urgent, passes it when X finishes at 301 (B, at the drum at 352, too).
    const jobs = [
      job(0, 'shaft', 1, { mill: { planned: 300 } }),
      job(1, 'frame', 2, { saw: { planned: 15, actual: 330 }, mill: { planned: 40 } }),
      job(2, 'shaft', 3, { mill: { planned: 100 } }, 10),
      job(3, 'shaft', 50, { mill: { planned: 100 } }),
    ];
    expect(drumSequence(jobs, 480)).toEqual([0, 3, 1, 2]);
  });

  it('keeps a frozen order frozen through the shift report, where nothing starts inside the window', () => {
    // A is frozen at D's quote (10). X runs over into day 2; at the report (15:00) the window ends at 23:00 and
    // nothing starts in it, so a freeze recomputed there would free A, and D (more urgent, frozen at E's quote on
    // day 2) would pass it.
    const jobs = [
      job(0, 'shaft', 1, { mill: { planned: 300, actual: 700 } }),
      job(1, 'shaft', 2, { mill: { planned: 100 } }, 10),
      job(2, 'shaft', 10, { mill: { planned: 100 } }),
      job(3, 'shaft', DAY + 20, { mill: { planned: 100 } }),
    ];
    expect(drumSequence(jobs, 480)).toEqual([0, 1, 2, 3]);
    // Without a window E, as soon as possible, passes A too.
    expect(drumSequence(jobs, 0)).toEqual([0, 2, 3, 1]);
  });
});
