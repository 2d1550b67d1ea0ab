import { describe, expect, it } from 'vitest';
import { buildWorkingTime, type Minute } from '../../../src/engine/index.ts';
import { bucketLoad, PlannedLoad, weekOf, type PlannedOperation } from '../../../src/planning-rules/load-buckets.ts';

// Monday to Friday, 08:00–16:00 UTC (480 minutes a day). 2026-12-07 is a Monday.
const wt = buildWorkingTime({
  timeZone: 'UTC',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '08:00', end: '16:00' })),
  exceptions: [],
});
const at = (iso: string): Minute => Date.parse(iso) / 60_000;
const week = ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11', '2026-12-12', '2026-12-13'];

describe('weekOf', () => {
  it('keys a week by its Monday, across month and year ends', () => {
    expect(weekOf('2026-12-07')).toBe('2026-12-07');
    expect(weekOf('2026-12-13')).toBe('2026-12-07');
    expect(weekOf('2026-12-14')).toBe('2026-12-14');
    expect(weekOf('2027-01-03')).toBe('2026-12-28');
  });
});

describe('bucketLoad', () => {
  const load = (days: readonly string[], entries: [string, number][]) => days.map((d) => new Map(entries).get(d) ?? 0);

  it('flags a period strictly above the threshold only', () => {
    const [at90, above] = bucketLoad(
      wt,
      ['2026-12-07', '2026-12-08'],
      load(
        ['2026-12-07', '2026-12-08'],
        [
          ['2026-12-07', 432],
          ['2026-12-08', 433],
        ],
      ),
      'day',
      0.9,
    );
    expect(at90).toEqual({
      start: '2026-12-07',
      end: '2026-12-07',
      loadMinutes: 432,
      capacityMinutes: 480,
      utilisation: 0.9,
      overThreshold: false,
    });
    expect(above).toMatchObject({ utilisation: 0.9, overThreshold: true }); // 0.902, rounded for display only
  });

  it('reports load on a day without capacity as unbounded utilisation, and an idle closed day as 0', () => {
    const [sat, sun] = bucketLoad(wt, ['2026-12-12', '2026-12-13'], load(['2026-12-12', '2026-12-13'], [['2026-12-12', 30]]), 'day', 5);
    expect(sat).toMatchObject({ capacityMinutes: 0, loadMinutes: 30, utilisation: null, overThreshold: true });
    expect(sun).toMatchObject({ capacityMinutes: 0, loadMinutes: 0, utilisation: 0, overThreshold: false });
  });

  it('sums ISO weeks keyed by Monday, cut to the requested days', () => {
    const days = ['2026-12-10', '2026-12-11', '2026-12-12', '2026-12-13', '2026-12-14'];
    const periods = bucketLoad(
      wt,
      days,
      load(days, [
        ['2026-12-10', 100],
        ['2026-12-11', 200.456],
        ['2026-12-14', 50],
      ]),
      'week',
      0.85,
    );
    expect(periods).toEqual([
      { start: '2026-12-10', end: '2026-12-13', loadMinutes: 300.46, capacityMinutes: 960, utilisation: 0.31, overThreshold: false },
      { start: '2026-12-14', end: '2026-12-14', loadMinutes: 50, capacityMinutes: 480, utilisation: 0.1, overThreshold: false },
    ]);
  });
});

describe('PlannedLoad', () => {
  const now = at('2026-12-07T10:00:00Z'); // Monday 10:00
  const op = (start: string, end: string, over: Partial<PlannedOperation> = {}): PlannedOperation => ({
    resource: 'heat',
    start: at(start),
    end: at(end),
    minutes: wt.minutesBetween(at(start), at(end)),
    ...over,
  });
  const loadOf = (ops: PlannedOperation[], days = week) => {
    const l = new PlannedLoad(new Map([['heat', wt]]), days, now);
    for (const o of ops) l.add(o);
    return l.result('heat')!;
  };
  // Three planned operations: 240 (begun before now), 210 and 120 minutes; median 210.
  const planned = [
    op('2026-12-07T08:00:00Z', '2026-12-07T12:00:00Z'),
    op('2026-12-07T12:30:00Z', '2026-12-07T16:00:00Z'),
    op('2026-12-08T14:00:00Z', '2026-12-08T16:00:00Z'),
  ];

  it('splits an operation across the days its working minutes fall on: 600 minutes from Monday 08:00 are 480 + 120', () => {
    const long = op('2026-12-07T08:00:00Z', '2026-12-08T10:00:00Z');
    expect(long.minutes).toBe(600);
    expect(loadOf([long]).byDay).toEqual([480, 120, 0, 0, 0, 0, 0]);
    // Over a weekend: Friday 14:00 to Monday 10:00 is 120 + 0 + 0 + 120.
    const l = loadOf([op('2026-12-11T14:00:00Z', '2026-12-14T10:00:00Z')], ['2026-12-11', '2026-12-12', '2026-12-13', '2026-12-14']);
    expect(l.byDay).toEqual([120, 0, 0, 120]);
  });

  it('counts every planned interval, its part before now too, and only the part inside the requested days', () => {
    expect(loadOf(planned).byDay).toEqual([450, 120, 0, 0, 0, 0, 0]);
    expect(loadOf([op('2026-12-07T08:00:00Z', '2026-12-09T10:00:00Z')], ['2026-12-08']).byDay).toEqual([480]);
  });

  it('puts an operation without a reservation in no day and sums it apart; ignores other resources', () => {
    const l = new PlannedLoad(new Map([['heat', wt]]), week, now);
    l.add({ resource: 'heat', minutes: 90, start: now, end: now, reserved: false });
    l.add({ ...op('2026-12-07T12:00:00Z', '2026-12-07T13:00:00Z'), resource: 'paint' });
    expect(l.result('heat')).toMatchObject({ byDay: [0, 0, 0, 0, 0, 0, 0], unreservedMinutes: 90 });
    expect(l.result('paint')).toBeUndefined();
  });

  it('counts free stretches at least as long as the median operation as usable, across nights, from now on', () => {
    // Free after now: Mon 12:00–12:30 (30, too short), Mon 16:00–Tue 14:00 (360, across the
    // night), then from Tue 16:00 on (unbounded): Wed–Fri 1440.
    expect(loadOf(planned).usable).toEqual({ minutes: 1800, freeMinutes: 1830, medianOperationMinutes: 210 });
    // A window in the future starts inside the stretch after Tuesday's operation.
    expect(loadOf(planned, ['2026-12-09']).usable).toEqual({ minutes: 480, freeMinutes: 480, medianOperationMinutes: 210 });
    // A stretch is measured in full, past the end of the window: Wed 09:00 to Thu 10:00 is 540
    // minutes, at least the median 480, so its 420 minutes on Wednesday are usable.
    const long = [
      op('2026-12-08T08:00:00Z', '2026-12-08T16:00:00Z'),
      op('2026-12-09T08:00:00Z', '2026-12-09T09:00:00Z'),
      op('2026-12-10T10:00:00Z', '2026-12-11T16:00:00Z'),
    ];
    expect(loadOf(long, ['2026-12-09']).usable).toEqual({ minutes: 420, freeMinutes: 420, medianOperationMinutes: 480 });
    expect(loadOf(long.slice(0, 2).concat(op('2026-12-09T13:00:00Z', '2026-12-10T16:00:00Z')), ['2026-12-09']).usable).toEqual({
      minutes: 0,
      freeMinutes: 240,
      medianOperationMinutes: 480,
    });
    // Nothing planned: every free minute from now is usable.
    expect(loadOf([]).usable).toEqual({ minutes: 360 + 4 * 480, freeMinutes: 360 + 4 * 480, medianOperationMinutes: null });
  });
});
