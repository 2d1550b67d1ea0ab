import { describe, expect, it } from 'vitest';
import { buildWorkingTime, type Minute } from '../../../src/engine/index.ts';
import { bucketLoad, placeLoad, weekOf, type PlannedLine } from '../../../src/planning-rules/load-buckets.ts';

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
  const load = (entries: [string, number][]) => new Map(entries);

  it('flags a period strictly above the threshold only', () => {
    const [at90, above] = bucketLoad(
      wt,
      ['2026-12-07', '2026-12-08'],
      load([
        ['2026-12-07', 432],
        ['2026-12-08', 433],
      ]),
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
    const [sat, sun] = bucketLoad(wt, ['2026-12-12', '2026-12-13'], load([['2026-12-12', 30]]), 'day', 5);
    expect(sat).toMatchObject({ capacityMinutes: 0, loadMinutes: 30, utilisation: null, overThreshold: true });
    expect(sun).toMatchObject({ capacityMinutes: 0, loadMinutes: 0, utilisation: 0, overThreshold: false });
  });

  it('sums ISO weeks keyed by Monday, cut to the requested days', () => {
    const days = ['2026-12-10', '2026-12-11', '2026-12-12', '2026-12-13', '2026-12-14'];
    const periods = bucketLoad(
      wt,
      days,
      load([
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

describe('placeLoad', () => {
  const routing = [
    { resource: 'saw', setupMinutes: 10, runMinutesPerUnit: 2 },
    { resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 12 },
    { resource: 'assembly', setupMinutes: 15, runMinutesPerUnit: 6 },
  ];
  const now = at('2026-12-07T12:00:00Z'); // Monday noon: 240 working minutes left today
  const line = (over: Partial<PlannedLine>): PlannedLine => ({
    status: 'confirmed',
    quantity: 5,
    routing,
    releaseDate: '2026-12-08',
    finish: at('2026-12-09T10:00:00Z'),
    ...over,
  });
  const place = (lines: PlannedLine[], days = week) =>
    placeLoad({ resources: ['assembly', 'cnc', 'saw'], drumId: 'cnc', drumWt: wt, nowMinute: now, days, lines });
  const asObject = (m: Map<string, Map<string, number>>) => Object.fromEntries([...m].map(([r, d]) => [r, Object.fromEntries(d)]));

  it('puts work before the drum on the release day and work after it on the drum finish day', () => {
    expect(asObject(place([line({})]))).toEqual({
      saw: { '2026-12-08': 20 },
      assembly: { '2026-12-09': 45 },
      // From Monday noon back to back to Wednesday 10:00: 240 + 480 + 120 minutes.
      cnc: { '2026-12-07': 240, '2026-12-08': 480, '2026-12-09': 120 },
    });
  });

  it('puts a released order’s work before the drum on today, and none once the drum has started on it', () => {
    expect(asObject(place([line({ status: 'released' })])).saw).toEqual({ '2026-12-07': 20 });
    const inProgress = asObject(place([line({ status: 'in_progress' })]));
    expect(inProgress.saw).toEqual({});
    expect(inProgress.assembly).toEqual({ '2026-12-09': 45 });
  });

  it('places no work after the drum when the drum calendar runs out, and no drum time past the last finite finish', () => {
    const out = asObject(place([line({ finish: at('2026-12-08T09:00:00Z') }), line({ finish: Infinity })]));
    expect(out.assembly).toEqual({ '2026-12-08': 45 });
    expect(out.cnc).toEqual({ '2026-12-07': 240, '2026-12-08': 60 });
  });

  it('ignores load outside the requested days and resources it does not report on', () => {
    const out = asObject(
      place([line({ routing: [...routing, { resource: 'paint', setupMinutes: 5, runMinutesPerUnit: 1 }] })], ['2026-12-09']),
    );
    expect(out).toEqual({ saw: {}, assembly: { '2026-12-09': 45 }, cnc: { '2026-12-09': 120 } });
    const before = asObject(place([line({})], ['2026-12-08']));
    expect(before).toEqual({ saw: { '2026-12-08': 20 }, assembly: {}, cnc: { '2026-12-08': 480 } });
  });

  it('gives the drum no time on a day its work ended before', () => {
    expect(asObject(place([line({ finish: at('2026-12-08T00:00:00Z') })])).cnc).toEqual({ '2026-12-07': 240 });
  });
});
