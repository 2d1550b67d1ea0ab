import { describe, expect, it } from 'vitest';
import { workingTimeFromIntervals } from '../../src/engine/calendar.ts';
import { RouteDrum, type RouteDrumOrder } from '../../src/engine/route-drum/route-drum.ts';
import { Bitmap, bruteCommitPosition, bruteQuote, T0, type BOrder } from './route-drum-brute.ts';

// Review of the exact tree searches (engine branch, commit 3400cc8 / 042e726): the quote's q0
// (RouteDrumTree.firstValid) and the commit position (lastValid) with no jump cap.

const END = T0 + 100_000_000;
/** The drum always works: c(t) = t − T0. */
const wt = workingTimeFromIntervals([[T0, END]]);
const c = (t: number) => t - T0;

/** A deterministic LCG in [0, 1). */
const lcg = (seed: number) => {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
};

describe('review: the exact search is O(log n) (tree nodes visited, no wall clock)', () => {
  /**
   * Books as route-drum.exact-search.test.ts draws them (loads 0–29, ready times near the
   * previous finish, 30 % of the orders at risk), but with idle gaps rare (5 % of orders wait
   * 0–119 minutes): the shape of a loaded drum with a few orders waiting for material.
   */
  function book(n: number, seed: number): { drum: RouteDrum; F: number; random: () => number } {
    const random = lcg(seed * 7919);
    const orders: RouteDrumOrder[] = [];
    let F = 0;
    for (let i = 0; i < n; i++) {
      const load = Math.floor(random() * 30);
      const gap = random() < 0.95 ? Math.floor(random() * 4) : Math.floor(random() * 120);
      const ready = T0 + Math.max(0, F + gap - Math.floor(random() * 40));
      F = Math.max(F, ready - T0) + load;
      const o: RouteDrumOrder = { id: `o${i}`, load, ready, key: i * 8, deadline: T0 + F + Math.floor(random() * 140) };
      if (random() < 0.3) {
        o.deadline = random() < 0.5 ? T0 + Math.max(0, F - 1 - Math.floor(random() * 300)) : T0 + F + Math.floor(random() * 50);
        o.effectiveDeadline = Math.max(o.deadline + 1, T0 + F + Math.floor(random() * 60));
      }
      orders.push(o);
    }
    return { drum: new RouteDrum(wt, orders), F, random };
  }

  /** The most nodes one quote or one commit position visits, over 4 books × 60 requests. */
  function maxVisits(n: number): number {
    let max = 0;
    for (const seed of [9, 13, 25, 29]) {
      const { drum, F, random } = book(n, seed);
      for (let k = 0; k < 60; k++) {
        const p = Math.floor(random() * 200);
        const ready = T0 + Math.floor(random() * F);
        const v0 = drum.visits;
        const q = drum.quote(T0, p, ready, END)!;
        const v1 = drum.visits;
        drum.commitPosition(T0, p, ready, q.deadline + Math.floor(random() * 5000));
        max = Math.max(max, v1 - v0, drum.visits - v1);
      }
    }
    return max;
  }

  // The builder's claim (3400cc8: "O(log n) visits (complexity guard)"; 042e726: "mean 42 per
  // quote, 76 per commit position at 100k") is guarded only on the all-late book. On these
  // books the walk of firstIn/lastIn enters subtrees MAXG and the suffix bound cannot prune
  // (MAXG is computed with the subtree's own needs, so it overestimates wherever the need
  // before the subtree is higher). Measured here: max visits 223 at 2k, 942 at 64k orders
  // (scratch runs of the same shape: ~750 at 20k, ~2 100 at 200k; with no order at risk at
  // all 224 at 2k, 926 at 64k): about √n, not log n. The capped jump search it replaced
  // was bounded by 33 rounds of O(log n) descents. Expected: the guard the builder applies to the all-late book,
  // ≤ 16·log2 n and a 32× larger book costing < 2.5× the visits.
  // Still open after engine-fix (f73612e): max 223 / 424 / 672 / 942 visits at 2k / 8k / 32k / 64k.
  // A sound bound needs max g over only the boundaries whose own M exceeds the context (a suffix
  // of the subtree's boundaries), which MAXG cannot give in O(1): a "prefix-max" segment tree
  // gives it in O(log n) per node, so O(log² n) per search and per update; not done.
  it.fails('a quote and a commit position visit O(log n) nodes on random books with orders at risk', () => {
    const small = maxVisits(2_000);
    const large = maxVisits(64_000);
    expect(small).toBeLessThanOrEqual(16 * Math.log2(2_000));
    expect(large).toBeLessThanOrEqual(16 * Math.log2(64_000));
    expect(large / small).toBeLessThan(2.5);
  });
});

describe('review: a gap exactly the new order’s length (boundary of firstIn/lastIn)', () => {
  // The builder reported that `>=` → `>` in the commit-side search survives the suite; so do
  // the same flips in firstIn (q valid, and `edge < p` → `edge <= p`) and in lastIn's edge
  // prune: random loads rarely make min K' − M equal the new load. Here the load is chosen so
  // that one position is valid with no minute to spare, and the answer is checked against the
  // independent minute-by-minute enumeration (route-drum-brute.ts). The code is right at the
  // boundary; these pin it (each of the four mutants fails this test).
  it('quote position and deadline, and the commit position, equal the enumeration when a gap fits exactly', () => {
    const bm = new Bitmap(new Uint8Array(3 * 1440).fill(1));
    const random = lcg(7);
    let checked = 0;
    for (let run = 0; run < 6000; run++) {
      const n = 3 + Math.floor(random() * 30);
      const orders: RouteDrumOrder[] = [];
      let F = 0;
      for (let i = 0; i < n; i++) {
        const load = 1 + Math.floor(random() * 20);
        const ready = T0 + F + (random() < 0.6 ? 0 : Math.floor(random() * 40));
        F = ready - T0 + load;
        const o: RouteDrumOrder = { id: `o${i}`, load, ready, key: i * 8, deadline: T0 + F + Math.floor(random() * 30) };
        if (random() < 0.3) {
          o.deadline = T0 + Math.max(0, F - 1 - Math.floor(random() * 50));
          o.effectiveDeadline = T0 + F + Math.floor(random() * 10);
        }
        orders.push(o);
      }
      // The definition's M_q and min_{k>q} K'_k, only to pick an exact-fit load p.
      const prefix = [0];
      const M = [0];
      const K = [0];
      for (let k = 1; k <= n; k++) {
        const o = orders[k - 1]!;
        prefix.push(prefix[k - 1]! + o.load);
        M.push(Math.max(M[k - 1]!, c(o.ready) - prefix[k - 1]!));
        const kk = c(o.effectiveDeadline ?? o.deadline) - prefix[k]!;
        K.push(o.effectiveDeadline !== undefined ? Math.min(kk, Math.max(c(o.deadline) - prefix[k]!, M[k]!)) : kk);
      }
      const after = new Array<number>(n + 1).fill(Infinity);
      for (let q = n - 1; q >= 0; q--) after[q] = Math.min(after[q + 1]!, K[q + 1]!);
      const q = Math.floor(random() * n);
      const p = after[q]! - M[q]!;
      if (!(p >= 1 && p < 200)) continue;
      // a deadline whose q_max is an invalid position after q (so lastValid runs), when there is one
      let qm = q + 1;
      while (qm < n && after[qm]! >= M[qm]! + p) qm++;
      const deadline = T0 + (qm < n ? M[qm]! + prefix[qm]! + p : F + p + 50);
      const seq: BOrder[] = orders.map((o) => ({
        id: o.id,
        load: o.load,
        ready: o.ready,
        deadline: o.deadline,
        eff: o.effectiveDeadline ?? o.deadline,
        pinned: false,
      }));
      const x = { load: p, ready: T0 };
      const drum = new RouteDrum(wt, orders);
      const quote = drum.quote(T0, p, T0, END)!;
      const brute = bruteQuote(bm, T0, seq, x)!;
      expect(quote.position, JSON.stringify({ orders, p })).toBe(brute.valid[0]!.q);
      expect(quote.deadline).toBe(brute.deadline);
      if (deadline >= quote.deadline) {
        expect(drum.commitPosition(T0, p, T0, deadline)?.position, JSON.stringify({ orders, p, deadline })).toBe(
          bruteCommitPosition(bm, T0, seq, x, deadline),
        );
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(500);
  });
});
