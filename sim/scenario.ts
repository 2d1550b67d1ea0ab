import { type PlantSpec, expectedDrumLoad, plannedMinutes } from './plant.ts';
import { RandomStream } from './random.ts';
import { type SimClock, clockOf } from './clock.ts';

/**
 * One replication's exogenous world, drawn before any policy runs: the orders (arrival,
 * product, quantity, requested date, the actual time each operation will take) and every
 * station's failures. Every policy is then run on the same Scenario — common random
 * numbers by construction, whatever order the policy processes the work in.
 */
export interface JobOperation {
  station: number;
  planned: number;
  actual: number;
}

export interface Job {
  id: number;
  product: string;
  quantity: number;
  arrival: number;
  /** End of the requested day (sim minutes), or undefined for "as soon as possible". */
  requestedDue: number | undefined;
  ops: JobOperation[];
  /** Index in ops of the drum operation. */
  drumOp: number;
  /** Planned drum minutes: what the engine is told. */
  drumLoad: number;
  /** Sum of planned minutes over the routing (TWK, SLK). */
  workContent: number;
}

export interface Breakdown {
  failAt: number;
  repairAt: number;
}

export interface Scenario {
  plant: PlantSpec;
  stationIds: string[];
  drum: number;
  jobs: Job[];
  /** Per station, failures in time order, not overlapping. */
  breakdowns: Breakdown[][];
  /** Orders arriving in [warmup, measureEnd) are measured; WIP and utilisation are averaged over it. */
  warmup: number;
  measureEnd: number;
  /** Arrivals continue until here so the measured orders see a loaded plant until they finish. */
  horizon: number;
  /** Working time, or wall-clock through per-station calendars (every time above is on it). */
  clock: SimClock;
}

export interface ScenarioOptions {
  seed: number;
  replication: number;
  /** Drum planned load as a share of its nominal capacity, e.g. 0.9. */
  load: number;
  warmupDays: number;
  measureDays: number;
  tailDays: number;
}

/** End of the working day containing t (a promise date means "ready by the end of that day"). */
export function endOfDay(t: number, minutesPerDay: number): number {
  return Math.ceil(t / minutesPerDay - 1e-12) * minutesPerDay;
}

export function generateScenario(plant: PlantSpec, o: ScenarioOptions): Scenario {
  const stationIds = plant.stations.map((s) => s.id);
  const drum = stationIds.indexOf(plant.drum);
  if (drum < 0) throw new Error(`drum ${plant.drum} is not a station`);
  const day = plant.minutesPerDay;
  const warmup = o.warmupDays * day;
  const measureEnd = warmup + o.measureDays * day;
  const horizon = measureEnd + o.tailDays * day;

  // Poisson arrivals (in working time) at the rate that loads the drum's nominal capacity
  // (one planned minute per working minute) to the setting. The same uniforms are used at every load, so a
  // higher load is the same order stream, compressed in time.
  const meanInterarrival = expectedDrumLoad(plant) / o.load;
  const arrivals = new RandomStream(o.seed, o.replication, 'arrivals');
  const mix = new RandomStream(o.seed, o.replication, 'order-mix');
  const processing = new RandomStream(o.seed, o.replication, 'processing');
  const weights = plant.products.map((p) => p.weight);
  const d = plant.demand;

  const jobs: Job[] = [];
  for (let t = arrivals.exponential(meanInterarrival); t < horizon; t += arrivals.exponential(meanInterarrival)) {
    const product = plant.products[mix.weighted(weights)]!;
    const quantity = mix.integer(d.quantity.min, d.quantity.max);
    const asap = mix.uniform() < d.asapShare;
    const requestedDays = mix.integer(d.requestedLeadDays.min, d.requestedLeadDays.max);
    const ops = product.routing.map((r) => {
      const planned = plannedMinutes(r, quantity);
      const actual = processing.lognormal(planned * (1 + plant.standardsOptimism), plant.processingCv);
      return { station: stationIds.indexOf(r.station), planned, actual };
    });
    const drumOp = ops.findIndex((x) => x.station === drum);
    if (drumOp < 0) throw new Error(`product ${product.id} does not cross the drum`);
    jobs.push({
      id: jobs.length,
      product: product.id,
      quantity,
      arrival: t,
      requestedDue: asap ? undefined : endOfDay(t + requestedDays * day, day),
      ops,
      drumOp,
      drumLoad: ops[drumOp]!.planned,
      workContent: ops.reduce((s, x) => s + x.planned, 0),
    });
  }

  const breakdowns = plant.stations.map((s) => {
    const rng = new RandomStream(o.seed, o.replication, `breakdowns:${s.id}`);
    const list: Breakdown[] = [];
    // Failures run on working time whether busy or idle until well past the horizon, so a
    // slow drain of the last orders still sees them.
    for (let t = 0; t < horizon * 2;) {
      const failAt = t + rng.exponential(s.mtbfMinutes);
      const repairAt = failAt + rng.lognormal(s.mttrMinutes, s.mttrCv);
      list.push({ failAt, repairAt });
      t = repairAt;
    }
    return list;
  });

  const clock = clockOf(plant, stationIds);
  if (!clock.wallClock) return { plant, stationIds, drum, jobs, breakdowns, warmup, measureEnd, horizon, clock };
  // Per-station calendars: everything was drawn in working time (arrivals and requested
  // dates on the plant's calendar, failures on each station's own); now to wall-clock.
  for (const j of jobs) {
    j.arrival = clock.plantInstant(j.arrival);
    if (j.requestedDue !== undefined) j.requestedDue = clock.plantInstant(j.requestedDue);
  }
  const wallBreakdowns = breakdowns.map((list, s) =>
    list.map((b) => ({ failAt: clock.stationInstant(s, b.failAt), repairAt: clock.stationInstant(s, b.repairAt) })),
  );
  return {
    plant,
    stationIds,
    drum,
    jobs,
    breakdowns: wallBreakdowns,
    warmup: clock.plantInstant(warmup),
    measureEnd: clock.plantInstant(measureEnd),
    horizon: clock.plantInstant(horizon),
    clock,
  };
}
