import { A, GAP, MAXEND, MINA, NIL, P, ReservationStore, STRIDE } from './ledger-tree.ts';

/**
 * The searches over a ReservationStore, in cumulative minutes. Each is one descent along
 * the search key plus, for the subtrees entirely on one side of it, an O(1) test on
 * their first start, last end and largest inner gap: a subtree is entered only when the
 * answer lies inside it, so a search visits O(depth) = O(log m) nodes.
 */
export class ReservationTree extends ReservationStore {
  // Search state, kept in fields so a search allocates nothing.
  private sp = 0;
  private sBound = 0;
  private sCursor = 0;

  /** The last node with key < x, or NIL. */
  lastBefore(x: number): number {
    let t = this.root;
    let best = NIL;
    while (t !== NIL) {
      this.visits++;
      if (this.f[t * STRIDE + A]! < x) {
        best = t;
        t = this.r[t]!;
      } else t = this.l[t]!;
    }
    return best;
  }

  /** The first node with key > x, or NIL. */
  firstAfter(x: number): number {
    let t = this.root;
    let best = NIL;
    while (t !== NIL) {
      this.visits++;
      if (this.f[t * STRIDE + A]! > x) {
        best = t;
        t = this.l[t]!;
      } else t = this.r[t]!;
    }
    return best;
  }

  /** True when [a, a + p) meets no reservation. */
  isFree(a: number, p: number): boolean {
    const before = this.lastBefore(a + p);
    return before === NIL || this.f[before * STRIDE + A]! + this.f[before * STRIDE + P]! <= a;
  }

  /** The least x >= lo with [x, x + p) free. */
  firstFit(lo: number, p: number): number {
    const pred = this.lastBefore(lo);
    const x0 = pred === NIL ? lo : Math.max(lo, this.f[pred * STRIDE + A]! + this.f[pred * STRIDE + P]!);
    this.sp = p;
    this.sBound = x0;
    this.sCursor = x0; // end of the last reservation passed so far
    const found = this.firstPartial(this.root);
    return found === found ? found : this.sCursor;
  }

  /** Subtree possibly holding keys < sBound: only keys >= sBound take part. */
  private firstPartial(t: number): number {
    if (t === NIL) return NaN;
    this.visits++;
    const b = t * STRIDE;
    if (this.f[b + A]! < this.sBound) return this.firstPartial(this.r[t]!);
    const found = this.firstPartial(this.l[t]!);
    if (found === found) return found;
    if (this.f[b + A]! - this.sCursor >= this.sp) return this.sCursor;
    this.sCursor = this.f[b + A]! + this.f[b + P]!;
    return this.firstFull(this.r[t]!);
  }

  /** Subtree entirely after the cursor: answers in O(1) unless the fit lies inside, then descends once. */
  private firstFull(t: number): number {
    if (t === NIL) return NaN;
    this.visits++;
    const f = this.f;
    const b = t * STRIDE;
    const p = this.sp;
    if (f[b + MINA]! - this.sCursor >= p) return this.sCursor;
    if (f[b + GAP]! < p) {
      this.sCursor = f[b + MAXEND]!;
      return NaN;
    }
    const found = this.firstFull(this.l[t]!);
    if (found === found) return found;
    if (f[b + A]! - this.sCursor >= p) return this.sCursor;
    this.sCursor = f[b + A]! + f[b + P]!;
    return this.firstFull(this.r[t]!);
  }

  /** The greatest x with x + p <= hi and [x, x + p) free. */
  lastFit(hi: number, p: number): number {
    const pred = this.lastBefore(hi);
    const y0 = pred !== NIL && this.f[pred * STRIDE + A]! + this.f[pred * STRIDE + P]! > hi ? this.f[pred * STRIDE + A]! : hi;
    this.sp = p;
    this.sBound = y0;
    this.sCursor = y0; // start of the last reservation passed so far (walking backwards)
    const found = this.lastPartial(this.root);
    return found === found ? found : this.sCursor - p;
  }

  private lastPartial(t: number): number {
    if (t === NIL) return NaN;
    this.visits++;
    const b = t * STRIDE;
    if (this.f[b + A]! >= this.sBound) return this.lastPartial(this.l[t]!);
    const found = this.lastPartial(this.r[t]!);
    if (found === found) return found;
    if (this.sCursor - (this.f[b + A]! + this.f[b + P]!) >= this.sp) return this.sCursor - this.sp;
    this.sCursor = this.f[b + A]!;
    return this.lastFull(this.l[t]!);
  }

  private lastFull(t: number): number {
    if (t === NIL) return NaN;
    this.visits++;
    const f = this.f;
    const b = t * STRIDE;
    const p = this.sp;
    if (this.sCursor - f[b + MAXEND]! >= p) return this.sCursor - p;
    if (f[b + GAP]! < p) {
      this.sCursor = f[b + MINA]!;
      return NaN;
    }
    const found = this.lastFull(this.r[t]!);
    if (found === found) return found;
    if (this.sCursor - (f[b + A]! + f[b + P]!) >= p) return this.sCursor - p;
    this.sCursor = f[b + A]!;
    return this.lastFull(this.l[t]!);
  }
}
