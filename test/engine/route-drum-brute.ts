/**
 * Brute force for the keyed drum (docs/design/whole-route.md §3.3, §5.2, §5.3), written
 * independently of src/engine/route-drum: the drum is a bitmap of working minutes, c(t)
 * counts them, the plan is the recursion F_k = max(F_{k−1}, c(ρ_k)) + p_k over the
 * sequence, and insertion positions are enumerated. Only the engine's WorkingTime is
 * built from the same bitmap, so the engine can be run on the same calendar.
 */
import fc from 'fast-check';
import { workingTimeFromIntervals } from '../../src/engine/calendar.ts';
import type { WorkingTime } from '../../src/engine/working-time.ts';

/** Monday 2026-03-02 00:00 UTC, in engine minutes. */
export const T0 = Date.UTC(2026, 2, 2) / 60_000;
const DAYS = 3;
const WINDOW = DAYS * 1440;
/** Searches are bounded by the end of the bitmap: beyond it there is no capacity anyway. */
export const HORIZON = T0 + WINDOW;

export class Bitmap {
  /** cum[i] = working minutes in [T0, T0 + i). */
  readonly cum: Int32Array;
  constructor(readonly work: Uint8Array) {
    this.cum = new Int32Array(work.length + 1);
    for (let i = 0; i < work.length; i++) this.cum[i + 1] = this.cum[i]! + work[i]!;
  }
  get total(): number {
    return this.cum[this.work.length]!;
  }
  c(t: number): number {
    if (t <= T0) return 0;
    if (t >= T0 + this.work.length) return this.total;
    return this.cum[t - T0]!;
  }
  /** The least t in [from, HORIZON] with c(t) ≥ target, or null. */
  firstAtLeast(from: number, target: number): number | null {
    for (let t = from; t <= HORIZON; t++) if (this.c(t) >= target) return t;
    return null;
  }
  intervals(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.work.length; i++) {
      if (this.work[i] !== 1) continue;
      const s = i;
      while (i < this.work.length && this.work[i] === 1) i++;
      out.push([T0 + s, T0 + i]);
    }
    return out;
  }
  [fc.toStringMethod](): string {
    return `Bitmap(${JSON.stringify(this.intervals().map(([s, e]) => [s - T0, e - T0]))})`;
  }
}

const arbBitmap = fc
  .array(fc.array(fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 600 })), { maxLength: 3 }), {
    minLength: DAYS,
    maxLength: DAYS,
  })
  .map((days) => {
    const work = new Uint8Array(WINDOW);
    days.forEach((stretches, d) => {
      for (const [s, len] of stretches) work.fill(1, d * 1440 + s, Math.min(WINDOW, d * 1440 + s + len));
    });
    return new Bitmap(work);
  });

/** An order as the brute force sees it. */
export interface BOrder {
  id: string;
  load: number;
  ready: number;
  deadline: number;
  /** D̂ ≥ deadline. */
  eff: number;
  pinned: boolean;
}

/** F_k of every order of the sequence (pinned first, as given), from now. */
export function forward(bm: Bitmap, now: number, seq: readonly BOrder[]): number[] {
  let F = bm.c(now);
  return seq.map((o) => (F = Math.max(F, bm.c(o.ready)) + o.load));
}

export function allOnTime(bm: Bitmap, now: number, seq: readonly BOrder[]): boolean {
  const F = forward(bm, now, seq);
  // D̂ = Infinity: at risk beyond the calendar's capacity, constrains nothing.
  return seq.every((o, i) => o.eff === Infinity || F[i]! <= bm.c(o.eff));
}

/**
 * x inserted after `q` unpinned orders: does every existing order keep its effective
 * deadline (a late one not delayed; one at risk on the drum, D < D̂ < ∞, delayed at most to
 * max(D, its finish)), and when does x finish (cumulative)?
 */
export function tryPosition(
  bm: Bitmap,
  now: number,
  seq: readonly BOrder[],
  x: { load: number; ready: number },
  q: number,
): { ok: boolean; G: number } {
  const pinnedCount = seq.filter((o) => o.pinned).length;
  const xo: BOrder = { id: '__x', load: x.load, ready: x.ready, deadline: 0, eff: 0, pinned: false };
  const withX = [...seq.slice(0, pinnedCount + q), xo, ...seq.slice(pinnedCount + q)];
  const before = forward(bm, now, seq);
  const after = forward(bm, now, withX);
  let ok = true;
  let G = 0;
  let j = 0;
  withX.forEach((o, i) => {
    if (o === xo) {
      G = after[i]!;
      return;
    }
    const room = o.eff > o.deadline && o.eff !== Infinity ? bm.c(o.deadline) : bm.c(o.eff);
    if (after[i]! > Math.max(room, before[j]!)) ok = false;
    j++;
  });
  return { ok, G };
}

export interface BruteQuote {
  deadline: number;
  /** The first position attaining it. */
  position: number;
  /** Every valid position with its finish. */
  valid: Array<{ q: number; G: number }>;
}

/** The least D ≤ HORIZON, D ≥ max(now, ready), such that x fits at some position by D. */
export function bruteQuote(bm: Bitmap, now: number, seq: readonly BOrder[], x: { load: number; ready: number }): BruteQuote | null {
  const unpinned = seq.filter((o) => !o.pinned).length;
  const valid: Array<{ q: number; G: number }> = [];
  for (let q = 0; q <= unpinned; q++) {
    const t = tryPosition(bm, now, seq, x, q);
    if (t.ok) valid.push({ q, G: t.G });
  }
  let best: BruteQuote | null = null;
  for (const v of valid) {
    const d = bm.firstAtLeast(Math.max(now, x.ready), v.G);
    if (d !== null && (best === null || d < best.deadline)) best = { deadline: d, position: v.q, valid };
  }
  return best;
}

/** Admissible at D: some position keeps every order and x finishes by D. */
export function bruteAdmits(bm: Bitmap, now: number, seq: readonly BOrder[], x: { load: number; ready: number }, D: number): boolean {
  if (D < now || D < x.ready) return false;
  const unpinned = seq.filter((o) => !o.pinned).length;
  for (let q = 0; q <= unpinned; q++) {
    const t = tryPosition(bm, now, seq, x, q);
    if (t.ok && t.G <= bm.c(D)) return true;
  }
  return false;
}

/** §5.3: the last position that keeps every order with x finishing by D (−1 when none). */
export function bruteCommitPosition(
  bm: Bitmap,
  now: number,
  seq: readonly BOrder[],
  x: { load: number; ready: number },
  D: number,
): number {
  const unpinned = seq.filter((o) => !o.pinned).length;
  let last = -1;
  for (let q = 0; q <= unpinned; q++) {
    const t = tryPosition(bm, now, seq, x, q);
    if (t.ok && t.G <= bm.c(D)) last = q;
  }
  return last;
}

export interface Inst {
  bm: Bitmap;
  wt: WorkingTime;
  now: number;
  /** In drum sequence, pinned first; every order on time (late ones got D̂ = their finish). */
  seq: BOrder[];
}

const arbSpec = fc.record({
  load: fc.oneof(fc.integer({ min: 0, max: 240 }), fc.constant(0), fc.integer({ min: 1, max: 60 })),
  readyOffset: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: WINDOW }), fc.integer({ min: 0, max: 1440 })),
  slack: fc.oneof(fc.integer({ min: -200, max: 2000 }), fc.constant(0)),
  pinned: fc.boolean(),
  riskSlack: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 600 })),
});

/**
 * A feasible keyed book of up to maxOrders orders with ready times: a random sequence; each
 * order's deadline is its finish ± a random slack; an order late in the plan gets D̂ =
 * the instant of its finish, or later (what §8.3 gives it, with the tick's slack or a finish
 * pulled forward since); an order that cannot finish in the
 * window is dropped. Pinned orders (a prefix, only ready ones) when pins is set.
 */
export const arbInst = (maxOrders = 8, pins = true): fc.Arbitrary<Inst> =>
  fc
    .record({
      bm: arbBitmap,
      nowOffset: fc.integer({ min: 0, max: 1440 }),
      specs: fc.array(arbSpec, { maxLength: maxOrders, size: 'max' }),
    })
    .map(({ bm, nowOffset, specs }) => {
      const now = T0 + nowOffset;
      const seq: BOrder[] = [];
      let F = bm.c(now);
      let pinPhase = pins;
      specs.forEach((s, i) => {
        const ready = s.readyOffset < 0 ? now - 30 : T0 + s.readyOffset;
        const pinned = pinPhase && s.pinned && ready <= now;
        if (!pinned) pinPhase = false;
        const fin = Math.max(F, bm.c(ready)) + s.load;
        if (fin > bm.total) return;
        F = fin;
        const finishAt = bm.firstAtLeast(now, fin)!;
        // as a commit would: D ≥ max(now, ρ) (cumulatively equal instants differ only for a zero load)
        const deadline = Math.max(now, ready, finishAt + s.slack);
        const eff = bm.c(deadline) >= fin ? deadline : bm.firstAtLeast(deadline, fin)! + s.riskSlack;
        seq.push({ id: `o${i}`, load: s.load, ready, deadline, eff, pinned });
      });
      const inst = { bm, now, seq } as Inst;
      Object.defineProperty(inst, 'wt', { value: workingTimeFromIntervals(bm.intervals()), enumerable: false });
      return inst;
    });

export const arbX = fc.record({
  load: fc.oneof(fc.integer({ min: 0, max: 400 }), fc.constant(0), fc.integer({ min: 1, max: 30 })),
  readyOffset: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: WINDOW }), fc.integer({ min: 0, max: 1440 })),
});
