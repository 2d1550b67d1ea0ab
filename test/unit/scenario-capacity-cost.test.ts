import { describe, expect, it } from 'vitest';
import type { CapacityChangeRow } from '../../src/db/repos/capacity-changes.ts';
import { DEFAULT_RESOURCE_CAPACITY_POLICY, type WeeklyShift } from '../../src/engine/index.ts';
import { capacityCost } from '../../src/domain/scenarios/capacity-cost.ts';
import type { PlantConfig } from '../../src/domain/schedule/plant-config.ts';
import { effectiveCalendar } from '../../src/planning-rules/effective-calendar.ts';

const TZ = 'Europe/Berlin';
const weekly: WeeklyShift[] = (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '06:00', end: '22:00' }));
const policy = {
  ...DEFAULT_RESOURCE_CAPACITY_POLICY,
  overtime: { ...DEFAULT_RESOURCE_CAPACITY_POLICY.overtime, costPerHour: 60 },
  extraShift: { ...DEFAULT_RESOURCE_CAPACITY_POLICY.extraShift, costPerHour: 100 },
  nightShift: { enabled: true, start: '22:00', end: '06:00', costPerHour: 200 },
};

let n = 0;
const change = (kind: CapacityChangeRow['kind'], date: string, start: string | null = null, end: string | null = null) =>
  ({ id: `c${n++}`, resource_id: 'cnc', kind, date, start_time: start, end_time: end }) as CapacityChangeRow;

/** The plant's configuration as loadPlantConfig builds it: the changes are exceptions on the resource's calendar. */
function configWith(changes: readonly CapacityChangeRow[]): PlantConfig {
  const calendar = effectiveCalendar(TZ, { weekly }, changes);
  return {
    timeZone: TZ,
    resources: new Map([['cnc', { id: 'cnc', isDrum: true, calendar }]]),
    capacityPolicy: { currency: 'EUR', defaults: policy, resources: {} },
  } as unknown as PlantConfig;
}

describe('the capacity cost of a scenario', () => {
  it('prices the working minutes each change adds, by kind, with night work in an extra shift at the night rate', () => {
    const changes = [
      // Saturday 18:00–24:00: 4 h extra shift, 2 h of it in the night window
      change('extra_shift', '2026-11-28', '18:00', '24:00'),
      // Tuesday 21:00–23:00: the shift runs to 22:00, 1 h is new
      change('overtime', '2026-11-24', '21:00', '23:00'),
      // the same hour again adds nothing
      change('overtime', '2026-11-24', '22:00', '23:00'),
      // downtime cancels added capacity on its day
      change('downtime', '2026-11-25'),
      change('overtime', '2026-11-25', '22:00', '24:00'),
      // before today: not counted
      change('overtime', '2026-11-20', '22:00', '24:00'),
    ];
    expect(capacityCost(configWith(changes), changes, '2026-11-23')).toBe(4 * 100 + 2 * 200 + 1 * 60);
  });

  it('counts the hour the clocks go back inside a night block (the working minutes, not the wall-clock length)', () => {
    // 2026-10-25, Berlin: 03:00 CEST becomes 02:00 CET, so 00:00–06:00 on that Sunday is 7 working hours.
    const changes = [change('extra_shift', '2026-10-25', '00:00', '06:00')];
    expect(capacityCost(configWith(changes), changes, '2026-10-20')).toBe(7 * 200);
  });
});
