import type { DrumOrder, SequenceKey } from './drum-order.ts';

/**
 * The unpinned orders in drum sequence (deadline, seq, id), as a treap augmented so
 * that the quote's questions are answered in O(log n) without knowing `now`.
 *
 * For the order at sequence index i, with prefix_i its load plus the loads before it:
 *   K_i = cumulative(D_i) − prefix_i   (its slack is K_i − base)
 * where base = cumulative(now) + pinned load. Each node stores the min K of its
 * subtree relative to the subtree's first element (so an insert never has to touch the
 * nodes after it: the shift by a prefix is applied while walking down).
 *
 * Nodes live in one Float64Array (7 numbers per slot) plus two Int32Arrays of child
 * slots: ~90 bytes a node, one allocation for the whole book (no per-node objects for
 * the garbage collector), and a build lays slots out in drum sequence.
 */
export const NIL = -1;
const DEADLINE = 0;
const SEQ = 1;
const LOAD = 2;
const CD = 3;
const PRIO = 4;
const SUM = 5;
const MINK = 6;
const STRIDE = 7;

/** Priorities are uniform in [0, PRIO_SCALE). */
export const PRIO_SCALE = 2 ** 32;

/**
 * Tree nodes visited since the counter was last reset, across every DrumTree: one per
 * step of a descent and per call of a recursive update on a node. Tests read it to bound
 * the cost of an operation by counting work rather than timing it (the machine is
 * shared; a clock measures the neighbours too). One integer add per visited node, on a
 * module variable (a context slot: cheaper than a property store).
 */
let visits = 0;

/** Node visits since the last reset (see above). */
export function treeVisits(): number {
  return visits;
}

export function resetTreeVisits(): void {
  visits = 0;
}

export class DrumTree {
  root = NIL;
  private f: Float64Array;
  private l: Int32Array;
  private r: Int32Array;
  private ords: Array<DrumOrder | undefined>;
  private free: number[] = [];
  private used = 0;
  // split() hands back its two halves here rather than in a fresh array per level.
  private splitL = NIL;
  private splitR = NIL;

  constructor(capacity = 16) {
    const c = Math.max(16, capacity);
    this.f = new Float64Array(c * STRIDE);
    this.l = new Int32Array(c);
    this.r = new Int32Array(c);
    this.ords = new Array<DrumOrder | undefined>(c);
  }

  order(i: number): DrumOrder {
    return this.ords[i]!;
  }

  deadline(i: number): number {
    return this.f[i * STRIDE + DEADLINE]!;
  }

  cumulativeDeadline(i: number): number {
    return this.f[i * STRIDE + CD]!;
  }

  get totalLoad(): number {
    return this.root === NIL ? 0 : this.f[this.root * STRIDE + SUM]!;
  }

  /** min K over all orders (Infinity when empty). */
  get minK(): number {
    return this.root === NIL ? Infinity : this.f[this.root * STRIDE + MINK]!;
  }

  /** A detached slot for the order; link it with insert() or build(). */
  alloc(o: DrumOrder, cD: number, prio: number): number {
    let i = this.free.pop();
    if (i === undefined) {
      if (this.used === this.l.length) this.grow();
      i = this.used++;
    }
    const f = this.f;
    const b = i * STRIDE;
    f[b + DEADLINE] = o.deadline;
    f[b + SEQ] = o.seq;
    f[b + LOAD] = o.load;
    f[b + CD] = cD;
    f[b + PRIO] = prio;
    f[b + SUM] = o.load;
    f[b + MINK] = cD - o.load;
    this.l[i] = NIL;
    this.r[i] = NIL;
    this.ords[i] = o;
    return i;
  }

  private grow(): void {
    const c = this.l.length * 2;
    const f = new Float64Array(c * STRIDE);
    f.set(this.f);
    const l = new Int32Array(c);
    l.set(this.l);
    const r = new Int32Array(c);
    r.set(this.r);
    this.f = f;
    this.l = l;
    this.r = r;
    this.ords.length = c;
  }

  private pull(n: number): void {
    const f = this.f;
    const b = n * STRIDE;
    const ln = this.l[n]!;
    const rn = this.r[n]!;
    const ls = ln === NIL ? 0 : f[ln * STRIDE + SUM]!;
    const upTo = ls + f[b + LOAD]!;
    let minK = f[b + CD]! - upTo;
    let sum = upTo;
    if (ln !== NIL) {
      const lb = ln * STRIDE;
      if (f[lb + MINK]! < minK) minK = f[lb + MINK]!;
    }
    if (rn !== NIL) {
      const rb = rn * STRIDE;
      if (f[rb + MINK]! - upTo < minK) minK = f[rb + MINK]! - upTo;
      sum += f[rb + SUM]!;
    }
    f[b + SUM] = sum;
    f[b + MINK] = minK;
  }

  /** Drum order (deadline, seq, id), as compareByDeadline. */
  private less(a: number, b: number): boolean {
    const f = this.f;
    const da = f[a * STRIDE + DEADLINE]!;
    const db = f[b * STRIDE + DEADLINE]!;
    if (da !== db) return da < db;
    const sa = f[a * STRIDE + SEQ]!;
    const sb = f[b * STRIDE + SEQ]!;
    if (sa !== sb) return sa < sb;
    return this.ords[a]!.id < this.ords[b]!.id;
  }

  private split(t: number, key: number): void {
    if (t === NIL) {
      this.splitL = this.splitR = NIL;
      return;
    }
    // Stryker disable next-line UpdateOperator: instrumentation for the complexity test, not behaviour
    visits++;
    if (this.less(t, key)) {
      this.split(this.r[t]!, key);
      this.r[t] = this.splitL;
      this.pull(t);
      this.splitL = t;
    } else {
      this.split(this.l[t]!, key);
      this.l[t] = this.splitR;
      this.pull(t);
      this.splitR = t;
    }
  }

  private merge(a: number, b: number): number {
    if (a === NIL) return b;
    if (b === NIL) return a;
    // Stryker disable next-line UpdateOperator: instrumentation for the complexity test, not behaviour
    visits++;
    if (this.f[a * STRIDE + PRIO]! > this.f[b * STRIDE + PRIO]!) {
      this.r[a] = this.merge(this.r[a]!, b);
      this.pull(a);
      return a;
    }
    this.l[b] = this.merge(a, this.l[b]!);
    this.pull(b);
    return b;
  }

  insert(n: number): void {
    this.root = this.insertAt(this.root, n);
  }

  private insertAt(t: number, n: number): number {
    if (t === NIL) return n;
    // Stryker disable next-line UpdateOperator: instrumentation for the complexity test, not behaviour
    visits++;
    if (this.f[n * STRIDE + PRIO]! > this.f[t * STRIDE + PRIO]!) {
      this.split(t, n);
      this.l[n] = this.splitL;
      this.r[n] = this.splitR;
      this.pull(n);
      return n;
    }
    if (this.less(n, t)) this.l[t] = this.insertAt(this.l[t]!, n);
    else this.r[t] = this.insertAt(this.r[t]!, n);
    this.pull(t);
    return t;
  }

  /** Unlinks slot n and frees it. */
  remove(n: number): void {
    this.root = this.removeAt(this.root, n);
    this.ords[n] = undefined;
    this.free.push(n);
  }

  private removeAt(t: number, n: number): number {
    if (t === NIL) return NIL;
    // Stryker disable next-line UpdateOperator: instrumentation for the complexity test, not behaviour
    visits++;
    if (t === n) return this.merge(this.l[t]!, this.r[t]!);
    if (this.less(n, t)) this.l[t] = this.removeAt(this.l[t]!, n);
    else this.r[t] = this.removeAt(this.r[t]!, n);
    this.pull(t);
    return t;
  }

  /**
   * O(n) build over slots lo..hi−1 allocated in drum sequence: a balanced tree whose
   * priorities are drawn as a random treap's would be (a subtree of k nodes has the max
   * of k uniforms below its parent's, i.e. parent × U^(1/k)), so later random inserts
   * keep it balanced. `uniform` returns numbers in (0, 1).
   */
  build(lo: number, hi: number, uniform: () => number): void {
    const f = this.f;
    const rec = (a: number, b: number, parentPrio: number): number => {
      if (a >= b) return NIL;
      const mid = (a + b) >>> 1;
      const prio = parentPrio * Math.pow(uniform(), 1 / (b - a));
      f[mid * STRIDE + PRIO] = prio;
      this.l[mid] = rec(a, mid, prio);
      this.r[mid] = rec(mid + 1, b, prio);
      this.pull(mid);
      return mid;
    };
    this.root = rec(lo, hi, PRIO_SCALE);
  }

  /** Total load of the orders with deadline <= d. */
  loadUpTo(d: number): number {
    const f = this.f;
    let acc = 0;
    for (let n = this.root; n !== NIL;) {
      // Stryker disable next-line UpdateOperator: instrumentation for the complexity test, not behaviour
      visits++;
      if (f[n * STRIDE + DEADLINE]! <= d) {
        const ln = this.l[n]!;
        acc += (ln === NIL ? 0 : f[ln * STRIDE + SUM]!) + f[n * STRIDE + LOAD]!;
        n = this.r[n]!;
      } else n = this.l[n]!;
    }
    return acc;
  }

  /** The last order in sequence whose K is below target (its slack is below target − base), or NIL. */
  lastWithKBelow(target: number): number {
    const f = this.f;
    let n = this.root;
    if (n === NIL || f[n * STRIDE + MINK]! >= target) return NIL;
    let off = 0;
    while (n !== NIL) {
      // Stryker disable next-line UpdateOperator: instrumentation for the complexity test, not behaviour
      visits++;
      const ln = this.l[n]!;
      const rn = this.r[n]!;
      const upTo = off + (ln === NIL ? 0 : f[ln * STRIDE + SUM]!) + f[n * STRIDE + LOAD]!;
      if (rn !== NIL && f[rn * STRIDE + MINK]! - upTo < target) {
        off = upTo;
        n = rn;
      } else if (f[n * STRIDE + CD]! - upTo < target) return n;
      else n = ln;
    }
    return NIL;
  }

  /** min K over the orders with deadline > d (Infinity when none). */
  minKAfter(d: number): number {
    const f = this.f;
    let off = 0;
    let best = Infinity;
    for (let n = this.root; n !== NIL;) {
      // Stryker disable next-line UpdateOperator: instrumentation for the complexity test, not behaviour
      visits++;
      const ln = this.l[n]!;
      const rn = this.r[n]!;
      const upTo = off + (ln === NIL ? 0 : f[ln * STRIDE + SUM]!) + f[n * STRIDE + LOAD]!;
      if (f[n * STRIDE + DEADLINE]! <= d) {
        off = upTo;
        n = rn;
      } else {
        if (f[n * STRIDE + CD]! - upTo < best) best = f[n * STRIDE + CD]! - upTo;
        if (rn !== NIL && f[rn * STRIDE + MINK]! - upTo < best) best = f[rn * STRIDE + MINK]! - upTo;
        n = ln;
      }
    }
    return best;
  }

  /**
   * Visits, in drum sequence with the load before each, the orders after the key
   * (deadline, seq, id) — every order when key is undefined — until visit returns false.
   * O(log n) to find the start (the load before it comes from subtree sums), then O(1)
   * amortised per order visited: a page of the schedule costs its size, not n.
   */
  forEachAfter(key: SequenceKey | undefined, visit: (slot: number, before: number) => boolean): void {
    const { f, l, r } = this;
    const stack: number[] = [];
    let before = 0;
    for (let n = this.root; n !== NIL;) {
      if (key !== undefined && !this.keyAfter(n, key)) {
        const ln = l[n]!;
        before += (ln === NIL ? 0 : f[ln * STRIDE + SUM]!) + f[n * STRIDE + LOAD]!;
        n = r[n]!;
      } else {
        stack.push(n);
        n = l[n]!;
      }
    }
    while (stack.length > 0) {
      const top = stack.pop()!;
      if (!visit(top, before)) return;
      before += f[top * STRIDE + LOAD]!;
      for (let n = r[top]!; n !== NIL; n = l[n]!) stack.push(n);
    }
  }

  /** Whether slot n comes after key in drum order (deadline, seq, id). */
  private keyAfter(n: number, key: SequenceKey): boolean {
    const d = this.f[n * STRIDE + DEADLINE]!;
    if (d !== key.deadline) return d > key.deadline;
    const s = this.f[n * STRIDE + SEQ]!;
    if (s !== key.seq) return s > key.seq;
    return this.ords[n]!.id > key.id;
  }

  /** Visits the orders in drum sequence with the load before each. */
  forEachInOrder(visit: (slot: number, before: number) => void): void {
    const stack: number[] = [];
    let before = 0;
    let n = this.root;
    while (n !== NIL || stack.length > 0) {
      while (n !== NIL) {
        stack.push(n);
        n = this.l[n]!;
      }
      const top = stack.pop()!;
      visit(top, before);
      before += this.f[top * STRIDE + LOAD]!;
      n = this.r[top]!;
    }
  }
}
