import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalendarException } from '../../src/engine/calendar-types.ts';
import {
  applyCapacityChange,
  applyCapacityChangeOnBook,
  workingTimeAfter,
  type CapacityChange,
  type CapacityChangeResult,
} from '../../src/engine/capacity-change.ts';
import { DrumBook } from '../../src/engine/drum-book.ts';
import type { BufferPolicy } from '../../src/engine/buffer-days.ts';
import type { DrumOrder } from '../../src/engine/drum-order.ts';
import type { WorkingTime } from '../../src/engine/working-time.ts';
import { MinuteDrum } from './helpers/drum-oracle.ts';
import { referenceCapacityChange, type ReferenceResult } from './helpers/capacity-change-reference.ts';
import { arbInstance, HORIZON, T0, wtOf } from './helpers/instances.ts';
import { arbPlant, arbPolicy } from './helpers/plants.ts';
import { runs } from './helpers/runs.ts';

/**
 * The book-based capacity change (one walk of the existing book, lazy moved list and
 * schedule) must give exactly what the original two-books-two-schedules version gave.
 */
function expectSame(r: CapacityChangeResult, ref: ReferenceResult): void {
  expect(r.feasible).toBe(ref.feasible);
  expect(r.diff.late).toEqual(ref.diff.late);
  expect(r.diff.stillLate).toEqual(ref.diff.stillLate);
  expect(r.diff.movedCount).toBe(ref.diff.moved.length);
  expect(r.diff.movedSlice(1, 3)).toEqual(ref.diff.moved.slice(1, 3));
  expect(r.diff.movedSlice(-2)).toEqual(ref.diff.moved.slice(-2));
  expect(r.diff.moved).toEqual(ref.diff.moved);
  expect(r.schedule).toEqual(ref.schedule);
}

/** A book built by inserts in the given order: another tree shape than a bulk build. */
function insertedBook(wt: WorkingTime, orders: readonly DrumOrder[]): DrumBook {
  const book = new DrumBook(wt);
  for (const o of [...orders].reverse()) book.insert(o);
  return book;
}

function checkOnBook(book: DrumBook, now: number, policy: BufferPolicy, change: CapacityChange, ref: ReferenceResult): void {
  const before = book.orders();
  const beforeSchedule = book.schedule(now, policy.productionBufferDays);
  expectSame(applyCapacityChangeOnBook(book, now, policy, change), ref);
  // The caller's book (the service's cached one) is left as it was.
  expect(book.orders()).toEqual(before);
  expect(book.schedule(now, policy.productionBufferDays)).toEqual(beforeSchedule);
}

describe('applyCapacityChangeOnBook equals the original full recomputation', () => {
  // Changes near now (where they move orders), on instances whose loads are scaled down
  // so that some are feasible before the change and become late after it.
  const arbChange = fc.array(
    fc.record({ at: fc.integer({ min: -300, max: 1800 }), len: fc.integer({ min: 1, max: 600 }), add: fc.boolean() }),
    { minLength: 1, maxLength: 3 },
  );

  it('on random minute calendars, with pins, ties and late orders', () => {
    fc.assert(
      fc.property(
        arbInstance({ maxOrders: 12 }),
        arbChange,
        arbPolicy,
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        (inst, change, policy, scale, tight) => {
          const { drum, wt, now } = inst;
          let orders = inst.orders.map((o) => ({ ...o, load: Math.floor(o.load / scale) }));
          if (tight) {
            // Deadlines at the planned finish: slack exactly 0, the boundary of "late before".
            const finish = new Map(new DrumBook(wt, orders).schedule(now, 0).map((s) => [s.id, s.finish]));
            orders = orders.map((o) => (o.pinned || !Number.isFinite(finish.get(o.id)!) ? o : { ...o, deadline: finish.get(o.id)! }));
          }
          const work = drum.work.slice();
          for (const c of change) {
            const at = Math.max(0, now - T0 + c.at);
            work.fill(c.add ? 1 : 0, at, Math.min(HORIZON, at + c.len));
          }
          const next: CapacityChange = { workingTime: wtOf(new MinuteDrum(T0, work)) };
          const state = { workingTime: wt, orders, now, policy };
          const ref = referenceCapacityChange(state, next);
          const r = applyCapacityChange(state, next);
          expect(r.workingTime).toBe(ref.workingTime);
          expectSame(r, ref);
          checkOnBook(new DrumBook(wt, orders, policy), now, policy, next, ref);
          checkOnBook(insertedBook(wt, orders), now, policy, next, ref);
        },
      ),
      runs(300),
    );
  });

  const arbException = fc.record({
    dayOffset: fc.integer({ min: 0, max: 10 }),
    kind: fc.constantFrom('holiday', 'downtime', 'overtime', 'extra_shift'),
    from: fc.integer({ min: 0, max: 20 }),
    hours: fc.integer({ min: 1, max: 4 }),
  });

  it('on real calendars (DST, holidays, night shifts), with exceptions added', () => {
    fc.assert(
      fc.property(arbPlant(20), fc.array(arbException, { minLength: 1, maxLength: 2 }), (plant, specs) => {
        const { wt, now, orders, policy } = plant;
        const exceptions: CalendarException[] = specs.map((s) => {
          const date = wt.localDateOf(now + s.dayOffset * 1440);
          if (s.kind === 'holiday') return { kind: 'holiday', date };
          const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;
          return { kind: s.kind, date, start: hh(s.from), end: hh(s.from + s.hours) };
        });
        const change: CapacityChange = { addExceptions: exceptions };
        let valid = true;
        try {
          workingTimeAfter(wt, change);
        } catch {
          valid = false; // e.g. two exceptions on one date: not a change a planner can make
        }
        fc.pre(valid);
        const state = { workingTime: wt, orders, now, policy };
        const ref = referenceCapacityChange(state, change);
        const r = applyCapacityChange(state, change);
        expect(r.workingTime.calendar).toEqual(ref.workingTime.calendar);
        expectSame(r, ref);
        checkOnBook(new DrumBook(wt, orders), now, policy, change, ref);
      }),
      runs(150),
    );
  });
});
