import { describe, expect, it } from 'vitest';
import { buildWorkingTime, workingTimeFromIntervals } from '../../src/engine/calendar.ts';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import { RouteBook, type RouteDemand } from '../../src/engine/index.ts';
import { RouteDrum, type RouteDrumOrder } from '../../src/engine/route-drum/route-drum.ts';
import type { WorkingTime } from '../../src/engine/working-time.ts';

// Review of branch `latekey` (an order at risk on the drum, D̂ > D, may not be delayed at all
// by a new order: K'_k = min(K_k, M_k)). The invariant forbids making a LATE order later; an
// order whose D̂ was raised but whose finish has since come back before its own deadline D
// (a cancellation ahead of it, added capacity) is no longer late, and may be delayed up to D
// like any order on time. The branch's rule keyed on D̂ > D instead of on F_k > c(D_k), and
// nothing in the service lowered D̂, so such an order kept blocking every gap ahead of it. Now
// K'_k = min(K_k, max(c(D_k) − prefix_k, M_k)), and the tick lowers D̂ of recovered orders.

const T0 = Date.UTC(2026, 2, 2) / 60_000;

describe('review latekey: an order at risk that recovered', () => {
  // Expected: min over k of min(K_k, max(M_k, c(D_k) − prefix_k)) — an order at risk may be
  // delayed up to max(its current finish, its deadline D). Actual: up to its current finish.
  it('RouteDrum: a new order may go ahead of an order with D̂ > D whose finish is back before D, if it stays on time', () => {
    const wt = workingTimeFromIntervals([[T0, T0 + 100_000]]);
    const drum = new RouteDrum(wt, [
      { id: 'A', load: 100, ready: T0, deadline: T0 + 100, key: 0 },
      // B was made late by a fact and re-positioned: D̂ = its projected finish (200) + the tick's 30.
      { id: 'B', load: 100, ready: T0, deadline: T0 + 150, effectiveDeadline: T0 + 230, key: 1024 },
    ]);
    drum.remove('A'); // B now finishes at 100, 50 minutes before its deadline D = 150: not late
    expect(drum.planOne(T0, 'B')!.finish).toBe(T0 + 100);
    // x (50 min) first finishes at 50 and B at 150 = D: nobody late, no late order later.
    const q = drum.quote(T0, 50, T0, T0 + 10_000)!;
    expect(q.position).toBe(0); // actual: 1 (behind B)
    expect(q.deadline).toBe(T0 + 50); // actual: T0 + 150
  });

  // Production path: the tick makes B late (D̂ raised), the order ahead of it is cancelled, B is
  // back on time by a day, ticks run, and a 240-minute order is still promised a working day
  // later than a schedule that keeps B on time allows. Cause: the tick never lowers D̂ of a
  // recovered order (§8.3 says it does: docs/design/whole-route.md "the tick lowers D̂_j"), and
  // the new rule makes a stale D̂ > D a wall.
  it('RouteBook: after a cancellation brings a late order back on time, a quote is not a working day later than needed', () => {
    const cal: Calendar = {
      timeZone: 'Europe/Berlin',
      weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '06:00', end: '14:00' })),
      exceptions: [],
    };
    const wts = new Map<string, WorkingTime>([['cnc', buildWorkingTime(cal)]]);
    const policy = { productionBufferDays: 1, shippingBufferDays: 0, standardLeadTimeDays: 1 };
    const d = (minutes: number): RouteDemand => ({ ops: [{ resource: 'cnc', minutes }], policy });
    const monday = Date.parse('2026-11-23T06:00:00+01:00') / 60_000;
    const horizon = monday + 90 * 1440;
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    book.commit(monday, 'A', d(800), book.quote(monday, d(800), horizon).promiseDate, horizon);
    book.commit(monday, 'B', d(300), book.quote(monday, d(300), horizon).promiseDate, horizon);
    book.upsert({ ...book.get('B')!, released: true });
    // A is never released: the tick holds it back every 30 minutes until B, behind it, is late.
    let now = monday;
    while (now < monday + 480) {
      now += 30;
      book.tick(now, now + 30, horizon);
    }
    expect(book.get('B')!.effectiveDeadline).toBeGreaterThan(book.get('B')!.drumDeadline);
    book.remove('A');
    now += 30;
    book.tick(now, now + 30, horizon);
    const bFinish = book.planOf(now, 'B')!.operations.at(-1)!.end;
    // B ends Tuesday 11:00 local, its drum deadline is the end of Wednesday: on time by a day.
    expect(bFinish).toBeLessThan(book.get('B')!.drumDeadline - 12 * 60);
    // A 240-minute order first (Tue 06:00–10:00) puts B at Tue 10:00–14:00 + 60 min Wed: still by Wednesday.
    expect(book.quote(now, d(240), horizon).promiseDate).toBe('2026-11-24'); // actual: 2026-11-25
  });
});

describe('review latekey: a book where every order is at risk', () => {
  // Every order at risk is a wall with no slack (K' = M), so the old jump search (§5.2) moved
  // past only ~2 orders per jump here and, after its 32-jump cap, fell back behind the LAST
  // order at risk: 1 058 minutes later than the idle gap at position 80. The search is now
  // exact (RouteDrumTree.firstValid: no cap, no fallback).
  it('the default quote finds the idle gap after 80 late orders instead of falling back behind all 160', () => {
    const wt = workingTimeFromIntervals([[T0, T0 + 1_000_000]]);
    const orders: RouteDrumOrder[] = [];
    let F = 0;
    for (let i = 0; i < 160; i++) {
      // 10-minute orders arriving 2 minutes after the previous one ends, and a 100-minute idle gap before o80
      const ready = T0 + F + (i === 80 ? 100 : 2);
      F = ready - T0 + 10;
      orders.push({ id: `o${i}`, load: 10, ready, key: i * 1024, deadline: T0, effectiveDeadline: T0 + F + 30 });
    }
    const drum = new RouteDrum(wt, orders);
    const q = drum.quote(T0, 5, T0, T0 + 1_000_000)!;
    expect(q.position).toBe(80);
    // o79 finishes at 80 × 12 = 960; the new order fills 5 of the 100 idle minutes before o80
    expect(q.deadline - T0).toBe(965);
    // and a commit at that date goes there, o80 and every later order keep their finish
    const before = new Map(drum.plan(T0).map((p) => [p.id, p.finish]));
    expect(drum.commit(T0, { id: 'x', load: 5, ready: T0, deadline: q.deadline })!.position).toBe(80);
    for (const p of drum.plan(T0)) if (p.id !== 'x') expect(p.finish).toBe(before.get(p.id));
  });
});

describe('review latekey: an order at risk with no finish (D̂ = Infinity)', () => {
  // A drum calendar whose capacity ends (dated extra shifts only, no weekly pattern) and an
  // order that cannot finish in it: repositionLate gives it D̂ = Infinity, documented as "it then
  // constrains nothing" (route-drum.ts repositionLate, recordOf; route-drum-brute.ts allOnTime).
  // RAISED is set for D̂ = Infinity too, so K' = min(∞, M) = M makes it a wall: every new order
  // must go behind an order that never finishes, and no quote is possible any more. Before the
  // branch (051f51f) the same quote was position 0, deadline T0 + 10. Expected: that answer
  // (delaying an order with no finish makes no late order later); actual: null.
  it('one order that cannot finish does not make every quote impossible', () => {
    const wt = workingTimeFromIntervals([[T0, T0 + 1000]]);
    const drum = new RouteDrum(wt, [{ id: 'A', load: 2000, ready: T0, deadline: T0 + 500, key: 0 }]);
    const [moved] = drum.repositionLate(T0);
    expect(moved!.effectiveDeadline).toBe(Infinity);
    const q = drum.quote(T0, 10, T0, T0 + 5000);
    expect(q?.deadline).toBe(T0 + 10); // actual: null
  });
});
