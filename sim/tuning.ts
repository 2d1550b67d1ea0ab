import { type PolicyResult, runPolicy } from './experiment.ts';
import type { Policy } from './policy.ts';
import type { Scenario } from './scenario.ts';

/**
 * Finds the smallest parameter k at which a policy keeps `targetPct` of its promises on
 * average over the replications, by bisection. On-time % grows with the allowance k
 * (exactly so for CON, whose EDD order does not depend on k; very nearly for TWK and
 * SLK), and the replications share their random numbers at every k (common random
 * numbers), so the search is not misled by noise between evaluations.
 */
export interface TuneOptions {
  targetPct: number;
  lo: number;
  hi: number;
  /** Stop when the bracket is narrower than this (in k's unit). */
  tolerance: number;
  /** Give up doubling hi past this. */
  maxHi: number;
}

export interface Tuned {
  k: number;
  result: PolicyResult;
  evaluations: number;
  /** False when even maxHi does not reach the target (then k = maxHi). */
  reached: boolean;
}

export function tuneToOnTime(scenarios: readonly Scenario[], make: (k: number) => Policy, o: TuneOptions): Tuned {
  let evaluations = 0;
  const evaluate = (k: number) => {
    evaluations++;
    return runPolicy(scenarios, () => make(k));
  };
  let lo = o.lo;
  let hi = o.hi;
  let atHi = evaluate(hi);
  while (atHi.summary.onTimePct.mean < o.targetPct) {
    if (hi >= o.maxHi) return { k: hi, result: atHi, evaluations, reached: false };
    lo = hi;
    hi = Math.min(o.maxHi, hi * 2);
    atHi = evaluate(hi);
  }
  while (hi - lo > o.tolerance) {
    const mid = (lo + hi) / 2;
    const atMid = evaluate(mid);
    if (atMid.summary.onTimePct.mean >= o.targetPct) {
      hi = mid;
      atHi = atMid;
    } else {
      lo = mid;
    }
  }
  return { k: hi, result: atHi, evaluations, reached: true };
}
