import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DrumBook } from '../../src/engine/drum-book.ts';
import { compareByDeadline, compareByPin, type DrumOrder } from '../../src/engine/drum-order.ts';
import { RouteDrum, type RouteDrumOrder } from '../../src/engine/route-drum/route-drum.ts';
import { arbInstance, arbLoad, HORIZON, T0 } from './helpers/instances.ts';

const RUNS = { numRuns: Number(process.env.ENGINE_PROPERTY_RUNS ?? 300) };

/**
 * Today's drum as a keyed drum: every order ready at or before now, keys in drum
 * (deadline, seq, id) order, pinned orders first in pin order.
 */
function keyedOf(orders: readonly DrumOrder[], now: number, readyBack: readonly number[]): RouteDrumOrder[] {
  const pinned = orders.filter((o) => o.pinned).sort(compareByPin);
  const unpinned = orders.filter((o) => !o.pinned).sort(compareByDeadline);
  return [...pinned, ...unpinned].map((o, i) => {
    const r: RouteDrumOrder = {
      id: o.id,
      load: o.load,
      deadline: o.deadline,
      ready: now - (readyBack[i % Math.max(1, readyBack.length)] ?? 0),
      key: i * 10,
    };
    if (o.pinned) r.pinned = true;
    return r;
  });
}

describe("with no future ready time and keys in deadline order, the keyed drum is today's DrumBook", () => {
  it('the same earliest drum deadline (random books, pins, late orders, zero loads)', () => {
    fc.assert(
      fc.property(
        arbInstance({ maxOrders: 12 }),
        arbLoad,
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 4 }),
        fc.integer({ min: 0, max: 60 }),
        ({ wt, now, orders }, load, readyBack, xBack) => {
          const today = new DrumBook(wt, orders);
          const keyed = new RouteDrum(wt, keyedOf(orders, now, readyBack));
          const expected = today.earliestDeadline(now, load);
          const q = keyed.quote(now, load, now - xBack, T0 + HORIZON);
          expect(q?.deadline ?? Infinity).toBe(expected > T0 + HORIZON ? Infinity : expected);
          expect(keyed.feasible(now)).toBe(today.feasible(now));
          expect(keyed.minSlack(now)).toBe(today.minSlack(now));
        },
      ),
      RUNS,
    );
  });

  it('admits agrees at any deadline', () => {
    fc.assert(
      fc.property(arbInstance({ maxOrders: 12 }), arbLoad, fc.integer({ min: -10, max: HORIZON }), ({ wt, now, orders }, load, off) => {
        const today = new DrumBook(wt, orders);
        const keyed = new RouteDrum(wt, keyedOf(orders, now, []));
        const d = now + off;
        expect(keyed.admits(now, load, now, d)).toBe(d >= now && today.admits(now, load, d));
      }),
      RUNS,
    );
  });
});
