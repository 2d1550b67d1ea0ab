import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BufferPolicy } from '../../src/engine/buffer-days.ts';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import { RouteBook, type RouteDemand, type RoutePrice } from '../../src/engine/index.ts';
import type { WorkingTime } from '../../src/engine/working-time.ts';

const BERLIN = 'Europe/Berlin';
const m = (iso: string) => Date.parse(iso) / 60_000;
const now = m('2026-11-23T06:00:00+01:00'); // a Monday
const horizon = now + 60 * 1440;
type Day = Calendar['weekly'][number]['day'];
const cal = (days: Day[], shifts: [string, string][]): Calendar => ({
  timeZone: BERLIN,
  weekly: days.flatMap((day) => shifts.map(([start, end]) => ({ day, start, end }))),
  exceptions: [],
});
const MON_FRI: Day[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const ONE: [string, string][] = [['06:00', '14:00']];
const TWO: [string, string][] = [
  ['06:00', '14:00'],
  ['14:00', '22:00'],
];
const policy: BufferPolicy = { productionBufferDays: 1, shippingBufferDays: 1, standardLeadTimeDays: 0 };
const hhmm = (min: number) => `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

/** Adds the price as one overtime block right after the 14:00 shift end, on the first day where it lies inside [neededAfter, neededBy). */
function withOvertime(calendars: Record<string, Calendar>, price: RoutePrice): Map<string, WorkingTime> {
  const base = calendars[price.bindingResource]!;
  const wt = buildWorkingTime(base);
  expect(price.minutes).toBeLessThanOrEqual(600);
  for (let t = price.neededAfter - 1440; t < price.neededBy; t += 1440) {
    const date = wt.localDateOf(t);
    const start = wt.startOfLocalDate(date) + 14 * 60;
    if (start < price.neededAfter || start + price.minutes > price.neededBy) continue;
    const next = { ...base, exceptions: [{ kind: 'overtime' as const, date, start: '14:00', end: hhmm(14 * 60 + price.minutes) }] };
    return new Map(Object.entries({ ...calendars, [price.bindingResource]: next }).map(([id, c]) => [id, buildWorkingTime(c)]));
  }
  throw new Error(`no day for ${price.minutes} overtime minutes in the window`);
}

describe('RouteBook.priceOfDate (§5.4)', () => {
  it('drum binds: X extra drum minutes before the drum deadline make the date keepable', () => {
    const calendars = { cnc: cal(MON_FRI, ONE) };
    const wts = new Map(Object.entries(calendars).map(([id, c]) => [id, buildWorkingTime(c)]));
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    const load = (minutes: number): RouteDemand => ({ ops: [{ resource: 'cnc', minutes }], policy });
    for (let i = 0; i < 5; i++) book.commit(now, `o${i}`, load(400), book.quote(now, load(400), horizon).promiseDate, horizon);
    const demand = load(300);
    const q = book.quote(now, demand, horizon);
    const wt = wts.get('cnc')!;
    const requested = wt.addWorkingDays(q.promiseDate, -1);
    expect(book.priceOfDate(now, demand, q.promiseDate, horizon)).toBeNull();
    const price = book.priceOfDate(now, demand, requested, horizon)!;
    if (process.env.ROUTE_BOOK_STATS)
      console.log(q.promiseDate, requested, price, new Date(price.neededAfter * 6e4), new Date(price.neededBy * 6e4));
    expect(price.bindingResource).toBe('cnc');
    expect(price.minutes).toBeGreaterThan(0);
    expect(book.withWorkingTimes(withOvertime(calendars, price)).keepable(now, demand, requested, horizon)).toBe(true);
    // necessary too: one minute less is not enough
    expect(
      book.withWorkingTimes(withOvertime(calendars, { ...price, minutes: price.minutes - 1 })).keepable(now, demand, requested, horizon),
    ).toBe(false);
  });

  it('an upstream resource binds: the block on heat makes the date keepable', () => {
    const calendars = { heat: cal(['mon', 'tue', 'wed', 'thu'], ONE), cnc: cal(MON_FRI, TWO) };
    const wts = new Map(Object.entries(calendars).map(([id, c]) => [id, buildWorkingTime(c)]));
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    const demand: RouteDemand = {
      ops: [
        { resource: 'heat', minutes: 300 },
        { resource: 'cnc', minutes: 60 },
      ],
      policy,
    };
    for (let i = 0; i < 5; i++) book.commit(now, `h${i}`, demand, book.quote(now, demand, horizon).promiseDate, horizon);
    const q = book.quote(now, demand, horizon);
    expect(q.bindingResource).toBe('heat');
    const requested = wts.get('cnc')!.addWorkingDays(q.promiseDate, -1);
    const price = book.priceOfDate(now, demand, requested, horizon)!;
    if (process.env.ROUTE_BOOK_STATS)
      console.log(q.promiseDate, requested, price, new Date(price.neededAfter * 6e4), new Date(price.neededBy * 6e4));
    expect(price.bindingResource).toBe('heat');
    expect(price.minutes).toBeGreaterThan(0);
    expect(price.minutes).toBeLessThanOrEqual(300);
    expect(book.withWorkingTimes(withOvertime(calendars, price)).keepable(now, demand, requested, horizon)).toBe(true);
  });

  it('a downstream resource binds: the block on pack makes the date keepable', () => {
    const calendars = { cnc: cal(MON_FRI, TWO), pack: cal(MON_FRI, ONE) };
    const wts = new Map(Object.entries(calendars).map(([id, c]) => [id, buildWorkingTime(c)]));
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    const demand: RouteDemand = {
      ops: [
        { resource: 'cnc', minutes: 30 },
        { resource: 'pack', minutes: 360 },
      ],
      policy,
    };
    for (let i = 0; i < 5; i++) book.commit(now, `p${i}`, demand, book.quote(now, demand, horizon).promiseDate, horizon);
    const q = book.quote(now, demand, horizon);
    const requested = wts.get('cnc')!.addWorkingDays(q.promiseDate, -1);
    const price = book.priceOfDate(now, demand, requested, horizon)!;
    if (process.env.ROUTE_BOOK_STATS)
      console.log(q.promiseDate, requested, price, new Date(price.neededAfter * 6e4), new Date(price.neededBy * 6e4));
    expect(price.bindingResource).toBe('pack');
    expect(book.withWorkingTimes(withOvertime(calendars, price)).keepable(now, demand, requested, horizon)).toBe(true);
  });
});

describe('RouteBook.priceOfDate on random drum books', () => {
  const calendars = { cnc: cal(MON_FRI, ONE) };
  const wts = new Map(Object.entries(calendars).map(([id, c]) => [id, buildWorkingTime(c)]));
  const wt = wts.get('cnc')!;

  /** The minutes spread over evenings (from 14:00, at most 600 a day) inside [neededAfter, neededBy). */
  function spread(price: RoutePrice): Map<string, WorkingTime> | null {
    let left = price.minutes;
    const exceptions: Calendar['exceptions'] = [];
    for (let t = price.neededAfter - 1440; t < price.neededBy && left > 0; t += 1440) {
      const date = wt.localDateOf(t);
      const start = wt.startOfLocalDate(date) + 14 * 60;
      if (start < price.neededAfter) continue;
      const n = Math.min(left, 600, price.neededBy - start);
      if (n <= 0) continue;
      exceptions.push({ kind: 'overtime', date, start: '14:00', end: hhmm(14 * 60 + n) });
      left -= n;
    }
    if (left > 0) return null;
    return new Map([['cnc', buildWorkingTime({ ...calendars.cnc, exceptions })]]);
  }

  it('the drum price, added before the drum deadline, makes the requested date keepable', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        fc.array(fc.record({ load: fc.integer({ min: 30, max: 900 }), later: fc.integer({ min: 0, max: 3 }) }), {
          minLength: 1,
          maxLength: 15,
        }),
        fc.integer({ min: 30, max: 900 }),
        fc.integer({ min: 1, max: 3 }),
        (stream, load, earlier) => {
          const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
          const demandOf = (minutes: number): RouteDemand => ({ ops: [{ resource: 'cnc', minutes }], policy });
          stream.forEach((o, i) => {
            const q = book.quote(now, demandOf(o.load), horizon);
            book.commit(now, `o${i}`, demandOf(o.load), wt.addWorkingDays(q.promiseDate, o.later), horizon);
          });
          const demand = demandOf(load);
          const q = book.quote(now, demand, horizon);
          const requested = wt.addWorkingDays(q.promiseDate, -earlier);
          if (requested < q.leadTimeFloorDate) return;
          const price = book.priceOfDate(now, demand, requested, horizon)!;
          expect(price.bindingResource).toBe('cnc');
          expect(price.minutes).toBeGreaterThan(0);
          const more = spread(price);
          if (!more) return;
          checked++;
          expect(book.withWorkingTimes(more).keepable(now, demand, requested, horizon)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
    expect(checked).toBeGreaterThan(50);
  });
});
