import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { feasibleWorkload, rng } from '../../bench/engine/workload.ts';
import { KEY_GAP, RouteDrum, type RouteDrumOrder } from '../../src/engine/route-drum/route-drum.ts';
import type { WorkingTime } from '../../src/engine/working-time.ts';

/** The bench calendar (two shifts, Mon–Fri, Berlin, holidays) and its now. */
const { wt, now } = feasibleWorkload(1, 1);
const HORIZON = now + 40 * 365 * 1440; // 100k orders are about 13 years of drum work

/**
 * n orders in a feasible keyed sequence with ready times: about a third ready in the
 * future (anywhere the drum's backlog reaches), loads 1–60, each drum deadline its finish
 * in the semi-active plan plus 0–2 000 working minutes (sometimes 0).
 */
function keyedWorkload(w: WorkingTime, n: number, seed: number): RouteDrumOrder[] {
  const random = rng(seed);
  const c0 = w.cumulative(now);
  const span = n * 31; // roughly the drum minutes of the whole backlog
  let F = c0;
  const out: RouteDrumOrder[] = [];
  for (let i = 0; i < n; i++) {
    const load = 1 + Math.floor(random() * 60);
    const ready = random() < 0.35 ? w.instantAtCumulative(c0 + Math.floor(random() * span)) : now;
    F = Math.max(F, w.cumulative(ready)) + load;
    const slack = random() < 0.2 ? 0 : Math.floor(random() * 2000);
    out.push({ id: `o${i}`, load, ready, deadline: w.instantAtCumulative(F + slack), key: i * KEY_GAP });
  }
  return out;
}

function visitsPerQuote(n: number): { max: number; mean: number; commitMax: number } {
  const book = new RouteDrum(wt, keyedWorkload(wt, n, 5));
  expect(book.feasible(now)).toBe(true);
  const random = rng(9);
  const c0 = wt.cumulative(now);
  let max = 0;
  let sum = 0;
  const queries = 300;
  for (let i = 0; i < queries; i++) {
    const load = 1 + Math.floor(random() * 600);
    const ready = random() < 0.5 ? now : wt.instantAtCumulative(c0 + Math.floor(random() * n * 31));
    const v0 = book.visits;
    const q = book.quote(now, load, ready, HORIZON);
    const v = book.visits - v0;
    expect(q).not.toBeNull();
    max = Math.max(max, v);
    sum += v;
  }
  // commits (quote + mirror search + insert) at the quoted deadline plus up to a week of drum time
  let commitMax = 0;
  for (let i = 0; i < 100; i++) {
    const load = 1 + Math.floor(random() * 120);
    const ready = random() < 0.5 ? now : wt.instantAtCumulative(c0 + Math.floor(random() * n * 31));
    const q = book.quote(now, load, ready, HORIZON)!;
    const deadline = wt.instantAtCumulative(wt.cumulative(q.deadline) + Math.floor(random() * 4800));
    const v0 = book.visits;
    const c = book.commit(now, { id: `x${i}`, load, ready, deadline });
    expect(c).not.toBeNull();
    if (c!.rekeyed.length === 0) commitMax = Math.max(commitMax, book.visits - v0);
  }
  expect(book.feasible(now)).toBe(true);
  return { max, mean: sum / queries, commitMax };
}

describe('complexity guard: tree nodes visited (no wall clock)', () => {
  it('a quote and a commit visit O(log n) nodes at 10k and 100k orders', () => {
    const small = visitsPerQuote(10_000);
    const large = visitsPerQuote(100_000);
    // log2(100k) ≈ 17; a quote is a handful of root-to-leaf descents (the exact search prunes by subtree aggregates).
    console.log(`route-drum visits per quote: 10k ${JSON.stringify(small)}; 100k ${JSON.stringify(large)}`);
    for (const [n, r] of [
      [10_000, small],
      [100_000, large],
    ] as const) {
      const lg = Math.log2(n);
      expect(r.max).toBeLessThanOrEqual(12 * lg);
      expect(r.commitMax).toBeLessThanOrEqual(24 * lg);
    }
    // 10× more orders: the mean grows by about log(100k)/log(10k) = 1.25, far from 10.
    expect(large.mean / small.mean).toBeLessThan(2);
  });
});

describe('hundreds of orders (no brute force): random write streams keep the invariants', () => {
  it('commits at or after the quote, removals, facts and repositioning keep the book feasible; quotes are admissible and tight', () => {
    const arbOp = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('commit' as const),
          load: fc.integer({ min: 0, max: 300 }),
          readyDays: fc.integer({ min: -1, max: 20 }),
          extra: fc.nat(3000),
        }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('fact' as const), pick: fc.nat(), delay: fc.nat(3000) }) },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 400 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(arbOp, { minLength: 20, maxLength: 60 }),
        (n, seed, ops) => {
          const book = new RouteDrum(wt, keyedWorkload(wt, n, seed));
          let id = 0;
          for (const op of ops) {
            if (op.kind === 'commit') {
              const ready = op.readyDays < 0 ? now : now + op.readyDays * 1440;
              const q = book.quote(now, op.load, ready, HORIZON)!;
              expect(book.admits(now, op.load, ready, q.deadline)).toBe(true);
              if (q.deadline - 1 >= Math.max(now, ready)) expect(book.admits(now, op.load, ready, q.deadline - 1)).toBe(false);
              const c = book.commit(now, { id: `x${id++}`, load: op.load, ready, deadline: q.deadline + op.extra });
              expect(c).not.toBeNull();
            } else {
              const all = book.orders();
              const victim = all[op.pick % all.length]!;
              if (op.kind === 'remove') book.remove(victim.id);
              else {
                book.setReady(victim.id, Math.max(victim.ready, now) + op.delay, now);
                book.repositionLate(now);
              }
            }
            expect(book.feasible(now)).toBe(true);
          }
          // the plan agrees with the recursion and every order is on time
          let F = wt.cumulative(now);
          for (const p of book.plan(now)) {
            F = Math.max(F, wt.cumulative(p.ready)) + p.load;
            expect(p.finishCumulative).toBe(F);
            expect(p.late).toBe(false);
          }
          // an incremental book answers like a rebuild from its orders
          const rebuilt = new RouteDrum(wt, book.orders());
          for (const load of [1, 100, 500]) expect(rebuilt.quote(now, load, now, HORIZON)).toEqual(book.quote(now, load, now, HORIZON));
        },
      ),
      { numRuns: 40 },
    );
  });
});
