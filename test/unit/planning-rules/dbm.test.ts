import { describe, expect, it } from 'vitest';
import { buildWorkingTime } from '../../../src/engine/index.ts';
import {
  DBM,
  dbmBounds,
  dbmScopes,
  dbmWindow,
  judgeBuffer,
  scopeOf,
  type Completion,
  type DbmWindow,
} from '../../../src/planning-rules/dbm.ts';

// Monday to Friday, 08:00–16:00 UTC. 2026-12-18 is a Friday.
const wt = buildWorkingTime({
  timeZone: 'UTC',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '08:00', end: '16:00' })),
  exceptions: [],
});
const today = '2026-12-18';
// Shipping buffer 1: the buffer may range from 1 to 3 days... too tight for these tests, so 3 (3 to 9).
const scope = scopeOf(null, 6, 3, null);
/** A scope with a wide range (shipping buffer 1 … wide): the step arithmetic alone. */
const wide = (pb: number) => ({ ...scopeOf(null, pb, 1, null), bounds: { minDays: 1, maxDays: 100 } });
/** A whole window (no recent change): two periods back to today, halfway one period back. */
const whole: DbmWindow = {
  today,
  from: '2026-12-04',
  twoPeriodsAgo: '2026-12-04',
  halfway: '2026-12-10',
  coolingUntil: null,
  cooling: false,
  changedAt: null,
};
const EARLY = '2026-12-07';
const LATE = '2026-12-15';

/** `n` completions at `penetration`, the first `early` of them before halfway, the rest after, promised under a `pb`-day buffer at minute 0. */
const done = (n: number, penetration: number, early = 0, pb = 6): Completion[] =>
  Array.from({ length: n }, (_, i) => ({ penetration, completedOn: i < early ? EARLY : LATE, productionBufferDays: pb, committedAt: 0 }));
const GREEN = 10;
const YELLOW = 50;
const RED = 80;
const BLACK = 120;

describe('DBM judgement', () => {
  it('states its thresholds: at least 5 completions, more than 10 % red grows, at least 90 % green shrinks', () => {
    expect(DBM).toEqual({ minSample: 5, maxRedShare: 0.1, minGreenShare: 0.9, maxShippingBuffers: 3 });
  });

  it('does not judge 4 completions, and judges 5', () => {
    expect(judgeBuffer(scope, whole, done(4, RED))).toMatchObject({ direction: null, completed: 4 });
    expect(judgeBuffer(scope, whole, done(4, RED)).reason).toContain('at least 5');
    expect(judgeBuffer(scope, whole, done(5, RED))).toMatchObject({ direction: 'grow', completed: 5 });
  });

  it('grows by a third when more than 10 % finish in red, not at exactly 10 %', () => {
    const tenPercent = [...done(9, GREEN, 4), ...done(1, RED)];
    expect(judgeBuffer(scope, whole, tenPercent)).toMatchObject({ direction: null, suggestedDays: null });
    const twoOfNineteen = [...done(17, GREEN, 4), ...done(2, RED)]; // 10.5 %
    expect(judgeBuffer(scope, whole, twoOfNineteen)).toMatchObject({
      direction: 'grow',
      suggestedDays: 8,
      currentDays: 6,
      reason: '2 of 19 orders completed in red or black (target at most 10 %): grow the buffer by ⅓.',
    });
  });

  it('counts black with red, and yellow with neither', () => {
    expect(judgeBuffer(scope, whole, [...done(8, GREEN, 4), ...done(2, BLACK)])).toMatchObject({
      direction: 'grow',
      zones: { green: 8, yellow: 0, red: 0, black: 2 },
    });
    expect(judgeBuffer(scope, whole, [...done(8, GREEN, 4), ...done(2, YELLOW)])).toMatchObject({ direction: null });
  });

  it('grows a buffer by at least one day: 1 → 2, 2 → 3, 4 → 5, 6 → 8', () => {
    expect([1, 2, 4, 6].map((pb) => judgeBuffer(wide(pb), whole, done(5, RED, 0, pb)).suggestedDays)).toEqual([2, 3, 5, 8]);
  });

  it('shrinks by a third when at least 90 % finish green and none red, over the whole window', () => {
    const ninety = [...done(9, GREEN, 4), ...done(1, YELLOW)];
    expect(judgeBuffer(scope, whole, ninety)).toMatchObject({
      direction: 'shrink',
      suggestedDays: 4,
      completed: 10,
      reason: '9 of 10 orders completed in green over two replenishment periods: shrink the buffer by ⅓.',
    });
    const eightyNine = [...done(8, GREEN, 4), ...done(1, YELLOW)]; // 88.9 %
    expect(judgeBuffer(scope, whole, eightyNine).direction).toBe(null);
  });

  it('does not shrink while any order finished red, even with 90 % green', () => {
    expect(judgeBuffer(scope, whole, [...done(9, GREEN, 4), ...done(1, RED)]).direction).toBe(null);
  });

  it('shrinks a buffer by at least one day but never below one: 6 → 4, 4 → 3, 2 → 1, 1 stays', () => {
    expect([6, 4, 2, 1].map((pb) => judgeBuffer(wide(pb), whole, done(5, GREEN, 2, pb)).suggestedDays)).toEqual([4, 3, 1, null]);
  });

  it('shrinks only on completions from both replenishment periods', () => {
    expect(judgeBuffer(scope, whole, done(5, GREEN, 0)).direction).toBe(null); // all in the last period
    expect(judgeBuffer(scope, whole, done(5, GREEN, 5)).direction).toBe(null); // all in the first
    expect(judgeBuffer(scope, whole, done(5, GREEN, 1)).direction).toBe('shrink');
    expect(judgeBuffer(scope, whole, done(5, GREEN, 4)).direction).toBe('shrink');
    // A completion on the halfway day is in the second period.
    const onHalfway = [{ ...done(1, GREEN)[0]!, completedOn: whole.halfway }, ...done(4, GREEN, 0)];
    expect(judgeBuffer(scope, whole, onHalfway).direction).toBe(null);
  });

  it('does not shrink on a window cut short by a recent change, but still grows', () => {
    const cut: DbmWindow = { ...whole, from: '2026-12-08', coolingUntil: '2026-12-08' };
    expect(judgeBuffer(scope, cut, done(5, GREEN, 2)).direction).toBe(null);
    expect(judgeBuffer(scope, cut, done(5, RED)).direction).toBe('grow');
  });

  it('judges nothing while cooling, whatever the completions', () => {
    const cooling: DbmWindow = { ...whole, from: '2026-12-21', coolingUntil: '2026-12-21', cooling: true };
    expect(judgeBuffer(scope, cooling, done(10, RED))).toMatchObject({
      direction: null,
      completed: 0,
      coolingUntil: '2026-12-21',
      reason: 'Cooling after the last change until 2026-12-21.',
    });
  });

  it('reports the window it judged, and a cooling that ended (today or before) as none', () => {
    const s = judgeBuffer(scope, { ...whole, coolingUntil: '2026-12-01' }, done(5, YELLOW));
    expect(s).toMatchObject({ window: { from: '2026-12-04', to: today }, coolingUntil: null, reason: 'The buffer is about right.' });
    const endsToday: DbmWindow = { ...whole, from: today, coolingUntil: today };
    expect(judgeBuffer(scope, endsToday, done(5, YELLOW))).toMatchObject({ coolingUntil: null, window: { from: today, to: today } });
  });
});

/** 10:00 UTC on a local date, in plant minutes. */
const at = (d: string) => wt.startOfLocalDate(d) + 600;

describe('DBM window', () => {
  it('keeps the instant of the last change: orders committed before it are not judged', () => {
    expect(dbmWindow(wt, today, 4, at('2026-12-01')).changedAt).toBe(at('2026-12-01'));
  });

  it('looks back two replenishment periods (PB working days each) when the buffer never changed', () => {
    expect(dbmWindow(wt, today, 4, null)).toEqual({
      today,
      from: '2026-12-08',
      twoPeriodsAgo: '2026-12-08',
      halfway: '2026-12-14',
      coolingUntil: null,
      cooling: false,
      changedAt: null,
    });
  });

  it('cools for one replenishment time after a change: still cooling a working day before it ends', () => {
    // 4 working days after Monday 2026-12-14 is Friday 2026-12-18 (today).
    expect(dbmWindow(wt, today, 4, at('2026-12-15'))).toMatchObject({ coolingUntil: '2026-12-21', cooling: true, from: '2026-12-21' });
    expect(dbmWindow(wt, today, 4, at('2026-12-14'))).toMatchObject({ coolingUntil: today, cooling: false, from: today });
  });

  it('judges from the end of cooling when it falls inside the two periods, from two periods back when before', () => {
    expect(dbmWindow(wt, today, 4, at('2026-12-07'))).toMatchObject({ from: '2026-12-11', twoPeriodsAgo: '2026-12-08' });
    expect(dbmWindow(wt, today, 4, at('2026-12-01'))).toMatchObject({ from: '2026-12-08', coolingUntil: '2026-12-07' });
  });
});

describe('DBM scopes', () => {
  it('judges the plant policy over products without their own buffer, then each product with one', () => {
    const products = [
      { sku: 'A', productionBufferDays: null, shippingBufferDays: null },
      { sku: 'B', productionBufferDays: 3, shippingBufferDays: 1 },
      { sku: 'C', productionBufferDays: null, shippingBufferDays: 2 },
      { sku: 'D', productionBufferDays: 6, shippingBufferDays: null },
    ];
    const policy = { productionBufferDays: 8, shippingBufferDays: 4 };
    expect(dbmScopes(policy, products)).toEqual([
      { sku: null, pb: 8, sb: 4, bounds: { minDays: 4, maxDays: 12 }, skus: ['A', 'C'] },
      { sku: 'B', pb: 3, sb: 1, bounds: { minDays: 1, maxDays: 3 }, skus: ['B'] },
      // A product with its own production buffer but the plant's shipping buffer.
      { sku: 'D', pb: 6, sb: 4, bounds: { minDays: 4, maxDays: 12 }, skus: ['D'] },
    ]);
    expect(dbmScopes(policy, [])).toEqual([{ sku: null, pb: 8, sb: 4, bounds: { minDays: 4, maxDays: 12 }, skus: [] }]);
  });
});

describe('DBM bounds', () => {
  it('keeps the buffer between one and three shipping buffers, never below one day', () => {
    expect(dbmBounds(3)).toEqual({ minDays: 3, maxDays: 9 });
    expect(dbmBounds(1)).toEqual({ minDays: 1, maxDays: 3 });
    expect(dbmBounds(0)).toEqual({ minDays: 1, maxDays: 1 });
  });

  it('grows up to the upper bound, not past it: 8 → 9 with a 3-day shipping buffer', () => {
    const s = judgeBuffer(scopeOf(null, 8, 3, null), whole, done(5, RED, 0, 8));
    expect(s).toMatchObject({ direction: 'grow', suggestedDays: 9, bounds: { minDays: 3, maxDays: 9 } });
    expect(s.reason).toContain('up to its upper bound of 9 days');
    // 7 + 2 = 9 reaches it exactly: no mention of the bound.
    expect(judgeBuffer(scopeOf(null, 7, 3, null), whole, done(5, RED, 0, 7)).reason).not.toContain('bound');
  });

  it('suggests nothing at the upper bound, and says the drum runs behind its plan', () => {
    const s = judgeBuffer(scopeOf(null, 9, 3, null), whole, done(5, RED, 0, 9));
    expect(s).toMatchObject({ direction: null, suggestedDays: null, completed: 5, zones: { red: 5 } });
    expect(s.reason).toContain('upper bound (9 days, 3 × the 3-day shipping buffer)');
    // Above it (a planner set it there): still no growth, but it may shrink.
    expect(judgeBuffer(scopeOf(null, 12, 3, null), whole, done(5, RED, 0, 12)).direction).toBe(null);
    expect(judgeBuffer(scopeOf(null, 12, 3, null), whole, done(5, GREEN, 2, 12))).toMatchObject({ direction: 'shrink', suggestedDays: 8 });
  });

  it('shrinks down to the lower bound, not past it: 4 → 3 with a 3-day shipping buffer, 3 stays', () => {
    expect(judgeBuffer(scopeOf(null, 4, 3, null), whole, done(5, GREEN, 2, 4))).toMatchObject({ direction: 'shrink', suggestedDays: 3 });
    expect(judgeBuffer(scopeOf(null, 5, 4, null), whole, done(5, GREEN, 2, 5))).toMatchObject({ direction: 'shrink', suggestedDays: 4 });
    expect(judgeBuffer(scopeOf(null, 3, 3, null), whole, done(5, GREEN, 2, 3))).toMatchObject({ direction: null, suggestedDays: null });
  });
});

describe('DBM judges only orders promised under the current buffer', () => {
  const changedAt = at('2026-12-04');
  const sinceChange: DbmWindow = { ...whole, changedAt };
  const promised = (n: number, penetration: number, pb: number, committedAt: number): Completion[] =>
    done(n, penetration, 0, pb).map((c) => ({ ...c, committedAt }));

  it('does not count red from orders promised under an earlier buffer', () => {
    const s = judgeBuffer(scope, sinceChange, [...promised(5, RED, 4, changedAt - 1), ...promised(4, YELLOW, 6, changedAt)]);
    expect(s).toMatchObject({ direction: null, completed: 4, excluded: 5, zones: { red: 0, yellow: 4 } });
    expect(s.reason).toBe(
      'Only 4 order(s) promised under the current 6-day buffer (5 under an earlier one not judged) completed since 2026-12-04; at least 5 are needed to judge.',
    );
  });

  it('does not count orders promised before the last change even with the same buffer (a buffer changed back)', () => {
    expect(judgeBuffer(scope, sinceChange, promised(5, RED, 6, changedAt - 1))).toMatchObject({
      direction: null,
      completed: 0,
      excluded: 5,
    });
  });

  it('counts an order committed at the instant of the change, and every order when the buffer never changed', () => {
    expect(judgeBuffer(scope, sinceChange, promised(5, RED, 6, changedAt))).toMatchObject({ direction: 'grow', completed: 5, excluded: 0 });
    expect(judgeBuffer(scope, whole, promised(5, RED, 6, -1_000_000))).toMatchObject({ direction: 'grow', completed: 5 });
    // Without a change, an order under another buffer (a product override since removed) is still not this buffer's evidence.
    expect(judgeBuffer(scope, whole, promised(5, RED, 4, 0))).toMatchObject({ direction: null, excluded: 5 });
  });
});
