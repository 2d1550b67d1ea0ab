import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { workingTimeFromIntervals } from '../../src/engine/calendar.ts';
import { RouteDrum } from '../../src/engine/route-drum/route-drum.ts';

/** docs/design/whole-route.md §5.2 examples: integer time, c(t) = t (the drum always works), now = 0. */
const T = Date.UTC(2026, 2, 2) / 60_000;
const wt = workingTimeFromIntervals([[T, T + 100_000]]);
const H = T + 100_000;

describe('whole-route note §5.2 examples', () => {
  it('(i) a committed order with a far ready time is no wall: D* = 480 (the blocker rule gave 10 540)', () => {
    const book = new RouteDrum(wt, [{ id: 'F', load: 60, ready: T + 10_000, deadline: T + 10_420, key: 0 }]);
    const q = book.quote(T, 480, T, H)!;
    expect(q.deadline - T).toBe(480);
    expect(q.position).toBe(0);
    // The first draft's blocker rule (F has slack 360 < 480, so x after F) gave 10 540.
    // committed at its quote, x goes before F, and F still finishes by its deadline
    const c = book.commit(T, { id: 'x', load: 480, ready: T, deadline: q.deadline })!;
    expect(c.position).toBe(0);
    expect(book.plan(T).map((p) => [p.id, p.finish - T])).toEqual([
      ['x', 480],
      ['F', 10_060],
    ]);
  });

  it('(ii) an at-risk order is no wall: D* = 10 (the blocker rule gave 1 020)', () => {
    const book = new RouteDrum(wt, [{ id: 'j', load: 10, ready: T + 1000, deadline: T + 100, effectiveDeadline: T + 1010, key: 0 }]);
    expect(book.feasible(T)).toBe(true);
    expect(book.quote(T, 10, T, H)!.deadline - T).toBe(10); // the blocker rule gave 1 020
  });

  it('(iii) keyed insertion is monotone where EDD-position insertion was not: every D ≥ 5 admissible', () => {
    const book = new RouteDrum(wt, [{ id: 'k', load: 5, ready: T + 5, deadline: T + 10, key: 0 }]);
    expect(book.quote(T, 5, T, H)!.deadline - T).toBe(5);
    expect(book.admits(T, 5, T, T + 4)).toBe(false);
    for (let d = 5; d <= 30; d++) expect(book.admits(T, 5, T, T + d)).toBe(true);
  });

  it('answers "none within the horizon" instead of searching on', () => {
    const book = new RouteDrum(wt, [{ id: 'a', load: 600, ready: T, deadline: T + 650, key: 0 }]);
    expect(book.quote(T, 100, T, T + 699)).toBeNull();
    expect(book.quote(T, 100, T, T + 700)!.deadline - T).toBe(700);
    expect(book.quote(T, 100, T + 800, T + 799)).toBeNull(); // ready after the horizon
  });

  it('late orders are re-positioned with an effective deadline at their projected finish (§8.3)', () => {
    const book = new RouteDrum(wt, [
      { id: 'a', load: 100, ready: T, deadline: T + 100, key: 0 },
      { id: 'b', load: 100, ready: T, deadline: T + 300, key: 10 },
    ]);
    // a's material is late: ready at 150, so a would finish at 250 and push b to 350: both late in the plan.
    // Both are taken off and re-inserted in old order: a at q0 with D̂ = 250; b by its own deadline, before a.
    book.setReady('a', T + 150, T);
    expect(book.feasible(T)).toBe(false);
    const moved = book.repositionLate(T);
    expect(moved.map(({ key: _k, rekeyed: _r, ...m }) => m)).toEqual([
      { id: 'a', effectiveDeadline: T + 250, position: 0, late: true },
      { id: 'b', effectiveDeadline: T + 300, position: 0, late: false },
    ]);
    expect(book.feasible(T)).toBe(true);
    expect(book.plan(T).map((p) => [p.id, p.finish - T])).toEqual([
      ['b', 100],
      ['a', 250],
    ]);
  });
});

describe('regressions', () => {
  it('an order finishing beyond the calendar does not cut the plan: the zero-load order after it is reported late and re-positioned', () => {
    // fast-check seed -81080482: the drum works [T+180, T+774) only (594 minutes). A fact puts o0's ready time at the
    // end of that stretch, so o0 (1 minute) finishes at cumulative 595 > 594: start = finish = Infinity. The plan used
    // to stop there (start ≥ until with until = Infinity) and omit o1, which is late behind o0 (F = 595 > c(D) = 1).
    const wt1 = workingTimeFromIntervals([[T + 180, T + 774]]);
    const D = T + 181;
    const book = new RouteDrum(wt1, [
      { id: 'o0', load: 1, ready: T - 30, deadline: D, key: 0 },
      { id: 'o1', load: 0, ready: T - 30, deadline: D, key: 3 },
    ]);
    expect(book.feasible(T)).toBe(true);
    book.setReady('o0', T + 774, T);
    const plan = book.plan(T);
    expect(plan.map((p) => [p.id, p.finishCumulative, p.late])).toEqual([
      ['o0', 595, true],
      ['o1', 595, true],
    ]);
    expect(plan[0]!.start).toBe(Infinity);
    const moved = book.repositionLate(T, T + 3 * 1440);
    expect(moved.map((m) => m.id).sort()).toEqual(plan.filter((p) => p.late).map((p) => p.id));
    expect(moved.map((m) => [m.id, m.effectiveDeadline, m.late])).toEqual([
      ['o0', Infinity, true],
      ['o1', D, false],
    ]);
    expect(book.feasible(T)).toBe(true);
    expect(book.plan(T).map((p) => [p.id, p.late])).toEqual([
      ['o1', false],
      ['o0', false],
    ]);
    // a finite until still stops after the first order starting at or after it
    expect(book.plan(T, T + 10).map((p) => p.id)).toEqual(['o1', 'o0']);
    expect(book.plan(T, T).map((p) => p.id)).toEqual(['o1']);
  });
});

describe('sequence keys', () => {
  it('a new key goes between its neighbours; adjacent keys are renumbered (and a rollback restores them)', () => {
    const book = new RouteDrum(wt, [
      { id: 'a', load: 10, ready: T, deadline: T + 1000, key: 7 },
      { id: 'b', load: 10, ready: T, deadline: T + 1000, key: 8 },
    ]);
    const cp = book.checkpoint();
    const r = book.insertAt({ id: 'x', load: 10, ready: T, deadline: T + 1000 }, 1);
    expect(r.rekeyed.length).toBeGreaterThan(0);
    const keys = book.orders().map((o) => [o.id, o.key]);
    expect(keys.map(([id]) => id)).toEqual(['a', 'x', 'b']);
    expect(keys[0]![1]).toBeLessThan(keys[1]![1] as number);
    expect(keys[1]![1]).toBeLessThan(keys[2]![1] as number);
    const y = book.insertAt({ id: 'y', load: 10, ready: T, deadline: T + 1000 }, 0);
    expect(y.rekeyed).toEqual([]);
    expect(book.orders()[0]!.id).toBe('y');
    book.rollback(cp);
    expect(book.orders()).toEqual([
      { id: 'a', load: 10, ready: T, deadline: T + 1000, key: 7 },
      { id: 'b', load: 10, ready: T, deadline: T + 1000, key: 8 },
    ]);
  });

  it('pinned orders are worked first, in pin order; only ready orders may be pinned', () => {
    const book = new RouteDrum(wt, [
      { id: 'a', load: 10, ready: T, deadline: T + 1000, key: 0 },
      { id: 'b', load: 10, ready: T + 50, deadline: T + 1000, key: 10 },
      { id: 'c', load: 10, ready: T, deadline: T + 1000, key: 20 },
    ]);
    book.pin('c', T);
    expect(() => book.pin('b', T)).toThrow(RangeError);
    expect(book.plan(T).map((p) => [p.id, p.pinned, p.start - T])).toEqual([
      ['c', true, 0],
      ['a', false, 10],
      ['b', false, 50],
    ]);
    expect(book.base(T) - wt.cumulative(T)).toBe(10);
    // a fact makes c not ready: it is unpinned and goes to the front of the keyed sequence
    book.setReady('c', T + 5, T);
    expect(book.plan(T).map((p) => [p.id, p.pinned, p.start - T])).toEqual([
      ['c', false, 5],
      ['a', false, 15],
      ['b', false, 50],
    ]);
  });
});

describe('sequence keys under bursts of inserts', () => {
  it('any sequence of inserts at positions keeps the sequence of a plain array, keys strictly increasing, rekeyed exact', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat(), fc.constant(1), fc.constant(0)), { minLength: 1, maxLength: 200 }),
        fc.boolean(),
        (positions, rollback) => {
          const book = new RouteDrum(wt, [
            { id: 'a', load: 1, ready: T, deadline: T + 1000, key: 0 },
            { id: 'b', load: 1, ready: T, deadline: T + 1000, key: 1 },
          ]);
          const model = ['a', 'b'];
          const cp = book.checkpoint();
          positions.forEach((p, i) => {
            const q = p % (model.length + 1);
            const before = new Map(book.orders().map((o) => [o.id, o.key]));
            const r = book.insertAt({ id: `n${i}`, load: 1, ready: T, deadline: T + 1000 }, q);
            model.splice(q, 0, `n${i}`);
            const after = book.orders();
            expect(after.map((o) => o.id)).toEqual(model);
            for (let k = 1; k < after.length; k++) expect(after[k]!.key).toBeGreaterThan(after[k - 1]!.key);
            const changed = after.filter((o) => before.has(o.id) && before.get(o.id) !== o.key).map((o) => o.id);
            expect([...r.rekeyed].sort()).toEqual(changed.sort());
            expect(after.every((o) => Number.isSafeInteger(o.key))).toBe(true);
          });
          if (rollback) {
            book.rollback(cp);
            expect(book.orders().map((o) => [o.id, o.key])).toEqual([
              ['a', 0],
              ['b', 1],
            ]);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
