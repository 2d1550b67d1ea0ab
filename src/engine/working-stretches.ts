import type { Minute, WorkingTime } from './working-time.ts';

/** The working intervals of [a, b), in order. */
export function workingStretches(wt: WorkingTime, a: Minute, b: Minute): [Minute, Minute][] {
  const out: [Minute, Minute][] = [];
  let t = a;
  while (t < b) {
    const c0 = wt.cumulative(t);
    if (wt.cumulative(b) === c0) break;
    // The first working minute at or after t starts at ws.
    const ws = wt.instantAtCumulative(c0 + 1) - 1;
    const e = stretchEnd(wt, ws, b);
    out.push([ws, e]);
    t = e;
  }
  return out;
}

/** Where the working stretch from `ws` (a working minute) ends: the last e ≤ b with every minute of [ws, e) working (binary search). */
export function stretchEnd(wt: WorkingTime, ws: Minute, b: Minute): Minute {
  const c = wt.cumulative(ws);
  let lo = ws + 1;
  let hi = b;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (wt.cumulative(mid) - c === mid - ws) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
