import type { BufferPolicy } from './buffer-days.ts';
import { scheduleOf, slotAt } from './drum-schedule.ts';
import { compareByPin, validateOrder, type DrumOrder, type ScheduledOrder } from './drum-order.ts';
import {
  buildTree, firstGapAfter, forEachInOrder, insertNode, lastWithKBelow, loadUpTo, makeNode, minKAfter, PRIO_SCALE, removeNode, type TreeNode,
} from './drum-tree.ts';
import { priceOfDateOnBook, type PriceOfDate, type PriceOfDateOptions } from './price-of-date.ts';
import { quoteOnBook, type QuoteOptions, type QuoteResult } from './quote.ts';
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
export class DrumBook {
  readonly workingTime: WorkingTime;
  private root: TreeNode | null = null;
  private readonly nodes = new Map<string, TreeNode>();
  private readonly pinnedById = new Map<string, DrumOrder>();
  private pinnedOrders: DrumOrder[] = [];
  private pinnedLoadSum = 0;
  private rng = 0x9e3779b9;

  /** Default policy for quote, priceOfDate and the rope in schedule, when a call passes none. */
  readonly policy: BufferPolicy | undefined;

  constructor(workingTime: WorkingTime, orders: Iterable<DrumOrder> = [], policy?: BufferPolicy) {
    this.workingTime = workingTime;
    this.policy = policy;
    const nodes: TreeNode[] = [];
    const pinned: DrumOrder[] = [];
    let lastDeadline = NaN;
    let cD = 0;
    let cDm1 = 0;
    for (const o of orders) {
      validateOrder(o);
      if (o.pinned) {
        pinned.push(o);
        continue;
      }
      // Drum deadlines are mostly ends of days, shared by many orders: look each up once.
      if (o.deadline !== lastDeadline) {
        lastDeadline = o.deadline;
        cD = workingTime.cumulative(o.deadline);
        cDm1 = workingTime.cumulative(o.deadline - 1);
      }
      const n = makeNode(o, cD, cDm1, 0);
      nodes.push(n);
      this.nodes.set(o.id, n);
      if (this.nodes.size !== nodes.length) throw new RangeError(`duplicate order id ${o.id}`);
    }
    for (const o of pinned) {
      if (this.has(o.id)) throw new RangeError(`duplicate order id ${o.id}`);
      this.pinnedById.set(o.id, o);
      this.pinnedLoadSum += o.load;
    }
    this.pinnedOrders = pinned.sort(compareByPin);
    // Orders often arrive in deadline order (from an index); then the sort is skipped.
    if (!isSorted(nodes)) nodes.sort(compareNodes);
    this.root = buildTree(nodes, () => (this.nextRandom() + 0.5) / PRIO_SCALE);
  }

  /** The same orders over another calendar (a capacity change): a full O(n log n) rebuild. */
  withWorkingTime(workingTime: WorkingTime): DrumBook {
    return new DrumBook(workingTime, this.orders(), this.policy);
  }

  get size(): number {
    return this.nodes.size + this.pinnedById.size;
  }

  get totalLoad(): number {
    return this.pinnedLoadSum + (this.root ? this.root.sum : 0);
  }

  get pinnedLoad(): number {
    return this.pinnedLoadSum;
  }

  has(id: string): boolean {
    return this.nodes.has(id) || this.pinnedById.has(id);
  }

  get(id: string): DrumOrder | undefined {
    return this.nodes.get(id)?.order ?? this.pinnedById.get(id);
  }

  /** All orders in drum sequence: pinned first, then by (deadline, seq). */
  orders(): DrumOrder[] {
    const out = [...this.pinnedOrders];
    forEachInOrder(this.root, (n) => out.push(n.order));
    return out;
  }

  insert(order: DrumOrder): void {
    validateOrder(order);
    if (this.has(order.id)) throw new RangeError(`order ${order.id} is already on the drum`);
    if (order.pinned) {
      const at = upperBound(this.pinnedOrders, order, compareByPin);
      this.pinnedOrders.splice(at, 0, order);
      this.pinnedLoadSum += order.load;
      this.pinnedById.set(order.id, order);
      return;
    }
    const n = this.nodeFor(order);
    this.root = insertNode(this.root, n);
    this.nodes.set(order.id, n);
  }

  remove(id: string): boolean {
    const n = this.nodes.get(id);
    if (n) {
      this.nodes.delete(id);
      this.root = removeNode(this.root, n);
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
    return !this.root || this.root.minK >= this.base(now);
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
    return this.root ? Math.min(min, this.root.minK - this.base(now)) : min;
  }

  /**
   * The earliest drum deadline D >= now at which a new order of `load` minutes (sequenced
   * after every order with deadline <= D) finishes by D and every order sequenced after
   * it still finishes by its own deadline (so no order is made late, and no late order is
   * delayed). Feasibility is monotone in D, and the answer is exact to the minute: D − 1
   * is infeasible or before now. Infinity when the calendar runs out of capacity.
   */
  earliestDeadline(now: Minute, load: number): Minute {
    assertLoad(load);
    const wt = this.workingTime;
    const c0 = wt.cumulative(now);
    const target = c0 + this.pinnedLoadSum + load;
    // Orders that cannot absorb `load` more minutes, and orders already late, must stay
    // before the new order. (For a zero load the late ones are not delayed, but keeping
    // them first is what makes feasibility monotone in D, so the answer is one threshold.)
    const blocker = lastWithKBelow(this.root, target);
    const after = blocker ? Math.max(now, blocker.deadline) : now;
    const gap = firstGapAfter(this.root, after, target);
    const before = gap ? gap.before : this.root ? this.root.sum : 0;
    const need = target + before;
    const finish = need <= c0 ? now : wt.instantAtCumulative(need);
    return Math.max(after, finish);
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
    const own = target + loadUpTo(this.root, deadline) - wt.cumulative(deadline);
    const others = target - minKAfter(this.root, deadline);
    return Math.max(0, own, others);
  }

  /** True iff a new order of `load` with this drum deadline can be committed. */
  admits(now: Minute, load: number, deadline: Minute): boolean {
    return this.deficit(now, load, deadline) === 0;
  }

  /** The earliest feasible promise for a new order of `load` drum minutes. O(log n). */
  quote(now: Minute, load: number, options?: Partial<QuoteOptions>): QuoteResult {
    return quoteOnBook(this, now, load, this.policyOf(options));
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
    const cStart = c0 + this.pinnedLoadSum + loadUpTo(this.root, deadline);
    return slotAt(wt, now, c0, cStart, load);
  }

  /** The drum sequence with planned times, rope release (policy PB unless given; per-order overrides win) and slack. O(n). */
  schedule(now: Minute, productionBufferDays: number = this.policy?.productionBufferDays ?? 0): ScheduledOrder[] {
    return scheduleOf(this, now, productionBufferDays);
  }

  /** Visits every order in drum sequence with the load before it and cumulative(deadline). */
  forEachInSequence(visit: (order: DrumOrder, before: number, cumulativeDeadline: number) => void): void {
    let before = 0;
    for (const o of this.pinnedOrders) {
      visit(o, before, this.workingTime.cumulative(o.deadline));
      before += o.load;
    }
    const pinned = before;
    forEachInOrder(this.root, (n, b) => visit(n.order, pinned + b, n.cD));
  }

  private nodeFor(o: DrumOrder): TreeNode {
    const wt = this.workingTime;
    return makeNode(o, wt.cumulative(o.deadline), wt.cumulative(o.deadline - 1), this.nextRandom());
  }

  /** mulberry32: deterministic priorities, so equal inputs give equal trees. */
  private nextRandom(): number {
    let t = (this.rng = (this.rng + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
}

function compareNodes(a: TreeNode, b: TreeNode): number {
  return a.deadline - b.deadline || a.seq - b.seq || (a.order.id < b.order.id ? -1 : a.order.id > b.order.id ? 1 : 0);
}

function isSorted(nodes: readonly TreeNode[]): boolean {
  for (let i = 1; i < nodes.length; i++) if (compareNodes(nodes[i - 1]!, nodes[i]!) > 0) return false;
  return true;
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
