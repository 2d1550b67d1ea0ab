import type { BufferZone, LocalDate, WorkingTime } from '../engine/index.ts';
import { completionZone } from './kpis.ts';
import { NoWorkingDayError } from '../engine/calendar-working-time.ts';

/**
 * Dynamic buffer management from the penetration orders completed with. Thresholds:
 * S-DBR aims at about 90 % of orders finishing without entering red, so more than 10 % in
 * red or black suggests growing the buffer by ⅓; when at least 90 % finish green (and none
 * in red) over two replenishment periods, the buffer is fat: shrink it by ⅓. The
 * replenishment time of a make-to-order buffer is the buffer itself (PB working days);
 * after a change DBM waits one replenishment time (cooling) before judging again, and
 * only judges orders completed after the cooling ended.
 */
export const DBM = { minSample: 5, maxRedShare: 0.1, minGreenShare: 0.9 } as const;

export interface BufferSuggestion {
  sku: string | null;
  currentDays: number;
  suggestedDays: number | null;
  direction: 'grow' | 'shrink' | null;
  reason: string;
  window: { from: string; to: string };
  completed: number;
  zones: Record<BufferZone, number>;
  coolingUntil: string | null;
}

/** What DBM judges: the plant policy (products without their own buffer, `sku` null) or one product with its own. */
export interface DbmScope {
  sku: string | null;
  /** The production buffer in working days. */
  pb: number;
  /** The products whose completions count; null for all. */
  skus: string[] | null;
}

/** The plant policy's scope first, then one per product with its own buffer. */
export function dbmScopes(policyDays: number, products: Iterable<{ sku: string; productionBufferDays: number | null }>): DbmScope[] {
  const all = [...products];
  return [
    { sku: null, pb: policyDays, skus: all.filter((p) => p.productionBufferDays === null).map((p) => p.sku) },
    ...all.filter((p) => p.productionBufferDays !== null).map((p) => ({ sku: p.sku, pb: p.productionBufferDays!, skus: [p.sku] })),
  ];
}

/** The local dates a judgement looks at. */
export interface DbmWindow {
  today: LocalDate;
  /** First day whose completions count: two replenishment periods back, or the end of cooling if later. */
  from: LocalDate;
  twoPeriodsAgo: LocalDate;
  /** One replenishment period back: a whole-window judgement needs completions on both sides of it. */
  halfway: LocalDate;
  /** The end of cooling after the last change (may be past); null when the buffer never changed. */
  coolingUntil: LocalDate | null;
  /** Still cooling: nothing to judge yet. */
  cooling: boolean;
}

/** `lastChange` is the local date of the scope's last buffer change, if any. */
export function dbmWindow(wt: WorkingTime, today: LocalDate, pb: number, lastChange: LocalDate | null): DbmWindow {
  // A calendar without working days around today has no replenishment period to judge: the
  // window collapses to today (too few completions, no suggestion) or cooling never ends.
  const shift = (d: LocalDate, n: number, none: LocalDate) => {
    try {
      return wt.addWorkingDays(d, n);
    } catch (e) {
      if (e instanceof NoWorkingDayError) return none;
      throw e;
    }
  };
  const coolingUntil = lastChange ? shift(lastChange, pb, '9999-12-31') : null;
  const twoPeriodsAgo = shift(today, -2 * pb, today);
  const halfway = shift(today, -pb, today);
  const from = coolingUntil && coolingUntil > twoPeriodsAgo ? coolingUntil : twoPeriodsAgo;
  return { today, from, twoPeriodsAgo, halfway, coolingUntil, cooling: from > today };
}

/** One order completed in the window: its buffer penetration (percent) and local completion date. */
export interface Completion {
  penetration: number;
  completedOn: LocalDate;
}

const third = (pb: number) => Math.max(1, Math.round(pb / 3));

/** The judgement for one scope over its window (see DBM). */
export function judgeBuffer(scope: DbmScope, w: DbmWindow, completions: readonly Completion[]): BufferSuggestion {
  const base = {
    sku: scope.sku,
    currentDays: scope.pb,
    window: { from: w.from, to: w.today },
    coolingUntil: w.coolingUntil && w.coolingUntil > w.today ? w.coolingUntil : null,
  };
  const zones: Record<BufferZone, number> = { green: 0, yellow: 0, red: 0, black: 0 };
  if (w.cooling)
    return {
      ...base,
      suggestedDays: null,
      direction: null,
      reason: `Cooling after the last change until ${w.coolingUntil}.`,
      completed: 0,
      zones,
    };

  let early = 0;
  for (const c of completions) {
    zones[completionZone(c.penetration)]++;
    if (c.completedOn < w.halfway) early++;
  }
  const n = completions.length;
  const none = (reason: string) => ({ ...base, suggestedDays: null, direction: null, reason, completed: n, zones });
  if (n < DBM.minSample) return none(`Only ${n} order(s) completed since ${w.from}; at least ${DBM.minSample} are needed to judge.`);
  const red = zones.red + zones.black;
  if (red / n > DBM.maxRedShare) {
    return {
      ...base,
      suggestedDays: scope.pb + third(scope.pb),
      direction: 'grow',
      reason: `${red} of ${n} orders completed in red or black (target at most ${DBM.maxRedShare * 100} %): grow the buffer by ⅓.`,
      completed: n,
      zones,
    };
  }
  const wholeWindow = w.from === w.twoPeriodsAgo && early > 0 && early < n;
  if (wholeWindow && red === 0 && zones.green / n >= DBM.minGreenShare && scope.pb > 1) {
    return {
      ...base,
      suggestedDays: scope.pb - third(scope.pb),
      direction: 'shrink',
      reason: `${zones.green} of ${n} orders completed in green over two replenishment periods: shrink the buffer by ⅓.`,
      completed: n,
      zones,
    };
  }
  return none('The buffer is about right.');
}
