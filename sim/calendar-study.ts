import { routeBuffersFromRouting, buffersFromRouting } from './buffer-sizing.ts';
import { clockOf } from './clock.ts';
import { type ExperimentConfig, type PolicyResult, runPolicy, scenariosFor } from './experiment.ts';
import type { PlantSpec } from './plant.ts';
import { drumbeatRoutePolicy } from './policies/drumbeat-route.ts';
import { drumbeatPolicy } from './policies/drumbeat.ts';
import { loadAwarePolicy } from './policies/load-aware.ts';
import { DRUMBEAT, DRUMBEAT_ROUTE, type GridRow, type GridSettings, type ResultRow, withDisturbance } from './study.ts';
import type { Scenario } from './scenario.ts';
import { simulate } from './simulator.ts';
import { tuneToOnTime } from './tuning.ts';

/**
 * The plant whose work centres keep different calendars (sim/plant.ts CALENDAR_PLANT), run
 * on the wall clock through the engine's working time of each centre. A smaller protocol
 * than the main study's, stated where it is reported: one load, a fixed warm-up, Drumbeat's
 * protection (0–2 days) and the load-aware rule's k tuned to the main target on the
 * training seed, then Drumbeat with DBM (drum-only engine), the same on the whole-route
 * engine (each resource's own calendar in the RouteBook) and the load-aware rule on the
 * test seed.
 */
export interface CalendarStudySettings {
  plant: PlantSpec;
  load: number;
  trainSeed: number;
  testSeed: number;
  trainReplications: number;
  testReplications: number;
  warmupDays: number;
  measureDays: number;
  tailDays: number;
  mainTarget: number;
  protections: number[];
  frozenWindowMinutes: number;
  /** The disturbance grid at this load (test seed, nothing re-tuned); the base point's CV, repairs and optimism are the plant's. */
  grid: Omit<GridSettings, 'loads'>;
}

export interface CalendarStudyResult {
  settings: CalendarStudySettings;
  protection: number;
  loadAwareK: number;
  rows: ResultRow[];
  grid: GridRow[];
  /** Test replications in which the whole-route policy stopped on an engine error, with the first message (its row is then left out). */
  routeFailures: { count: number; first: string } | null;
}

export function runCalendarStudy(c: CalendarStudySettings, log: (line: string) => void = () => {}): CalendarStudyResult {
  if (c.trainSeed === c.testSeed) throw new RangeError('the training and test seeds must differ');
  const plant = c.plant;
  const clock = clockOf(
    plant,
    plant.stations.map((s) => s.id),
  );
  const base: Omit<ExperimentConfig, 'seed' | 'replications'> = {
    plant,
    warmupDays: c.warmupDays,
    measureDays: c.measureDays,
    tailDays: c.tailDays,
  };
  const train = scenariosFor({ ...base, seed: c.trainSeed, replications: c.trainReplications }, c.load);
  const test = scenariosFor({ ...base, seed: c.testSeed, replications: c.testReplications }, c.load);
  const plantBuffers = { productionBufferDays: 3, shippingBufferDays: 3, standardLeadTimeDays: 3 };
  const drumOnly =
    (p: number, dbm: boolean, at: PlantSpec = plant) =>
    () =>
      drumbeatPolicy({
        buffers: plantBuffers,
        productBuffers: buffersFromRouting(at, p),
        calendar: plant.calendar,
        minutesPerDay: plant.minutesPerDay,
        frozenWindowMinutes: c.frozenWindowMinutes,
        bufferManagement: dbm,
        clock,
      });
  let protection = c.protections[c.protections.length - 1]!;
  for (const p of c.protections) {
    if (runPolicy(train, drumOnly(p, false)).summary.onTimePct.mean >= c.mainTarget) {
      protection = p;
      break;
    }
  }
  const tuned = tuneToOnTime(train, (k) => loadAwarePolicy(k), { targetPct: c.mainTarget, lo: 0, hi: 8, tolerance: 0.1, maxHi: 64 });
  log(`  calendar plant: protection ${protection} d, load-aware k ${tuned.k.toFixed(2)}`);
  const row = (r: Omit<ResultRow, 'load' | 'headline' | 'target'>, target: number | null): ResultRow => ({
    load: c.load,
    headline: true,
    target,
    ...r,
  });
  const routeMaker =
    (at: PlantSpec = plant) =>
    () =>
      drumbeatRoutePolicy({
        buffers: { productionBufferDays: 3, shippingBufferDays: protection, standardLeadTimeDays: 0 },
        productBuffers: routeBuffersFromRouting(at, protection),
        calendar: plant.calendar,
        minutesPerDay: plant.minutesPerDay,
        stations: plant.stations.map((s) => s.id),
        drum: plant.drum,
        frozenWindowMinutes: c.frozenWindowMinutes,
        bufferManagement: true,
        ...(plant.stationCalendars ? { stationCalendars: plant.stationCalendars } : {}),
        clock,
      });
  // The whole-route policy may stop on an engine error (no room within the planning horizon): reported, not hidden.
  const failuresOf = (scenarios: readonly Scenario[], make: () => ReturnType<ReturnType<typeof routeMaker>>) => {
    const messages: string[] = [];
    for (const sc of scenarios) {
      try {
        simulate(sc, make());
      } catch (e) {
        messages.push(e instanceof Error ? e.message : String(e));
      }
    }
    return messages;
  };
  const messages = failuresOf(test, routeMaker());
  const routeFailures = messages.length > 0 ? { count: messages.length, first: messages[0]! } : null;
  const rows: ResultRow[] = [
    row(
      {
        policy: DRUMBEAT,
        kind: 'drumbeat',
        parameter: `${protection} d protection (tuned), DBM from there`,
        result: runPolicy(test, drumOnly(protection, true)),
      },
      c.mainTarget,
    ),
    row(
      {
        policy: 'Load-aware',
        kind: 'load-aware',
        parameter: `k = ${tuned.k.toFixed(2)} days${tuned.reached ? '' : ' (target not reached)'}`,
        result: runPolicy(test, () => loadAwarePolicy(tuned.k)),
      },
      c.mainTarget,
    ),
  ];
  if (!routeFailures) {
    rows.splice(1, 0, {
      load: c.load,
      headline: true,
      target: null,
      policy: DRUMBEAT_ROUTE,
      kind: 'drumbeat',
      parameter: `whole-route RouteBook on each centre's calendar, route buffers with ${protection} d protection, DBM (not tuned)`,
      result: runPolicy(test, routeMaker()),
    });
  }
  // The disturbance grid at this load, on the test seed, nothing re-tuned (as the main study's grid).
  const grid: GridRow[] = [];
  for (const cv of c.grid.processingCvs)
    for (const repair of c.grid.repairMinutes)
      for (const optimism of c.grid.optimism) {
        const at = withDisturbance(plant, cv, repair, optimism);
        const scenarios = scenariosFor({ ...base, plant: at, seed: c.testSeed, replications: c.grid.replications }, c.load);
        const st = at.stations.find((x) => x.id === at.drum)!;
        let route: PolicyResult | string;
        try {
          route = runPolicy(scenarios, routeMaker(at));
        } catch (e) {
          route = e instanceof Error ? e.message : String(e);
        }
        grid.push({
          load: c.load,
          processingCv: cv,
          repairMinutes: repair,
          optimism,
          effectiveLoad: (c.load * (1 + optimism) * (st.mtbfMinutes + st.mttrMinutes)) / st.mtbfMinutes,
          drumbeat: runPolicy(scenarios, drumOnly(protection, true, at)),
          loadAware: runPolicy(scenarios, () => loadAwarePolicy(tuned.k)),
          route,
        });
      }
  log(`  calendar plant: grid done`);
  return { settings: c, protection, loadAwareK: tuned.k, rows, grid, routeFailures };
}

const BASE: Omit<CalendarStudySettings, 'plant'> = {
  load: 0.9,
  trainSeed: 20261123,
  testSeed: 20261130,
  trainReplications: 4,
  testReplications: 10,
  warmupDays: 120,
  measureDays: 400,
  tailDays: 50,
  mainTarget: 99,
  protections: [0, 1, 2],
  frozenWindowMinutes: 960,
  grid: { processingCvs: [0.3, 0.5], repairMinutes: [60, 240], optimism: [0, 0.05], replications: 6 },
};

export const FULL_CALENDAR_STUDY = (plant: PlantSpec): CalendarStudySettings => ({ ...BASE, plant });

/** CI smoke: one short replication per phase. */
export const QUICK_CALENDAR_STUDY = (plant: PlantSpec): CalendarStudySettings => ({
  ...BASE,
  plant,
  trainReplications: 1,
  testReplications: 1,
  warmupDays: 20,
  measureDays: 60,
  tailDays: 20,
  mainTarget: 95,
  protections: [1],
  grid: { processingCvs: [0.5], repairMinutes: [240], optimism: [0.05], replications: 1 },
});
