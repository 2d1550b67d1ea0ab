import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NoCapacityError } from '../../src/engine/quote.ts';
import { RouteBook } from '../../src/engine/route-book/route-book.ts';
import type { RouteDemand, RouteQuote } from '../../src/engine/route-book/route-types.ts';
import { checkPlan, describeViolations } from '../helpers/plan-checker.ts';
import { addDays, arbPlant } from '../helpers/plant-gen.ts';
import { checkerInputOf, harnessOf } from '../helpers/route-harness.ts';

type Action =
  | { kind: 'commit'; product: number; quantity: number; later: number; material: number | null }
  | { kind: 'early'; product: number; quantity: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'upsert'; pick: number }
  | { kind: 'open' }
  | { kind: 'close'; rollback: boolean };

const arbAction: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('commit' as const),
      product: fc.nat(),
      quantity: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 20, max: 200 })),
      later: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 })),
      material: fc.option(fc.integer({ min: 0, max: 5 * 1440 }), { nil: null }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('early' as const), product: fc.nat(), quantity: fc.integer({ min: 1, max: 200 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('upsert' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'open' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), rollback: fc.boolean() }) },
);

function quoteOrNull(book: RouteBook, now: number, demand: RouteDemand, horizon: number): RouteQuote | null {
  try {
    return book.quote(now, demand, horizon);
  } catch (e) {
    if (e instanceof NoCapacityError) return null;
    throw e;
  }
}

/** ROUTE_BOOK_RUNS=300 for a longer soak. */
const RUNS = Number(process.env.ROUTE_BOOK_RUNS ?? 20);

const snapshot = (book: RouteBook, now: number) => structuredClone({ plan: book.plan(now), orders: book.orders() });

describe('RouteBook on random plants (checker as oracle)', () => {
  it(
    'quote, keepable, commit, remove and savepoints keep every published plan valid',
    () => {
      const stats = { committed: 0, ops: 0 };
      fc.assert(
        fc.property(arbPlant({ maxProducts: 3 }), fc.array(arbAction, { minLength: 20, maxLength: 80 }), (plant, actions) => {
          const h = harnessOf(plant);
          const now = plant.start;
          const book = new RouteBook(plant.drum, h.wts);
          const material = new Map<string, number | null>();
          const open: {
            cp: ReturnType<RouteBook['checkpoint']>;
            snap: ReturnType<typeof snapshot>;
            material: Map<string, number | null>;
          }[] = [];
          let n = 0;
          let committed = 0;
          let noCapacity = 0;
          for (const a of actions) {
            if (a.kind === 'open') {
              if (open.length < 3) open.push({ cp: book.checkpoint(), snap: snapshot(book, now), material: new Map(material) });
              continue;
            }
            if (a.kind === 'close') {
              const top = open.pop();
              if (!top) continue;
              if (a.rollback) {
                book.rollback(top.cp);
                expect(snapshot(book, now)).toEqual(top.snap);
                material.clear();
                for (const [k, v] of top.material) material.set(k, v);
              } else book.release(top.cp);
              continue;
            }
            if (a.kind === 'upsert') {
              // a catch-up with the record as stored changes nothing
              const ids = book.orders().map((o) => o.id);
              if (ids.length === 0) continue;
              const id = ids[a.pick % ids.length]!;
              const before = snapshot(book, now);
              book.upsert(book.get(id)!);
              expect(snapshot(book, now)).toEqual(before);
              continue;
            }
            if (a.kind === 'remove') {
              const ids = book.orders().map((o) => o.id);
              if (ids.length === 0) continue;
              const id = ids[a.pick % ids.length]!;
              expect(book.remove(id)).toBe(true);
              expect(book.has(id)).toBe(false);
              material.delete(id);
              expect(book.feasible(now)).toBe(true);
              continue;
            }
            const demand = h.demandOf(a.product, a.quantity, a.kind === 'commit' ? a.material : null);
            const q = quoteOrNull(book, now, demand, h.horizon);
            if (!q) {
              noCapacity++;
              continue;
            }
            const id = `o${n++}`;
            const before = addDays(q.promiseDate, -1);
            expect(book.keepable(now, demand, before, h.horizon)).toBe(false);
            expect(book.keepable(now, demand, q.promiseDate, h.horizon)).toBe(true);
            if (a.kind === 'early') {
              const size = book.size;
              expect(book.commit(now, id, demand, before, h.horizon)).toBeNull();
              expect(book.size).toBe(size);
              continue;
            }
            const date = addDays(q.promiseDate, a.later);
            expect(book.keepable(now, demand, date, h.horizon)).toBe(true);
            const c = book.commit(now, id, demand, date, h.horizon);
            expect(c, `commit at keepable ${date} (quote ${q.promiseDate})`).not.toBeNull();
            committed++;
            material.set(id, demand.materialAvailable ?? null);
            expect(c!.drumDeadline).toBeGreaterThanOrEqual(q.earliestDeadline);
            expect(c!.plannedRelease).toBeGreaterThanOrEqual(q.earliestRelease!);
            expect(book.feasible(now)).toBe(true);
            const violations = checkPlan(checkerInputOf(h, book, now, material));
            expect(violations, describeViolations(violations)).toEqual([]);
            for (const r of c!.rekeyed) expect(book.get(r.id)!.key).toBe(r.key);
          }
          // a cold build from the stored orders, and a rebuild on the same calendars, publish the same plan
          const cold = new RouteBook(plant.drum, h.wts, book.orders());
          expect(cold.plan(now)).toEqual(book.plan(now));
          expect(book.withWorkingTimes(h.wts).plan(now)).toEqual(book.plan(now));
          while (open.length > 0) book.release(open.pop()!.cp);
          stats.committed += committed;
          if (process.env.ROUTE_BOOK_STATS) console.log({ committed, noCapacity, size: book.size });
          stats.ops += book
            .plan(now)
            .reduce((sum, p) => sum + p.operations.filter((op) => op.resource !== plant.drum && op.minutes > 0).length, 0);
        }),
        { numRuns: RUNS },
      );
      // the stream did real work: commits, with reservations off the drum
      expect(stats.committed).toBeGreaterThan(50);
      expect(stats.ops).toBeGreaterThan(10);
    },
    Math.max(60_000, RUNS * 2_000),
  );
});
