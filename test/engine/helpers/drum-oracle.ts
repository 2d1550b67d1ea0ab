import fc from 'fast-check';
import type { DrumOrder } from '../../../src/engine/drum-order.ts';

/**
 * A deliberately naive drum: a bitmap of working minutes over a finite window, and a
 * minute-by-minute simulation of the drum working through a sequence of orders. It
 * shares no code with the engine; tests compare the engine's answers with it.
 */
export class MinuteDrum {
  constructor(
    readonly t0: number,
    readonly work: Uint8Array,
  ) {}

  /** Counterexamples print as working intervals relative to t0, not as a 4 000-entry bitmap. */
  [fc.toStringMethod](): string {
    return `MinuteDrum(${JSON.stringify(this.intervals().map(([s, e]) => [s - this.t0, e - this.t0]))})`;
  }

  get end(): number {
    return this.t0 + this.work.length;
  }

  working(t: number): boolean {
    return t >= this.t0 && t < this.end && this.work[t - this.t0] === 1;
  }

  /** Maximal working runs as [start, end) instants, for workingTimeFromIntervals. */
  intervals(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < this.work.length; i++) {
      if (this.work[i] !== 1) continue;
      const s = i;
      while (i < this.work.length && this.work[i] === 1) i++;
      out.push([this.t0 + s, this.t0 + i]);
    }
    return out;
  }

  /** A copy with the given minutes made working. */
  withExtra(minutes: readonly number[]): MinuteDrum {
    const work = this.work.slice();
    for (const t of minutes) work[t - this.t0] = 1;
    return new MinuteDrum(this.t0, work);
  }

  freeMinutes(from: number, to: number): number[] {
    const out: number[] = [];
    for (let t = Math.max(from, this.t0); t < Math.min(to, this.end); t++) if (!this.working(t)) out.push(t);
    return out;
  }
}

export interface Simulated {
  start: number;
  finish: number;
}

/** The drum sequence by the rules, written independently: pins first by rank, then earliest deadline, then commit order. */
export function oracleSequence(orders: readonly DrumOrder[]): DrumOrder[] {
  const pinned = orders
    .filter((o) => o.pinned)
    .sort(
      (a, b) => (a.pinRank ?? Infinity) - (b.pinRank ?? Infinity) || a.seq - b.seq || a.deadline - b.deadline || (a.id < b.id ? -1 : 1),
    );
  const rest = orders.filter((o) => !o.pinned).sort((a, b) => a.deadline - b.deadline || a.seq - b.seq || (a.id < b.id ? -1 : 1));
  return [...pinned, ...rest];
}

/** Works the sequence minute by minute from now. Infinity when the window runs out. */
export function simulate(drum: MinuteDrum, sequence: readonly DrumOrder[], now: number): Map<string, Simulated> {
  const out = new Map<string, Simulated>();
  let t = now;
  for (const o of sequence) {
    if (o.load === 0) {
      out.set(o.id, { start: t, finish: t });
      continue;
    }
    while (t < drum.end && !drum.working(t)) t++;
    const start = t;
    let left = o.load;
    while (left > 0 && t < drum.end) {
      if (drum.working(t)) left--;
      t++;
    }
    if (left > 0) t = Infinity;
    out.set(o.id, { start: start >= drum.end ? Infinity : start, finish: t });
  }
  return out;
}

export function oracleFeasible(drum: MinuteDrum, orders: readonly DrumOrder[], now: number): boolean {
  const sim = simulate(drum, oracleSequence(orders), now);
  return orders.every((o) => sim.get(o.id)!.finish <= o.deadline);
}

/**
 * Whether the new order can be committed with its deadline: it finishes by it, and every
 * order sequenced after it still finishes by its own deadline.
 */
export function oracleAdmits(drum: MinuteDrum, orders: readonly DrumOrder[], added: DrumOrder, now: number): boolean {
  if (added.deadline < now) return false;
  const seq = oracleSequence([...orders, added]);
  return admissibleSequence(drum, seq, seq.indexOf(added), added.deadline, now);
}

function admissibleSequence(drum: MinuteDrum, seq: readonly DrumOrder[], at: number, deadline: number, now: number): boolean {
  const sim = simulate(drum, seq, now);
  if (!(sim.get(seq[at]!.id)!.finish <= deadline)) return false;
  return seq.slice(at + 1).every((o) => sim.get(o.id)!.finish <= o.deadline);
}

/** The earliest admissible deadline, by trying every insertion position among the unpinned orders. */
export function oracleEarliestDeadline(drum: MinuteDrum, orders: readonly DrumOrder[], load: number, now: number): number {
  const seq = oracleSequence(orders);
  const pinned = seq.filter((o) => o.pinned);
  const rest = seq.filter((o) => !o.pinned);
  let best = Infinity;
  for (let i = 0; i <= rest.length; i++) {
    const added: DrumOrder = { id: '__new__', load, deadline: Infinity, seq: Infinity };
    const order = [...pinned, ...rest.slice(0, i), added, ...rest.slice(i)];
    const f = simulate(drum, order, now).get(added.id)!.finish;
    if (!Number.isFinite(f)) continue;
    const d = Math.max(now, f, i > 0 ? rest[i - 1]!.deadline : -Infinity);
    if (i < rest.length && d >= rest[i]!.deadline) continue;
    if (!admissibleSequence(drum, order, pinned.length + i, d, now)) continue;
    best = Math.min(best, d);
  }
  return best;
}
