import { describe, expect, it } from 'vitest';
import { buildWorkingTime } from '../../../src/engine/index.ts';
import { DBM, dbmScopes, dbmWindow, judgeBuffer, type Completion, type DbmWindow } from '../../../src/planning-rules/dbm.ts';

// Monday to Friday, 08:00–16:00 UTC. 2026-12-18 is a Friday.
const wt = buildWorkingTime({
  timeZone: 'UTC',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '08:00', end: '16:00' })),
  exceptions: [],
});
const today = '2026-12-18';
const scope = { sku: null, pb: 6, skus: null };
/** A whole window (no recent change): two periods back to today, halfway one period back. */
const whole: DbmWindow = {
  today,
  from: '2026-12-04',
  twoPeriodsAgo: '2026-12-04',
  halfway: '2026-12-10',
  coolingUntil: null,
  cooling: false,
};
const EARLY = '2026-12-07';
const LATE = '2026-12-15';

/** `n` completions at `penetration`, the first `early` of them before halfway, the rest after. */
const done = (n: number, penetration: number, early = 0): Completion[] =>
  Array.from({ length: n }, (_, i) => ({ penetration, completedOn: i < early ? EARLY : LATE }));
const GREEN = 10;
const YELLOW = 50;
const RED = 80;
const BLACK = 120;

describe('DBM judgement', () => {
  it('states its thresholds: at least 5 completions, more than 10 % red grows, at least 90 % green shrinks', () => {
    expect(DBM).toEqual({ minSample: 5, maxRedShare: 0.1, minGreenShare: 0.9 });
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
    const red = done(5, RED);
    expect([1, 2, 4, 6].map((pb) => judgeBuffer({ ...scope, pb }, whole, red).suggestedDays)).toEqual([2, 3, 5, 8]);
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
    const green = done(5, GREEN, 2);
    expect([6, 4, 2, 1].map((pb) => judgeBuffer({ ...scope, pb }, whole, green).suggestedDays)).toEqual([4, 3, 1, null]);
  });

  it('shrinks only on completions from both replenishment periods', () => {
    expect(judgeBuffer(scope, whole, done(5, GREEN, 0)).direction).toBe(null); // all in the last period
    expect(judgeBuffer(scope, whole, done(5, GREEN, 5)).direction).toBe(null); // all in the first
    expect(judgeBuffer(scope, whole, done(5, GREEN, 1)).direction).toBe('shrink');
    expect(judgeBuffer(scope, whole, done(5, GREEN, 4)).direction).toBe('shrink');
    // A completion on the halfway day is in the second period.
    const onHalfway = [{ penetration: GREEN, completedOn: whole.halfway }, ...done(4, GREEN, 0)];
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

describe('DBM window', () => {
  it('looks back two replenishment periods (PB working days each) when the buffer never changed', () => {
    expect(dbmWindow(wt, today, 4, null)).toEqual({
      today,
      from: '2026-12-08',
      twoPeriodsAgo: '2026-12-08',
      halfway: '2026-12-14',
      coolingUntil: null,
      cooling: false,
    });
  });

  it('cools for one replenishment time after a change: still cooling a working day before it ends', () => {
    // 4 working days after Monday 2026-12-14 is Friday 2026-12-18 (today).
    expect(dbmWindow(wt, today, 4, '2026-12-15')).toMatchObject({ coolingUntil: '2026-12-21', cooling: true, from: '2026-12-21' });
    expect(dbmWindow(wt, today, 4, '2026-12-14')).toMatchObject({ coolingUntil: today, cooling: false, from: today });
  });

  it('judges from the end of cooling when it falls inside the two periods, from two periods back when before', () => {
    expect(dbmWindow(wt, today, 4, '2026-12-07')).toMatchObject({ from: '2026-12-11', twoPeriodsAgo: '2026-12-08' });
    expect(dbmWindow(wt, today, 4, '2026-12-01')).toMatchObject({ from: '2026-12-08', coolingUntil: '2026-12-07' });
  });
});

describe('DBM scopes', () => {
  it('judges the plant policy over products without their own buffer, then each product with one', () => {
    const products = [
      { sku: 'A', productionBufferDays: null },
      { sku: 'B', productionBufferDays: 3 },
      { sku: 'C', productionBufferDays: null },
    ];
    expect(dbmScopes(8, products)).toEqual([
      { sku: null, pb: 8, skus: ['A', 'C'] },
      { sku: 'B', pb: 3, skus: ['B'] },
    ]);
    expect(dbmScopes(8, [])).toEqual([{ sku: null, pb: 8, skus: [] }]);
  });
});
