import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { workingTimeFromIntervals } from '../../src/engine/calendar.ts';
import { DrumBook } from '../../src/engine/drum-book.ts';
import type { DrumOrder } from '../../src/engine/drum-order.ts';
import { oracleAdmits, oracleEarliestDeadline, oracleFeasible, oracleSequence, simulate } from './helpers/drum-oracle.ts';
import { arbInstance, arbLoad, wtOf } from './helpers/instances.ts';
import { runs } from './helpers/runs.ts';

/** ENGINE_PROPERTY_RUNS=5000 for a long soak; the default keeps the suite fast. */
const RUNS = runs(Number(process.env.ENGINE_PROPERTY_RUNS ?? 300));
const newOrder = (orders: readonly DrumOrder[], load: number, deadline: number): DrumOrder => ({
  id: 'new',
  load,
  deadline,
  seq: Math.max(0, ...orders.map((o) => o.seq)) + 1,
});

describe('drum schedule against a minute-by-minute simulation', () => {
  it('sequence, planned start and finish, slack sign and feasibility agree with the oracle', () => {
    fc.assert(
      fc.property(arbInstance(), ({ drum, wt, now, orders }) => {
        const book = new DrumBook(wt, orders);
        const sched = book.schedule(now, 4);
        const seq = oracleSequence(orders);
        const sim = simulate(drum, seq, now);
        expect(sched.map((s) => s.id)).toEqual(seq.map((o) => o.id));
        for (const s of sched) {
          const o = sim.get(s.id)!;
          if (!Number.isFinite(o.finish)) continue; // beyond the window the engine says Infinity too
          expect({ id: s.id, start: s.start, finish: s.finish }).toEqual({ id: s.id, start: o.start, finish: o.finish });
          expect(s.late).toBe(o.finish > s.deadline);
          expect(s.slack).toBe(wt.minutesBetween(now, s.deadline) - wt.minutesBetween(now, s.finish));
          expect(s.release).toBeGreaterThanOrEqual(now);
          expect(s.release).toBeLessThanOrEqual(Math.max(now, s.start));
        }
        expect(book.feasible(now)).toBe(oracleFeasible(drum, orders, now));
        expect(book.minSlack(now) >= 0).toBe(book.feasible(now));
      }),
      RUNS,
    );
  });
});

describe('quote against trying every insertion position', () => {
  it('the earliest deadline equals the best insertion position, is admissible, and one minute earlier is not', () => {
    fc.assert(
      fc.property(arbInstance(), arbLoad, ({ drum, wt, now, orders }, load) => {
        const book = new DrumBook(wt, orders);
        const d = book.earliestDeadline(now, load);
        expect(d).toBe(oracleEarliestDeadline(drum, orders, load, now));
        if (!Number.isFinite(d)) return;
        expect(d).toBeGreaterThanOrEqual(now);
        expect(oracleAdmits(drum, orders, newOrder(orders, load, d), now)).toBe(true);
        expect(book.admits(now, load, d)).toBe(true);
        if (d - 1 >= now) {
          expect(oracleAdmits(drum, orders, newOrder(orders, load, d - 1), now)).toBe(false);
          expect(book.admits(now, load, d - 1)).toBe(false);
        }
      }),
      RUNS,
    );
  });

  it('admits(D) agrees with the oracle at any deadline (feasibility is monotone in D)', () => {
    fc.assert(
      fc.property(arbInstance(), arbLoad, fc.integer({ min: 0, max: 4320 }), ({ drum, wt, now, orders }, load, off) => {
        const book = new DrumBook(wt, orders);
        const deadline = now + off;
        const ok = oracleAdmits(drum, orders, newOrder(orders, load, deadline), now);
        expect(book.admits(now, load, deadline)).toBe(ok);
        expect(ok).toBe(deadline >= book.earliestDeadline(now, load));
      }),
      RUNS,
    );
  });

  it('inserting an order at its quoted deadline never makes an existing order late (nor a late one later)', () => {
    fc.assert(
      fc.property(arbInstance(), arbLoad, ({ wt, now, orders }, load) => {
        const book = new DrumBook(wt, orders);
        const d = book.earliestDeadline(now, load);
        if (!Number.isFinite(d)) return;
        const before = new Map(book.schedule(now, 2).map((s) => [s.id, s]));
        book.insert(newOrder(orders, load, d));
        for (const s of book.schedule(now, 2)) {
          const b = before.get(s.id);
          if (!b) expect(s.late).toBe(false);
          else if (b.late) expect(s.finish).toBe(b.finish);
          else expect(s.late).toBe(false);
        }
      }),
      RUNS,
    );
  });
});

describe('deficit (the price of a deadline) against the oracle', () => {
  it('adding exactly the deficit in free minutes before the deadline makes it admissible; one minute less does not', () => {
    fc.assert(
      fc.property(
        arbInstance(),
        arbLoad,
        fc.integer({ min: 1, max: 4320 }),
        fc.boolean(),
        ({ drum, wt, now, orders }, load, off, latestFirst) => {
          const book = new DrumBook(wt, orders);
          const deadline = now + off;
          const x = book.deficit(now, load, deadline);
          const free = drum.freeMinutes(now, deadline);
          if (x === 0) {
            expect(oracleAdmits(drum, orders, newOrder(orders, load, deadline), now)).toBe(true);
            return;
          }
          fc.pre(free.length >= x);
          // Any free minutes in [now, deadline) will do: take them from either end.
          const pick = latestFirst ? free.slice(free.length - x) : free.slice(0, x);
          const more = drum.withExtra(pick);
          expect(oracleAdmits(more, orders, newOrder(orders, load, deadline), now)).toBe(true);
          expect(new DrumBook(wtOf(more), orders).deficit(now, load, deadline)).toBe(0);
          const less = drum.withExtra(pick.slice(1));
          expect(oracleAdmits(less, orders, newOrder(orders, load, deadline), now)).toBe(false);
        },
      ),
      RUNS,
    );
  });
});

describe('incremental updates', () => {
  const arbOps = fc.array(
    fc.record({
      kind: fc.constantFrom('insert', 'remove', 'update'),
      pick: fc.nat(),
      load: fc.integer({ min: 0, max: 300 }),
      dl: fc.integer({ min: 0, max: 4320 }),
      pin: fc.boolean(),
    }),
    { maxLength: 25, size: 'max' },
  );

  it('any sequence of insert, remove and update answers exactly like a book rebuilt from scratch', () => {
    fc.assert(
      fc.property(arbInstance(), arbOps, arbLoad, ({ wt, now, orders }, ops, load) => {
        const book = new DrumBook(wt, orders);
        const live = new Map(orders.map((o) => [o.id, o]));
        let next = 1000;
        for (const op of ops) {
          const ids = [...live.keys()];
          const target = ids.length > 0 ? ids[op.pick % ids.length]! : undefined;
          const o: DrumOrder = { id: `n${next}`, load: op.load, deadline: now + op.dl, seq: next++, ...(op.pin ? { pinned: true } : {}) };
          if (op.kind === 'insert' || target === undefined) {
            book.insert(o);
            live.set(o.id, o);
          } else if (op.kind === 'remove') {
            expect(book.remove(target)).toBe(true);
            live.delete(target);
          } else {
            const u = { ...live.get(target)!, load: op.load, deadline: now + op.dl };
            book.update(u);
            live.set(target, u);
          }
        }
        const fresh = new DrumBook(wt, [...live.values()]);
        expect(book.size).toBe(live.size);
        expect(book.orders()).toEqual(fresh.orders());
        expect(book.schedule(now, 3)).toEqual(fresh.schedule(now, 3));
        expect(book.feasible(now)).toBe(fresh.feasible(now));
        expect(book.earliestDeadline(now, load)).toBe(fresh.earliestDeadline(now, load));
        expect(book.deficit(now, load, now + 1500)).toBe(fresh.deficit(now, load, now + 1500));
      }),
      runs(200),
    );
  });

  it('rejects a duplicate id and an invalid load, and remove of an unknown id is false', () => {
    const book = new DrumBook(workingTimeFromIntervals([[0, 100]]), []);
    book.insert({ id: 'a', load: 1, deadline: 0, seq: 1 });
    expect(() => book.insert({ id: 'a', load: 1, deadline: 0, seq: 2 })).toThrow(/already/);
    expect(() => book.insert({ id: 'b', load: 1.5, deadline: 0, seq: 2 })).toThrow(/integer/);
    expect(() => book.update({ id: 'zz', load: 1, deadline: 0, seq: 2 })).toThrow(/not on the drum/);
    expect(book.remove('zz')).toBe(false);
  });
});

describe('determinism', () => {
  it('gives identical answers for the same orders in any input order', () => {
    fc.assert(
      fc.property(arbInstance(), arbLoad, fc.integer(), ({ wt, now, orders }, load, seed) => {
        const shuffled = [...orders].sort((a, b) => (hash(a.id, seed) - hash(b.id, seed)) | 0);
        const a = new DrumBook(wt, orders);
        const b = new DrumBook(wt, shuffled);
        expect(b.schedule(now, 4)).toEqual(a.schedule(now, 4));
        expect(b.earliestDeadline(now, load)).toBe(a.earliestDeadline(now, load));
        const policy = { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 0 };
        expect(outcome(() => b.quote(now, load, { policy }))).toEqual(outcome(() => a.quote(now, load, { policy })));
        expect(outcome(() => b.priceOfDate(now, load, '2026-03-03', { policy }))).toEqual(
          outcome(() => a.priceOfDate(now, load, '2026-03-03', { policy })),
        );
      }),
      runs(100),
    );
  });
});

function hash(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x5bd1e995);
  return h;
}

/** A value or the error it threw, so "both throw the same" counts as identical too. */
function outcome<T>(f: () => T): { value: T } | { error: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { error: String(e) };
  }
}

/**
 * The same comparisons on plants of a realistic size: up to 300 orders of 0–60 minutes on a
 * drum window of ten days (the small instances above explore the corners; these make the
 * tree deep and the sequences long). Fewer runs: the oracle is a minute-by-minute simulation.
 */
describe('at realistic sizes (up to 300 orders over ten days)', () => {
  const large = arbInstance({ maxOrders: 300, days: 10, maxLoad: 60 });
  const LARGE_RUNS = runs(Number(process.env.ENGINE_PROPERTY_RUNS_LARGE ?? 25));

  it('the schedule and feasibility agree with the oracle', () => {
    fc.assert(
      fc.property(large, ({ drum, wt, now, orders }) => {
        const book = new DrumBook(wt, orders);
        const seq = oracleSequence(orders);
        const sim = simulate(drum, seq, now);
        const sched = book.schedule(now, 4);
        expect(sched.map((s) => s.id)).toEqual(seq.map((o) => o.id));
        for (const s of sched) {
          const o = sim.get(s.id)!;
          if (Number.isFinite(o.finish)) expect([s.start, s.finish]).toEqual([o.start, o.finish]);
        }
        expect(book.feasible(now)).toBe(oracleFeasible(drum, orders, now));
      }),
      LARGE_RUNS,
    );
  });

  it('the earliest deadline equals the best insertion position, and admits(D) agrees with the oracle', () => {
    fc.assert(
      fc.property(large, arbLoad, fc.integer({ min: 0, max: 14_400 }), ({ drum, wt, now, orders }, load, off) => {
        const book = new DrumBook(wt, orders);
        expect(book.earliestDeadline(now, load)).toBe(oracleEarliestDeadline(drum, orders, load, now));
        const deadline = now + off;
        expect(book.admits(now, load, deadline)).toBe(oracleAdmits(drum, orders, newOrder(orders, load, deadline), now));
      }),
      { numRuns: Math.min(LARGE_RUNS.numRuns, 15) },
    );
  });

  it('a long sequence of inserts, removals and updates answers like a book rebuilt from scratch', () => {
    const ops = fc.array(
      fc.record({
        kind: fc.constantFrom('insert', 'remove', 'update'),
        pick: fc.nat(),
        load: fc.nat(60),
        dl: fc.nat(14_400),
        pin: fc.boolean(),
      }),
      { maxLength: 300, size: 'max' },
    );
    fc.assert(
      fc.property(large, ops, arbLoad, ({ wt, now, orders }, list, load) => {
        const book = new DrumBook(wt, orders);
        const live = new Map(orders.map((o) => [o.id, o]));
        let next = 1000;
        for (const op of list) {
          const ids = [...live.keys()];
          const target = ids.length > 0 ? ids[op.pick % ids.length]! : undefined;
          if (op.kind === 'insert' || target === undefined) {
            const o: DrumOrder = { id: `n${next}`, load: op.load, deadline: now + op.dl, seq: next++, ...(op.pin ? { pinned: true } : {}) };
            book.insert(o);
            live.set(o.id, o);
          } else if (op.kind === 'remove') {
            expect(book.remove(target)).toBe(true);
            live.delete(target);
          } else {
            const u = { ...live.get(target)!, load: op.load, deadline: now + op.dl };
            book.update(u);
            live.set(target, u);
          }
        }
        const fresh = new DrumBook(wt, [...live.values()]);
        expect(book.orders()).toEqual(fresh.orders());
        expect(book.feasible(now)).toBe(fresh.feasible(now));
        expect(book.earliestDeadline(now, load)).toBe(fresh.earliestDeadline(now, load));
        expect(book.deficit(now, load, now + 7200)).toBe(fresh.deficit(now, load, now + 7200));
      }),
      LARGE_RUNS,
    );
  });
});
