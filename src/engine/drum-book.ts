import type { BufferPolicy } from './buffer-days.ts';
import { scheduleOf, schedulePageOf, slotAt, type SchedulePage } from './drum-schedule.ts';
import { compareByDeadline, compareByPin, validateOrder, type DrumOrder, type ScheduledOrder, type SequenceKey } from './drum-order.ts';
import { DrumTree, NIL, PRIO_SCALE } from './drum-tree.ts';
import { priceOfDateOnBook, type PriceOfDate, type PriceOfDateOptions } from './price-of-date.ts';
import { quoteOnBook, type QuoteOptions, type QuoteResult } from './quote.ts';
import type { DrumView } from './drum-view.ts';
import type { LocalDate, Minute, WorkingTime } from './working-time.ts';

/**
 * The committed orders of one drum, kept so that feasibility, the earliest feasible
 * deadline of a new order and the capacity deficit of a given deadline cost O(log n)
 * (plus a few calendar look-ups), an insert or removal O(log n) expected, and a build
 * O(n log n). Nothing here depends on `now` until a query supplies it: slack_k =
 * C(now, D_k) − prefix_k = (cumulative(D_k) − prefix_k) − cumulative(now).
 *
 * Pinned orders (in progress, frozen) sit at the front in pin order; there are few of
 * them, so they are a plain sorted array.
 */
export class DrumBook implements DrumView {
  readonly workingTime: WorkingTime;
  private readonly tree: DrumTree;
  /** order id → tree slot */
  private readonly nodes = new Map<string, number>();
  private readonly pinnedById = new Map<string, DrumOrder>();
  private pinnedOrders: DrumOrder[] = [];
  private pinnedLoadSum = 0;
  private rng = 0x9e3779b9;
  /** Undo log of the open checkpoints (null: none open, nothing is recorded). */
  private undoLog: UndoEntry[] | null = null;
  /** Open checkpoints, innermost last: each is the undo-log length when it was taken. */
  private readonly marks: BookCheckpoint[] = [];
  /**
   * Counts inserts and removals (tentative ones included): a reader that walks the book in
   * slices, yielding between them, compares it to know the book did not change under it.
   */
  revision = 0;

  /** Default policy for quote, priceOfDate and the rope in schedule, when a call passes none. */
  readonly policy: BufferPolicy | undefined;

  constructor(workingTime: WorkingTime, orders: Iterable<DrumOrder> = [], policy?: BufferPolicy) {
    this.workingTime = workingTime;
    this.policy = policy;
    const unpinned: DrumOrder[] = [];
    const pinned: DrumOrder[] = [];
    for (const o of orders) {
      validateOrder(o);
      (o.pinned ? pinned : unpinned).push(o);
    }
    // Orders often arrive in deadline order (from an index); then the sort is skipped.
    if (!isSorted(unpinned)) unpinned.sort(compareByDeadline);
    const tree = (this.tree = new DrumTree(unpinned.length + 16));
    let lastDeadline = NaN;
    let cD = 0;
    for (const o of unpinned) {
      // Drum deadlines are mostly ends of days, shared by many orders: look each up once.
      if (o.deadline !== lastDeadline) {
        lastDeadline = o.deadline;
        cD = workingTime.cumulative(o.deadline);
      }
      this.nodes.set(o.id, tree.alloc(o, cD, 0));
    }
    if (this.nodes.size !== unpinned.length) throw new RangeError(`duplicate order id ${firstDuplicate(unpinned)}`);
    for (const o of pinned) {
      if (this.has(o.id)) throw new RangeError(`duplicate order id ${o.id}`);
      this.pinnedById.set(o.id, o);
      this.pinnedLoadSum += o.load;
    }
    this.pinnedOrders = pinned.sort(compareByPin);
    tree.build(0, unpinned.length, () => (this.nextRandom() + 0.5) / PRIO_SCALE);
  }

  /** The same orders over another calendar (a capacity change): a full O(n log n) rebuild. */
  withWorkingTime(workingTime: WorkingTime): DrumBook {
    return new DrumBook(workingTime, this.orders(), this.policy);
  }

  get size(): number {
    return this.nodes.size + this.pinnedById.size;
  }

  get totalLoad(): number {
    return this.pinnedLoadSum + this.tree.totalLoad;
  }

  get pinnedLoad(): number {
    return this.pinnedLoadSum;
  }

  has(id: string): boolean {
    return this.nodes.has(id) || this.pinnedById.has(id);
  }

  get(id: string): DrumOrder | undefined {
    const slot = this.nodes.get(id);
    return slot === undefined ? this.pinnedById.get(id) : this.tree.order(slot);
  }

  /** All orders in drum sequence: pinned first, then by (deadline, seq). */
  orders(): DrumOrder[] {
    const out = [...this.pinnedOrders];
    this.tree.forEachInOrder((slot) => out.push(this.tree.order(slot)));
    return out;
  }

  insert(order: DrumOrder): void {
    validateOrder(order);
    if (this.has(order.id)) throw new RangeError(`order ${order.id} is already on the drum`);
    this.place(order);
    this.undoLog?.push({ inserted: order.id });
  }

  remove(id: string): boolean {
    const before = this.undoLog ? this.get(id) : undefined;
    const removed = this.take(id);
    if (removed && before) this.undoLog!.push({ removed: before });
    return removed;
  }

  /**
   * Starts recording changes so that they can be undone, like a SQL savepoint (or frePPLe's
   * bookmark): rollback(cp) undoes every insert, update and removal made since, O(log n)
   * each, leaving the same orders and random state as at the checkpoint (the tree's shape
   * may differ; no answer depends on it); release(cp) keeps the changes. Checkpoints nest;
   * ending one ends those taken after it. Nothing is recorded while none is open.
   */
  checkpoint(): BookCheckpoint {
    this.undoLog ??= [];
    const cp: BookCheckpoint = { at: this.undoLog.length, rng: this.rng };
    this.marks.push(cp);
    return cp;
  }

  rollback(cp: BookCheckpoint): void {
    const log = this.end(cp);
    while (log.length > cp.at) {
      const e = log.pop()!;
      if ('inserted' in e) this.take(e.inserted);
      else this.place(e.removed);
    }
    this.rng = cp.rng;
    if (this.marks.length === 0) this.undoLog = null;
  }

  release(cp: BookCheckpoint): void {
    this.end(cp);
    if (this.marks.length === 0) this.undoLog = null;
  }

  private end(cp: BookCheckpoint): UndoEntry[] {
    const i = this.marks.indexOf(cp);
    if (i < 0 || !this.undoLog) throw new RangeError('not an open checkpoint of this drum book');
    this.marks.length = i;
    return this.undoLog;
  }

  private place(order: DrumOrder): void {
    this.revision++;
    if (order.pinned) {
      const at = upperBound(this.pinnedOrders, order, compareByPin);
      this.pinnedOrders.splice(at, 0, order);
      this.pinnedLoadSum += order.load;
      this.pinnedById.set(order.id, order);
      return;
    }
    const wt = this.workingTime;
    const slot = this.tree.alloc(order, wt.cumulative(order.deadline), this.nextRandom());
    this.tree.insert(slot);
    this.nodes.set(order.id, slot);
  }

  private take(id: string): boolean {
    const slot = this.nodes.get(id);
    this.revision++;
    if (slot !== undefined) {
      this.nodes.delete(id);
      this.tree.remove(slot);
      return true;
    }
    const p = this.pinnedById.get(id);
    if (!p) return false;
    this.pinnedById.delete(id);
    this.pinnedOrders.splice(this.pinnedOrders.indexOf(p), 1);
    this.pinnedLoadSum -= p.load;
    return true;
  }

  /** Replaces an order (new load, deadline, pin): remove + insert. */
  update(order: DrumOrder): void {
    validateOrder(order);
    if (!this.remove(order.id)) throw new RangeError(`order ${order.id} is not on the drum`);
    this.insert(order);
  }

  /** cumulative(now) + pinned load: what every unpinned K is measured against. */
  private base(now: Minute): number {
    return this.workingTime.cumulative(now) + this.pinnedLoadSum;
  }

  /** True iff every order finishes by its drum deadline. */
  feasible(now: Minute): boolean {
    if (!this.pinnedFeasible(now)) return false;
    return this.tree.minK >= this.base(now);
  }

  private pinnedFeasible(now: Minute): boolean {
    const wt = this.workingTime;
    let c = wt.cumulative(now);
    for (const o of this.pinnedOrders) {
      c += o.load;
      if (wt.cumulative(o.deadline) < c) return false;
    }
    return true;
  }

  /** Smallest slack in working minutes over all orders (Infinity when empty). */
  minSlack(now: Minute): number {
    const wt = this.workingTime;
    const c0 = wt.cumulative(now);
    let c = c0;
    let min = Infinity;
    for (const o of this.pinnedOrders) {
      c += o.load;
      min = Math.min(min, wt.cumulative(o.deadline) - c);
    }
    return Math.min(min, this.tree.minK - this.base(now));
  }

  /**
   * The earliest drum deadline D >= now at which a new order of `load` minutes (sequenced
   * after every order with deadline <= D) finishes by D and every order sequenced after
   * it still finishes by its own deadline (so no order is made late, and no late order is
   * delayed). Feasibility is monotone in D, and the answer is exact to the minute: D − 1
   * is infeasible or before now. Infinity when the calendar runs out of capacity, or has
   * too little before `until`: the search then never expands the calendar past `until`
   * (a huge load on a sparse calendar would otherwise grow it year by year, unbounded).
   */
  earliestDeadline(now: Minute, load: number, until: Minute = Infinity): Minute {
    assertLoad(load);
    const wt = this.workingTime;
    const c0 = wt.cumulative(now);
    const target = c0 + this.pinnedLoadSum + load;
    // Orders that cannot absorb `load` more minutes, and orders already late, must stay
    // before the new order. (For a zero load the late ones are not delayed, but keeping
    // them first is what makes feasibility monotone in D, so the answer is one threshold.)
    const tree = this.tree;
    const blocker = tree.lastWithKBelow(target);
    const after = blocker === NIL ? now : Math.max(now, tree.deadline(blocker));
    // The new order goes right after the orders due by `after`: every order after the
    // blocker has K ≥ target, so one with a load has room for it before its deadline, and
    // the zero-load orders it may pass add nothing; no search for a gap is needed.
    const need = target + tree.loadUpTo(after);
    if (need > c0 && until < Infinity && !this.reachesBy(need, now, until)) return Infinity;
    const finish = need <= c0 ? now : wt.instantAtCumulative(need);
    return Math.max(after, finish);
  }

  /**
   * True iff cumulative capacity reaches c by `until`. Probes at doubling distances from
   * now (galloping), so the calendar is expanded to about twice the distance of the answer,
   * never to the whole horizon when the answer is near, and never past `until`.
   */
  private reachesBy(c: number, now: Minute, until: Minute): boolean {
    const wt = this.workingTime;
    for (let step = 30 * 1440; ; step *= 2) {
      const probe = Math.min(until, now + step);
      if (wt.cumulative(probe) >= c) return true;
      if (probe >= until) return false;
    }
  }

  /**
   * Extra drum minutes that would have to be added before `deadline` (and after now) for a
   * new order of `load` with that drum deadline to fit: the largest deficit over the new
   * order and every order after it. 0 when it fits; Infinity when deadline < now.
   */
  deficit(now: Minute, load: number, deadline: Minute): number {
    assertLoad(load);
    if (deadline < now) return Infinity;
    const wt = this.workingTime;
    const target = this.base(now) + load;
    const own = target + this.tree.loadUpTo(deadline) - wt.cumulative(deadline);
    const others = target - this.tree.minKAfter(deadline);
    return Math.max(0, own, others);
  }

  /** True iff a new order of `load` with this drum deadline can be committed. */
  admits(now: Minute, load: number, deadline: Minute): boolean {
    return this.deficit(now, load, deadline) === 0;
  }

  /** The earliest feasible promise for a new order of `load` drum minutes. O(log n). */
  quote(now: Minute, load: number, options?: Partial<QuoteOptions>): QuoteResult {
    return quoteOnBook(this, now, load, this.policyOf(options), options?.horizon);
  }

  /** The earliest promise and the capacity that would make `requestedDate` keepable. */
  priceOfDate(now: Minute, load: number, requestedDate: LocalDate, options?: Partial<PriceOfDateOptions>): PriceOfDate {
    return priceOfDateOnBook(this, now, load, requestedDate, { ...options, policy: this.policyOf(options) });
  }

  private policyOf(options: { policy?: BufferPolicy | undefined } | undefined): BufferPolicy {
    const policy = options?.policy ?? this.policy;
    if (!policy) throw new TypeError('no buffer policy: pass options.policy or give the DrumBook one');
    return policy;
  }

  /** Planned start and finish of a new order committed with this deadline (after ties). */
  plannedSlot(now: Minute, load: number, deadline: Minute): { start: Minute; finish: Minute } {
    const wt = this.workingTime;
    const c0 = wt.cumulative(now);
    const cStart = c0 + this.pinnedLoadSum + this.tree.loadUpTo(deadline);
    return slotAt(wt, now, c0, cStart, load);
  }

  /** The drum sequence with planned times, rope release (policy PB unless given; per-order overrides win) and slack. O(n). */
  schedule(now: Minute, productionBufferDays: number = this.policy?.productionBufferDays ?? 0): ScheduledOrder[] {
    return scheduleOf(this, now, productionBufferDays);
  }

  /**
   * At most `limit` orders of the drum sequence after `after` (from the start when
   * undefined), timed as in schedule(), and the key to pass for the next page (null at
   * the end). O(log n + limit), so paging through n orders costs O(n) in all.
   */
  schedulePage(now: Minute, productionBufferDays: number, after: SequenceKey | undefined, limit: number): SchedulePage {
    return schedulePageOf(this, now, productionBufferDays, after, limit);
  }

  forEachInSequenceAfter(
    after: SequenceKey | undefined,
    visit: (order: DrumOrder, before: number, cumulativeDeadline: number) => boolean,
  ): void {
    let before = 0;
    let i = 0;
    const pinned = this.pinnedOrders;
    if (after?.pinned) {
      i = upperBound<SequenceKey>(pinned, after, compareByPin);
      for (let k = 0; k < i; k++) before += pinned[k]!.load;
    } else if (after) {
      i = pinned.length;
      before = this.pinnedLoadSum;
    }
    for (; i < pinned.length; i++) {
      const o = pinned[i]!;
      if (!visit(o, before, this.workingTime.cumulative(o.deadline))) return;
      before += o.load;
    }
    const pinnedLoad = this.pinnedLoadSum;
    const tree = this.tree;
    tree.forEachAfter(after?.pinned ? undefined : after, (slot, b) =>
      visit(tree.order(slot), pinnedLoad + b, tree.cumulativeDeadline(slot)),
    );
  }

  /** Visits every order in drum sequence with the load before it and cumulative(deadline). */
  forEachInSequence(visit: (order: DrumOrder, before: number, cumulativeDeadline: number) => void): void {
    let before = 0;
    for (const o of this.pinnedOrders) {
      visit(o, before, this.workingTime.cumulative(o.deadline));
      before += o.load;
    }
    const pinned = before;
    const tree = this.tree;
    tree.forEachInOrder((slot, b) => visit(tree.order(slot), pinned + b, tree.cumulativeDeadline(slot)));
  }

  /** mulberry32: deterministic priorities, so equal inputs give equal trees. */
  private nextRandom(): number {
    let t = (this.rng = (this.rng + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
}

/** A point the book can be rolled back to (see DrumBook.checkpoint). */
export interface BookCheckpoint {
  readonly at: number;
  readonly rng: number;
}

type UndoEntry = { inserted: string } | { removed: DrumOrder };

function isSorted(orders: readonly DrumOrder[]): boolean {
  for (let i = 1; i < orders.length; i++) if (compareByDeadline(orders[i - 1]!, orders[i]!) > 0) return false;
  return true;
}

function firstDuplicate(orders: readonly DrumOrder[]): string {
  const seen = new Set<string>();
  for (const o of orders) {
    if (seen.has(o.id)) return o.id;
    seen.add(o.id);
  }
  return '?';
}

function upperBound<T>(xs: readonly T[], x: T, cmp: (a: T, b: T) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(xs[mid]!, x) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function assertLoad(load: number): void {
  if (!Number.isInteger(load) || load < 0) throw new RangeError(`load must be an integer >= 0, got ${load}`);
}
