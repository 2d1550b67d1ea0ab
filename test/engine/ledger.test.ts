import { describe, expect, it } from 'vitest';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { Calendar, WeeklyShift, Weekday } from '../../src/engine/calendar-types.ts';
import { recalendar, rightShift, type RouteLinks } from '../../src/engine/ledger-repair.ts';
import { LedgerSet, type ChainOp } from '../../src/engine/ledger-set.ts';
import { Ledger, LedgerOverlapError } from '../../src/engine/ledger.ts';

const utc = (iso: string): number => Date.parse(iso) / 60_000;
const iso = (t: number): string => new Date(t * 60_000).toISOString().replace(':00.000Z', 'Z');
const FAR = utc('2027-12-31T00:00Z');
const EARLY = utc('2025-01-01T00:00Z');
const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const shifts = (days: Weekday[], start: string, end: string): WeeklyShift[] => days.map((day) => ({ day, start, end }));
const cal = (weekly: WeeklyShift[], exceptions: Calendar['exceptions'] = [], timeZone = 'Europe/Berlin'): Calendar => ({
  timeZone,
  weekly,
  exceptions,
});
const wall = (l: Ledger, r: { a: number; minutes: number }) => {
  const { start, end } = l.interval(r);
  return [iso(start), iso(end)];
};

// Berlin is UTC+1 in winter: local 06:00 = 05:00Z.
const oneShift = buildWorkingTime(cal(shifts(WEEKDAYS, '06:00', '14:00')));
const twoShifts = buildWorkingTime(cal([...shifts(WEEKDAYS, '06:00', '14:00'), ...shifts(WEEKDAYS, '14:00', '22:00')]));
const MON = utc('2026-11-30T00:00Z'); // Monday 2026-11-30, Berlin local 01:00

describe('firstFit and intervals on hand-made calendars', () => {
  it('an op longer than a day spans days (900 min on 06:00–14:00: Mon 06:00–14:00, Tue 06:00–13:00)', () => {
    const l = new Ledger(oneShift);
    const fit = l.firstFit(MON, 900, FAR)!;
    expect([iso(fit.start), iso(fit.end)]).toEqual(['2026-11-30T05:00Z', '2026-12-01T12:00Z']);
    expect(oneShift.minutesBetween(fit.start, fit.end)).toBe(900);
  });

  it('two shifts meet end to start: one stretch of 16 hours a day', () => {
    const l = new Ledger(twoShifts);
    const fit = l.firstFit(MON, 960, FAR)!;
    expect([iso(fit.start), iso(fit.end)]).toEqual(['2026-11-30T05:00Z', '2026-11-30T21:00Z']);
  });

  it('an overnight shift (22:00–24:00 + 00:00–06:00) carries an op over midnight', () => {
    const night = buildWorkingTime(cal([...shifts(['mon'], '22:00', '24:00'), ...shifts(['tue'], '00:00', '06:00')]));
    const l = new Ledger(night);
    const fit = l.firstFit(MON, 300, FAR)!;
    // Mon 22:00 local = 21:00Z; 120 minutes to midnight, 180 after it.
    expect([iso(fit.start), iso(fit.end)]).toEqual(['2026-11-30T21:00Z', '2026-12-01T02:00Z']);
  });

  it('a holiday pauses the work', () => {
    const wt = buildWorkingTime(cal(shifts(WEEKDAYS, '06:00', '14:00'), [{ kind: 'holiday', date: '2026-12-01' }]));
    const l = new Ledger(wt);
    const fit = l.firstFit(MON, 600, FAR)!;
    expect([iso(fit.start), iso(fit.end)]).toEqual(['2026-11-30T05:00Z', '2026-12-02T07:00Z']);
  });

  it('across the spring DST change (Berlin 2026-03-29) a 01:00–04:00 shift works 2 real hours', () => {
    const wt = buildWorkingTime(cal(shifts(['sun', 'mon'], '01:00', '04:00')));
    const l = new Ledger(wt);
    const fit = l.firstFit(utc('2026-03-28T12:00Z'), 150, FAR)!;
    // Sun 01:00 CET = 00:00Z; 02:00–03:00 local does not exist; Mon 01:00 CEST = Sun 23:00Z.
    expect([iso(fit.start), iso(fit.end)]).toEqual(['2026-03-29T00:00Z', '2026-03-29T23:30Z']);
    expect(wt.minutesBetween(fit.start, fit.end)).toBe(150);
  });

  it('across the autumn DST change (Berlin 2026-10-25) the same shift works 4 real hours', () => {
    const wt = buildWorkingTime(cal(shifts(['sun'], '01:00', '04:00')));
    const l = new Ledger(wt);
    const fit = l.firstFit(utc('2026-10-24T12:00Z'), 240, FAR)!;
    expect([iso(fit.start), iso(fit.end)]).toEqual(['2026-10-24T23:00Z', '2026-10-25T03:00Z']);
  });

  it('finds the first gap large enough, the latest fit, and honours horizon and floor', () => {
    const l = new Ledger(oneShift);
    const a0 = oneShift.cumulative(utc('2026-11-30T05:00Z'));
    l.insert({ order: 'x', position: 1, a: a0, minutes: 60 }); // local Mon 06:00–07:00
    l.insert({ order: 'y', position: 1, a: a0 + 90, minutes: 60 }); // 07:30–08:30
    l.insert({ order: 'z', position: 1, a: a0 + 200, minutes: 280 }); // 09:20–14:00
    expect(wall(l, l.firstFit(MON, 30, FAR)!)).toEqual(['2026-11-30T06:00Z', '2026-11-30T06:30Z']);
    expect(wall(l, l.firstFit(MON, 50, FAR)!)).toEqual(['2026-11-30T07:30Z', '2026-11-30T08:20Z']);
    expect(wall(l, l.firstFit(MON, 120, FAR)!)).toEqual(['2026-12-01T05:00Z', '2026-12-01T07:00Z']);
    // t inside a reservation: from its end.
    expect(wall(l, l.firstFit(utc('2026-11-30T07:00Z'), 10, FAR)!)).toEqual(['2026-11-30T07:30Z', '2026-11-30T07:40Z']);
    expect(l.firstFit(MON, 120, utc('2026-12-01T06:59Z'))).toBeNull();
    expect(l.firstFit(MON, 120, utc('2026-12-01T07:00Z'))).not.toBeNull();
    // lastFit: latest ending by Mon 14:00 local (13:00Z) is in the 07:00–08:30 gap.
    expect(wall(l, l.lastFit(utc('2026-11-30T13:00Z'), 50, EARLY)!)).toEqual(['2026-11-30T07:30Z', '2026-11-30T08:20Z']);
    expect(wall(l, l.lastFit(utc('2026-11-30T13:00Z'), 100, EARLY)!)).toEqual(['2026-11-27T11:20Z', '2026-11-27T13:00Z']);
    expect(l.lastFit(utc('2026-11-30T13:00Z'), 100, MON)).toBeNull();
  });

  it('insert refuses overlaps and duplicates; get, successor and remove', () => {
    const l = new Ledger(oneShift);
    l.insert({ order: 'x', position: 1, a: 1000, minutes: 10 });
    l.insert({ order: 'x', position: 3, a: 1010, minutes: 5 });
    expect(() => l.insert({ order: 'y', position: 1, a: 1009, minutes: 1 })).toThrow(LedgerOverlapError);
    expect(() => l.insert({ order: 'y', position: 1, a: 995, minutes: 6 })).toThrow(LedgerOverlapError);
    expect(() => l.insert({ order: 'x', position: 1, a: 2000, minutes: 6 })).toThrow(LedgerOverlapError);
    expect(() => l.insert({ order: 'y', position: 1, a: 2000, minutes: 0 })).toThrow(RangeError);
    expect(l.get('x', 3)).toEqual({ order: 'x', position: 3, a: 1010, minutes: 5 });
    expect(l.successor('x', 1)?.position).toBe(3);
    expect(l.remove('x', 1)?.a).toBe(1000);
    expect(l.remove('x', 1)).toBeUndefined();
    expect(l.entries().map((r) => r.position)).toEqual([3]);
  });
});

describe('chains', () => {
  const set = () =>
    new LedgerSet([
      ['heat', new Ledger(oneShift)],
      ['test', new Ledger(twoShifts)],
    ]);
  const ops: ChainOp[] = [
    { resource: 'heat', order: 'o', position: 1, minutes: 600 },
    { resource: 'test', order: 'o', position: 2, minutes: 60 },
    { resource: 'heat', order: 'o', position: 3, minutes: 480 },
  ];

  it('forward places in routing order and counts its own tentative reservations as booked', () => {
    const s = set();
    const c = s.forward(ops, MON, FAR)!;
    const show = c.placements.map((p) => [p.resource, iso(p.start), iso(p.end)]);
    expect(show).toEqual([
      ['heat', '2026-11-30T05:00Z', '2026-12-01T07:00Z'],
      ['test', '2026-12-01T07:00Z', '2026-12-01T08:00Z'],
      ['heat', '2026-12-01T08:00Z', '2026-12-02T08:00Z'],
    ]);
    expect(c.end).toBe(utc('2026-12-02T08:00Z'));
    expect(s.get('heat').size).toBe(0); // nothing booked yet
    s.book(c.placements);
    expect(s.get('heat').size).toBe(2);
    expect(s.forward(ops, FAR - 100, FAR)).toBeNull();
  });

  it('backward is the mirror, and forward from its start ends by its end (F2)', () => {
    const s = set();
    const T = utc('2026-12-04T13:00Z');
    const b = s.backward(ops, T, MON)!;
    expect(b.end).toBeLessThanOrEqual(T);
    expect(b.placements.map((p) => p.position)).toEqual([1, 2, 3]);
    expect(s.forward(ops, b.start, FAR)!.end).toBeLessThanOrEqual(T);
    expect(s.backward(ops, T, b.start + 1)).toBeNull();
  });
});

describe('checkpoint and rollback', () => {
  it('restores entries and the very tree shape, through nested checkpoints and a rebuild', () => {
    const l = new Ledger(oneShift);
    for (let k = 0; k < 50; k++) l.insert({ order: `o${k}`, position: 1, a: 5000 + k * 20, minutes: 7 + (k % 11) });
    const before = { entries: l.entries(), shape: l.diagnostics() };
    const outer = l.checkpoint();
    l.remove('o3', 1);
    l.insert({ order: 'n', position: 1, a: 5060, minutes: 20 });
    const inner = l.checkpoint();
    l.rebuild(twoShifts);
    l.remove('o7', 1);
    l.commit(inner);
    l.insert({ order: 'm', position: 2, a: 1, minutes: 3 });
    l.rollback(outer);
    expect(l.wt).toBe(oneShift);
    expect({ entries: l.entries(), shape: l.diagnostics() }).toEqual(before);
    expect(() => l.rollback(outer)).toThrow(RangeError);
  });
});

describe('rebuild and right-shift repair', () => {
  const base = cal(shifts(WEEKDAYS, '06:00', '14:00'));

  it('a capacity increase inside a multi-day op shrinks it: start kept, end earlier', () => {
    const l = new Ledger(buildWorkingTime(base));
    const fit = l.firstFit(MON, 900, FAR)!;
    l.insert({ order: 'o', position: 1, a: fit.a, minutes: 900 });
    const more = buildWorkingTime({ ...base, exceptions: [{ kind: 'overtime', date: '2026-11-30', start: '14:00', end: '18:00' }] });
    const moves = l.rebuild(more);
    const r = l.get('o', 1)!;
    expect(wall(l, r)).toEqual(['2026-11-30T05:00Z', '2026-12-01T08:00Z']);
    expect(moves.map((m) => [iso(m.from.end), iso(m.to.end)])).toEqual([['2026-12-01T12:00Z', '2026-12-01T08:00Z']]);
  });

  it('a reduction right-shifts the ledger and the routing successors (recalendar)', () => {
    const heat = new Ledger(buildWorkingTime(base));
    const test = new Ledger(twoShifts);
    const s = new LedgerSet([
      ['heat', heat],
      ['test', test],
    ]);
    const chain = (order: string): ChainOp[] => [
      { resource: 'heat', order, position: 1, minutes: 240 },
      { resource: 'test', order, position: 2, minutes: 60 },
    ];
    for (const o of ['a', 'b']) s.book(s.forward(chain(o), MON, FAR)!.placements);
    // a: heat Mon 06:00–10:00, test 10:00–11:00; b: heat 10:00–14:00, test 14:00–15:00 (local)
    const route: RouteLinks = { next: (_o, pos) => (pos === 1 ? { resource: 'test', position: 2 } : undefined) };
    const less = buildWorkingTime({ ...base, exceptions: [{ kind: 'downtime', date: '2026-11-30', start: '06:00', end: '08:00' }] });
    const res = recalendar(s, 'heat', less, route, FAR);
    const show = (r: Ledger, o: string, p: number) => wall(r, r.get(o, p)!);
    expect(show(heat, 'a', 1)).toEqual(['2026-11-30T07:00Z', '2026-11-30T11:00Z']);
    expect(show(heat, 'b', 1)).toEqual(['2026-11-30T11:00Z', '2026-12-01T07:00Z']);
    expect(show(test, 'a', 2)).toEqual(['2026-11-30T11:00Z', '2026-11-30T12:00Z']);
    expect(show(test, 'b', 2)).toEqual(['2026-12-01T07:00Z', '2026-12-01T08:00Z']);
    expect(res.moves.map((m) => `${m.resource}:${m.order}`).sort()).toEqual(['heat:a', 'heat:b', 'test:a', 'test:b']);
    expect(res.beyondHorizon).toEqual([]);
  });

  it('a late release right-shifts only what it reaches, by the least amount', () => {
    const s = new LedgerSet([['heat', new Ledger(twoShifts)]]);
    const op = (order: string, minutes: number): ChainOp => ({ resource: 'heat', order, position: 1, minutes });
    for (const [o, p] of [
      ['a', 120],
      ['b', 60],
      ['c', 60],
    ] as const)
      s.book(s.forward([op(o, p)], MON, FAR)!.placements);
    // gap between b and c: move c to start at 10:00 local
    const heat = s.get('heat');
    const c = heat.remove('c', 1)!;
    heat.insert({ ...c, a: c.a + 60 });
    const route: RouteLinks = { next: () => undefined };
    const res = rightShift(s, route, [{ resource: 'heat', order: 'a', position: 1, notBefore: utc('2026-11-30T05:30Z') }], FAR);
    expect(res.moves.map((m) => [m.order, iso(m.to.start), iso(m.to.end)])).toEqual([
      ['a', '2026-11-30T05:30Z', '2026-11-30T07:30Z'],
      ['b', '2026-11-30T07:30Z', '2026-11-30T08:30Z'],
    ]);
    expect(wall(heat, heat.get('c', 1)!)).toEqual(['2026-11-30T09:00Z', '2026-11-30T10:00Z']);
  });
});
