import { ReservationTree } from './ledger-search.ts';
import { NIL } from './ledger-tree.ts';
import type { Minute, WorkingTime } from './working-time.ts';

/**
 * One operation's reservation on a non-drum resource: the working minutes [a, a + minutes)
 * of that resource's own calendar (a = cumulative(start)). In wall-clock time it is the
 * interval `Ledger.interval` returns, which holds exactly `minutes` working minutes: work
 * pauses outside shifts, over holidays and across DST.
 */
export interface Reservation {
  order: string;
  position: number;
  a: number;
  minutes: number;
}

/** A wall-clock [start, end): start is a working minute, end is when the last working minute ends. */
export interface WallInterval {
  start: Minute;
  end: Minute;
}

/** A free stretch found by a search: its cumulative start and its wall-clock interval. */
export interface Fit extends WallInterval {
  a: number;
  minutes: number;
}

/** A reservation whose wall-clock interval changed in a rebuild or a repair. */
export interface ReservationMove {
  order: string;
  position: number;
  minutes: number;
  from: WallInterval;
  to: WallInterval;
}

/** [a, end) in cumulative minutes: stretches a search must treat as booked besides the ledger's own. */
export type CumulativeSpan = readonly [a: number, end: number];

export class LedgerOverlapError extends Error {
  constructor(r: Reservation) {
    super(`reservation ${r.order}#${r.position} [${r.a}, ${r.a + r.minutes}) overlaps another or already exists`);
    this.name = 'LedgerOverlapError';
  }
}

type Undo =
  | { kind: 'inserted'; order: string; position: number }
  | { kind: 'removed'; r: Reservation }
  | { kind: 'rebuilt'; tree: ReservationTree; wt: WorkingTime };

function checkMinutes(p: number): void {
  if (!Number.isInteger(p) || p < 1) throw new RangeError(`a reservation needs a whole number of minutes >= 1, got ${p}`);
}

function checkInstant(t: Minute, what: string): void {
  if (!Number.isFinite(t)) throw new RangeError(`${what} must be a finite minute, got ${t}`);
}

/**
 * The reservation ledger of one non-drum resource (design note §3.2): finite loading,
 * first come first served, in the resource's own working time. Searches are O(log m) and
 * bounded by an explicit wall-clock limit (issue 14's horizon), so a search that finds no
 * room answers null rather than looking further. Every mutation can be undone:
 * checkpoint() / rollback() / commit() keep an undo log inside the ledger while at least
 * one checkpoint is open.
 */
export class Ledger {
  private tree: ReservationTree;
  private cal: WorkingTime;
  private log: Undo[] = [];
  private marks: number[] = [];

  constructor(wt: WorkingTime, capacity?: number) {
    this.cal = wt;
    this.tree = new ReservationTree(capacity);
  }

  /**
   * Cold build from stored wall-clock starts: a = cumulative(start) (a start outside the
   * calendar's working time counts from the next working minute). O(m log m). Throws
   * LedgerOverlapError when two reservations overlap on this calendar.
   */
  static fromStarts(wt: WorkingTime, entries: ReadonlyArray<{ order: string; position: number; start: Minute; minutes: number }>): Ledger {
    const ledger = new Ledger(wt);
    const rs = entries.map((e) => {
      checkInstant(e.start, 'start');
      checkMinutes(e.minutes);
      return { order: e.order, position: e.position, a: wt.cumulative(e.start), minutes: e.minutes };
    });
    ledger.tree = buildTree(rs, entries.length);
    return ledger;
  }

  get wt(): WorkingTime {
    return this.cal;
  }

  get size(): number {
    return this.tree.size;
  }

  /** Tree nodes visited by searches since the last resetVisits() (complexity guard). */
  get visits(): number {
    return this.tree.visits;
  }

  resetVisits(): void {
    this.tree.visits = 0;
  }

  get(order: string, position: number): Reservation | undefined {
    const i = this.tree.find(order, position);
    return i === NIL ? undefined : this.at(i);
  }

  /** The next reservation in time on this resource, or undefined. */
  successor(order: string, position: number): Reservation | undefined {
    const i = this.tree.find(order, position);
    if (i === NIL) return undefined;
    const j = this.tree.firstAfter(this.tree.a(i));
    return j === NIL ? undefined : this.at(j);
  }

  /** All reservations in time order. O(m). */
  entries(): Reservation[] {
    const out: Reservation[] = [];
    this.tree.forEach((i) => out.push(this.at(i)));
    return out;
  }

  /** The reservations starting before wall-clock `t`, in time order: O((k + 1) log m) for k of them. */
  startingBefore(t: Minute): Reservation[] {
    // start < t ⇔ a < cumulative(t): a reservation starts at the working minute after cumulative a.
    const limit = this.cal.cumulative(t);
    const out: Reservation[] = [];
    for (let i = this.tree.firstAfter(-Infinity); i !== NIL && this.tree.a(i) < limit; i = this.tree.firstAfter(this.tree.a(i)))
      out.push(this.at(i));
    return out;
  }

  /** Books r. Throws LedgerOverlapError when (order, position) is already booked or r overlaps a reservation. */
  insert(r: Reservation): void {
    checkMinutes(r.minutes);
    if (!Number.isInteger(r.a)) throw new RangeError(`cumulative start ${r.a} is not an integer`);
    if (this.tree.find(r.order, r.position) !== NIL || !this.tree.isFree(r.a, r.minutes)) throw new LedgerOverlapError(r);
    this.tree.insert(this.tree.alloc(r.order, r.position, r.a, r.minutes));
    if (this.marks.length > 0) this.log.push({ kind: 'inserted', order: r.order, position: r.position });
  }

  /** Cancels the reservation of (order, position) and returns it; undefined when there is none. */
  remove(order: string, position: number): Reservation | undefined {
    const i = this.tree.find(order, position);
    if (i === NIL) return undefined;
    const r = this.at(i);
    this.tree.remove(i);
    if (this.marks.length > 0) this.log.push({ kind: 'removed', r });
    return r;
  }

  /** The wall-clock interval of [a, a + minutes): exactly `minutes` working minutes. */
  interval(r: { a: number; minutes: number }): WallInterval {
    return { start: this.cal.instantAtCumulative(r.a + 1) - 1, end: this.cal.instantAtCumulative(r.a + r.minutes) };
  }

  /**
   * The earliest free stretch of p working minutes starting at or after t and ending by
   * `horizon`; null when there is none within the horizon. O(log m).
   */
  firstFit(t: Minute, p: number, horizon: Minute, booked?: readonly CumulativeSpan[]): Fit | null {
    checkInstant(t, 't');
    checkInstant(horizon, 'horizon');
    checkMinutes(p);
    const a = this.firstFitCumulative(this.cal.cumulative(t), p, this.cal.cumulative(horizon), booked);
    return a === null ? null : this.fit(a, p);
  }

  /**
   * The latest free stretch of p working minutes ending at or before t and starting at
   * or after `notBefore`; null when there is none. O(log m).
   */
  lastFit(t: Minute, p: number, notBefore: Minute, booked?: readonly CumulativeSpan[]): Fit | null {
    checkInstant(t, 't');
    checkInstant(notBefore, 'notBefore');
    checkMinutes(p);
    const a = this.lastFitCumulative(this.cal.cumulative(t), p, this.cal.cumulative(notBefore), booked);
    return a === null ? null : this.fit(a, p);
  }

  /**
   * firstFit in cumulative minutes: the least x >= lo with x + p <= hi and [x, x + p)
   * free of the ledger and of `booked` (a chain's own tentative stretches, a handful).
   * Each booked span costs at most one more O(log m) search.
   */
  firstFitCumulative(lo: number, p: number, hi: number, booked?: readonly CumulativeSpan[]): number | null {
    let x = lo;
    for (;;) {
      if (x + p > hi) return null;
      x = this.tree.firstFit(x, p);
      if (x + p > hi) return null;
      const hit = booked?.find(([s, e]) => s < x + p && x < e);
      if (hit === undefined) return x;
      x = hit[1];
    }
  }

  /** lastFit in cumulative minutes: the greatest x >= lo with x + p <= hi, free likewise. */
  lastFitCumulative(hi: number, p: number, lo: number, booked?: readonly CumulativeSpan[]): number | null {
    let y = hi;
    for (;;) {
      if (y - p < lo) return null;
      const x = this.tree.lastFit(y, p);
      if (x < lo) return null;
      const hit = booked?.find(([s, e]) => s < x + p && x < e);
      if (hit === undefined) return x;
      y = hit[0];
    }
  }

  /** The end of the last reservation starting before cumulative c; -Infinity when none. O(log m). */
  endOfLastBefore(c: number): number {
    const i = this.tree.lastBefore(c);
    return i === NIL ? -Infinity : this.tree.a(i) + this.tree.minutes(i);
  }

  /** The start of the first reservation starting at or after cumulative c (an integer); Infinity when none. O(log m). */
  firstStartFrom(c: number): number {
    const i = this.tree.firstAfter(c - 1);
    return i === NIL ? Infinity : this.tree.a(i);
  }

  /** The least x >= lo with [x, x + p) free of the ledger, without a limit. O(log m). */
  firstFreeCumulative(lo: number, p: number): number {
    return this.tree.firstFit(lo, p);
  }

  private fit(a: number, p: number): Fit {
    const { start, end } = this.interval({ a, minutes: p });
    return { a, minutes: p, start, end };
  }

  private at(i: number): Reservation {
    const t = this.tree;
    return { order: t.order(i), position: t.position(i), a: t.a(i), minutes: t.minutes(i) };
  }

  /**
   * Moves the ledger onto a new calendar (a capacity change, or the cold build after one)
   * in O(m): every reservation keeps its wall-clock start (or moves to the next
   * working minute when its start no longer works) and is re-measured to exactly its
   * minutes, so a capacity increase only shrinks reservations (their ends move earlier).
   * Where the new calendar has less capacity, a reservation that would overlap its
   * predecessor starts at that predecessor's new end (the ledger part of the right-shift,
   * §8.1). Returns the reservations whose wall-clock interval changed, in time order; a
   * move whose `to.end` is later than `from.end` can break its routing successor, which
   * `recalendar` in ledger-repair.ts then right-shifts.
   */
  rebuild(wt: WorkingTime): ReservationMove[] {
    const moves: ReservationMove[] = [];
    const tree = this.movedTree(wt, (i, a) => {
      const t = this.tree;
      const from = this.interval({ a: t.a(i), minutes: t.minutes(i) });
      const to = { start: wt.instantAtCumulative(a + 1) - 1, end: wt.instantAtCumulative(a + t.minutes(i)) };
      if (to.start !== from.start || to.end !== from.end)
        moves.push({ order: t.order(i), position: t.position(i), minutes: t.minutes(i), from, to });
    });
    if (this.marks.length > 0) this.log.push({ kind: 'rebuilt', tree: this.tree, wt: this.cal });
    this.tree = tree;
    this.cal = wt;
    return moves;
  }

  /**
   * A new ledger on `wt` as rebuild(wt) leaves this one, which stays as it is (no undo log,
   * no visits); moved(order, position, start, end) for each reservation whose wall-clock
   * interval changed, in time order, as rebuild's moves without their objects. O(m).
   */
  rebuilt(wt: WorkingTime, moved?: (order: string, position: number, start: Minute, end: Minute) => void): Ledger {
    const ledger = new Ledger(wt, 0);
    const old = this.cal;
    const t = this.tree;
    ledger.tree = this.movedTree(
      wt,
      moved &&
        ((i, a) => {
          const a0 = t.a(i);
          const p = t.minutes(i);
          const start = wt.instantAtCumulative(a + 1) - 1;
          const end = wt.instantAtCumulative(a + p);
          if (start !== old.instantAtCumulative(a0 + 1) - 1 || end !== old.instantAtCumulative(a0 + p))
            moved(t.order(i), t.position(i), start, end);
        }),
    );
    return ledger;
  }

  /**
   * A new ledger with these reservations on `wt`, which must have the same working minutes
   * as this ledger's calendar (a rebuilt but unchanged calendar): array copies only.
   */
  copyOn(wt: WorkingTime): Ledger {
    const ledger = new Ledger(wt, 0);
    ledger.tree.copyFrom(this.tree);
    return ledger;
  }

  /**
   * The tree of rebuild(wt), built beside the current one: a rebuild keeps the reservations'
   * order (each new start is after the previous new end), so a copy with new keys has the
   * shape a fresh build would have and keeps every slot.
   */
  private movedTree(wt: WorkingTime, moved?: (slot: number, a: number) => void): ReservationTree {
    const old = this.cal;
    const tree = new ReservationTree(0);
    tree.copyFrom(this.tree);
    let prevEnd = -Infinity;
    tree.remap((i) => {
      const a = Math.max(wt.cumulative(old.instantAtCumulative(tree.a(i) + 1) - 1), prevEnd);
      prevEnd = a + tree.minutes(i);
      moved?.(i, a);
      return a;
    });
    return tree;
  }

  /** Opens a checkpoint and returns its token; mutations from here on are logged. */
  checkpoint(): number {
    this.marks.push(this.log.length);
    return this.log.length;
  }

  /**
   * Undoes every mutation since the checkpoint `token` (and closes it and any checkpoint
   * opened after it). The ledger is then exactly as it was, down to the tree's shape.
   */
  rollback(token: number): void {
    this.close(token);
    while (this.log.length > token) {
      const u = this.log.pop()!;
      if (u.kind === 'inserted') this.tree.remove(this.tree.find(u.order, u.position));
      else if (u.kind === 'removed') this.tree.insert(this.tree.alloc(u.r.order, u.r.position, u.r.a, u.r.minutes));
      else {
        this.tree = u.tree;
        this.cal = u.wt;
      }
    }
  }

  /** Keeps the mutations since the checkpoint `token` and closes it (and any opened after it). */
  commit(token: number): void {
    this.close(token);
    if (this.marks.length === 0) this.log.length = 0;
  }

  private close(token: number): void {
    const k = this.marks.lastIndexOf(token);
    if (k < 0) throw new RangeError(`no open checkpoint ${token}`);
    this.marks.length = k;
  }

  /** Diagnostics for tests: tree invariants (throws) and the tree's shape. */
  diagnostics(): { preorder: number[]; depth: number } {
    this.tree.check();
    return this.tree.shape();
  }
}

/** A tree from reservations in any order; throws LedgerOverlapError on an overlap or a repeated (order, position). */
function buildTree(rs: Reservation[], capacity: number): ReservationTree {
  const tree = new ReservationTree(capacity);
  rs.sort((x, y) => x.a - y.a);
  const slots = new Int32Array(rs.length);
  let prevEnd = -Infinity;
  rs.forEach((r, k) => {
    if (r.a < prevEnd || tree.find(r.order, r.position) !== NIL) throw new LedgerOverlapError(r);
    prevEnd = r.a + r.minutes;
    slots[k] = tree.alloc(r.order, r.position, r.a, r.minutes);
  });
  tree.build(slots);
  return tree;
}
