import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BufferPolicy } from '../../src/engine/buffer-days.ts';
import type { Calendar, CalendarException } from '../../src/engine/calendar-types.ts';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import { Ledger } from '../../src/engine/ledger.ts';
import { NoCapacityError } from '../../src/engine/quote.ts';
import { RouteBook } from '../../src/engine/route-book/route-book.ts';
import type { RouteDemand, StoredRouteOrder } from '../../src/engine/route-book/route-types.ts';
import type { WorkingTime } from '../../src/engine/working-time.ts';
import { addDays, arbPlant, HORIZON_DAYS, operationMinutes, type RandomPlant } from '../helpers/plant-gen.ts';
import { runs } from './helpers/runs.ts';

/**
 * withWorkingTimes (a capacity change) rebuilds only what the change touches. The oracle is
 * the straightforward rebuild it replaced: every ledger rebuilt on its new calendar from
 * the stored starts, then a cold build of the whole book from the re-measured records.
 */
function fromScratch(book: RouteBook, drum: string, before: ReadonlyMap<string, WorkingTime>, after: ReadonlyMap<string, WorkingTime>) {
  const orders = book.orders();
  const moved = new Map<string, { start: number; end: number }>();
  for (const [resource, old] of before) {
    const wt = after.get(resource);
    if (resource === drum || !wt) continue;
    const entries = orders.flatMap((o) =>
      o.ops
        .filter((op) => op.resource === resource && op.start !== null && op.minutes > 0)
        .map((op) => ({ order: o.id, position: op.position, start: op.start!, minutes: op.minutes })),
    );
    const ledger = Ledger.fromStarts(old, entries);
    ledger.rebuild(wt);
    for (const r of ledger.entries()) moved.set(`${r.order}#${r.position}`, ledger.interval(r));
  }
  const rebuilt = orders.map((o): StoredRouteOrder => ({
    ...o,
    ops: o.ops.map((op) => {
      const to = moved.get(`${o.id}#${op.position}`);
      return to && op.resource !== drum && op.start !== null ? { ...op, ...to } : op;
    }),
  }));
  return new RouteBook(drum, after, rebuilt);
}

/** A WorkingTime that counts the calls made on it (work, not time). */
function counted(wt: WorkingTime): { wt: WorkingTime; calls: () => number } {
  let calls = 0;
  const proxy = new Proxy(wt, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { wt: proxy, calls: () => calls };
}

const snapshot = (book: RouteBook, now: number) => structuredClone({ plan: book.plan(now), orders: book.orders() });

describe('RouteBook.withWorkingTimes: only the changed resources are rebuilt', () => {
  const shifts = (days: readonly string[], start: string, end: string) => days.map((day) => ({ day, start, end })) as Calendar['weekly'];
  const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];
  const cal = (weekly: Calendar['weekly'], exceptions: CalendarException[] = []): Calendar => ({
    timeZone: 'Europe/Berlin',
    weekly,
    exceptions,
  });
  const calendars: Record<string, Calendar> = {
    saw: cal(shifts(weekdays, '06:00', '14:00')),
    cnc: cal(shifts(weekdays, '06:00', '22:00')),
    pack: cal(shifts(weekdays, '07:00', '15:00')),
  };
  const now = Date.parse('2026-11-23T08:00:00+01:00') / 60_000;
  const horizon = now + 400 * 1440;
  const policy = { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 3 };
  const demand: RouteDemand = {
    ops: [
      { resource: 'saw', minutes: 20 },
      { resource: 'cnc', minutes: 15 },
      { resource: 'pack', minutes: 10 },
    ],
    policy,
  };
  const built = () => new Map(Object.entries(calendars).map(([r, c]) => [r, buildWorkingTime(c)]));

  function filled(n: number): { book: RouteBook; wts: Map<string, WorkingTime> } {
    const wts = built();
    const book = new RouteBook('cnc', wts);
    for (let i = 0; i < n; i++) {
      const q = book.quote(now, demand, horizon);
      if (!book.commit(now, `o${i}`, demand, q.promiseDate, horizon)) throw new Error(`commit o${i}`);
    }
    return { book, wts };
  }

  it('a change on one resource makes no calendar call on the others (fresh but equal WorkingTime objects), and plans as a rebuild from scratch', () => {
    const n = 300;
    const { book, wts } = filled(n);
    const before = snapshot(book, now);
    // Fresh objects for the unchanged calendars (as the service builds them every time), counted.
    const saw = counted(buildWorkingTime(calendars.saw!));
    const cnc = counted(buildWorkingTime(calendars.cnc!));
    const pack = counted(buildWorkingTime(cal(calendars.pack!.weekly, [{ kind: 'holiday', date: '2026-11-25' }])));
    const after = new Map([
      ['saw', saw.wt],
      ['cnc', cnc.wt],
      ['pack', pack.wt],
    ]);
    const next = book.withWorkingTimes(after);
    expect(saw.calls()).toBe(0);
    expect(cnc.calls()).toBe(0);
    expect(pack.calls()).toBeGreaterThanOrEqual(n); // the changed ledger: every reservation re-measured
    expect(next.visits).toBe(0);
    const scratch = fromScratch(book, 'cnc', wts, after);
    expect(next.plan(now)).toEqual(scratch.plan(now));
    expect(next.orders()).toEqual(scratch.orders());
    expect(snapshot(book, now)).toEqual(before);
  });

  it('a record whose stored interval is stale is settled on an unchanged resource too, at the cost of that record only', () => {
    const n = 200;
    const { book, wts } = filled(n);
    const rec = book.get('o7')!;
    // A stale stored end on saw (the reservation is measured from the start): only this record is unsettled.
    book.upsert({ ...rec, ops: rec.ops.map((op) => (op.resource === 'saw' ? { ...op, end: op.end! + 3 } : op)) });
    const saw = counted(buildWorkingTime(calendars.saw!));
    const after = new Map(wts);
    after.set('saw', saw.wt);
    after.set(
      'pack',
      buildWorkingTime(cal(calendars.pack!.weekly, [{ kind: 'overtime', date: '2026-11-28', start: '07:00', end: '12:00' }])),
    );
    const next = book.withWorkingTimes(after);
    expect(saw.calls()).toBeGreaterThan(0);
    expect(saw.calls()).toBeLessThan(10);
    expect(next.get('o7')).toEqual(rec);
    expect(next.orders()).toEqual(fromScratch(book, 'cnc', wts, after).orders());
  });

  it('a new resource set takes the full rebuild and still plans the same', () => {
    const { book, wts } = filled(50);
    const after = new Map(wts);
    after.set('spare', buildWorkingTime(calendars.saw!));
    const next = book.withWorkingTimes(after);
    expect(next.plan(now)).toEqual(book.plan(now));
    expect(next.quote(now, demand, horizon)).toEqual(book.quote(now, demand, horizon));
    after.delete('cnc');
    expect(() => book.withWorkingTimes(after)).toThrow(RangeError);
  });
});

/** Random calendar changes: holidays, downtime and overtime inside the horizon. */
interface Change {
  day: number;
  kind: CalendarException['kind'];
  from: number;
  hours: number;
}
const arbChange: fc.Arbitrary<Change> = fc.record({
  day: fc.integer({ min: 0, max: HORIZON_DAYS }),
  kind: fc.constantFrom<CalendarException['kind']>('holiday', 'downtime', 'overtime', 'extra_shift'),
  from: fc.integer({ min: 0, max: 22 }),
  hours: fc.integer({ min: 1, max: 6 }),
});

function withChanges(plant: RandomPlant, calendar: Calendar, changes: Change[]): Calendar {
  const exceptions = [...calendar.exceptions];
  for (const c of changes) {
    const date = addDays(plant.anchor.firstDay, c.day);
    const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
    if (c.kind === 'holiday') exceptions.push({ kind: 'holiday', date });
    else exceptions.push({ kind: c.kind, date, start: hh(c.from), end: hh(Math.min(24, c.from + c.hours)) });
  }
  return { ...calendar, exceptions };
}

describe('RouteBook.withWorkingTimes on random plants', () => {
  it('plans, records, quotes and commits as a rebuild from scratch; the old book stays as it was', () => {
    fc.assert(
      fc.property(
        arbPlant({ maxProducts: 3 }),
        fc.array(fc.record({ product: fc.nat(), quantity: fc.integer({ min: 1, max: 120 }), later: fc.integer({ min: 0, max: 4 }) }), {
          minLength: 5,
          maxLength: 40,
        }),
        fc.array(fc.tuple(fc.nat(), fc.array(arbChange, { minLength: 1, maxLength: 3 })), { maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        (plant, orders, changes, stale) => {
          const now = plant.start;
          const horizon = now + (HORIZON_DAYS + 10) * 1440;
          const calendars = new Map(plant.resources.map((r) => [r.id, { timeZone: plant.plant.timeZone, ...r.put.calendar } as Calendar]));
          const wts = new Map([...calendars].map(([id, c]) => [id, buildWorkingTime(c)]));
          const demandOf = (product: number, quantity: number): RouteDemand => {
            const p = plant.products[product % plant.products.length]!;
            const pb = p.put.productionBufferDays ?? plant.bufferPolicy.productionBufferDays;
            const policy: BufferPolicy = {
              productionBufferDays: pb,
              shippingBufferDays: p.put.shippingBufferDays ?? plant.bufferPolicy.shippingBufferDays,
              standardLeadTimeDays: Math.max(plant.bufferPolicy.standardLeadTimeDays, pb),
            };
            return { ops: p.put.routing.map((op) => ({ resource: op.resource, minutes: operationMinutes(op, quantity) })), policy };
          };
          const book = new RouteBook(plant.drum, wts);
          orders.forEach((o, i) => {
            const demand = demandOf(o.product, o.quantity);
            try {
              const q = book.quote(now, demand, horizon);
              book.commit(now, `o${i}`, demand, addDays(q.promiseDate, o.later), horizon);
            } catch (e) {
              if (!(e instanceof NoCapacityError)) throw e;
            }
          });
          // Some records stored with a stale end (as a cold process may read them).
          const ids = book.orders().map((o) => o.id);
          for (const pick of stale) {
            const rec = book.get(ids[pick % ids.length]!)!;
            book.upsert({
              ...rec,
              ops: rec.ops.map((op) => (op.end === null || op.resource === plant.drum ? op : { ...op, end: op.end + 1 })),
            });
          }
          // New calendars: changed ones, and fresh objects for the unchanged.
          const after = new Map([...calendars].map(([id, c]) => [id, buildWorkingTime(c)]));
          for (const [pick, cs] of changes) {
            const id = plant.resources[pick % plant.resources.length]!.id;
            after.set(id, buildWorkingTime(withChanges(plant, calendars.get(id)!, cs)));
          }
          const before = snapshot(book, now);
          const next = book.withWorkingTimes(after);
          const scratch = fromScratch(book, plant.drum, wts, after);
          expect(next.plan(now)).toEqual(scratch.plan(now));
          expect(next.orders()).toEqual(scratch.orders());
          expect(next.feasible(now)).toBe(scratch.feasible(now));
          // The books share state until one of them changes: a change to the old one leaves the new one alone.
          if (ids.length > 0) {
            const cp = book.checkpoint();
            book.remove(ids[0]!);
            expect(next.orders()).toEqual(scratch.orders());
            expect(next.remove(ids[0]!)).toBe(scratch.remove(ids[0]!));
            expect(next.plan(now)).toEqual(scratch.plan(now));
            book.rollback(cp);
            expect(snapshot(book, now)).toEqual(before);
          }
          // Both books go on alike; the old one is untouched by either.
          for (const [k, o] of orders.slice(0, 5).entries()) {
            const demand = demandOf(o.product + 1, o.quantity);
            let q: ReturnType<RouteBook['quote']> | null = null;
            try {
              q = scratch.quote(now, demand, horizon);
            } catch (e) {
              if (!(e instanceof NoCapacityError)) throw e;
            }
            if (!q) {
              expect(() => next.quote(now, demand, horizon)).toThrow(NoCapacityError);
              continue;
            }
            expect(next.quote(now, demand, horizon)).toEqual(q);
            const id = `n${k}`;
            expect(next.commit(now, id, demand, q.promiseDate, horizon)).toEqual(scratch.commit(now, id, demand, q.promiseDate, horizon));
          }
          if (ids.length > 1) expect(next.remove(ids[1]!)).toBe(scratch.remove(ids[1]!));
          expect(next.plan(now)).toEqual(scratch.plan(now));
          expect(snapshot(book, now)).toEqual(before);
        },
      ),
      runs(60),
    );
  }, 120_000);
});
