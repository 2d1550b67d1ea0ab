import type { DrumOrder } from './drum-order.ts';

/**
 * The unpinned orders in drum sequence (deadline, seq, id), as a treap augmented so
 * that the quote's questions are answered in O(log n) without knowing `now`.
 *
 * For the order at sequence index i, with prefix_i its load plus the loads before it:
 *   K_i = cumulative(D_i)     − prefix_i         (its slack is K_i − base)
 *   W_i = cumulative(D_i − 1) − (prefix_i − L_i) (a new order fits in the gap just before
 *                                                  D_i iff W_i − base ≥ its load)
 * where base = cumulative(now) + pinned load. Each node stores the min K and max W of its
 * subtree relative to the subtree's first element (so an insert never has to touch the
 * nodes after it: the shift by a prefix is applied while walking down).
 */
export interface TreeNode {
  readonly order: DrumOrder;
  readonly load: number;
  readonly deadline: number;
  readonly seq: number;
  /** cumulative(deadline) and cumulative(deadline − 1) of the drum calendar */
  readonly cD: number;
  readonly cDm1: number;
  prio: number;
  left: TreeNode | null;
  right: TreeNode | null;
  sum: number;
  minK: number;
  maxW: number;
}

export function makeNode(order: DrumOrder, cD: number, cDm1: number, prio: number): TreeNode {
  return { order, load: order.load, deadline: order.deadline, seq: order.seq, cD, cDm1, prio, left: null, right: null, sum: order.load, minK: cD - order.load, maxW: cDm1 };
}

export function pull(n: TreeNode): void {
  const l = n.left;
  const r = n.right;
  const ls = l ? l.sum : 0;
  const upTo = ls + n.load;
  let minK = n.cD - upTo;
  let maxW = n.cDm1 - ls;
  let sum = upTo;
  if (l) {
    if (l.minK < minK) minK = l.minK;
    if (l.maxW > maxW) maxW = l.maxW;
  }
  if (r) {
    if (r.minK - upTo < minK) minK = r.minK - upTo;
    if (r.maxW - upTo > maxW) maxW = r.maxW - upTo;
    sum += r.sum;
  }
  n.sum = sum;
  n.minK = minK;
  n.maxW = maxW;
}

/** Drum order (deadline, seq, id), as compareByDeadline, on the node's own fields: the hot path of every insert. */
function less(a: TreeNode, b: TreeNode): boolean {
  if (a.deadline !== b.deadline) return a.deadline < b.deadline;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return a.order.id < b.order.id;
}

// split() hands back its two halves here rather than in a fresh array per level.
let splitLeft: TreeNode | null = null;
let splitRight: TreeNode | null = null;

/** Splits t into (< key, >= key), left in splitLeft, right in splitRight. */
function split(t: TreeNode | null, key: TreeNode): void {
  if (!t) {
    splitLeft = splitRight = null;
    return;
  }
  if (less(t, key)) {
    split(t.right, key);
    t.right = splitLeft;
    pull(t);
    splitLeft = t;
  } else {
    split(t.left, key);
    t.left = splitRight;
    pull(t);
    splitRight = t;
  }
}

function merge(a: TreeNode | null, b: TreeNode | null): TreeNode | null {
  if (!a) return b;
  if (!b) return a;
  if (a.prio > b.prio) {
    a.right = merge(a.right, b);
    pull(a);
    return a;
  }
  b.left = merge(a, b.left);
  pull(b);
  return b;
}

export function insertNode(t: TreeNode | null, n: TreeNode): TreeNode {
  if (!t) return n;
  if (n.prio > t.prio) {
    split(t, n);
    n.left = splitLeft;
    n.right = splitRight;
    pull(n);
    return n;
  }
  if (less(n, t)) t.left = insertNode(t.left, n);
  else t.right = insertNode(t.right, n);
  pull(t);
  return t;
}

export function removeNode(t: TreeNode | null, n: TreeNode): TreeNode | null {
  if (!t) return null;
  if (t === n) return merge(t.left, t.right);
  if (less(n, t)) t.left = removeNode(t.left, n);
  else t.right = removeNode(t.right, n);
  pull(t);
  return t;
}

/**
 * O(n) build from nodes already in drum sequence: a balanced tree whose priorities are
 * drawn as a random treap's would be (a subtree of k nodes has the max of k uniforms
 * below its parent's, i.e. parent × U^(1/k)), so later random inserts keep it balanced.
 * `uniform` returns numbers in (0, 1).
 */
export function buildTree(sorted: readonly TreeNode[], uniform: () => number): TreeNode | null {
  const build = (lo: number, hi: number, parentPrio: number): TreeNode | null => {
    if (lo >= hi) return null;
    const mid = (lo + hi) >>> 1;
    const n = sorted[mid]!;
    n.prio = parentPrio * Math.pow(uniform(), 1 / (hi - lo));
    n.left = build(lo, mid, n.prio);
    n.right = build(mid + 1, hi, n.prio);
    pull(n);
    return n;
  };
  return build(0, sorted.length, PRIO_SCALE);
}

/** Priorities are uniform in [0, PRIO_SCALE). */
export const PRIO_SCALE = 2 ** 32;

/** Total load of the orders with deadline <= d. */
export function loadUpTo(root: TreeNode | null, d: number): number {
  let acc = 0;
  for (let n = root; n; ) {
    if (n.deadline <= d) {
      acc += (n.left ? n.left.sum : 0) + n.load;
      n = n.right;
    } else n = n.left;
  }
  return acc;
}

/** The last order in sequence whose K is below target (i.e. whose slack is below target − base), or null. */
export function lastWithKBelow(root: TreeNode | null, target: number): TreeNode | null {
  let off = 0;
  let n = root;
  if (!n || n.minK >= target) return null;
  while (n) {
    const ls = n.left ? n.left.sum : 0;
    const upTo = off + ls + n.load;
    if (n.right && n.right.minK - upTo < target) {
      off = upTo;
      n = n.right;
    } else if (n.cD - upTo < target) return n;
    else n = n.left;
  }
  return null;
}

/** min K over the orders with deadline > d (Infinity when none). */
export function minKAfter(root: TreeNode | null, d: number): number {
  let off = 0;
  let best = Infinity;
  for (let n = root; n; ) {
    const ls = n.left ? n.left.sum : 0;
    const upTo = off + ls + n.load;
    if (n.deadline <= d) {
      off = upTo;
      n = n.right;
    } else {
      if (n.cD - upTo < best) best = n.cD - upTo;
      if (n.right && n.right.minK - upTo < best) best = n.right.minK - upTo;
      n = n.left;
    }
  }
  return best;
}

export interface GapHit {
  node: TreeNode;
  /** load of every order before node in sequence */
  before: number;
}

/** The first order with deadline > d whose W is at least target, or null. */
export function firstGapAfter(root: TreeNode | null, d: number, target: number): GapHit | null {
  return constrained(root, 0, d, target);
}

function constrained(n: TreeNode | null, off: number, d: number, target: number): GapHit | null {
  while (n && n.deadline <= d) {
    off += (n.left ? n.left.sum : 0) + n.load;
    n = n.right;
  }
  if (!n || n.maxW - off < target) return null;
  const hit = constrained(n.left, off, d, target);
  if (hit) return hit;
  const ls = n.left ? n.left.sum : 0;
  if (n.cDm1 - (off + ls) >= target) return { node: n, before: off + ls };
  return firstGap(n.right, off + ls + n.load, target);
}

function firstGap(root: TreeNode | null, off: number, target: number): GapHit | null {
  let n = root;
  if (!n || n.maxW - off < target) return null;
  while (n) {
    const l: TreeNode | null = n.left;
    if (l && l.maxW - off >= target) {
      n = l;
      continue;
    }
    const ls = l ? l.sum : 0;
    if (n.cDm1 - (off + ls) >= target) return { node: n, before: off + ls };
    off += ls + n.load;
    n = n.right;
  }
  return null;
}

/** Visits the orders in drum sequence with the load before each. */
export function forEachInOrder(root: TreeNode | null, visit: (n: TreeNode, before: number) => void): void {
  const stack: TreeNode[] = [];
  let before = 0;
  let n = root;
  while (n || stack.length > 0) {
    while (n) {
      stack.push(n);
      n = n.left;
    }
    const top = stack.pop()!;
    visit(top, before);
    before += top.load;
    n = top.right;
  }
}
