import { describe, expect, it } from 'vitest';
import { buffersFromRouting } from '../../sim/buffer-sizing.ts';
import { clockOf } from '../../sim/clock.ts';
import { CALENDAR_PLANT, DEFAULT_PLANT } from '../../sim/plant.ts';
import { drumbeatPolicy } from '../../sim/policies/drumbeat.ts';
import { loadAwarePolicy } from '../../sim/policies/load-aware.ts';
import { generateScenario } from '../../sim/scenario.ts';
import { simulate } from '../../sim/simulator.ts';

// Issue 18 item 3: a plant whose centres keep different calendars runs on the wall clock,
// each centre through the engine's working time of its own calendar.

const ids = (p: typeof DEFAULT_PLANT) => p.stations.map((s) => s.id);
const H = 60;
const DAY = 24 * H;

describe('the simulation clock', () => {
  it('is plain working-time arithmetic when every centre shares one calendar', () => {
    const c = clockOf(DEFAULT_PLANT, ids(DEFAULT_PLANT));
    expect(c.wallClock).toBe(false);
    expect(c.finish(0, 100, 50)).toBe(150);
    expect(c.worked(2, 100, 150)).toBe(50);
    expect(c.endOfDay(500)).toBe(960);
    expect(c.addWorking(500, 480)).toBe(980);
  });

  describe('per-centre calendars (wall-clock minutes from Monday 00:00, Europe/Berlin)', () => {
    const c = clockOf(CALENDAR_PLANT, ids(CALENDAR_PLANT));
    const saw = ids(CALENDAR_PLANT).indexOf('saw');
    const mill = ids(CALENDAR_PLANT).indexOf('mill');
    const paint = ids(CALENDAR_PLANT).indexOf('paint');

    it('an operation pauses when its centre stops: 2 h on the saw from Monday 16:00 end Tuesday 07:00', () => {
      expect(c.wallClock).toBe(true);
      expect(c.finish(saw, 16 * H, 120)).toBe(DAY + 7 * H);
      expect(c.worked(saw, 16 * H, DAY + 7 * H)).toBe(120);
    });

    it('the drum works two shifts, paint works Saturday and the saw does not', () => {
      expect(c.finish(mill, 16 * H, 120)).toBe(18 * H);
      const friday14 = 4 * DAY + 14 * H;
      expect(c.finish(paint, friday14 - 60, 120)).toBe(5 * DAY + 7 * H);
      expect(c.finish(saw, 4 * DAY + 16 * H, 120)).toBe(7 * DAY + 7 * H);
    });

    it('a day is a working day of the drum: promises end at 22:00', () => {
      expect(c.endOfDay(10 * H)).toBe(22 * H);
      expect(c.addWorking(10 * H, 960)).toBe(DAY + 10 * H);
      expect(c.plantWorking(0, 5 * DAY)).toBe(5 * 960);
    });
  });
});

describe('the simulator on the calendar plant', () => {
  const scenario = generateScenario(CALENDAR_PLANT, { seed: 3, replication: 0, load: 0.9, warmupDays: 5, measureDays: 20, tailDays: 5 });
  const { clock } = scenario;
  const policies = [
    ['Load-aware', () => loadAwarePolicy(1)],
    [
      'Drumbeat',
      () =>
        drumbeatPolicy({
          buffers: { productionBufferDays: 3, shippingBufferDays: 3, standardLeadTimeDays: 3 },
          productBuffers: buffersFromRouting(CALENDAR_PLANT, 1),
          calendar: CALENDAR_PLANT.calendar,
          minutesPerDay: CALENDAR_PLANT.minutesPerDay,
          frozenWindowMinutes: 960,
          clock,
        }),
    ],
  ] as const;

  it.each(policies)('%s: orders arrive while the drum works, and every centre works only in its own shifts', (_name, make) => {
    const run = simulate(scenario, make());
    expect(run.truncated).toBe(false);
    for (const j of scenario.jobs) expect(clock.worked(scenario.drum, j.arrival - 1, j.arrival + 1)).toBeGreaterThan(0);
    const worked = new Map<string, number>();
    for (const s of run.segments) {
      // A stretch of work holds working minutes of its centre (work taken up at night starts with the next shift).
      expect(clock.worked(s.station, s.start, s.end)).toBeGreaterThan(0);
      const key = `${s.order}:${s.op}`;
      worked.set(key, (worked.get(key) ?? 0) + clock.worked(s.station, s.start, s.end));
    }
    // Every finished operation got exactly its actual working minutes, counted on its centre's calendar.
    for (const o of run.orders) {
      if (o.completed === undefined) continue;
      o.job.ops.forEach((op, k) => expect(worked.get(`${o.job.id}:${k}`)).toBeCloseTo(op.actual, 6));
    }
  });
});
