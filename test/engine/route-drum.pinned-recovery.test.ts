import { describe, expect, it } from 'vitest';
import { workingTimeFromIntervals } from '../../src/engine/calendar.ts';
import { RouteDrum, type RouteDrumOrder } from '../../src/engine/route-drum/route-drum.ts';

// The tick's recovery of D̂ (RouteDrum.recoverEffectiveDeadlines, hasRecovered) for PINNED
// orders at risk: the floor expedites an order at risk (puts it on the drum, pinned in
// progress), or a pinned order ahead of it goes. Its D̂ comes down as an unpinned order's
// would: to D when its drum finish is back by D, else to its finish + slack, never below;
// a pinned order still late keeps D̂. On a calendar that always works, so instants are
// drum minutes.

const T0 = 1_000_000;
const always = workingTimeFromIntervals([[T0 - 10_000, T0 + 200_000]]);
const D = T0 + 50;
/** p1 (100 min) pinned first, then p2 (10 min, D = T0 + 50) pinned at risk with D̂ = `raised`. */
const drumWith = (raised: number, more: RouteDrumOrder[] = []) =>
  new RouteDrum(always, [
    { id: 'p1', load: 100, ready: T0, deadline: T0 + 5_000, key: 0, pinned: true },
    { id: 'p2', load: 10, ready: T0, deadline: D, effectiveDeadline: raised, key: 0, pinned: true },
    ...more,
  ]);

describe('RouteDrum: a pinned order at risk recovers', () => {
  it('partly: D̂ is lowered to its drum finish + slack, not below, and stays there', () => {
    const drum = drumWith(T0 + 500);
    // p2 finishes at T0 + 110 (behind p1's 100 minutes): after D, well before D̂.
    expect(drum.hasRecovered(T0, 5)).toBe(true);
    const out = drum.recoverEffectiveDeadlines(T0, Infinity, 5);
    expect(out).toEqual([{ id: 'p2', effectiveDeadline: T0 + 115, position: 1, late: true, key: 0, rekeyed: [], pinned: true }]);
    expect(drum.get('p2')).toMatchObject({ pinned: true, effectiveDeadline: T0 + 115 });
    expect(drum.planOne(T0, 'p2')).toMatchObject({ finish: T0 + 110, effectiveDeadline: T0 + 115, late: false, slack: 5 });
    expect(drum.orders().map((o) => o.id)).toEqual(['p1', 'p2']); // nobody moved
    // nothing more to lower: the tick is not due again
    expect(drum.hasRecovered(T0, 5)).toBe(false);
    expect(drum.recoverEffectiveDeadlines(T0, Infinity, 5)).toEqual([]);
  });

  it('fully: D̂ = D once the drum finish is back by D (a pinned order ahead of it went)', () => {
    const drum = drumWith(T0 + 500);
    drum.remove('p1');
    expect(drum.hasRecovered(T0)).toBe(true);
    const out = drum.recoverEffectiveDeadlines(T0);
    expect(out).toMatchObject([{ id: 'p2', effectiveDeadline: D, position: 0, late: false, pinned: true }]);
    expect(drum.get('p2')!.effectiveDeadline).toBeUndefined();
    expect(drum.planOne(T0, 'p2')).toMatchObject({ finish: T0 + 10, effectiveDeadline: D, late: false });
    expect(drum.feasible(T0)).toBe(true);
  });

  it('a pinned order still late keeps its D̂', () => {
    // D̂ = T0 + 100 but p2 finishes at T0 + 110: later, not earlier.
    const drum = drumWith(T0 + 100);
    expect(drum.hasRecovered(T0, 5)).toBe(false);
    expect(drum.recoverEffectiveDeadlines(T0, Infinity, 5)).toEqual([]);
    expect(drum.get('p2')!.effectiveDeadline).toBe(T0 + 100);
    // with the slack, exactly at its D̂ is no gain either
    const atSlack = drumWith(T0 + 115);
    expect(atSlack.hasRecovered(T0, 5)).toBe(false);
    expect(atSlack.recoverEffectiveDeadlines(T0, Infinity, 5)).toEqual([]);
  });

  it('a finish after the horizon changes nothing', () => {
    const drum = drumWith(Infinity);
    expect(drum.recoverEffectiveDeadlines(T0, T0 + 100)).toEqual([]);
    expect(drum.get('p2')!.effectiveDeadline).toBe(Infinity);
    expect(drum.recoverEffectiveDeadlines(T0, T0 + 110)).toMatchObject([{ id: 'p2', effectiveDeadline: T0 + 110 }]);
  });

  it('pinned and unpinned orders at risk recover together, by id, and a rollback brings both D̂ back', () => {
    const drum = drumWith(T0 + 500, [{ id: 'u', load: 10, ready: T0, deadline: T0 + 60, effectiveDeadline: T0 + 900, key: 0 }]);
    const before = drum.orders();
    const cp = drum.checkpoint();
    drum.remove('p1');
    const out = drum.recoverEffectiveDeadlines(T0);
    expect(out.map((r) => [r.id, r.effectiveDeadline])).toEqual([
      ['p2', D],
      ['u', T0 + 60],
    ]);
    expect(drum.hasRecovered(T0)).toBe(false);
    drum.rollback(cp);
    expect(drum.orders()).toEqual(before);
    expect(drum.hasRecovered(T0)).toBe(true);
  });

  it('a copy on the same minutes is not changed by the recovery of the original', () => {
    const drum = drumWith(T0 + 500);
    const copy = drum.copyOn(always, true);
    drum.recoverEffectiveDeadlines(T0);
    expect(copy.get('p2')!.effectiveDeadline).toBe(T0 + 500);
    expect(copy.hasRecovered(T0)).toBe(true);
  });
});
