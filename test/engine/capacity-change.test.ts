import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drumDeadlineFor } from '../../src/engine/buffer-days.ts';
import { applyCapacityChange } from '../../src/engine/capacity-change.ts';
import { DrumBook } from '../../src/engine/drum-book.ts';
import { MinuteDrum, oracleFeasible, oracleSequence, simulate } from './helpers/drum-oracle.ts';
import { arbInstance, HORIZON, T0, wtOf } from './helpers/instances.ts';
import { twoShiftBerlin, wtFor } from './helpers/plants.ts';
import { runs } from './helpers/runs.ts';

const policy = { productionBufferDays: 2, shippingBufferDays: 0, standardLeadTimeDays: 0 };

describe('capacity change against a full recomputation', () => {
  const arbChange = fc.array(
    fc.record({ at: fc.integer({ min: 0, max: HORIZON - 1 }), len: fc.integer({ min: 1, max: 300 }), add: fc.boolean() }),
    { minLength: 1, maxLength: 3 },
  );

  it('reports exactly the orders whose planned times moved and those that became late', () => {
    fc.assert(
      fc.property(arbInstance({ maxOrders: 10 }), arbChange, ({ drum, wt, now, orders }, change) => {
        const work = drum.work.slice();
        for (const c of change) work.fill(c.add ? 1 : 0, c.at, Math.min(HORIZON, c.at + c.len));
        const changed = new MinuteDrum(T0, work);
        const r = applyCapacityChange({ workingTime: wt, orders, now, policy }, { workingTime: wtOf(changed) });

        const seq = oracleSequence(orders);
        const before = simulate(drum, seq, now);
        const after = simulate(changed, seq, now);
        const finite = (x: number) => (Number.isFinite(x) ? x : Infinity);
        const movedIds = seq
          .filter(
            (o) =>
              finite(before.get(o.id)!.start) !== finite(after.get(o.id)!.start) || before.get(o.id)!.finish !== after.get(o.id)!.finish,
          )
          .map((o) => o.id);
        expect(r.diff.moved.map((m) => m.id)).toEqual(movedIds);
        const lateIds = seq
          .filter((o) => after.get(o.id)!.finish > o.deadline && !(before.get(o.id)!.finish > o.deadline))
          .map((o) => o.id);
        expect(r.diff.late.map((l) => l.id)).toEqual(lateIds);
        expect(r.feasible).toBe(oracleFeasible(changed, orders, now));

        // Applying every proposed re-promise at once gives a feasible schedule.
        const repromised = new Map([...r.diff.late, ...r.diff.stillLate].map((l) => [l.id, l]));
        fc.pre([...repromised.values()].every((l) => l.earliestPromiseDate !== null));
        const fixed = orders.map((o) => {
          const l = repromised.get(o.id);
          return l && !o.pinned ? { ...o, deadline: drumDeadlineFor(r.workingTime, l.earliestPromiseDate!, 0) } : o;
        });
        const pinnedLate = [...repromised.keys()].filter((id) => orders.find((o) => o.id === id)!.pinned);
        const sim = simulate(changed, oracleSequence(fixed), now);
        for (const o of fixed) if (!pinnedLate.includes(o.id)) expect(sim.get(o.id)!.finish <= o.deadline).toBe(true);
      }),
      runs(200),
    );
  });
});

describe('capacity change on a real calendar', () => {
  const wt = wtFor(twoShiftBerlin);
  const now = Date.parse('2026-11-23T08:00:00Z') / 60_000; // Monday 09:00 Berlin
  const p = { productionBufferDays: 4, shippingBufferDays: 1, standardLeadTimeDays: 2 };
  const orders = [
    { id: 'mon', load: 600, deadline: drumDeadlineFor(wt, '2026-11-24', 1), seq: 1 },
    { id: 'tue', load: 900, deadline: drumDeadlineFor(wt, '2026-11-25', 1), seq: 2 },
    { id: 'wed', load: 900, deadline: drumDeadlineFor(wt, '2026-11-26', 1), seq: 3 },
    { id: 'fri', load: 600, deadline: drumDeadlineFor(wt, '2026-12-01', 1), seq: 4 },
  ];
  const state = { workingTime: wt, orders, now, policy: p };

  it('a holiday on Wednesday moves the orders after it and makes the tight one late, with its earliest promise', () => {
    expect(new DrumBook(wt, orders).feasible(now)).toBe(true);
    const r = applyCapacityChange(state, { addExceptions: [{ kind: 'holiday', date: '2026-11-25' }] });
    expect(r.diff.moved.map((m) => m.id)).toEqual(['wed', 'fri']);
    expect(r.diff.late.map((l) => [l.id, l.earliestPromiseDate])).toEqual([['wed', '2026-11-27']]);
    expect(r.diff.stillLate).toEqual([]);
    expect(r.feasible).toBe(false);
  });

  it('overtime on Monday evening moves only the orders planned after it, earlier', () => {
    const r = applyCapacityChange(state, { addExceptions: [{ kind: 'overtime', date: '2026-11-23', start: '22:00', end: '24:00' }] });
    expect(r.diff.moved.map((m) => m.id)).toEqual(['tue', 'wed', 'fri']);
    for (const m of r.diff.moved) expect(m.after.finish).toBeLessThan(m.before.finish);
    expect(r.diff.late).toEqual([]);
  });

  it("downtime on Monday afternoon delays everything and makes Monday's order late, re-promised for Wednesday", () => {
    const r = applyCapacityChange(state, { addExceptions: [{ kind: 'downtime', date: '2026-11-23', start: '12:00', end: '16:00' }] });
    expect(r.diff.moved.map((m) => m.id)).toEqual(['mon', 'tue', 'wed', 'fri']);
    expect(r.diff.late.map((l) => [l.id, l.slack, l.earliestPromiseDate])).toEqual([['mon', -60, '2026-11-25']]);
  });
});
