import { type Minute, type WorkingTime, buildWorkingTime } from '../src/engine/index.ts';
import type { PlantSpec } from './plant.ts';

/**
 * The simulation's clock. A plant whose stations share one calendar runs in WORKING time
 * (minute m is the m-th working minute since the start; every function here is then the
 * identity or plain arithmetic, exactly as before this module). A plant with per-station
 * calendars runs in WALL-CLOCK minutes since local midnight of SIM_START_DATE in the
 * plant's time zone, and every conversion goes through the engine's working time
 * (`buildWorkingTime`, `cumulative`, `instantAtCumulative`) of the station concerned: an
 * operation advances only while its station works, and a "day" is a working day of the
 * drum (the plant calendar, `minutesPerDay` working minutes long).
 */
export interface SimClock {
  readonly wallClock: boolean;
  /** When a station that starts (or resumes) `work` working minutes at `t` finishes them. */
  finish(station: number, t: number, work: number): number;
  /** Working minutes of the station in [a, b). */
  worked(station: number, a: number, b: number): number;
  /** The instant the c-th working minute of the station since the start ends (failures are drawn in station working time). */
  stationInstant(station: number, c: number): number;
  /** The instant the c-th working minute of the plant (the drum's calendar) since the start ends. */
  plantInstant(c: number): number;
  /** Plant working minutes in [a, b) (negative when b < a). */
  plantWorking(a: number, b: number): number;
  /** `minutes` plant working minutes after t. */
  addWorking(t: number, minutes: number): number;
  /** The end of the plant working day containing t (a promise is "by the end of that day"). */
  endOfDay(t: number): number;
  /** The engine's instant (UTC minute) of sim time t, never crediting capacity the plant does not have. */
  toEngine(t: number): Minute;
  fromEngine(m: Minute): number;
}

/** The local date simulation time 0 starts (a Monday). */
const SIM_START_DATE = '2027-01-04';

export function clockOf(plant: PlantSpec, stationIds: readonly string[]): SimClock {
  const day = plant.minutesPerDay;
  const drumWt = buildWorkingTime(plant.calendar);
  const t0 = drumWt.startOfLocalDate(SIM_START_DATE);
  const c0 = drumWt.cumulative(t0);
  if (!plant.stationCalendars) {
    return {
      wallClock: false,
      finish: (_s, t, work) => t + work,
      worked: (_s, a, b) => b - a,
      stationInstant: (_s, c) => c,
      plantInstant: (c) => c,
      plantWorking: (a, b) => b - a,
      addWorking: (t, minutes) => t + minutes,
      endOfDay: (t) => Math.ceil(t / day - 1e-12) * day,
      toEngine: (t) => drumWt.instantAtCumulative(c0 + Math.max(1, Math.ceil(t - 1e-9))),
      fromEngine: (m) => drumWt.cumulative(m) - c0,
    };
  }
  const calendars = plant.stationCalendars;
  const wts: WorkingTime[] = stationIds.map((id) => buildWorkingTime(calendars[id] ?? plant.calendar));
  const s0 = wts.map((wt) => wt.cumulative(t0));
  // Sim minutes are fractional (lognormal times); the engine's are whole: interpolate inside a minute.
  const cum = (wt: WorkingTime, t: number) => {
    const m = Math.floor(t);
    const a = wt.cumulative(t0 + m);
    return a + (wt.cumulative(t0 + m + 1) - a) * (t - m);
  };
  const instant = (wt: WorkingTime, c: number) => {
    const k = Math.ceil(c - 1e-9);
    const end = wt.instantAtCumulative(Math.max(1, k)) - t0;
    return end - (k - c); // the working minute is worked linearly
  };
  const plantCum = (t: number) => cum(drumWt, t) - c0;
  return {
    wallClock: true,
    finish: (s, t, work) => (work <= 0 ? t : instant(wts[s]!, cum(wts[s]!, t) + work)),
    worked: (s, a, b) => cum(wts[s]!, b) - cum(wts[s]!, a),
    stationInstant: (s, c) => instant(wts[s]!, s0[s]! + c),
    plantInstant: (c) => instant(drumWt, c0 + c),
    plantWorking: (a, b) => plantCum(b) - plantCum(a),
    addWorking: (t, minutes) => instant(drumWt, cum(drumWt, t) + minutes),
    endOfDay: (t) => instant(drumWt, c0 + Math.ceil(plantCum(t) / day - 1e-12) * day),
    toEngine: (t) => t0 + Math.max(0, Math.ceil(t - 1e-9)),
    fromEngine: (m) => m - t0,
  };
}
