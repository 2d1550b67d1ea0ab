import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BufferPolicy } from '../../src/engine/buffer-days.ts';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import { DrumBook } from '../../src/engine/drum-book.ts';
import { RouteBook, type RouteCommit, type RouteDemand, type StoredRouteOrder } from '../../src/engine/index.ts';
import { NoCapacityError, quoteOnBook } from '../../src/engine/quote.ts';
import type { WorkingTime } from '../../src/engine/working-time.ts';
import { checkPlan, describeViolations, type CheckerInput } from '../helpers/plan-checker.ts';

const BERLIN = 'Europe/Berlin';
const m = (iso: string) => Date.parse(iso) / 60_000;
const now = m('2026-11-23T06:00:00+01:00'); // a Monday
const horizon = now + 60 * 1440;
type Day = Calendar['weekly'][number]['day'];
const cal = (days: Day[], shifts: [string, string][], exceptions: Calendar['exceptions'] = []): Calendar => ({
  timeZone: BERLIN,
  weekly: days.flatMap((day) => shifts.map(([start, end]) => ({ day, start, end }))),
  exceptions,
});
const MON_FRI: Day[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const MON_THU: Day[] = ['mon', 'tue', 'wed', 'thu'];
const ONE: [string, string][] = [['06:00', '14:00']];
const TWO: [string, string][] = [
  ['06:00', '14:00'],
  ['14:00', '22:00'],
];
const policy: BufferPolicy = { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 2 };

function plantOf(calendars: Record<string, Calendar>, drum: string) {
  const wts = new Map<string, WorkingTime>(Object.entries(calendars).map(([id, c]) => [id, buildWorkingTime(c)]));
  const checkerPlant: CheckerInput['plant'] = {
    timeZone: BERLIN,
    drum,
    resources: Object.entries(calendars).map(([id, calendar]) => ({ id, calendar })),
  };
  return { wts, checkerPlant };
}

function expectValid(book: RouteBook, checkerPlant: CheckerInput['plant'], at = now): void {
  const input: CheckerInput = { now: at, plant: checkerPlant, orders: [], plan: {} };
  for (const p of book.plan(at)) {
    const rec = book.get(p.id)!;
    input.orders.push({
      id: p.id,
      status: 'confirmed',
      atRisk: false,
      bufferConsumed: false,
      promise: rec.promiseDate,
      shippingBufferDays: rec.shippingBufferDays,
      materialAvailable: null,
      release: p.plannedRelease ?? at,
      operations: p.operations.map(({ position, resource, minutes }) => ({ position, resource, minutes })),
    });
    input.plan[p.id] = p.operations.map(({ position, resource, start, end }) => ({ position, resource, start, end }));
  }
  const v = checkPlan(input);
  expect(v, describeViolations(v)).toEqual([]);
}

describe('RouteBook: upstream bottleneck (heat Mon–Thu one shift before a two-shift drum)', () => {
  const { wts, checkerPlant } = plantOf({ heat: cal(MON_THU, ONE), cnc: cal(MON_FRI, TWO), pack: cal(MON_FRI, TWO) }, 'cnc');
  const demand: RouteDemand = {
    ops: [
      { resource: 'heat', minutes: 960 },
      { resource: 'cnc', minutes: 120 },
      { resource: 'pack', minutes: 30 },
    ],
    policy,
  };

  it('promises move out by heat capacity and name heat as the binding resource', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    const quotes = [];
    for (let i = 0; i < 6; i++) {
      const q = book.quote(now, demand, horizon);
      quotes.push(q);
      expect(book.commit(now, `h${i}`, demand, q.promiseDate, horizon)).not.toBeNull();
      expectValid(book, checkerPlant);
    }
    // two heat days each on a 4-day heat week: Tue, Thu, next Tue, Thu, …; the drum is never the limit
    expect(quotes.map((q) => q.ready)).toEqual([
      m('2026-11-24T14:00:00+01:00'),
      m('2026-11-26T14:00:00+01:00'),
      m('2026-12-01T14:00:00+01:00'),
      m('2026-12-03T14:00:00+01:00'),
      m('2026-12-08T14:00:00+01:00'),
      m('2026-12-10T14:00:00+01:00'),
    ]);
    expect(quotes[0]!.bindingResource).toBeNull();
    for (const q of quotes.slice(1)) {
      expect(q.bindingResource).toBe('heat');
      expect(q.bindingLimit).toBe('capacity');
    }
    const dates = quotes.map((q) => q.promiseDate);
    expect([...dates].sort()).toEqual(dates);
    expect(dates[5]! > dates[0]!).toBe(true);
    // the drum-only engine would have promised all six at the lead-time floor or near it
    expect(dates[5]! >= '2026-12-11').toBe(true);
  });

  it('rope: release PB drum working days before the promise, sooner only when heat must start sooner', () => {
    const book = new RouteBook('cnc', wts);
    const q = book.quote(now, demand, horizon);
    const late = '2026-12-18'; // a Friday, far after the quote
    const c = book.commit(now, 'x', demand, late, horizon)!;
    // PB = 2 drum working days before Fri 18 Dec: Wed 16 Dec, first heat minute 06:00
    expect(c.plannedRelease).toBe(m('2026-12-16T06:00:00+01:00'));
    expect(c.ready).toBe(m('2026-12-17T14:00:00+01:00'));
    expect(c.drumDeadline).toBeGreaterThan(q.earliestDeadline);
    expectValid(book, checkerPlant);
  });

  it('remove frees the heat reservations and the next quote takes them again', () => {
    const book = new RouteBook('cnc', wts);
    const q0 = book.quote(now, demand, horizon);
    book.commit(now, 'a', demand, q0.promiseDate, horizon);
    expect(book.quote(now, demand, horizon).promiseDate > q0.promiseDate).toBe(true);
    expect(book.remove('a')).toBe(true);
    expect(book.remove('a')).toBe(false);
    expect(book.quote(now, demand, horizon)).toEqual(q0);
  });
});

describe('RouteBook: downstream bottleneck', () => {
  const { wts, checkerPlant } = plantOf(
    { saw: cal(MON_FRI, TWO), cnc: cal(MON_FRI, TWO), pack: cal(MON_FRI, [['06:00', '10:00']]) },
    'cnc',
  );
  const demand: RouteDemand = {
    ops: [
      { resource: 'saw', minutes: 30 },
      { resource: 'cnc', minutes: 60 },
      { resource: 'pack', minutes: 480 },
    ],
    policy: { productionBufferDays: 1, shippingBufferDays: 1, standardLeadTimeDays: 1 },
  };

  it('promises move out by packing capacity, pack binds, the downstream end drives the promise', () => {
    const book = new RouteBook('cnc', wts);
    const quotes = [];
    for (let i = 0; i < 5; i++) {
      const q = book.quote(now, demand, horizon);
      quotes.push(q);
      expect(q.shipReadyAt).toBeGreaterThan(q.earliestDeadline);
      expect(book.commit(now, `p${i}`, demand, q.promiseDate, horizon)).not.toBeNull();
      expectValid(book, checkerPlant);
    }
    for (const q of quotes.slice(1)) expect(q.bindingResource).toBe('pack');
    // pack: 240 min a day, 480 per order: two days per order
    const dates = quotes.map((q) => q.promiseDate);
    expect(new Set(dates).size).toBe(5);
    expect([...dates].sort()).toEqual(dates);
  });

  it('a commit at a later date books downstream work just in time (ALAP downstream start), still valid', () => {
    const book = new RouteBook('cnc', wts);
    const c = book.commit(now, 'x', demand, '2026-12-11', horizon)!;
    const pack = c.ops.find((o) => o.resource === 'pack')!;
    // ship-ready by the end of Thu 10 Dec (SB 1): pack works 06:00–10:00 on Wed and Thu
    expect(pack.start).toBe(m('2026-12-09T06:00:00+01:00'));
    expect(pack.end).toBe(m('2026-12-10T10:00:00+01:00'));
    expect(c.drumDeadline).toBe(pack.start);
    expectValid(book, checkerPlant);
  });
});

describe('RouteBook: drum-only plant reproduces the drum engine', () => {
  const { wts, checkerPlant } = plantOf({ cnc: cal(MON_FRI, ONE, [{ kind: 'holiday', date: '2026-11-25' }]) }, 'cnc');
  const drumWt = wts.get('cnc')!;

  it('quotes as quoteOnBook on a DrumBook with the same orders (lookahead 0, no future ready time)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ load: fc.integer({ min: 0, max: 900 }), later: fc.integer({ min: 0, max: 4 }) }), {
          minLength: 1,
          maxLength: 25,
        }),
        (stream) => {
          // keys in deadline order (ties by commit order), as the drum engine sequences them
          const stored: StoredRouteOrder[] = [];
          stream.forEach(({ load, later }, i) => {
            const demand: RouteDemand = { ops: [{ resource: 'cnc', minutes: load }], policy };
            const edd = stored.map((o, seq) => ({ o, seq })).sort((a, b) => a.o.drumDeadline - b.o.drumDeadline || a.seq - b.seq);
            const book = new RouteBook(
              'cnc',
              wts,
              edd.map(({ o }, k) => ({ ...o, key: k * 1024 })),
              { lookahead: 0 },
            );
            const drum = new DrumBook(
              drumWt,
              stored.map((o, seq) => ({ id: o.id, load: o.drumLoad, deadline: o.drumDeadline, seq })),
            );
            const q = book.quote(now, demand, horizon);
            const today = quoteOnBook(drum, now, load, policy, horizon);
            expect(q.earliestDeadline).toBe(today.earliestDeadline);
            expect(q.promiseDate).toBe(today.promiseDate);
            expect(q.bindingLimit).toBe(today.bindingLimit);
            const date = drumWt.addWorkingDays(q.promiseDate, later);
            expect(book.commit(now, `d${i}`, demand, date, horizon)).not.toBeNull();
            expectValid(book, checkerPlant);
            // no ready time in the future (the rope's is a ready time): today's engine has none
            stored.push({ ...book.get(`d${i}`)!, ready: 0, plannedRelease: null });
          });
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('RouteBook: API details', () => {
  const { wts, checkerPlant } = plantOf({ heat: cal(MON_THU, ONE), cnc: cal(MON_FRI, TWO), pack: cal(MON_FRI, TWO) }, 'cnc');
  const demand: RouteDemand = {
    ops: [
      { resource: 'heat', minutes: 300 },
      { resource: 'cnc', minutes: 100 },
      { resource: 'cnc', minutes: 50 },
      { resource: 'pack', minutes: 0 },
      { resource: 'pack', minutes: 45 },
    ],
    policy,
  };

  it('rejects routings without a drum op, with split drum ops, or with unknown resources', () => {
    const book = new RouteBook('cnc', wts);
    expect(() => book.quote(now, { ops: [{ resource: 'heat', minutes: 5 }], policy }, horizon)).toThrow(RangeError);
    const split = [
      { resource: 'cnc', minutes: 5 },
      { resource: 'heat', minutes: 5 },
      { resource: 'cnc', minutes: 5 },
    ];
    expect(() => book.quote(now, { ops: split, policy }, horizon)).toThrow(RangeError);
    expect(() => book.quote(now, { ops: [{ resource: 'mill', minutes: 5 }], policy }, horizon)).toThrow(RangeError);
    // a zero drum load is fine when the routing has a drum op
    expect(book.quote(now, { ops: [{ resource: 'cnc', minutes: 0 }], policy }, horizon).earliestDeadline).toBe(now + 15);
  });

  it('no room before the horizon: NoCapacityError from quote, false from keepable, null from commit', () => {
    const book = new RouteBook('cnc', wts);
    const short = now + 300;
    expect(() => book.quote(now, demand, short)).toThrow(NoCapacityError);
    expect(book.keepable(now, demand, '2026-12-31', short)).toBe(false);
    expect(book.commit(now, 'x', demand, '2026-12-31', short)).toBeNull();
    expect(book.size).toBe(0);
  });

  it('merged drum ops are published as consecutive sub-intervals; zero-minute ops as points', () => {
    const book = new RouteBook('cnc', wts);
    const q = book.quote(now, demand, horizon);
    const c = book.commit(now, 'x', demand, q.promiseDate, horizon)!;
    expect(c.ops.map((o) => [o.position, o.resource, o.start === null])).toEqual([
      [0, 'heat', false],
      [1, 'cnc', true],
      [2, 'cnc', true],
      [3, 'pack', true],
      [4, 'pack', false],
    ]);
    const plan = book.planOf(now, 'x')!;
    expect(plan.operations).toHaveLength(5);
    expect(plan.operations[1]!.end).toBeLessThanOrEqual(plan.operations[2]!.start);
    expect(plan.operations[2]!.end - plan.operations[1]!.start).toBe(150);
    expect(plan.operations[3]!.start).toBe(plan.operations[3]!.end);
    expect(plan.late).toBe(false);
    expectValid(book, checkerPlant);
    expect(book.planOf(now, 'nope')).toBeUndefined();
  });

  it('checkpoints nest; rollback restores drum, ledgers and records; release keeps them', () => {
    const book = new RouteBook('cnc', wts);
    const q = book.quote(now, demand, horizon);
    book.commit(now, 'a', demand, q.promiseDate, horizon);
    const before = structuredClone({ plan: book.plan(now), orders: book.orders() });
    const outer = book.checkpoint();
    book.commit(now, 'b', demand, book.quote(now, demand, horizon).promiseDate, horizon);
    const inner = book.checkpoint();
    book.remove('a');
    book.rollback(inner);
    expect(book.has('a')).toBe(true);
    book.release(outer);
    expect(book.has('b')).toBe(true);
    const cp = book.checkpoint();
    book.remove('b');
    book.upsert({ ...book.get('a')!, promiseDate: '2027-01-29' });
    book.rollback(cp);
    expect(book.remove('b')).toBe(true);
    expect(structuredClone({ plan: book.plan(now), orders: book.orders() })).toEqual(before);
    expect(() => book.rollback(cp)).toThrow(RangeError);
  });

  it('upsert inserts exactly as stored, replaces, keeps pinned rank order, and is atomic on an overlap', () => {
    const book = new RouteBook('cnc', wts);
    const c = book.commit(now, 'a', demand, book.quote(now, demand, horizon).promiseDate, horizon)!;
    const stored = book.get('a')!;
    expect(stored.key).toBe(c.key);
    const copy = new RouteBook('cnc', wts);
    copy.upsert(stored);
    expect(copy.plan(now)).toEqual(book.plan(now));
    // a second order on the same heat interval overlaps: nothing changes
    const clash: StoredRouteOrder = { ...stored, id: 'b', key: stored.key + 1 };
    expect(() => copy.upsert(clash)).toThrow();
    expect(copy.size).toBe(1);
    expect(copy.has('b')).toBe(false);
    // pinned orders: worked by (pinRank, key), whatever the upsert order
    const drumOnly = (id: string, key: number, pinRank: number): StoredRouteOrder => ({
      id,
      ops: [{ position: 0, resource: 'cnc', minutes: 60, start: null, end: null }],
      drumLoad: 60,
      drumDeadline: now + 20 * 1440,
      ready: 0,
      key,
      pinned: true,
      pinRank,
      plannedRelease: null,
      promiseDate: '2026-12-31',
      shippingBufferDays: 1,
    });
    copy.upsert(drumOnly('p2', 5, 2));
    copy.upsert(drumOnly('p0', 9, -1));
    copy.upsert(drumOnly('p1', 1, 2));
    expect(copy.orders().map((o) => o.id)).toEqual(['p0', 'p1', 'p2', 'a']);
    const cold = new RouteBook('cnc', wts, [...copy.orders()].reverse());
    expect(cold.orders().map((o) => o.id)).toEqual(['p0', 'p1', 'p2', 'a']);
    expect(cold.plan(now)).toEqual(copy.plan(now));
    // replace keeps one record
    copy.upsert({ ...drumOnly('p1', 1, -2) });
    expect(copy.orders().map((o) => o.id)).toEqual(['p1', 'p0', 'p2', 'a']);
    expect(copy.size).toBe(4);
  });

  it('withWorkingTimes: a capacity increase shrinks reservations, keeps starts, leaves the old book intact', () => {
    const book = new RouteBook('cnc', wts);
    book.commit(now, 'a', { ...demand, ops: [{ resource: 'heat', minutes: 600 }, ...demand.ops.slice(1)] }, '2026-12-18', horizon);
    const heatBefore = book.get('a')!.ops[0]!;
    const more = new Map(wts);
    more.set('heat', buildWorkingTime(cal(MON_THU, TWO)));
    const next = book.withWorkingTimes(more);
    const heatAfter = next.get('a')!.ops[0]!;
    expect(heatAfter.start).toBe(heatBefore.start);
    expect(heatAfter.end!).toBeLessThan(heatBefore.end!);
    expect(book.get('a')!.ops[0]).toEqual(heatBefore);
    expect(next.plan(now)[0]!.operations[0]!.end).toBe(heatAfter.end);
  });
});

describe('RouteBook: the worked example of the design note (§13)', () => {
  const { wts, checkerPlant } = plantOf({ heat: cal(MON_THU, ONE), cnc: cal(MON_FRI, TWO), test: cal(MON_FRI, ONE) }, 'cnc');
  const at = (s: string) => m(`${s}:00+01:00`);
  const demand: RouteDemand = {
    ops: [
      { resource: 'heat', minutes: 900 },
      { resource: 'cnc', minutes: 60 },
      { resource: 'test', minutes: 30 },
    ],
    policy: { productionBufferDays: 5, shippingBufferDays: 2, standardLeadTimeDays: 5 },
  };
  const t = m('2026-11-23T05:45:00+01:00');
  // heat (final), ρ, drum plan (final), test at quote → V, capacity date, promise, committed D_x
  const table: [string, string, string, string, string, string, string, string, string, string][] = [
    [
      '2026-11-23T06:00',
      '2026-11-24T13:00',
      '2026-11-24T13:00',
      '2026-11-24T13:00',
      '2026-11-24T14:00',
      '2026-11-25T06:00',
      '2026-11-25T06:30',
      '2026-11-27',
      '2026-11-30',
      '2026-11-26T13:30',
    ],
    [
      '2026-11-24T13:00',
      '2026-11-26T12:00',
      '2026-11-26T12:00',
      '2026-11-26T12:00',
      '2026-11-26T13:00',
      '2026-11-26T13:00',
      '2026-11-26T13:30',
      '2026-11-30',
      '2026-11-30',
      '2026-11-26T13:00',
    ],
    [
      '2026-11-26T12:00',
      '2026-12-01T11:00',
      '2026-12-01T11:00',
      '2026-12-01T11:00',
      '2026-12-01T12:00',
      '2026-12-01T12:00',
      '2026-12-01T12:30',
      '2026-12-03',
      '2026-12-03',
      '2026-12-01T13:30',
    ],
    [
      '2026-12-01T11:00',
      '2026-12-03T10:00',
      '2026-12-03T10:00',
      '2026-12-03T10:00',
      '2026-12-03T11:00',
      '2026-12-03T11:00',
      '2026-12-03T11:30',
      '2026-12-07',
      '2026-12-07',
      '2026-12-03T13:30',
    ],
    [
      '2026-12-03T10:00',
      '2026-12-08T09:00',
      '2026-12-08T09:00',
      '2026-12-08T09:00',
      '2026-12-08T10:00',
      '2026-12-08T10:00',
      '2026-12-08T10:30',
      '2026-12-10',
      '2026-12-10',
      '2026-12-08T13:30',
    ],
    [
      '2026-12-08T09:00',
      '2026-12-10T08:00',
      '2026-12-10T08:00',
      '2026-12-10T08:00',
      '2026-12-10T09:00',
      '2026-12-10T09:00',
      '2026-12-10T09:30',
      '2026-12-14',
      '2026-12-14',
      '2026-12-10T13:30',
    ],
  ];

  it('reproduces the table: heat ledger, ready times, drum plan, V, dates, D_x, binding resource and the rope', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 15 });
    const commits: RouteCommit[] = [];
    table.forEach((row, i) => {
      const q = book.quote(t, demand, horizon);
      expect(q.ready).toBe(at(row[2]));
      expect(q.earliestDeadline).toBe(at(row[4]));
      expect(q.shipReadyAt).toBe(at(row[6]));
      expect(q.capacityPromiseDate).toBe(row[7]);
      expect(q.promiseDate).toBe(row[8]);
      expect(q.bindingResource).toBe(i === 0 ? null : 'heat');
      const c = book.commit(t, `o${i + 1}`, demand, q.promiseDate, horizon)!;
      expect(c.drumDeadline).toBe(at(row[9]));
      expect(c.ops[2]).toMatchObject({ start: at(row[9]), end: at(row[9]) + 30 });
      commits.push(c);
    });
    expect(commits[0]!.plannedRelease).toBe(at('2026-11-23T06:00'));
    expect(commits[5]!.plannedRelease).toBe(at('2026-12-07T06:00'));
    const plans = new Map(book.plan(t).map((p) => [p.id, p]));
    table.forEach((row, i) => {
      const p = plans.get(`o${i + 1}`)!;
      expect(p.operations[0]).toMatchObject({ start: at(row[0]), end: at(row[1]) });
      expect(p.ready).toBe(at(row[2]));
      expect(p.operations[1]).toMatchObject({ start: at(row[3]), end: at(row[4]) });
    });
    expectValid(book, checkerPlant, t);
    // a product that bypasses heat, quoted after order 6: D*_drum Mon 23 11:00, promise Mon 30 (floor)
    const bypass: RouteDemand = {
      ...demand,
      ops: [
        { resource: 'cnc', minutes: 300 },
        { resource: 'test', minutes: 30 },
      ],
    };
    const q = book.quote(t, bypass, horizon);
    expect(q.earliestDeadline).toBe(at('2026-11-23T11:00'));
    expect(q.promiseDate).toBe('2026-11-30');
    expect(q.bindingLimit).toBe('lead-time-floor');
  });
});

describe('RouteBook: arguments', () => {
  it('needs a finite horizon (the ledgers search no further) and a known drum', () => {
    const { wts } = plantOf({ heat: cal(MON_THU, ONE), cnc: cal(MON_FRI, TWO) }, 'cnc');
    const book = new RouteBook('cnc', wts);
    const demand: RouteDemand = { ops: [{ resource: 'cnc', minutes: 10 }], policy };
    expect(() => book.quote(now, demand, Infinity)).toThrow(RangeError);
    expect(() => new RouteBook('mill', wts)).toThrow(RangeError);
  });
});

describe('RouteBook: capacity reduction', () => {
  it('withWorkingTimes on less capacity right-shifts overlapping reservations in ledger order (no throw); the old book is intact', () => {
    const { wts } = plantOf({ heat: cal(MON_THU, ONE), cnc: cal(MON_FRI, TWO) }, 'cnc');
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    const demand: RouteDemand = {
      ops: [
        { resource: 'heat', minutes: 240 },
        { resource: 'cnc', minutes: 60 },
      ],
      policy,
    };
    for (const id of ['a', 'b', 'c']) book.commit(now, id, demand, book.quote(now, demand, horizon).promiseDate, horizon);
    const before = book.orders().map((o) => o.ops[0]!);
    // heat loses Monday: a moves to Tuesday 06:00, b and c follow it in ledger order
    const less = new Map(wts);
    less.set('heat', buildWorkingTime(cal(MON_THU, ONE, [{ kind: 'holiday', date: '2026-11-23' }])));
    const next = book.withWorkingTimes(less);
    const after = new Map(next.orders().map((o) => [o.id, o.ops[0]!]));
    expect(after.get('a')).toMatchObject({ start: m('2026-11-24T06:00:00+01:00'), end: m('2026-11-24T10:00:00+01:00') });
    expect(after.get('b')).toMatchObject({ start: m('2026-11-24T10:00:00+01:00'), end: m('2026-11-24T14:00:00+01:00') });
    expect(after.get('c')!.start).toBe(m('2026-11-25T06:00:00+01:00'));
    expect(book.orders().map((o) => o.ops[0]!)).toEqual(before);
  });
});

describe('RouteBook: rekeying', () => {
  it('a commit between adjacent keys respaces them and reports the new keys, which the records carry', () => {
    const { wts, checkerPlant } = plantOf({ cnc: cal(MON_FRI, TWO) }, 'cnc');
    const drumOrder = (id: string, key: number, load: number, deadline: number): StoredRouteOrder => ({
      id,
      ops: [{ position: 0, resource: 'cnc', minutes: load, start: null, end: null }],
      drumLoad: load,
      drumDeadline: deadline,
      ready: 0,
      key,
      pinned: false,
      plannedRelease: null,
      promiseDate: '2027-01-29',
      shippingBufferDays: 1,
    });
    const book = new RouteBook(
      'cnc',
      wts,
      [drumOrder('A', 0, 60, m('2026-11-24T00:00:00+01:00')), drumOrder('B', 1, 3000, m('2027-01-28T00:00:00+01:00'))],
      {
        lookahead: 0,
      },
    );
    const demand: RouteDemand = { ops: [{ resource: 'cnc', minutes: 60 }], policy };
    const c = book.commit(now, 'x', demand, '2026-11-26', horizon)!;
    expect(book.orders().map((o) => o.id)).toEqual(['A', 'x', 'B']);
    expect(c.rekeyed.length).toBeGreaterThan(0);
    for (const r of c.rekeyed) expect(book.get(r.id)!.key).toBe(r.key);
    const keys = book.orders().map((o) => o.key);
    expect([...keys].sort((a, b) => a - b)).toEqual(keys);
    expect(new RouteBook('cnc', wts, book.orders()).plan(now)).toEqual(book.plan(now));
    expectValid(book, checkerPlant);
  });
});

describe("RouteBook: a zero drum load before a downstream op in the drum's break", () => {
  it('is ready no later than its drum deadline (found by the random-plant property over a weekend)', () => {
    const ALL: Day[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
    const { wts, checkerPlant } = plantOf({ cnc: cal(MON_FRI, ONE), pack: cal(ALL, ONE) }, 'cnc');
    const zeroPolicy: BufferPolicy = { productionBufferDays: 0, shippingBufferDays: 0, standardLeadTimeDays: 0 };
    const book = new RouteBook('cnc', wts, [
      {
        id: 'busy',
        ops: [
          { position: 0, resource: 'cnc', minutes: 0, start: null, end: null },
          { position: 1, resource: 'pack', minutes: 480, start: m('2026-11-30T06:00:00+01:00'), end: m('2026-11-30T14:00:00+01:00') },
        ],
        drumLoad: 0,
        drumDeadline: m('2026-11-30T06:00:00+01:00'),
        ready: 0,
        key: 0,
        pinned: false,
        plannedRelease: null,
        promiseDate: '2026-11-30',
        shippingBufferDays: 0,
      },
    ]);
    const demand: RouteDemand = {
      ops: [
        { resource: 'cnc', minutes: 0 },
        { resource: 'pack', minutes: 60 },
      ],
      policy: zeroPolicy,
    };
    const c = book.commit(now, 'x', demand, '2026-11-30', horizon)!;
    // pack is booked on Monday: x packs Sunday 13:00–14:00, so it must be ready by then (the drum's next minute is Monday 06:00)
    expect(c.drumDeadline).toBe(m('2026-11-29T13:00:00+01:00'));
    expect(c.ready).toBeLessThanOrEqual(c.drumDeadline);
    const plan = book.planOf(now, 'x')!;
    expect(plan.operations[0]!.end).toBeLessThanOrEqual(plan.operations[1]!.start);
    expectValid(book, checkerPlant);
  });
});
