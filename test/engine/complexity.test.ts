import { describe, expect, it } from 'vitest';
import { DrumBook } from '../../src/engine/drum-book.ts';
import type { DrumOrder } from '../../src/engine/drum-order.ts';
import { resetTreeVisits, treeVisits } from '../../src/engine/drum-tree.ts';
import { feasibleWorkload, rng, type Workload } from '../../bench/engine/workload.ts';

/**
 * The complexity guard counts work, not time: the engine's tree counts every node it
 * visits (treeVisits), so the bound holds on a busy machine and fails on an O(n)
 * regression however fast the machine is. Exact timings are in bench/engine.
 */

const policy = { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2 };
const SIZES = [1_000, 10_000, 100_000] as const;
/** Expected treap depth is ~2 ln n ≈ 1.4 log2 n; a query walks one or two paths. */
const PER_LOG2N = 4;

function visitsOf(f: () => void): number {
  resetTreeVisits();
  f();
  return treeVisits();
}

/** The most visits any of `ops` costs, and their mean. */
function cost(ops: Array<() => void>): { max: number; mean: number } {
  let max = 0;
  let sum = 0;
  for (const op of ops) {
    const v = visitsOf(op);
    max = Math.max(max, v);
    sum += v;
  }
  return { max, mean: sum / ops.length };
}

/** A book over n orders, built in one go (balanced build) or by n random inserts (treap). */
function bookOf(w: Workload, how: 'build' | 'inserts'): DrumBook {
  if (how === 'build') return new DrumBook(w.wt, w.orders, policy);
  const book = new DrumBook(w.wt, [], policy);
  for (const o of w.orders) book.insert(o);
  return book;
}

function quoteOps(book: DrumBook, w: Workload): Array<() => void> {
  const random = rng(7);
  const deadlines = w.orders.map((o) => o.deadline);
  return Array.from({ length: 200 }, (_, i) => {
    const load = 1 + Math.floor(random() * 600);
    const deadline = deadlines[Math.floor(random() * deadlines.length)]!;
    // Quotes, and the price-of-date question (deficit) at a deadline inside the book.
    return i % 2 === 0 ? () => void book.quote(w.now, load) : () => void book.deficit(w.now, load, deadline);
  });
}

function insertRemoveOps(book: DrumBook, w: Workload): Array<() => void> {
  const random = rng(3);
  const n = w.orders.length;
  return Array.from({ length: 200 }, (_, i) => {
    const o: DrumOrder = { id: `x${i}`, load: 10, deadline: w.orders[Math.floor(random() * n)]!.deadline, seq: n + i };
    return () => {
      book.insert(o);
      book.remove(o.id);
    };
  });
}

describe('complexity guard: node visits per operation grow as log n', () => {
  for (const how of ['build', 'inserts'] as const) {
    describe(`on a book made by ${how === 'build' ? 'a bulk build' : 'random inserts'}`, () => {
      // Measured inside each test (not in a beforeAll), so mutation testing's per-test
      // coverage knows which tests reach the tree.
      const measure = (what: 'quote' | 'insert') =>
        SIZES.map((n) => {
          const w = feasibleWorkload(n, 1);
          const book = bookOf(w, how);
          return { n, ...cost(what === 'quote' ? quoteOps(book, w) : insertRemoveOps(book, w)) };
        });

      it(`a quote or deficit visits at most ${PER_LOG2N}·log2 n nodes at every size`, () => {
        for (const m of measure('quote')) {
          expect(m.mean, `mean at n=${m.n}`).toBeGreaterThan(0); // the counter counts
          expect(m.max, `max at n=${m.n}`).toBeLessThanOrEqual(PER_LOG2N * Math.log2(m.n));
        }
      });

      it(`an insert and its removal visit at most 2·${PER_LOG2N}·log2 n nodes at every size`, () => {
        for (const m of measure('insert')) {
          expect(m.mean, `mean at n=${m.n}`).toBeGreaterThan(0);
          expect(m.max, `max at n=${m.n}`).toBeLessThanOrEqual(2 * PER_LOG2N * Math.log2(m.n));
        }
      });

      it('100× more orders cost at most 2.5× the visits (log: 1.7×, √n: 10×, n: 100×)', () => {
        const [qSmall, , qLarge] = measure('quote');
        const [iSmall, , iLarge] = measure('insert');
        expect(qLarge!.mean / qSmall!.mean).toBeLessThanOrEqual(2.5);
        expect(iLarge!.mean / iSmall!.mean).toBeLessThanOrEqual(2.5);
      });
    });
  }
});
