import { nextLocalDate } from './buffer-days.ts';
import type { CumulativeSpan, Fit, Ledger } from './ledger.ts';
import type { LocalDate, Minute, WorkingTime } from './working-time.ts';
import { workingStretches } from './working-stretches.ts';

/** Added working time inserted into the ledger's cumulative axis: `minutes` free minutes at old cumulative `at`. */
interface Insertion {
  at: number;
  minutes: number;
  /** Added minutes inserted before this one (the shift of the reservations just before `at`). */
  before: number;
}

/**
 * A read-only view of a ledger as `ledger.rebuilt(after)` would be, for a calendar `after` that
 * only adds working time to the ledger's own (a capacity proposal's blocks), without the
 * O(m) rebuild. Why it is exact: when every old working minute still works, the rebuild keeps
 * every reservation's wall-clock start, so a reservation at old cumulative a moves to
 * a + (added minutes before its start) and none collides with its predecessor. In cumulative
 * terms the rebuilt ledger is the old one with a free stretch of each added run's minutes
 * inserted where that run lies (at cumulative(run start)), or, when a reservation spans that
 * point, at that reservation's end (it is re-measured, not split). A search then runs the
 * old tree's search once per segment between insertions plus one test per insertion:
 * O(k log m) for k added runs.
 */
export class LedgerOverlay {
  private constructor(
    private readonly ledger: Ledger,
    readonly wt: WorkingTime,
    private readonly insertions: readonly Insertion[],
  ) {}

  /**
   * The overlay of `ledger` on `after`, whose calendar differs from the ledger's only on
   * `dates` (its exceptions act on their own local date); null when `after` takes working
   * time away there (then only a rebuild is exact).
   */
  static of(ledger: Ledger, after: WorkingTime, dates: readonly LocalDate[]): LedgerOverlay | null {
    const old = ledger.wt;
    const runs: [Minute, Minute][] = [];
    const sorted = [...new Set(dates)].sort();
    // A day either side: a shift across midnight belongs to two dates.
    let k = 0;
    let total = 0;
    while (k < sorted.length) {
      const first = sorted[k]!;
      let last = first;
      while (k + 1 < sorted.length && sorted[k + 1]! <= nextLocalDate(last, 3)) last = sorted[++k]!;
      k++;
      const from = old.startOfLocalDate(nextLocalDate(first, -1));
      const to = old.startOfLocalDate(nextLocalDate(last, 2));
      if (after.cumulative(from) - old.cumulative(from) !== total) return null;
      const added = addedRuns(workingStretches(old, from, to), workingStretches(after, from, to));
      if (!added) return null;
      total += added.reduce((n, [a, b]) => n + b - a, 0);
      if (after.cumulative(to) - old.cumulative(to) !== total) return null;
      runs.push(...added);
    }
    const byPoint = new Map<number, number>();
    for (const [a, b] of runs) {
      // Inside a reservation the free minutes appear at its end: the rebuild re-measures it in one piece.
      const c = old.cumulative(a);
      const at = Math.max(c, ledger.endOfLastBefore(c));
      byPoint.set(at, (byPoint.get(at) ?? 0) + b - a);
    }
    let before = 0;
    const insertions = [...byPoint]
      .sort((x, y) => x[0] - y[0])
      .map(([at, minutes]) => {
        const ins = { at, minutes, before };
        before += minutes;
        return ins;
      });
    return new LedgerOverlay(ledger, after, insertions);
  }

  /** Ledger.firstFit on the rebuilt ledger: the same answer. */
  firstFit(t: Minute, p: number, horizon: Minute, booked?: readonly CumulativeSpan[]): Fit | null {
    const lo = this.wt.cumulative(t);
    const hi = this.wt.cumulative(horizon);
    let x = lo;
    for (;;) {
      if (x + p > hi) return null;
      x = this.firstFree(x, p);
      if (x + p > hi) return null;
      const hit = booked?.find(([s, e]) => s < x + p && x < e);
      if (hit === undefined) break;
      x = hit[1];
    }
    return { a: x, minutes: p, start: this.wt.instantAtCumulative(x + 1) - 1, end: this.wt.instantAtCumulative(x + p) };
  }

  /** The least y >= lo (new cumulative) with [y, y + p) free on the rebuilt ledger. */
  private firstFree(lo: number, p: number): number {
    const ins = this.insertions;
    let best = Infinity;
    // Windows inside one segment between insertions: the old search, shifted.
    for (let j = 0; j <= ins.length; j++) {
      const from = j === 0 ? -Infinity : ins[j - 1]!.at;
      const to = j === ins.length ? Infinity : ins[j]!.at;
      const shift = j === 0 ? 0 : ins[j - 1]!.before + ins[j - 1]!.minutes;
      if (from + shift >= best) break;
      if (to + shift <= lo && j < ins.length) continue;
      const x = this.ledger.firstFreeCumulative(Math.max(lo - shift, from), p);
      if (x < to) best = Math.min(best, x + shift);
    }
    // Windows over inserted minutes: the old free run around the insertion, widened by every insertion inside it.
    for (let j = 0; j < ins.length;) {
      const u = this.ledger.endOfLastBefore(ins[j]!.at);
      const v = this.ledger.firstStartFrom(ins[j]!.at);
      let l = j;
      while (l + 1 < ins.length && ins[l + 1]!.at <= v) l++;
      const start = Math.max(u + ins[j]!.before, lo);
      if (start + p <= v + ins[l]!.before + ins[l]!.minutes) best = Math.min(best, start);
      j = l + 1;
    }
    return best;
  }
}

/** The working time of `after` that `before` lacks, as runs; null when `before` works a minute `after` does not. */
function addedRuns(before: readonly [Minute, Minute][], after: readonly [Minute, Minute][]): [Minute, Minute][] | null {
  const out: [Minute, Minute][] = [];
  let i = 0;
  for (const [a, b] of after) {
    let t = a;
    for (; i < before.length && before[i]![0] < b; i++) {
      const [x, y] = before[i]!;
      if (x < a || y > b) return null;
      if (x > t) out.push([t, x]);
      t = y;
    }
    if (t < b) out.push([t, b]);
  }
  return i === before.length ? out : null;
}
