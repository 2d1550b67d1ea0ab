import { CowMap } from './cow-map.ts';

/**
 * The reservations of one non-drum resource as intervals [a, a + p) of its cumulative
 * working time (`WorkingTime.cumulative`), never overlapping, p ≥ 1. A treap keyed by
 * `a`; each node keeps, for its subtree, the first start, the last end and the largest
 * free gap between two consecutive reservations inside the subtree, so the earliest
 * (latest) free stretch of p minutes after (before) a point is found in O(log m).
 *
 * Priorities are a hash of (order, position), ties broken by `a`: the shape of the treap
 * is a function of its set of reservations alone, so removing what was inserted (an
 * undo) restores the very same tree, and the engine stays deterministic.
 *
 * Nodes live in one Float64Array (6 numbers per slot) and four Int32Arrays: ~64 bytes a
 * reservation plus the order id reference, no per-node objects. This file holds the
 * storage and the treap; ledger-search.ts adds the searches.
 */
export const NIL = -1;
export const A = 0;
export const P = 1;
const PRIO = 2;
export const MINA = 3;
export const MAXEND = 4;
export const GAP = 5;
export const STRIDE = 6;

/** A deterministic 32-bit priority for (order, position): FNV-1a, then murmur3's finaliser. */
function reservationPriority(order: string, position: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < order.length; i++) {
    h ^= order.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= position | 0;
  h = Math.imul(h, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class ReservationStore {
  root = NIL;
  /** Nodes touched by the searches (firstFit, lastFit, find*) since the last reset: the complexity guard reads it. */
  visits = 0;
  protected f: Float64Array;
  protected l: Int32Array;
  protected r: Int32Array;
  private pos: Int32Array;
  /** Next slot of the same order on this resource (the per-order list), NIL at its end. */
  private link: Int32Array;
  private ords: Array<string | undefined>;
  /** Head slot of each order's list; NIL for an order whose reservations are all gone (swept later). */
  private byOrder = new CowMap<string, number>();
  private emptied = 0;
  private free: number[] = [];
  private used = 0;
  private count = 0;
  private splitL = NIL;
  private splitR = NIL;

  constructor(capacity = 16) {
    const c = Math.max(16, capacity);
    this.f = new Float64Array(c * STRIDE);
    this.l = new Int32Array(c);
    this.r = new Int32Array(c);
    this.pos = new Int32Array(c);
    this.link = new Int32Array(c);
    this.ords = new Array<string | undefined>(c);
  }

  get size(): number {
    return this.count;
  }

  a(i: number): number {
    return this.f[i * STRIDE + A]!;
  }

  minutes(i: number): number {
    return this.f[i * STRIDE + P]!;
  }

  order(i: number): string {
    return this.ords[i]!;
  }

  position(i: number): number {
    return this.pos[i]!;
  }

  /** The slot of (order, position), or NIL. O(reservations of that order here). */
  find(order: string, position: number): number {
    for (let i = this.byOrder.get(order) ?? NIL; i !== NIL; i = this.link[i]!) if (this.pos[i] === position) return i;
    return NIL;
  }

  /** A detached node; link it with insert() or build(). The caller checks overlaps. */
  alloc(order: string, position: number, a: number, p: number): number {
    let i = this.free.pop();
    if (i === undefined) {
      if (this.used === this.l.length) this.grow();
      i = this.used++;
    }
    const b = i * STRIDE;
    const f = this.f;
    f[b + A] = a;
    f[b + P] = p;
    f[b + PRIO] = reservationPriority(order, position);
    f[b + MINA] = a;
    f[b + MAXEND] = a + p;
    f[b + GAP] = 0;
    this.l[i] = NIL;
    this.r[i] = NIL;
    this.pos[i] = position;
    this.ords[i] = order;
    const head = this.byOrder.get(order);
    if (head === NIL) this.emptied--;
    this.link[i] = head ?? NIL;
    this.byOrder.set(order, i);
    this.count++;
    return i;
  }

  private release(i: number): void {
    const order = this.ords[i]!;
    const head = this.byOrder.get(order)!;
    if (head === i) {
      const next = this.link[i]!;
      this.byOrder.set(order, next);
      // An emptied order keeps its key (NIL): V8's Map is pathologically slow when one key
      // is deleted and set again and again (an undo, a quote's overlay); sweep them now and then.
      if (next === NIL && ++this.emptied > 1024 + this.count) this.sweepEmptied();
    } else {
      let k = head;
      while (this.link[k] !== i) k = this.link[k]!;
      this.link[k] = this.link[i]!;
    }
    this.ords[i] = undefined;
    this.free.push(i);
    this.count--;
  }

  private sweepEmptied(): void {
    this.byOrder.deleteWhere((head) => head === NIL);
    this.emptied = 0;
  }

  private grow(): void {
    const c = this.l.length * 2;
    const f = new Float64Array(c * STRIDE);
    f.set(this.f);
    this.f = f;
    for (const k of ['l', 'r', 'pos', 'link'] as const) {
      const x = new Int32Array(c);
      x.set(this[k]);
      this[k] = x;
    }
    this.ords.length = c;
  }

  private pull(n: number): void {
    const f = this.f;
    const b = n * STRIDE;
    const ln = this.l[n]!;
    const rn = this.r[n]!;
    const a = f[b + A]!;
    const end = a + f[b + P]!;
    let gap = 0;
    if (ln === NIL) f[b + MINA] = a;
    else {
      const lb = ln * STRIDE;
      f[b + MINA] = f[lb + MINA]!;
      gap = Math.max(f[lb + GAP]!, a - f[lb + MAXEND]!);
    }
    if (rn === NIL) f[b + MAXEND] = end;
    else {
      const rb = rn * STRIDE;
      f[b + MAXEND] = f[rb + MAXEND]!;
      gap = Math.max(gap, f[rb + GAP]!, f[rb + MINA]! - end);
    }
    f[b + GAP] = gap;
  }

  /** Heap order: higher priority nearer the root; ties to the smaller key, so the shape is canonical. */
  private above(x: number, y: number): boolean {
    const px = this.f[x * STRIDE + PRIO]!;
    const py = this.f[y * STRIDE + PRIO]!;
    return px > py || (px === py && this.f[x * STRIDE + A]! < this.f[y * STRIDE + A]!);
  }

  /** Splits t into keys < key (splitL) and keys >= key (splitR). */
  private split(t: number, key: number): void {
    if (t === NIL) {
      this.splitL = this.splitR = NIL;
      return;
    }
    if (this.f[t * STRIDE + A]! < key) {
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

  private merge(x: number, y: number): number {
    if (x === NIL) return y;
    if (y === NIL) return x;
    if (this.above(x, y)) {
      this.r[x] = this.merge(this.r[x]!, y);
      this.pull(x);
      return x;
    }
    this.l[y] = this.merge(x, this.l[y]!);
    this.pull(y);
    return y;
  }

  /** Links a node from alloc() into the tree. Its key must be new and must not overlap. */
  insert(n: number): void {
    this.root = this.insertAt(this.root, n);
  }

  private insertAt(t: number, n: number): number {
    if (t === NIL) return n;
    if (this.above(n, t)) {
      this.split(t, this.f[n * STRIDE + A]!);
      this.l[n] = this.splitL;
      this.r[n] = this.splitR;
      this.pull(n);
      return n;
    }
    if (this.f[n * STRIDE + A]! < this.f[t * STRIDE + A]!) this.l[t] = this.insertAt(this.l[t]!, n);
    else this.r[t] = this.insertAt(this.r[t]!, n);
    this.pull(t);
    return t;
  }

  /** Unlinks node i (found by its key) and frees its slot. */
  remove(i: number): void {
    this.root = this.removeAt(this.root, this.f[i * STRIDE + A]!);
    this.release(i);
  }

  private removeAt(t: number, key: number): number {
    const a = this.f[t * STRIDE + A]!;
    if (a === key) return this.merge(this.l[t]!, this.r[t]!);
    if (key < a) this.l[t] = this.removeAt(this.l[t]!, key);
    else this.r[t] = this.removeAt(this.r[t]!, key);
    this.pull(t);
    return t;
  }

  /**
   * Builds the tree from nodes already alloc()ed, given in increasing, non-overlapping
   * key order: O(m) (the Cartesian tree of the priorities, with a stack).
   */
  build(sorted: ArrayLike<number>): void {
    const stack: number[] = [];
    for (let k = 0; k < sorted.length; k++) {
      const n = sorted[k]!;
      let last = NIL;
      while (stack.length > 0 && this.above(n, stack[stack.length - 1]!)) {
        last = stack.pop()!;
        this.pull(last);
      }
      this.l[n] = last;
      if (stack.length > 0) this.r[stack[stack.length - 1]!] = n;
      stack.push(n);
    }
    this.root = stack.length > 0 ? stack[0]! : NIL;
    while (stack.length > 0) this.pull(stack.pop()!);
  }

  /**
   * Makes this (new) store a copy of `from`: the same slots, links and shape, so a copy
   * costs a few array copies and no per-reservation work (the order index is shared).
   */
  copyFrom(from: ReservationStore): void {
    this.root = from.root;
    this.f = from.f.slice();
    this.l = from.l.slice();
    this.r = from.r.slice();
    this.pos = from.pos.slice();
    this.link = from.link.slice();
    this.ords = from.ords.slice();
    this.byOrder = from.byOrder.share();
    this.emptied = from.emptied;
    this.free = from.free.slice();
    this.used = from.used;
    this.count = from.count;
  }

  /**
   * Gives every node the key `next(slot)`, called in key order. The new keys must keep that
   * order (strictly) and not overlap: then the treap keeps its shape (priorities and the
   * order of keys alone decide it), and only the aggregates need recomputing. O(m).
   */
  remap(next: (slot: number) => number): void {
    this.forEach((i) => {
      this.f[i * STRIDE + A] = next(i);
    });
    const fix = (t: number): void => {
      if (t === NIL) return;
      fix(this.l[t]!);
      fix(this.r[t]!);
      this.pull(t);
    };
    fix(this.root);
  }

  /** Calls visit(slot) for every node in key order. */
  forEach(visit: (slot: number) => void): void {
    const stack: number[] = [];
    let t = this.root;
    while (t !== NIL || stack.length > 0) {
      while (t !== NIL) {
        stack.push(t);
        t = this.l[t]!;
      }
      t = stack.pop()!;
      visit(t);
      t = this.r[t]!;
    }
  }

  /** Diagnostics for tests: the keys in pre-order (the tree's shape) and the depth. */
  shape(): { preorder: number[]; depth: number } {
    const preorder: number[] = [];
    let depth = 0;
    const walk = (t: number, d: number): void => {
      if (t === NIL) return;
      depth = Math.max(depth, d);
      preorder.push(this.f[t * STRIDE + A]!);
      walk(this.l[t]!, d + 1);
      walk(this.r[t]!, d + 1);
    };
    walk(this.root, 1);
    return { preorder, depth };
  }

  /** Diagnostics for tests: throws when an order, heap or aggregate invariant fails. */
  check(): void {
    const walk = (t: number, lo: number, hi: number): void => {
      if (t === NIL) return;
      const b = t * STRIDE;
      const a = this.f[b + A]!;
      if (a < lo || a + this.f[b + P]! > hi) throw new Error(`reservation ${a} out of order or overlapping`);
      for (const c of [this.l[t]!, this.r[t]!]) if (c !== NIL && this.above(c, t)) throw new Error(`heap order broken at ${a}`);
      walk(this.l[t]!, lo, a);
      walk(this.r[t]!, a + this.f[b + P]!, hi);
      const saved = [this.f[b + MINA], this.f[b + MAXEND], this.f[b + GAP]];
      this.pull(t);
      const now = [this.f[b + MINA], this.f[b + MAXEND], this.f[b + GAP]];
      if (saved.some((v, k) => v !== now[k])) throw new Error(`stale aggregate at ${a}`);
    };
    walk(this.root, -Infinity, Infinity);
  }
}
