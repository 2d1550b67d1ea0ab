/**
 * The unpinned drum orders in their stored sequence (sequence key κ), as a treap keyed
 * by κ and augmented with the aggregates of docs/design/whole-route.md §3.3, so that the
 * keyed-insertion questions of §5.2–§5.3 are answered in O(log n) without knowing `now`.
 *
 * Everything is in the drum's cumulative working-time coordinates (c = cumulative()).
 * For the order at 1-based sequence index k, with prefix_k the load of the first k orders:
 *
 *   K_k    = c(D̂_k) − prefix_k           (slack against base is K_k − base)
 *   need_k = c(ρ_k) − prefix_{k−1}        (the drum cannot start k before c(ρ_k))
 *   s_k    = K_k − max(base, max_{j ≤ k} need_j)   (slack in the semi-active plan)
 *   M_k    = max(base, max_{j ≤ k} need_j)          (so the finish F_k = prefix_k + M_k)
 *
 * An order at risk on the drum (D < D̂ < Infinity, "raised") may be delayed by a new order
 * only up to max(D, its current finish) (DOMAIN.md: no write makes a late order later, and
 * an order back on time is like any other), whatever room its D̂ leaves (the tick's slack,
 * a finish pulled forward since): for a new order its K is
 * K'_k = min(K_k, max(Kd_k, M_k)) with Kd_k = c(D_k) − prefix_k, which moves with every
 * change before it. max(Kd_k, M_k) shifts with the prefix like need does and M_k is a
 * prefix maximum, so min over raised k composes: each node also keeps the least
 * subtree-relative max(Kd_k, max need through k) at a raised order (MINAR), and a search
 * combines it with the need of the orders before the subtree. The feasibility aggregates
 * (minS, late) keep K. D̂ = Infinity (no finish within the calendar) constrains nothing.
 *
 * Each node stores, for its subtree, the load sum, the size, min K and max need relative to
 * the subtree's first element (a prefix shift moves both alike), the offset-free
 * minS = min_i (K_i − max_{j ≤ i in subtree} need_j), the absolute min D̂ instant, and MAXG
 * (the largest g of its inner boundaries, which lets the exact q0 search of firstValid skip
 * subtrees where no position can take the new order). `pull` is O(1). Walking down adds the load to the left, so an insert touches only the
 * path to its node.
 *
 * `visits` counts the nodes every search and update visits (the complexity guard counts
 * them instead of timing).
 */
const NIL = -1;

const KEY = 0;
const LOAD = 1;
const CR = 2; // c(ρ)
const CD = 3; // c(D̂)
const DHAT = 4; // D̂ instant
const DEADLINE = 5; // D instant (stored commit deadline)
const READY = 6; // ρ instant
const PRIO = 7;
const SIZE = 8;
const SUM = 9;
const MINK = 10;
const MAXNEED = 11;
const MINS = 12;
const MIND = 13; // min over the subtree of P_k (D_k for a raised order, else D̂_k): q_R of the price of a date
const RAISED = 14; // 1 when ∞ > D̂ > D: a new order may delay it only up to max(D, its current finish)
const MINAR = 15; // min over raised orders of the subtree-relative max(c(D) − prefix, max need through them) (Infinity: none)
const CDD = 16; // c(D)
const MINKP = 17; // min over the subtree of c(P_k) − prefix_k, relative: P_k = D_k for a raised order, else D̂_k (the price of a date)
const MAXG = 18; // max over the subtree's inner boundaries of g (see firstValid): a valid boundary has g ≥ p
const STRIDE = 19;

/** One order's stored fields in a slot. */
export interface SlotRecord {
  id: string;
  key: number;
  load: number;
  ready: number;
  cReady: number;
  deadline: number;
  cDeadline: number;
  effectiveDeadline: number;
  cEffectiveDeadline: number;
  prio: number;
}

/** The state of the first q orders: their load and the largest absolute need among them (−Infinity when q = 0). */
export interface PrefixState {
  prefix: number;
  maxNeed: number;
}

export class RouteDrumTree {
  root = NIL;
  /** Nodes visited by searches and updates since construction (never reset by the tree). */
  visits = 0;
  private f: Float64Array;
  private l: Int32Array;
  private r: Int32Array;
  private ids: Array<string | undefined>;
  private free: number[] = [];
  private used = 0;
  private splitL = NIL;
  private splitR = NIL;

  constructor(capacity = 16) {
    const c = Math.max(16, capacity);
    this.f = new Float64Array(c * STRIDE);
    this.l = new Int32Array(c);
    this.r = new Int32Array(c);
    this.ids = new Array<string | undefined>(c);
  }

  get size(): number {
    return this.root === NIL ? 0 : this.f[this.root * STRIDE + SIZE]!;
  }

  get totalLoad(): number {
    return this.root === NIL ? 0 : this.f[this.root * STRIDE + SUM]!;
  }

  /** min K over all orders, absolute (Infinity when empty). */
  get minK(): number {
    return this.root === NIL ? Infinity : this.f[this.root * STRIDE + MINK]!;
  }

  /** min over all orders of K_k − max_{j ≤ k} need_j (Infinity when empty). */
  get minS(): number {
    return this.root === NIL ? Infinity : this.f[this.root * STRIDE + MINS]!;
  }

  /** min_k s_k for the given base: O(1). */
  minSlack(base: number): number {
    return Math.min(this.minK - base, this.minS);
  }

  record(i: number): SlotRecord {
    const f = this.f;
    const b = i * STRIDE;
    return {
      id: this.ids[i]!,
      key: f[b + KEY]!,
      load: f[b + LOAD]!,
      ready: f[b + READY]!,
      cReady: f[b + CR]!,
      deadline: f[b + DEADLINE]!,
      cDeadline: f[b + CDD]!,
      effectiveDeadline: f[b + DHAT]!,
      cEffectiveDeadline: f[b + CD]!,
      prio: f[b + PRIO]!,
    };
  }

  key(i: number): number {
    return this.f[i * STRIDE + KEY]!;
  }

  setKey(i: number, key: number): void {
    this.f[i * STRIDE + KEY] = key;
  }

  /** A detached slot; link it with insert() or build(). */
  alloc(rec: SlotRecord): number {
    let i = this.free.pop();
    if (i === undefined) {
      if (this.used === this.l.length) this.grow();
      i = this.used++;
    }
    const f = this.f;
    const b = i * STRIDE;
    f[b + KEY] = rec.key;
    f[b + LOAD] = rec.load;
    f[b + CR] = rec.cReady;
    f[b + CD] = rec.cEffectiveDeadline;
    f[b + DHAT] = rec.effectiveDeadline;
    f[b + DEADLINE] = rec.deadline;
    f[b + CDD] = rec.cDeadline;
    f[b + READY] = rec.ready;
    f[b + PRIO] = rec.prio;
    // D̂ = Infinity (no finish within a calendar whose capacity ends) constrains nothing.
    f[b + RAISED] = rec.effectiveDeadline > rec.deadline && rec.effectiveDeadline !== Infinity ? 1 : 0;
    this.l[i] = NIL;
    this.r[i] = NIL;
    this.ids[i] = rec.id;
    this.pull(i);
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
    this.ids.length = c;
  }

  private pull(n: number): void {
    const f = this.f;
    const b = n * STRIDE;
    const ln = this.l[n]!;
    const rn = this.r[n]!;
    const load = f[b + LOAD]!;
    let size = 1;
    let sum = load;
    const raised = f[b + RAISED]! === 1;
    let minD = raised ? f[b + DEADLINE]! : f[b + DHAT]!;
    const cP = raised ? f[b + CDD]! : f[b + CD]!;
    let ls = 0;
    let A: number;
    let minK: number;
    let minS: number;
    if (ln !== NIL) {
      const lb = ln * STRIDE;
      ls = f[lb + SUM]!;
      size += f[lb + SIZE]!;
      sum += ls;
      const kn = f[b + CD]! - (ls + load);
      const needN = f[b + CR]! - ls;
      A = Math.max(f[lb + MAXNEED]!, needN);
      minK = Math.min(f[lb + MINK]!, kn);
      minS = Math.min(f[lb + MINS]!, kn - A);
      if (f[lb + MIND]! < minD) minD = f[lb + MIND]!;
    } else {
      A = f[b + CR]!;
      minK = f[b + CD]! - load;
      minS = minK - A;
    }
    let maxNeed = A;
    let minAR = raised ? Math.max(A, f[b + CDD]! - (ls + load)) : Infinity;
    let minKP = cP - (ls + load);
    if (ln !== NIL) {
      if (f[ln * STRIDE + MINAR]! < minAR) minAR = f[ln * STRIDE + MINAR]!;
      if (f[ln * STRIDE + MINKP]! < minKP) minKP = f[ln * STRIDE + MINKP]!;
    }
    if (rn !== NIL) {
      const rb = rn * STRIDE;
      const upTo = ls + load;
      if (f[rb + MINKP]! - upTo < minKP) minKP = f[rb + MINKP]! - upTo;
      const rAR = Math.max(A, f[rb + MINAR]! - upTo);
      if (rAR < minAR) minAR = rAR;
      const rk = f[rb + MINK]! - upTo;
      if (rk < minK) minK = rk;
      if (f[rb + MINS]! < minS) minS = f[rb + MINS]!;
      if (rk - A < minS) minS = rk - A;
      const rNeed = f[rb + MAXNEED]! - upTo;
      if (rNeed > maxNeed) maxNeed = rNeed;
      size += f[rb + SIZE]!;
      sum += f[rb + SUM]!;
      if (f[rb + MIND]! < minD) minD = f[rb + MIND]!;
    }
    f[b + SIZE] = size;
    f[b + SUM] = sum;
    f[b + MINK] = minK;
    f[b + MAXNEED] = maxNeed;
    f[b + MINS] = minS;
    f[b + MIND] = minD;
    f[b + MINAR] = minAR;
    f[b + MINKP] = minKP;
    f[b + MAXG] = this.innerGap(n, ls, load, A);
  }

  /**
   * g at the two inner boundaries around n (before it, after it), subtree-relative, and the
   * children's MAXG. g of a boundary q inside subtree T is min over T's orders j after q of
   * K'_j (computed with T's own needs only) − T's max need up to q. When the new order is
   * valid at q then, for every such j, K_j ≥ M_q + p and max(c(D_j) − prefix_j, needs
   * through j) ≥ M_q + p, and M_q ≥ T's max need up to q: so g ≥ p whatever comes before T.
   * The converse fails (orders after T, needs before T), so MAXG only prunes.
   */
  private innerGap(n: number, ls: number, load: number, a: number): number {
    const f = this.f;
    const ln = this.l[n]!;
    const rn = this.r[n]!;
    let g = -Infinity;
    const upTo = ls + load;
    const kn = this.ownK(n, upTo, a);
    const kR = rn === NIL ? Infinity : this.subtreeK(rn, upTo, a);
    if (ln !== NIL) g = Math.max(f[ln * STRIDE + MAXG]!, Math.min(kn, kR) - f[ln * STRIDE + MAXNEED]!);
    if (rn !== NIL) g = Math.max(g, f[rn * STRIDE + MAXG]!, kR - a);
    return g;
  }

  private split(t: number, key: number): void {
    // Nodes with KEY < key go left.
    if (t === NIL) {
      this.splitL = this.splitR = NIL;
      return;
    }
    this.visits++;
    if (this.f[t * STRIDE + KEY]! < key) {
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
    this.visits++;
    if (this.f[a * STRIDE + PRIO]! > this.f[b * STRIDE + PRIO]!) {
      this.r[a] = this.merge(this.r[a]!, b);
      this.pull(a);
      return a;
    }
    this.l[b] = this.merge(a, this.l[b]!);
    this.pull(b);
    return b;
  }

  /** Links slot n by its key (keys are unique). */
  insert(n: number): void {
    this.root = this.insertAt(this.root, n);
  }

  private insertAt(t: number, n: number): number {
    if (t === NIL) return n;
    this.visits++;
    const f = this.f;
    if (f[n * STRIDE + PRIO]! > f[t * STRIDE + PRIO]!) {
      this.split(t, f[n * STRIDE + KEY]!);
      this.l[n] = this.splitL;
      this.r[n] = this.splitR;
      this.pull(n);
      return n;
    }
    if (f[n * STRIDE + KEY]! < f[t * STRIDE + KEY]!) this.l[t] = this.insertAt(this.l[t]!, n);
    else this.r[t] = this.insertAt(this.r[t]!, n);
    this.pull(t);
    return t;
  }

  /** Unlinks slot n and frees it. */
  remove(n: number): void {
    this.root = this.removeAt(this.root, n, this.f[n * STRIDE + KEY]!);
    this.ids[n] = undefined;
    this.free.push(n);
  }

  private removeAt(t: number, n: number, key: number): number {
    if (t === NIL) return NIL;
    this.visits++;
    if (t === n) return this.merge(this.l[t]!, this.r[t]!);
    if (key < this.f[t * STRIDE + KEY]!) this.l[t] = this.removeAt(this.l[t]!, n, key);
    else this.r[t] = this.removeAt(this.r[t]!, n, key);
    this.pull(t);
    return t;
  }

  /**
   * O(n) build over the slots `slots` (already in key order): a balanced tree whose
   * priorities are drawn as a random treap's would be (see drum-tree.ts). The slots'
   * PRIO fields are overwritten.
   */
  build(slots: readonly number[], uniform: () => number, prioScale: number): void {
    const f = this.f;
    const rec = (a: number, b: number, parentPrio: number): number => {
      if (a >= b) return NIL;
      const mid = (a + b) >>> 1;
      const slot = slots[mid]!;
      const prio = parentPrio * Math.pow(uniform(), 1 / (b - a));
      f[slot * STRIDE + PRIO] = prio;
      this.l[slot] = rec(a, mid, prio);
      this.r[slot] = rec(mid + 1, b, prio);
      this.pull(slot);
      return slot;
    };
    this.root = rec(0, slots.length, prioScale);
  }

  /** The slot at 0-based sequence index i (NIL when out of range). */
  slotAt(i: number): number {
    const f = this.f;
    let n = this.root;
    while (n !== NIL) {
      this.visits++;
      const ln = this.l[n]!;
      const ls = ln === NIL ? 0 : f[ln * STRIDE + SIZE]!;
      if (i < ls) n = ln;
      else if (i === ls) return n;
      else {
        i -= ls + 1;
        n = this.r[n]!;
      }
    }
    return NIL;
  }

  /** The 0-based sequence index of the slot with this key, and the state of the orders before it. */
  indexOf(key: number): { index: number; prefix: number; maxNeed: number } {
    const f = this.f;
    let n = this.root;
    let index = 0;
    let off = 0;
    let maxNeed = -Infinity;
    while (n !== NIL) {
      this.visits++;
      const ln = this.l[n]!;
      const k = f[n * STRIDE + KEY]!;
      if (key < k) {
        n = ln;
        continue;
      }
      if (ln !== NIL) {
        const lb = ln * STRIDE;
        if (f[lb + MAXNEED]! - off > maxNeed) maxNeed = f[lb + MAXNEED]! - off;
        index += f[lb + SIZE]!;
        off += f[lb + SUM]!;
      }
      if (key === k) return { index, prefix: off, maxNeed };
      const needN = f[n * STRIDE + CR]! - off;
      if (needN > maxNeed) maxNeed = needN;
      index += 1;
      off += f[n * STRIDE + LOAD]!;
      n = this.r[n]!;
    }
    return { index: -1, prefix: off, maxNeed };
  }

  /** The number of orders with key ≤ `key`, their load and the largest absolute need among them (a page cursor's position). */
  stateUpTo(key: number): { count: number; prefix: number; maxNeed: number } {
    const f = this.f;
    let n = this.root;
    let count = 0;
    let off = 0;
    let maxNeed = -Infinity;
    while (n !== NIL) {
      this.visits++;
      const ln = this.l[n]!;
      if (key < f[n * STRIDE + KEY]!) {
        n = ln;
        continue;
      }
      if (ln !== NIL) {
        const lb = ln * STRIDE;
        if (f[lb + MAXNEED]! - off > maxNeed) maxNeed = f[lb + MAXNEED]! - off;
        count += f[lb + SIZE]!;
        off += f[lb + SUM]!;
      }
      const needN = f[n * STRIDE + CR]! - off;
      if (needN > maxNeed) maxNeed = needN;
      count += 1;
      off += f[n * STRIDE + LOAD]!;
      n = this.r[n]!;
    }
    return { count, prefix: off, maxNeed };
  }

  /** prefix_q and max_{j ≤ q} need_j (absolute) for the first q orders. */
  prefixState(q: number): PrefixState {
    const f = this.f;
    let n = this.root;
    let off = 0;
    let maxNeed = -Infinity;
    while (n !== NIL && q > 0) {
      this.visits++;
      const ln = this.l[n]!;
      const ls = ln === NIL ? 0 : f[ln * STRIDE + SIZE]!;
      if (q <= ls) {
        n = ln;
        continue;
      }
      let lsum = 0;
      if (ln !== NIL) {
        lsum = f[ln * STRIDE + SUM]!;
        if (f[ln * STRIDE + MAXNEED]! - off > maxNeed) maxNeed = f[ln * STRIDE + MAXNEED]! - off;
      }
      const needN = f[n * STRIDE + CR]! - (off + lsum);
      if (needN > maxNeed) maxNeed = needN;
      off += lsum + f[n * STRIDE + LOAD]!;
      q -= ls + 1;
      n = this.r[n]!;
    }
    return { prefix: off, maxNeed };
  }

  /** min_{k > q} K'_k, absolute (Infinity when q ≥ size): K_k, and M_k for an order at risk when smaller. */
  minKAfter(q: number, base: number): number {
    const f = this.f;
    let n = this.root;
    let off = 0;
    let ctx = base;
    let best = Infinity;
    while (n !== NIL) {
      this.visits++;
      const ln = this.l[n]!;
      const rn = this.r[n]!;
      const ls = ln === NIL ? 0 : f[ln * STRIDE + SIZE]!;
      const a = this.needThrough(n, off, ctx);
      const upTo = off + (ln === NIL ? 0 : f[ln * STRIDE + SUM]!) + f[n * STRIDE + LOAD]!;
      if (ls + 1 > q) {
        // n and its right subtree are after position q
        best = Math.min(best, this.ownK(n, upTo, a));
        if (rn !== NIL) best = Math.min(best, this.subtreeK(rn, upTo, a));
        n = ln;
      } else {
        q -= ls + 1;
        off = upTo;
        ctx = a;
        n = rn;
      }
    }
    return best;
  }

  /**
   * min_{k > q} (c(P_k) − prefix_k), absolute (Infinity when q ≥ size), P_k = D_k for an
   * order at risk, else D̂_k: what capacity added before P_k relaxes (the price of a date).
   */
  minKPriceAfter(q: number): number {
    const f = this.f;
    let n = this.root;
    let off = 0;
    let best = Infinity;
    while (n !== NIL) {
      this.visits++;
      const ln = this.l[n]!;
      const rn = this.r[n]!;
      const ls = ln === NIL ? 0 : f[ln * STRIDE + SIZE]!;
      const upTo = off + (ln === NIL ? 0 : f[ln * STRIDE + SUM]!) + f[n * STRIDE + LOAD]!;
      if (ls + 1 > q) {
        const b = n * STRIDE;
        best = Math.min(best, (f[b + RAISED]! === 1 ? f[b + CDD]! : f[b + CD]!) - upTo);
        if (rn !== NIL) best = Math.min(best, f[rn * STRIDE + MINKP]! - upTo);
        n = ln;
      } else {
        q -= ls + 1;
        off = upTo;
        n = rn;
      }
    }
    return best;
  }

  /**
   * The first position q (0..size) with LS_{q+1} = prefix_q + min_{k > q} K'_k ≥ target
   * (LS is non-decreasing in q, and LS_{size+1} = Infinity).
   */
  firstLSAtLeast(target: number, base: number): number {
    const f = this.f;
    let n = this.root;
    let off = 0;
    let idx = 0;
    let ctx = base;
    let sufMin = Infinity;
    let answer = this.size;
    while (n !== NIL) {
      this.visits++;
      const ln = this.l[n]!;
      const rn = this.r[n]!;
      const lsum = ln === NIL ? 0 : f[ln * STRIDE + SUM]!;
      const lsize = ln === NIL ? 0 : f[ln * STRIDE + SIZE]!;
      const a = this.needThrough(n, off, ctx);
      const upTo = off + lsum + f[n * STRIDE + LOAD]!;
      let m = Math.min(sufMin, this.ownK(n, upTo, a));
      if (rn !== NIL) m = Math.min(m, this.subtreeK(rn, upTo, a));
      // boundary just before n
      if (off + lsum + m >= target) {
        answer = idx + lsize;
        sufMin = m;
        n = ln;
      } else {
        idx += lsize + 1;
        off = upTo;
        ctx = a;
        n = rn;
      }
    }
    return answer;
  }

  /**
   * q0 of §5.2 exactly: the first position q ≥ lo (0..size) where a new order of load p is
   * valid, min_{k>q} K'_k ≥ M_q + p (size when no earlier one: nothing follows the last
   * order). A depth-first walk in sequence order that skips a subtree when no boundary in it
   * can be valid: M ≥ the context before it, K' ≤ the orders after it, and (MAXG) g ≥ p at
   * every valid inner boundary. A subtree whose needs never exceed the context has one M
   * for all its boundaries, so validity is monotone there: one descent. No jump cap.
   */
  firstValid(lo: number, p: number, base: number): number {
    const q = this.firstIn(this.root, 0, 0, base, Infinity, Infinity, lo, p);
    return q < 0 ? Math.max(lo, this.size) : q;
  }

  /** The last valid position q ≤ hi (0..size; −1 when none): the mirror of firstValid, for the commit position of §5.3. */
  lastValid(hi: number, p: number, base: number): number {
    if (hi >= this.size) return this.size;
    return this.lastIn(this.root, 0, 0, base, Infinity, Infinity, hi, p);
  }

  /**
   * firstValid within subtree n: its boundaries are the positions idx0..idx0 + size − 1
   * (before each of its orders). `ctx` is M before it, `off` its prefix, `suf` min K' after
   * it, `edge` the value of the boundary before its first order (its parent's inner boundary).
   */
  private firstIn(n: number, off: number, idx0: number, ctx: number, suf: number, edge: number, lo: number, p: number): number {
    if (n === NIL) return -1;
    const f = this.f;
    const b = n * STRIDE;
    if (idx0 + f[b + SIZE]! - 1 < lo) return -1;
    this.visits++;
    if (suf - ctx < p || (f[b + MAXG]! < p && edge < p)) return -1;
    if (f[b + MAXNEED]! - off <= ctx) return this.firstMonotone(n, off, idx0, ctx, suf, Math.max(lo, idx0), ctx + p);
    const ln = this.l[n]!;
    const rn = this.r[n]!;
    const lsize = ln === NIL ? 0 : f[ln * STRIDE + SIZE]!;
    const a = this.needThrough(n, off, ctx);
    const upTo = off + (ln === NIL ? 0 : f[ln * STRIDE + SUM]!) + f[b + LOAD]!;
    const kn = this.ownK(n, upTo, a);
    const kR = rn === NIL ? Infinity : this.subtreeK(rn, upTo, a);
    const left = this.firstIn(ln, off, idx0, ctx, Math.min(suf, kn, kR), edge, lo, p);
    if (left >= 0) return left;
    const q = idx0 + lsize;
    const m = ln === NIL ? ctx : Math.max(ctx, f[ln * STRIDE + MAXNEED]! - off);
    if (q >= lo && Math.min(kn, kR, suf) - m >= p) return q;
    return this.firstIn(rn, upTo, q + 1, a, suf, Math.min(kR, suf) - a, lo, p);
  }

  /** lastValid within subtree n (as firstIn, boundaries ≤ hi), right to left. */
  private lastIn(n: number, off: number, idx0: number, ctx: number, suf: number, edge: number, hi: number, p: number): number {
    if (n === NIL || idx0 > hi) return -1;
    const f = this.f;
    const b = n * STRIDE;
    this.visits++;
    if (suf - ctx < p || (f[b + MAXG]! < p && edge < p)) return -1;
    if (f[b + MAXNEED]! - off <= ctx) {
      // one M for every boundary here: valid from the first valid one on
      const last = Math.min(hi, idx0 + f[b + SIZE]! - 1);
      const first = this.firstMonotone(n, off, idx0, ctx, suf, idx0, ctx + p);
      return first >= 0 && first <= last ? last : -1;
    }
    const ln = this.l[n]!;
    const rn = this.r[n]!;
    const lsize = ln === NIL ? 0 : f[ln * STRIDE + SIZE]!;
    const a = this.needThrough(n, off, ctx);
    const upTo = off + (ln === NIL ? 0 : f[ln * STRIDE + SUM]!) + f[b + LOAD]!;
    const kn = this.ownK(n, upTo, a);
    const kR = rn === NIL ? Infinity : this.subtreeK(rn, upTo, a);
    const q = idx0 + lsize;
    const right = this.lastIn(rn, upTo, q + 1, a, suf, Math.min(kR, suf) - a, hi, p);
    if (right >= 0) return right;
    const m = ln === NIL ? ctx : Math.max(ctx, f[ln * STRIDE + MAXNEED]! - off);
    if (q <= hi && Math.min(kn, kR, suf) - m >= p) return q;
    return this.lastIn(ln, off, idx0, ctx, Math.min(suf, kn, kR), edge, hi, p);
  }

  /**
   * The first boundary ≥ lo of subtree n (lo within it) whose min K' from there on (with
   * `suf` after the subtree) is ≥ target; −1 when none. That min is non-decreasing along
   * the boundaries, so this is one descent.
   */
  private firstMonotone(n: number, off: number, idx: number, ctx: number, suf: number, lo: number, target: number): number {
    const f = this.f;
    let answer = -1;
    while (n !== NIL) {
      this.visits++;
      const ln = this.l[n]!;
      const rn = this.r[n]!;
      const lsize = ln === NIL ? 0 : f[ln * STRIDE + SIZE]!;
      const a = this.needThrough(n, off, ctx);
      const upTo = off + (ln === NIL ? 0 : f[ln * STRIDE + SUM]!) + f[n * STRIDE + LOAD]!;
      const v = Math.min(this.ownK(n, upTo, a), rn === NIL ? Infinity : this.subtreeK(rn, upTo, a), suf);
      if (v >= target) {
        answer = idx + lsize;
        suf = v;
        n = ln;
      } else {
        idx += lsize + 1;
        off = upTo;
        ctx = a;
        n = rn;
      }
    }
    return answer < 0 ? -1 : Math.max(answer, lo);
  }

  /** max(ctx, max need of n's left subtree and n): M at n, given `ctx` = M just before n's subtree and `off` its prefix. */
  private needThrough(n: number, off: number, ctx: number): number {
    const f = this.f;
    const ln = this.l[n]!;
    let a = ctx;
    let lsum = 0;
    if (ln !== NIL) {
      lsum = f[ln * STRIDE + SUM]!;
      a = Math.max(a, f[ln * STRIDE + MAXNEED]! - off);
    }
    return Math.max(a, f[n * STRIDE + CR]! - (off + lsum));
  }

  /** K'_n: K_n = c(D̂_n) − prefix through n (`upTo`), at most max(c(D_n) − upTo, M_n = `a`) when n is at risk. */
  private ownK(n: number, upTo: number, a: number): number {
    const b = n * STRIDE;
    const k = this.f[b + CD]! - upTo;
    return this.f[b + RAISED]! === 1 ? Math.min(k, Math.max(this.f[b + CDD]! - upTo, a)) : k;
  }

  /** min K' over subtree s, with `off` the prefix before it and `ctx` M just before it. */
  private subtreeK(s: number, off: number, ctx: number): number {
    const b = s * STRIDE;
    return Math.min(this.f[b + MINK]! - off, Math.max(ctx, this.f[b + MINAR]! - off));
  }

  /**
   * The last position q (0..size) with max(base, max_{j ≤ q} need_j) + (withPrefix ? prefix_q : 0) ≤ target,
   * or −1 when even q = 0 exceeds it. Both quantities are non-decreasing in q.
   */
  lastAtMost(target: number, base: number, withPrefix: boolean): number {
    if (base > target) return -1;
    const f = this.f;
    let n = this.root;
    let off = 0;
    let idx = 0;
    let ctx = base;
    let answer = 0;
    while (n !== NIL) {
      this.visits++;
      const ln = this.l[n]!;
      let lsum = 0;
      let lsize = 0;
      let a = ctx;
      if (ln !== NIL) {
        lsum = f[ln * STRIDE + SUM]!;
        lsize = f[ln * STRIDE + SIZE]!;
        a = Math.max(a, f[ln * STRIDE + MAXNEED]! - off);
      }
      a = Math.max(a, f[n * STRIDE + CR]! - (off + lsum));
      const upTo = off + lsum + f[n * STRIDE + LOAD]!;
      // the boundary just after n
      if (a + (withPrefix ? upTo : 0) <= target) {
        answer = idx + lsize + 1;
        ctx = a;
        off = upTo;
        idx += lsize + 1;
        n = this.r[n]!;
      } else n = ln;
    }
    return answer;
  }

  /** Slots of the orders with s_k < 0 for this base, in sequence order: O(k log n). */
  late(base: number): number[] {
    const out: number[] = [];
    const f = this.f;
    const walk = (n: number, off: number, ctx: number): void => {
      if (n === NIL) return;
      this.visits++;
      if (Math.min(f[n * STRIDE + MINK]! - off - ctx, f[n * STRIDE + MINS]!) >= 0) return;
      const ln = this.l[n]!;
      let lsum = 0;
      let a = ctx;
      if (ln !== NIL) {
        lsum = f[ln * STRIDE + SUM]!;
        a = Math.max(a, f[ln * STRIDE + MAXNEED]! - off);
      }
      walk(ln, off, ctx);
      a = Math.max(a, f[n * STRIDE + CR]! - (off + lsum));
      const upTo = off + lsum + f[n * STRIDE + LOAD]!;
      if (f[n * STRIDE + CD]! - upTo - a < 0) out.push(n);
      walk(this.r[n]!, upTo, a);
    };
    walk(this.root, 0, base);
    return out;
  }

  /** The 1-based index of the last order with D̂_k < d (0 when none), for the price of a date (§5.4). */
  lastPriceDeadlineBelow(d: number): number {
    const f = this.f;
    let n = this.root;
    if (n === NIL || f[n * STRIDE + MIND]! >= d) return 0;
    let idx = 0;
    while (n !== NIL) {
      this.visits++;
      const ln = this.l[n]!;
      const rn = this.r[n]!;
      const lsize = ln === NIL ? 0 : f[ln * STRIDE + SIZE]!;
      if (rn !== NIL && f[rn * STRIDE + MIND]! < d) {
        idx += lsize + 1;
        n = rn;
      } else if ((f[n * STRIDE + RAISED]! === 1 ? f[n * STRIDE + DEADLINE]! : f[n * STRIDE + DHAT]!) < d) return idx + lsize + 1;
      else n = ln;
    }
    return 0;
  }

  /** Makes this (new) tree a copy of `from`: the same slots, priorities and shape; visits start at 0. */
  copyFrom(from: RouteDrumTree): void {
    this.root = from.root;
    this.f = from.f.slice();
    this.l = from.l.slice();
    this.r = from.r.slice();
    this.ids = from.ids.slice();
    this.free = from.free.slice();
    this.used = from.used;
  }

  /**
   * Every order's c(ρ) and c(D̂) again from its instants (a new drum calendar), then the
   * aggregates: the sequence and so the shape do not depend on the calendar. O(n).
   */
  recumulate(cReady: (ready: number) => number, cEffectiveDeadline: (effectiveDeadline: number) => number): void {
    const f = this.f;
    this.forEachInOrder((n) => {
      const b = n * STRIDE;
      f[b + CR] = cReady(f[b + READY]!);
      f[b + CDD] = cReady(f[b + DEADLINE]!);
      f[b + CD] = cEffectiveDeadline(f[b + DHAT]!);
    });
    const fix = (t: number): void => {
      if (t === NIL) return;
      fix(this.l[t]!);
      fix(this.r[t]!);
      this.pull(t);
    };
    fix(this.root);
  }

  /** Visits the slots in sequence order from 0-based index `from`: O(log n) to reach it, then O(1) amortised per slot. */
  forEachFrom(from: number, visit: (slot: number) => boolean): void {
    const stack: number[] = [];
    let n = this.root;
    let i = from;
    while (n !== NIL) {
      this.visits++;
      const ln = this.l[n]!;
      const ls = ln === NIL ? 0 : this.f[ln * STRIDE + SIZE]!;
      if (i <= ls) {
        stack.push(n);
        if (i === ls) break;
        n = ln;
      } else {
        i -= ls + 1;
        n = this.r[n]!;
      }
    }
    while (stack.length > 0) {
      const top = stack.pop()!;
      if (!visit(top)) return;
      n = this.r[top]!;
      while (n !== NIL) {
        stack.push(n);
        n = this.l[n]!;
      }
    }
  }

  /** Visits the slots in sequence order; a visit that returns false stops the walk. */
  forEachInOrder(visit: (slot: number) => void | boolean): void {
    const stack: number[] = [];
    let n = this.root;
    while (n !== NIL || stack.length > 0) {
      while (n !== NIL) {
        stack.push(n);
        n = this.l[n]!;
      }
      const top = stack.pop()!;
      if (visit(top) === false) return;
      n = this.r[top]!;
    }
  }
}
