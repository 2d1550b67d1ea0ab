import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import type { DrumOrder } from '../../src/engine/drum-order.ts';
import type { WorkingTime } from '../../src/engine/working-time.ts';
import { nextLocalDate } from '../../src/engine/buffer-days.ts';

/** Two shifts on weekdays in Berlin, with a few holidays: the calendar every benchmark uses. */
const benchCalendar: Calendar = {
  timeZone: 'Europe/Berlin',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, start: '06:00', end: '22:00' })),
  exceptions: [
    { kind: 'holiday', date: '2026-12-24' },
    { kind: 'holiday', date: '2026-12-25' },
    { kind: 'holiday', date: '2027-01-01' },
  ],
};

const benchNow = Date.parse('2026-11-23T08:00:00Z') / 60_000;

/** Deterministic PRNG (mulberry32) so every run measures the same workload. */
export function rng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Workload {
  wt: WorkingTime;
  now: number;
  orders: DrumOrder[];
}

/**
 * n committed orders that form a feasible, fairly tight schedule: loads of 1–60 minutes,
 * each deadline the end of the local day in which the drum reaches its cumulative load
 * plus 0–2 000 minutes of slack (or later), in random commit order.
 */
export function feasibleWorkload(n: number, seed = 42, wt: WorkingTime = buildWorkingTime(benchCalendar)): Workload {
  const random = rng(seed);
  const c0 = wt.cumulative(benchNow);
  const orders = new Array<DrumOrder>(n);
  let prefix = 0;
  let dayEnd = -Infinity;
  for (let i = 0; i < n; i++) {
    const load = 1 + Math.floor(random() * 60);
    prefix += load;
    // Like the service: the drum deadline is the end of a local day (drumDeadlineFor).
    const done = wt.instantAtCumulative(c0 + prefix + Math.floor(random() * 2000));
    if (done >= dayEnd) {
      dayEnd = wt.startOfLocalDate(nextLocalDate(wt.localDateOf(done - 1)));
    }
    const deadline = dayEnd;
    orders[i] = { id: `o${i}`, load, deadline, seq: i };
  }
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = orders[i]!;
    orders[i] = { ...a, seq: orders[j]!.seq };
    orders[j] = { ...orders[j]!, seq: a.seq };
  }
  return { wt, now: benchNow, orders };
}
