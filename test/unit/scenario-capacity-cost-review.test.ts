import { describe, expect, it } from 'vitest';
import type { CapacityChangeRow } from '../../src/db/repos/capacity-changes.ts';
import { DEFAULT_RESOURCE_CAPACITY_POLICY, type WeeklyShift } from '../../src/engine/index.ts';
import { capacityCost } from '../../src/domain/scenarios/capacity-cost.ts';
import type { PlantConfig } from '../../src/domain/schedule/plant-config.ts';
import { effectiveCalendar } from '../../src/planning-rules/effective-calendar.ts';

// Review of issue 15 item 2 (src/domain/scenarios/capacity-cost.ts).
const TZ = 'Europe/Berlin';
const weekly: WeeklyShift[] = (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '06:00', end: '22:00' }));

function configWith(changes: readonly CapacityChangeRow[], night: { start: string; end: string }): PlantConfig {
  const calendar = effectiveCalendar(TZ, { weekly }, changes);
  const policy = {
    ...DEFAULT_RESOURCE_CAPACITY_POLICY,
    extraShift: { ...DEFAULT_RESOURCE_CAPACITY_POLICY.extraShift, costPerHour: 100 },
    nightShift: { enabled: true, ...night, costPerHour: 200 },
  };
  return {
    timeZone: TZ,
    resources: new Map([['cnc', { id: 'cnc', isDrum: true, calendar }]]),
    capacityPolicy: { currency: 'EUR', defaults: policy, resources: {} },
  } as unknown as PlantConfig;
}

describe('the capacity cost of a scenario (review)', () => {
  // The capacity policy schema accepts a night window that does not cross midnight (start
  // 00:00, end 06:00: "midnight to six"; nothing refines start against end). nightWindows then
  // gives [00:00, 06:00) and [00:00, 24:00), which overlap, and overlap() sums the two, so a
  // minute in both counts twice as night: the 6 h block is priced as 12 night hours minus 6
  // extra-shift hours (2400 − 600 = 1800). Expected: never more than its 6 hours at the highest
  // rate (at most 6 × 200 = 1200); the windows' union, not their sum.
  it('never prices a block above its working hours at the night rate when the night window does not cross midnight', () => {
    const changes = [
      {
        id: 'c1',
        resource_id: 'cnc',
        kind: 'extra_shift',
        date: '2026-11-28',
        start_time: '00:00',
        end_time: '06:00',
      } as CapacityChangeRow,
    ];
    const cost = capacityCost(configWith(changes, { start: '00:00', end: '06:00' }), changes, '2026-11-23');
    expect(cost).toBeLessThanOrEqual(6 * 200);
    // Every minute of the block is in the night window: all of it at the night rate, once.
    expect(cost).toBe(6 * 200);
  });

  it('prices daytime work at its own rate when the night window does not cross midnight', () => {
    const changes = [
      {
        id: 'c2',
        resource_id: 'cnc',
        kind: 'extra_shift',
        date: '2026-11-28',
        start_time: '08:00',
        end_time: '12:00',
      } as CapacityChangeRow,
    ];
    // 00:00–06:00 is the night: 08:00–12:00 on a Saturday is an extra shift at 100 an hour.
    expect(capacityCost(configWith(changes, { start: '00:00', end: '06:00' }), changes, '2026-11-23')).toBe(4 * 100);
  });
});
