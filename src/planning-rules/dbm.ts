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
 *
 * Two feedbacks made a steady plant's buffer run away (6 → 8 → 11 days), and both are cut:
 * - An order keeps the buffer it was promised with (its rope and its penetration). Orders
 *   promised before a change complete long after the cooling when the drum's queue is
 *   longer than the buffer, and their red, measured against the old buffer, asked for the
 *   same growth again. Only orders promised under the current buffer, after its last
 *   change, are judged.
 * - An order finishing on its drum plan has about its shipping buffer left, so it reads
 *   (PB − SB) / PB: growing PB alone pushes on-plan completions towards red, which asked
 *   for more growth. Past 3 × SB an on-plan completion is red by construction, so that is
 *   the upper bound (`maxShippingBuffers`); red there is the drum running behind its plan,
 *   which a larger buffer cannot fix. The lower bound is the shipping buffer (at least one
 *   day): below it the rope would release an order after its drum deadline.
 */
export const DBM = { minSample: 5, maxRedShare: 0.1, minGreenShare: 0.9, maxShippingBuffers: 3 } as const;

/** The range a suggestion stays in (working days), from the scope's shipping buffer. */
export interface DbmBounds {
  minDays: number;
  maxDays: number;
}

export const dbmBounds = (shippingBufferDays: number): DbmBounds => ({
  minDays: Math.max(1, shippingBufferDays),
  maxDays: Math.max(1, DBM.maxShippingBuffers * shippingBufferDays),
});

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
  bounds: DbmBounds;
  /** Completions in the window of orders promised under an earlier buffer: not judged. */
  excluded: number;
}

/** What DBM judges: the plant policy (products without their own buffer, `sku` null) or one product with its own. */
export interface DbmScope {
  sku: string | null;
  /** The production buffer in working days. */
  pb: number;
  /** The shipping buffer of the scope (working days). */
  sb: number;
  /** Where DBM keeps the production buffer: dbmBounds(sb). */
  bounds: DbmBounds;
  /** The products whose completions count; null for all. */
  skus: string[] | null;
}

export const scopeOf = (sku: string | null, pb: number, sb: number, skus: string[] | null): DbmScope => ({
  sku,
  pb,
  sb,
  bounds: dbmBounds(sb),
  skus,
});

/** The plant policy's scope first, then one per product with its own buffer. */
export function dbmScopes(
  policy: { productionBufferDays: number; shippingBufferDays: number },
  products: Iterable<{ sku: string; productionBufferDays: number | null; shippingBufferDays: number | null }>,
): DbmScope[] {
  const all = [...products];
  return [
    scopeOf(
      null,
      policy.productionBufferDays,
      policy.shippingBufferDays,
      all.filter((p) => p.productionBufferDays === null).map((p) => p.sku),
    ),
    ...all
      .filter((p) => p.productionBufferDays !== null)
      .map((p) => scopeOf(p.sku, p.productionBufferDays!, p.shippingBufferDays ?? policy.shippingBufferDays, [p.sku])),
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
  /** The instant of the last change (plant minutes): orders promised before it are not judged. */
  changedAt: number | null;
}

/** `changedAt` is the instant (plant minutes) of the scope's last buffer change, if any. */
export function dbmWindow(wt: WorkingTime, today: LocalDate, pb: number, changedAt: number | null): DbmWindow {
  const lastChange = changedAt === null ? null : wt.localDateOf(changedAt);
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
  return { today, from, twoPeriodsAgo, halfway, coolingUntil, cooling: from > today, changedAt };
}

/**
 * One order completed in the window: its buffer penetration (percent, against its own
 * buffer), local completion date, the buffer it was promised with and when it was committed.
 */
export interface Completion {
  penetration: number;
  completedOn: LocalDate;
  productionBufferDays: number;
  /** Plant minutes. */
  committedAt: number;
}

/** Promised under the scope's current buffer, after its last change. */
const underCurrentBuffer = (scope: DbmScope, w: DbmWindow, c: Completion) =>
  c.productionBufferDays === scope.pb && (w.changedAt === null || c.committedAt >= w.changedAt);

const third = (pb: number) => Math.max(1, Math.round(pb / 3));

/** The judgement for one scope over its window (see DBM). */
export function judgeBuffer(scope: DbmScope, w: DbmWindow, completions: readonly Completion[]): BufferSuggestion {
  const { bounds } = scope;
  const base = {
    sku: scope.sku,
    currentDays: scope.pb,
    window: { from: w.from, to: w.today },
    coolingUntil: w.coolingUntil && w.coolingUntil > w.today ? w.coolingUntil : null,
    bounds,
  };
  const zones: Record<BufferZone, number> = { green: 0, yellow: 0, red: 0, black: 0 };
  if (w.cooling)
    return {
      ...base,
      suggestedDays: null,
      direction: null,
      reason: `Cooling after the last change until ${w.coolingUntil}.`,
      completed: 0,
      excluded: 0,
      zones,
    };

  const judged = completions.filter((c) => underCurrentBuffer(scope, w, c));
  const excluded = completions.length - judged.length;
  let early = 0;
  for (const c of judged) {
    zones[completionZone(c.penetration)]++;
    if (c.completedOn < w.halfway) early++;
  }
  const n = judged.length;
  const counted = { completed: n, excluded, zones };
  const none = (reason: string) => ({ ...base, suggestedDays: null, direction: null, reason, ...counted });
  if (n < DBM.minSample) {
    const older = excluded > 0 ? ` promised under the current ${scope.pb}-day buffer (${excluded} under an earlier one not judged)` : '';
    return none(`Only ${n} order(s)${older} completed since ${w.from}; at least ${DBM.minSample} are needed to judge.`);
  }
  const red = zones.red + zones.black;
  if (red / n > DBM.maxRedShare) {
    const share = `${red} of ${n} orders completed in red or black (target at most ${DBM.maxRedShare * 100} %)`;
    if (scope.pb >= bounds.maxDays) {
      return none(
        `${share}, but the buffer is at its upper bound (${bounds.maxDays} days, ${DBM.maxShippingBuffers} × the ${scope.sb}-day shipping buffer): ` +
          'a larger one would put orders that finish on their drum plan in red. The drum runs behind its plan; look at its capacity.',
      );
    }
    return {
      ...base,
      suggestedDays: Math.min(bounds.maxDays, scope.pb + third(scope.pb)),
      direction: 'grow',
      reason: `${share}: grow the buffer by ⅓${scope.pb + third(scope.pb) > bounds.maxDays ? `, up to its upper bound of ${bounds.maxDays} days` : ''}.`,
      ...counted,
    };
  }
  const wholeWindow = w.from === w.twoPeriodsAgo && early > 0 && early < n;
  if (wholeWindow && red === 0 && zones.green / n >= DBM.minGreenShare && scope.pb > bounds.minDays) {
    return {
      ...base,
      suggestedDays: Math.max(bounds.minDays, scope.pb - third(scope.pb)),
      direction: 'shrink',
      reason: `${zones.green} of ${n} orders completed in green over two replenishment periods: shrink the buffer by ⅓.`,
      ...counted,
    };
  }
  return none('The buffer is about right.');
}
