import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { workingTimeFromIntervals } from '../../src/engine/calendar.ts';
import { RouteDrum } from '../../src/engine/route-drum/route-drum.ts';
import { bookOf, bookWithOneDelayed, toOrders } from './helpers/route-drum-books.ts';
import { arbInst, arbX, HORIZON, T0, type Inst } from './route-drum-brute.ts';

// The parts of RouteDrum the service reaches through the route book: copies on a calendar
// (capacity changes), orders inserted as stored (catch-up), the cheap "would anything move"
// checks of the tick, and the price of a date's position state. Each is checked against the
// operation it stands for, on the small generated books of the enumeration tests.

const RUNS = { numRuns: Number(process.env.ENGINE_PROPERTY_RUNS ?? 200) };

const xOf = (inst: Inst, x: { load: number; readyOffset: number }) => ({
  load: x.load,
  ready: x.readyOffset < 0 ? inst.now - 30 : T0 + x.readyOffset,
});
/** A calendar that always works: every instant a working minute. */
const always = workingTimeFromIntervals([[T0 - 10_000, T0 + 200_000]]);
/** The hand-built books' deadline: far enough that every order is on time. */
const d = T0 + 10_000;
/** On `always`: p1 and p2 pinned, then 10-minute orders at the keys given, all ready at T0. */
const pinnedPairThen = (keyed: Record<string, number>) =>
  new RouteDrum(always, [
    { id: 'p1', load: 10, ready: T0, deadline: d, key: 0, pinned: true },
    { id: 'p2', load: 10, ready: T0, deadline: d, key: 0, pinned: true },
    ...Object.entries(keyed).map(([id, key]) => ({ id, load: 10, ready: T0, deadline: d, key })),
  ]);

describe('RouteDrum.copyOn', () => {
  it('on the same minutes: the same orders, plan and quotes, and the copy changes alone', () => {
    fc.assert(
      fc.property(arbInst(), arbX, (inst, xs) => {
        const book = bookOf(inst);
        const copy = book.copyOn(inst.wt, true);
        const x = xOf(inst, xs);
        expect(copy.orders()).toEqual(book.orders());
        expect(copy.plan(inst.now)).toEqual(book.plan(inst.now));
        expect(copy.quote(inst.now, x.load, x.ready, HORIZON)).toEqual(book.quote(inst.now, x.load, x.ready, HORIZON));
        const before = book.orders();
        const q = copy.quote(inst.now, x.load, x.ready, HORIZON);
        if (q) copy.commit(inst.now, { id: 'new', load: x.load, ready: x.ready, deadline: q.deadline });
        for (const o of before) if (o.pinned) copy.remove(o.id);
        expect(book.orders()).toEqual(before);
        expect(book.has('new')).toBe(false);
      }),
      RUNS,
    );
  });

  it('on another calendar: answers as a book built afresh on it from the same orders', () => {
    fc.assert(
      fc.property(arbInst(), arbX, (inst, xs) => {
        const book = bookOf(inst);
        const copy = book.copyOn(always, false);
        const fresh = new RouteDrum(always, book.orders());
        const x = xOf(inst, xs);
        expect(copy.plan(inst.now)).toEqual(fresh.plan(inst.now));
        expect(copy.minSlack(inst.now)).toBe(fresh.minSlack(inst.now));
        expect(copy.quote(inst.now, x.load, x.ready, HORIZON)).toEqual(fresh.quote(inst.now, x.load, x.ready, HORIZON));
        // The original still plans on its own calendar.
        expect(book.plan(inst.now)).toEqual(bookOf(inst).plan(inst.now));
      }),
      RUNS,
    );
  });
});

describe('RouteDrum.insertStored', () => {
  it('builds the same book order by order as the constructor does at once', () => {
    fc.assert(
      fc.property(arbInst(), (inst) => {
        const orders = toOrders(inst.seq);
        const built = new RouteDrum(inst.wt);
        // Unpinned orders in reverse: keys, not arrival, decide their place.
        for (const o of orders.filter((o) => !o.pinned).reverse()) built.insertStored(o);
        for (const o of orders.filter((o) => o.pinned)) built.insertStored(o);
        expect(built.orders()).toEqual(bookOf(inst).orders());
        expect(built.plan(inst.now)).toEqual(bookOf(inst).plan(inst.now));
      }),
      RUNS,
    );
  });

  it('puts a pinned order at the index given, and refuses a bad index, a duplicate id or key and an unsafe key', () => {
    const book = pinnedPairThen({ u: 5 });
    book.insertStored({ id: 'first', load: 10, ready: T0, deadline: d, key: 0, pinned: true }, 0);
    book.insertStored({ id: 'mid', load: 10, ready: T0, deadline: d, key: 0, pinned: true }, 2);
    book.insertStored({ id: 'last', load: 10, ready: T0, deadline: d, key: 0, pinned: true });
    expect(book.orders().map((o) => o.id)).toEqual(['first', 'p1', 'mid', 'p2', 'last', 'u']);
    const pinned = (id: string, index?: number) => () =>
      book.insertStored({ id, load: 1, ready: T0, deadline: d, key: 0, pinned: true }, index);
    expect(pinned('x', -1)).toThrow(RangeError);
    expect(pinned('x', 6)).toThrow(RangeError);
    expect(pinned('x', 1.5)).toThrow(RangeError);
    expect(pinned('p1')).toThrow(/already on the drum/);
    book.insertStored({ id: 'x', load: 1, ready: T0, deadline: d, key: 0, pinned: true }, 5);
    expect(book.orders().map((o) => o.id)).toEqual(['first', 'p1', 'mid', 'p2', 'last', 'x', 'u']);
    const unpinned = (id: string, key: number) => () => book.insertStored({ id, load: 1, ready: T0, deadline: d, key });
    expect(unpinned('v', 5)).toThrow(/duplicate key 5/);
    expect(unpinned('u', 6)).toThrow(/already on the drum/);
    expect(unpinned('v', 2 ** 53)).toThrow(/safe integer/);
    expect(unpinned('v', 0.5)).toThrow(RangeError);
    book.insertStored({ id: 'v', load: 1, ready: T0, deadline: d, key: 4 });
    expect(
      book
        .orders()
        .map((o) => o.id)
        .slice(-2),
    ).toEqual(['v', 'u']);
  });
});

describe('the tick checks', () => {
  it('hasLateUnpinned says whether repositionLate would move an order', () => {
    fc.assert(
      fc.property(arbInst(), fc.nat(), fc.integer({ min: 0, max: 3000 }), (inst, pick, delay) => {
        const book = bookWithOneDelayed(inst, pick, delay);
        const copy = new RouteDrum(inst.wt, book.orders());
        expect(book.hasLateUnpinned(inst.now)).toBe(copy.repositionLate(inst.now).length > 0);
      }),
      RUNS,
    );
  });

  it('hasRecovered says whether recoverEffectiveDeadlines would lower a date', () => {
    fc.assert(
      fc.property(arbInst(), fc.nat(), fc.integer({ min: 0, max: 120 }), (inst, pick, slack) => {
        const book = bookOf(inst);
        // Taking an order off can bring the orders at risk after it back in time.
        const ids = book.orders().map((o) => o.id);
        if (ids.length > 0) book.remove(ids[pick % ids.length]!);
        const copy = new RouteDrum(inst.wt, book.orders());
        expect(book.hasRecovered(inst.now, slack)).toBe(copy.recoverEffectiveDeadlines(inst.now, Infinity, slack).length > 0);
      }),
      RUNS,
    );
  });
});

describe('RouteDrum.positionState', () => {
  it('at the quote position finishes the new order where the quote says, from the pinned prefix base', () => {
    fc.assert(
      fc.property(arbInst(), arbX, (inst, xs) => {
        const book = bookOf(inst);
        const x = xOf(inst, xs);
        const q = book.quote(inst.now, x.load, x.ready, HORIZON);
        if (!q) return;
        const s = book.positionState(inst.now, x.load, x.ready, q.position);
        expect(s.finishCumulative).toBe(q.finishCumulative);
        expect(s.base).toBe(book.base(inst.now));
        const cReady = inst.wt.cumulative(x.ready);
        // The ready time binds when the order starts at it rather than after the orders before it.
        expect(s.readyBinds).toBe(cReady >= s.finishCumulative - x.load);
      }),
      RUNS,
    );
  });
});

describe('the drum plan', () => {
  it('gives each order its slack c(D̂) − F in drum minutes, late exactly when it is negative', () => {
    fc.assert(
      fc.property(arbInst(), fc.nat(), fc.integer({ min: 0, max: 3000 }), (inst, pick, delay) => {
        // A delayed ready time makes some orders late: negative slack.
        const book = bookWithOneDelayed(inst, pick, delay);
        for (const p of book.plan(inst.now)) {
          const cD = p.effectiveDeadline === Infinity ? Infinity : inst.wt.cumulative(p.effectiveDeadline);
          expect(p.slack).toBe(cD - p.finishCumulative);
          expect(p.late).toBe(p.slack < 0);
          expect(book.planOne(inst.now, p.id)).toEqual(p);
        }
      }),
      RUNS,
    );
  });

  it('a page that ends with the pinned orders points after them, and the next page starts with the first keyed order', () => {
    const book = pinnedPairThen({ u1: 5, u2: 9 });
    const first = book.planFrom(T0, undefined, 2);
    expect(first.orders.map((o) => o.id)).toEqual(['p1', 'p2']);
    expect(first.next).toEqual({ pinned: 2 });
    const second = book.planFrom(T0, first.next, 2);
    expect(second.orders.map((o) => o.id)).toEqual(['u1', 'u2']);
    expect(second.next).toBeUndefined();
    const one = book.planFrom(T0, undefined, 1);
    expect(one.next).toEqual({ pinned: 1 });
    const third = book.planFrom(T0, { key: 5 }, 5);
    expect(third.orders.map((o) => o.id)).toEqual(['u2']);
  });
});
