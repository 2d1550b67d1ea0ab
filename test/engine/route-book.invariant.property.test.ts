import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { endOfLocalDate, RouteBook, type RoutePlan } from '../../src/engine/index.ts';
import { NoCapacityError } from '../../src/engine/quote.ts';
import { arbPlant } from '../helpers/plant-gen.ts';
import { harnessOf } from '../helpers/route-harness.ts';

// Issue 13 item 1, the amended invariant: only a recorded fact (here time passing: releases
// not made) may make the committed schedule infeasible; no other write may make a late order
// later or push another order late. Random plants: orders are committed, time passes (the
// tick makes some late), then a stream of ordinary writes (new promises at the quoted date or
// later, cancellations) runs, and after each one every remaining order is compared with its
// plan before it: a late order ends no later, an order on time is still on time.

/**
 * INVARIANT_RUNS=200 for a longer soak; INVARIANT_SEED=<n> replays one fast-check seed (a
 * failure prints it). Each run draws a seed: the defect below that made about one plant in
 * fifty fail is fixed (2,250 drawn plants passed after the fix).
 */
const RUNS = Number(process.env.INVARIANT_RUNS ?? 25);
const SEED =
  process.env.INVARIANT_SEED === undefined || process.env.INVARIANT_SEED === 'random' ? undefined : Number(process.env.INVARIANT_SEED);

/** Where the order's plan ends: its last operation (the drum's from the drum plan). */
const finishOf = (p: RoutePlan) => Math.max(...p.operations.map((op) => op.end ?? -Infinity));

describe('the amended invariant on random plants', () => {
  it('after time made orders late, no ordinary write makes a late order later or another order late', () => {
    checkInvariant(RUNS, SEED);
  });

  // Was a defect (found and fixed 2026-11-30): a late order kept room it no longer needed.
  // The tick re-positions a late order with its effective drum deadline D̂ at its projected
  // finish plus the tick's step (route-tick.ts settleShifts → repositionLate); a commit could
  // then go ahead of it into that room (the step, or a finish pulled forward by a
  // cancellation) and the late order ended later, still by D̂. Seed 36328362 shrinks to:
  // a one-shift Mon–Fri drum (05:00–12:30 Berlin, 450 min/day), PB 2 / SB 1 / lead time 3
  // days; five orders committed at the quoted date at the start (P1 ×107: r3 then 535 drum
  // min; P1 ×35; P1 ×46; P0 ×1 twice: r2 then the drum); 6086 minutes pass unreleased
  // (ticks every 30 min); then one commit of P0 ×64 promised 2 days after its quote went
  // ahead of o0 and o0 finished 30 minutes (one tick step) later. Fixed in the drum: an
  // order at risk (D̂ > D) is never delayed by a new order (its K is min(K, its current
  // finish), tree.ts). Seed -1875628022 (its 30th plant) is the cancellation case: six
  // one-op orders on a two-shift drum, 6956 minutes pass, one order is cancelled, then a
  // commit went into the room the cancellation freed ahead of late o4, 660 minutes later.
  // Both seeds stay as regressions.
  it('regression: a commit after the tick does not make a late order later (seeds 36328362, -1875628022)', () => {
    checkInvariant(10, 36328362);
    checkInvariant(30, -1875628022);
  });
});

function checkInvariant(runs: number, seed: number | undefined) {
  fc.assert(
    fc.property(
      arbPlant(),
      fc.array(fc.record({ product: fc.nat(), quantity: fc.integer({ min: 1, max: 120 }), later: fc.integer({ min: 0, max: 3 }) }), {
        minLength: 2,
        maxLength: 10,
      }),
      fc.integer({ min: 1440, max: 6 * 1440 }),
      fc.array(
        fc.oneof(
          fc.record({
            kind: fc.constant('commit' as const),
            product: fc.nat(),
            quantity: fc.integer({ min: 1, max: 120 }),
            later: fc.nat(3),
          }),
          fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
        ),
        { minLength: 1, maxLength: 8 },
      ),
      (plant, orders, elapsed, writes) => {
        const h = harnessOf(plant);
        const book = new RouteBook(plant.drum, h.wts, [], { lookahead: 0 });
        const drumWt = h.wts.get(plant.drum)!;
        const commit = (now: number, id: string, product: number, quantity: number, later: number) => {
          const d = h.demandOf(product, quantity, null);
          let promise: string;
          try {
            promise = book.quote(now, d, h.horizon).promiseDate;
          } catch (e) {
            if (e instanceof NoCapacityError) return;
            throw e;
          }
          const date = new Date(Date.parse(`${promise}T00:00:00Z`) + later * 86_400_000).toISOString().slice(0, 10);
          book.commit(now, id, d, date, h.horizon);
        };
        for (const [i, o] of orders.entries()) commit(plant.start, `o${i}`, o.product, o.quantity, o.later);
        // The fact: nobody released anything while `elapsed` minutes passed.
        let now = plant.start;
        while (now < plant.start + elapsed) {
          now = Math.min(plant.start + elapsed, now + 30);
          book.tick(now, now + 30, h.horizon);
        }
        const snapshot = () =>
          new Map(
            book.plan(now).map((p) => {
              const finish = finishOf(p);
              return [p.id, { finish, late: finish > endOfLocalDate(drumWt, book.get(p.id)!.promiseDate) }] as const;
            }),
          );
        let before = snapshot();
        for (const [k, w] of writes.entries()) {
          if (w.kind === 'commit') commit(now, `n${k}`, w.product, w.quantity, w.later);
          else {
            const ids = [...before.keys()].sort();
            if (ids.length > 0) book.remove(ids[w.pick % ids.length]!);
          }
          const after = snapshot();
          for (const [id, b] of before) {
            const a = after.get(id);
            if (!a) continue;
            if (b.late) expect(a.finish, `late ${id} made later by write ${k} (${w.kind})`).toBeLessThanOrEqual(b.finish);
            else expect(a.late, `${id} pushed late by write ${k} (${w.kind})`).toBe(false);
          }
          before = after;
        }
      },
    ),
    { numRuns: runs, ...(seed === undefined ? {} : { seed }) },
  );
}
