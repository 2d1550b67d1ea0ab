import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import { NoCapacityError } from '../../src/engine/quote.ts';
import { RouteBook } from '../../src/engine/route-book/route-book.ts';
import type { RoutePlan } from '../../src/engine/route-book/route-types.ts';
import type { DrumPlanCursor } from '../../src/engine/route-drum/drum-plan.ts';
import { RouteDrum, type PlannedDrumOrder } from '../../src/engine/route-drum/route-drum.ts';
import { addDays, arbPlant } from '../helpers/plant-gen.ts';
import { harnessOf } from '../helpers/route-harness.ts';
import { bookOf } from './helpers/route-drum-books.ts';
import { arbInst, arbX, HORIZON, T0 } from './route-drum-brute.ts';

/**
 * The paged and one-order plans (drum-plan.ts) against the forward pass: planOne and the
 * concatenated pages of planFrom / planPage equal plan(now) exactly, on random books after
 * random writes; planOf visits O(log n) tree nodes.
 */
const RUNS = { numRuns: Number(process.env.ENGINE_PROPERTY_RUNS ?? 200) };

function drumPages(drum: RouteDrum, now: number, limit: number): PlannedDrumOrder[] {
  const out: PlannedDrumOrder[] = [];
  let after: DrumPlanCursor | undefined;
  for (let pages = 0; ; pages++) {
    const page = drum.planFrom(now, after, limit);
    expect(page.orders.length).toBeLessThanOrEqual(limit);
    out.push(...page.orders);
    if (!page.next) return out;
    expect(page.orders.length).toBe(limit);
    expect(pages).toBeLessThan(drum.size + 1);
    after = page.next;
  }
}

function expectDrumPlansAgree(drum: RouteDrum, now: number): void {
  const plan = drum.plan(now);
  for (const limit of [1, 2, 3, 5, 64]) expect(drumPages(drum, now, limit)).toEqual(plan);
  for (const p of plan) expect(drum.planOne(now, p.id)).toEqual(p);
  expect(drum.planOne(now, 'no-such-order')).toBeUndefined();
}

type DrumWrite = { kind: 'commit'; x: { load: number; readyOffset: number }; slack: number } | { kind: 'remove' | 'pin'; pick: number };

const arbDrumWrite: fc.Arbitrary<DrumWrite> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('commit' as const), x: arbX, slack: fc.integer({ min: 0, max: 20_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pin' as const), pick: fc.nat() }) },
);

describe('RouteDrum.planFrom / planOne equal plan(now)', () => {
  it('on random drums after random commits, removes and pins, at now and later', () => {
    fc.assert(
      fc.property(arbInst(12), fc.array(arbDrumWrite, { maxLength: 40 }), fc.integer({ min: 0, max: 3000 }), (inst, writes, later) => {
        const drum = bookOf(inst);
        const now = inst.now;
        let n = 0;
        for (const w of writes) {
          const ids = drum.orders().map((o) => o.id);
          if (w.kind === 'commit') {
            const ready = w.x.readyOffset < 0 ? now - 30 : T0 + w.x.readyOffset;
            const q = drum.quote(now, w.x.load, ready, HORIZON);
            if (q) drum.commit(now, { id: `x${n++}`, load: w.x.load, ready, deadline: q.deadline + w.slack });
          } else if (ids.length > 0) {
            const id = ids[w.pick % ids.length]!;
            if (w.kind === 'remove') drum.remove(id);
            else if (!drum.get(id)!.pinned && drum.get(id)!.ready <= now) drum.pin(id, now);
          }
        }
        expectDrumPlansAgree(drum, now);
        expectDrumPlansAgree(drum, now + later);
      }),
      RUNS,
    );
  });

  it('a page cursor after the last unpinned key, or past every pinned order of an empty sequence, ends the walk', () => {
    const wt = buildWorkingTime(always);
    const drum = new RouteDrum(wt, [{ id: 'p', load: 10, deadline: now + 100, ready: now - 5, key: 7, pinned: true }]);
    expect(drum.planFrom(now, undefined, 1)).toEqual({ orders: drum.plan(now), next: undefined });
    expect(drum.planFrom(now, { pinned: 1 }, 5)).toEqual({ orders: [], next: undefined });
    expect(() => drum.planFrom(now, undefined, 0)).toThrow(RangeError);
  });
});

const always: Calendar = {
  timeZone: 'Europe/Berlin',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((day) => ({ day, start: '00:00', end: '24:00' })),
  exceptions: [],
};
const now = Date.parse('2026-11-23T06:00:00+01:00') / 60_000;

function bookPages(book: RouteBook, at: number, limit: number): RoutePlan[] {
  const out: RoutePlan[] = [];
  let after: DrumPlanCursor | undefined;
  for (;;) {
    const page = book.planPage(at, after, limit);
    out.push(...page.plans);
    if (!page.next) return out;
    after = page.next;
  }
}

function quoteDate(book: RouteBook, at: number, demand: Parameters<RouteBook['quote']>[1], horizon: number): string | null {
  try {
    return book.quote(at, demand, horizon).promiseDate;
  } catch (e) {
    if (e instanceof NoCapacityError) return null;
    throw e;
  }
}

describe('RouteBook.planPage / planOf equal plan(now)', () => {
  it('on random plants after commits, removes, upserts, rollbacks and ticks; revision changes on every write', () => {
    fc.assert(
      fc.property(
        arbPlant({ maxProducts: 3 }),
        fc.array(fc.record({ product: fc.nat(), quantity: fc.integer({ min: 1, max: 120 }), later: fc.nat(3), op: fc.nat(9) }), {
          minLength: 5,
          maxLength: 30,
        }),
        (plant, actions) => {
          const h = harnessOf(plant);
          const start = plant.start;
          const book = new RouteBook(plant.drum, h.wts);
          let n = 0;
          for (const a of actions) {
            const rev = book.revision;
            const ids = book.orders().map((o) => o.id);
            if (a.op === 0 && ids.length > 0) {
              book.remove(ids[a.quantity % ids.length]!);
              expect(book.revision).not.toBe(rev);
              continue;
            }
            if (a.op === 1 && ids.length > 0) {
              book.upsert(book.get(ids[a.quantity % ids.length]!)!);
              expect(book.revision).not.toBe(rev);
              continue;
            }
            const demand = h.demandOf(a.product, a.quantity, null);
            const date = quoteDate(book, start, demand, h.horizon);
            if (date === null) continue;
            const cp = a.op === 2 ? book.checkpoint() : undefined;
            if (book.commit(start, `o${n++}`, demand, addDays(date, a.later), h.horizon)) expect(book.revision).not.toBe(rev);
            if (cp) {
              const mid = book.revision;
              book.rollback(cp);
              expect(book.revision).not.toBe(mid);
            }
          }
          for (const at of [start, start + 3 * 1440]) {
            const plan = book.plan(at);
            for (const limit of [1, 3, 50]) expect(bookPages(book, at, limit)).toEqual(plan);
            for (const p of plan) expect(book.planOf(at, p.id)).toEqual(p);
          }
          // Time passing moves plans: the pages of a ticked book still equal its plan.
          const later = start + 2 * 1440;
          const rev = book.revision;
          if (book.tick(later, later + 30, h.horizon)) {
            expect(book.revision).not.toBe(rev);
            expect(bookPages(book, later, 2)).toEqual(book.plan(later));
          }
        },
      ),
      { numRuns: Number(process.env.ROUTE_BOOK_RUNS ?? 20) },
    );
  });

  it('planOf visits O(log n) tree nodes: at 20 000 orders within a small multiple of log2 n', () => {
    const wts = new Map([
      ['heat', buildWorkingTime(always)],
      ['cnc', buildWorkingTime(always)],
    ]);
    const cost = (size: number) => {
      const orders = Array.from({ length: size }, (_, i) => ({
        id: `o${i}`,
        ops: [
          { position: 0, resource: 'heat', minutes: 30, start: now + i * 30, end: now + (i + 1) * 30 },
          { position: 1, resource: 'cnc', minutes: 10, start: null, end: null },
        ],
        drumLoad: 10,
        drumDeadline: now + 40 * size,
        ready: i < 3 ? now : now + (i % 50) * 400,
        key: i * 1024,
        pinned: i < 3,
        ...(i < 3 ? { pinRank: i } : {}),
        plannedRelease: now + i * 30,
        promiseDate: '2030-12-31',
        shippingBufferDays: 0,
      }));
      const book = new RouteBook('cnc', wts, orders, { lookahead: 0 });
      const plan = book.plan(now);
      let max = 0;
      for (let i = 0; i < size; i += Math.ceil(size / 97)) {
        const before = book.visits;
        expect(book.planOf(now, `o${i}`)).toEqual(plan[i]);
        max = Math.max(max, book.visits - before);
      }
      const before = book.visits;
      const page = book.planPage(now, { key: orders[size >> 1]!.key }, 10);
      expect(page.plans).toEqual(plan.slice((size >> 1) + 1, (size >> 1) + 11));
      return { planOf: max, page: book.visits - before };
    };
    const small = cost(1_000);
    const large = cost(20_000);
    const log2 = Math.log2(20_000);
    // a treap's depth is ~2–3 log2 n; the drum walk is one root-to-node path
    expect(large.planOf).toBeLessThan(4 * log2);
    expect(large.page).toBeLessThan(4 * log2 + 10 * 4);
    expect(large.planOf).toBeLessThan(small.planOf * 2.5);
  });
});
