import { describe, expect, it } from 'vitest';
import { DrumBook } from '../../src/engine/drum-book.ts';
import type { DrumOrder } from '../../src/engine/drum-order.ts';
import { feasibleWorkload, rng } from '../../bench/engine/workload.ts';

const policy = { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2 };

/**
 * Times `small` and `large` alternately, round after round, and returns the median of the
 * per-round ratios: the machine is shared, and interleaving makes a burst of load hit
 * both sides of a ratio rather than one.
 */
function medianRatio(rounds: number, small: () => void, large: () => void): number {
  const time = (f: () => void) => {
    const t = process.hrtime.bigint();
    f();
    return Number(process.hrtime.bigint() - t);
  };
  small();
  large(); // warm-up
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) ratios.push(time(large) / time(small));
  ratios.sort((a, b) => a - b);
  return ratios[ratios.length >> 1]!;
}

describe('complexity guard (loose, to catch O(n) regressions; exact timings are in bench/engine)', () => {
  it('a quote at 10× more orders is not more than 3× slower', () => {
    const small = feasibleWorkload(4_000, 1);
    const large = feasibleWorkload(40_000, 1, small.wt);
    const a = new DrumBook(small.wt, small.orders, policy);
    const b = new DrumBook(large.wt, large.orders, policy);
    const random = rng(7);
    const loads = Array.from({ length: 300 }, () => 1 + Math.floor(random() * 600));
    const ratio = medianRatio(
      41,
      () => loads.forEach((l) => a.quote(small.now, l)),
      () => loads.forEach((l) => b.quote(large.now, l)),
    );
    expect(ratio).toBeLessThan(3);
  });

  it('an insert (and its removal) at 10× more orders is not more than 3× slower', () => {
    // Sizes both past the CPU caches, so the ratio shows log n, not the one-off cost of
    // the tree no longer fitting in cache.
    const setup = (n: number) => {
      const w = feasibleWorkload(n, 2);
      const book = new DrumBook(w.wt, w.orders);
      const random = rng(3);
      const extra: DrumOrder[] = Array.from({ length: 1000 }, (_, i) => ({
        id: `x${i}`,
        load: 10,
        deadline: w.orders[Math.floor(random() * n)]!.deadline,
        seq: n + i,
      }));
      return () => {
        for (const o of extra) book.insert(o);
        for (const o of extra) book.remove(o.id);
      };
    };
    const ratio = medianRatio(21, setup(20_000), setup(200_000));
    expect(ratio).toBeLessThan(3);
  });
});
