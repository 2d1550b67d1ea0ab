import type { Calendar } from '../src/engine/index.ts';

/**
 * The simulated plant: five work centres, one of them the drum (the capacity-constrained
 * resource), four products whose routings all cross the drum, and a demand model.
 * The numbers are invented but shaped like a small job shop: the drum's planned load is
 * the load setting (85–95 %), the other centres carry at most ~75 % of the drum's load,
 * so they have the protective capacity S-DBR assumes, and every centre breaks down now
 * and then.
 *
 * Every station works the same calendar, so the simulation runs in WORKING time: minute
 * m is the m-th working minute since the start, a working day is `minutesPerDay` of them,
 * and nothing happens outside shifts (orders are entered during office hours too). Only
 * the Drumbeat policy translates to wall-clock instants, through the engine's calendar.
 */

export interface StationSpec {
  id: string;
  /** Mean time between failures, calendar minutes (exponential). */
  mtbfMinutes: number;
  /** Mean repair time, minutes (lognormal with mttrCv). */
  mttrMinutes: number;
  mttrCv: number;
}

export interface OperationSpec {
  station: string;
  setupMinutes: number;
  runMinutesPerUnit: number;
}

export interface ProductSpec {
  id: string;
  /** Share of orders (relative weight). */
  weight: number;
  routing: OperationSpec[];
}

export interface DemandSpec {
  /** Order quantity, integer uniform on [min, max]. */
  quantity: { min: number; max: number };
  /** Share of customers who ask "as soon as possible" (no requested date). */
  asapShare: number;
  /** The others request a date this many days out, integer uniform on [min, max]. */
  requestedLeadDays: { min: number; max: number };
}

export interface PlantSpec {
  /** The shift calendar of every station (the drum's, with stationCalendars); each working day must have the same length. */
  calendar: Calendar;
  /**
   * Per-station calendars (stations not listed work `calendar`): the simulator then runs in
   * wall-clock minutes through the engine's working time of each station (sim/clock.ts).
   */
  stationCalendars?: Readonly<Record<string, Calendar>>;
  /** Working minutes in one working day of that calendar. */
  minutesPerDay: number;
  stations: StationSpec[];
  drum: string;
  products: ProductSpec[];
  demand: DemandSpec;
  /** Coefficient of variation of actual vs planned operation time (lognormal, mean = plan × (1 + standardsOptimism)). */
  processingCv: number;
  /**
   * How optimistic the standards are: actual times average plan × (1 + this). 0.05 means
   * the routing's minutes (what the engine is told) are 5 % short of reality.
   */
  standardsOptimism: number;
}

// A failure every two working weeks on average, an hour to repair: ~1.2 % downtime per station.
const station = (id: string): StationSpec => ({ id, mtbfMinutes: 10 * 480, mttrMinutes: 60, mttrCv: 1 });

const op = (station: string, setupMinutes: number, runMinutesPerUnit: number): OperationSpec => ({
  station,
  setupMinutes,
  runMinutesPerUnit,
});

/** One 8-hour shift, Monday to Friday: a make-to-order plant's most common pattern. */
const ONE_SHIFT: Calendar = {
  timeZone: 'Europe/Berlin',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '07:00', end: '15:00' })),
  exceptions: [],
};

export const DEFAULT_PLANT: PlantSpec = {
  calendar: ONE_SHIFT,
  minutesPerDay: 480,
  stations: [station('saw'), station('mill'), station('assembly'), station('paint'), station('test')],
  drum: 'mill',
  products: [
    { id: 'bracket', weight: 3, routing: [op('saw', 15, 7), op('mill', 30, 10), op('paint', 15, 12), op('test', 10, 4)] },
    { id: 'housing', weight: 3, routing: [op('saw', 15, 8), op('mill', 45, 12), op('assembly', 20, 18), op('test', 15, 10)] },
    { id: 'shaft', weight: 2, routing: [op('mill', 25, 9), op('test', 15, 14)] },
    { id: 'frame', weight: 2, routing: [op('saw', 15, 9), op('assembly', 20, 20), op('mill', 40, 13), op('paint', 15, 12)] },
  ],
  demand: { quantity: { min: 2, max: 22 }, asapShare: 0.5, requestedLeadDays: { min: 3, max: 15 } },
  processingCv: 0.3,
  standardsOptimism: 0,
};

/** Planned minutes of an operation for a quantity (setup + run), whole minutes like the service's drum load. */
export function plannedMinutes(o: OperationSpec, quantity: number): number {
  return Math.ceil(o.setupMinutes + quantity * o.runMinutesPerUnit - 1e-9);
}

/** Expected planned minutes per order on each station (exact over the quantity distribution and the mix). */
export function expectedStationLoad(plant: PlantSpec): Map<string, number> {
  const totalWeight = plant.products.reduce((s, p) => s + p.weight, 0);
  const { min, max } = plant.demand.quantity;
  const out = new Map<string, number>(plant.stations.map((s) => [s.id, 0]));
  for (const p of plant.products) {
    for (const o of p.routing) {
      let sum = 0;
      for (let q = min; q <= max; q++) sum += plannedMinutes(o, q);
      const mean = sum / (max - min + 1);
      out.set(o.station, (out.get(o.station) ?? 0) + (p.weight / totalWeight) * mean);
    }
  }
  return out;
}

export function expectedDrumLoad(plant: PlantSpec): number {
  return expectedStationLoad(plant).get(plant.drum) ?? 0;
}

/** Share of time a station is down for repair: MTTR / (MTBF + MTTR). */
export function downtimeShare(s: StationSpec): number {
  return s.mttrMinutes / (s.mtbfMinutes + s.mttrMinutes);
}

type Weekday = Calendar['weekly'][number]['day'];
const shifts = (days: readonly Weekday[], start: string, end: string): Calendar => ({
  timeZone: 'Europe/Berlin',
  weekly: days.map((day) => ({ day, start, end })),
  exceptions: [],
});
const MON_FRI: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const MON_SAT: readonly Weekday[] = [...MON_FRI, 'sat'];

/**
 * The same plant with a calendar per work centre, each sized so the centre carries about
 * two thirds of its own capacity at 90 % drum load: the drum works two shifts (06:00–22:00,
 * Mon–Fri, 960 minutes a day), the saw one long shift before it (06:00–17:00), assembly two
 * shifts, paint and test after the drum also on Saturdays (06:00–14:00 and 06:00–16:00).
 * The simulator then runs on the wall clock (sim/clock.ts).
 */
export const CALENDAR_PLANT: PlantSpec = {
  ...DEFAULT_PLANT,
  calendar: shifts(MON_FRI, '06:00', '22:00'),
  minutesPerDay: 960,
  stationCalendars: {
    saw: shifts(MON_FRI, '06:00', '17:00'),
    assembly: shifts(MON_FRI, '06:00', '22:00'),
    paint: shifts(MON_SAT, '06:00', '14:00'),
    test: shifts(MON_SAT, '06:00', '16:00'),
  },
};
