import { describe, expect, it } from 'vitest';
import { DrumBook } from '../../src/engine/drum-book.ts';
import { feasibleWorkload, rng } from '../../bench/engine/workload.ts';

const policy = { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2 };

/** Median time of one quote, over many batches (medians shrug off GC pauses and JIT warm-up). */
function medianQuoteMicros(book: DrumBook, now: number): number {
  const random = rng(7);
  const loads = Array.from({ length: 200 }, () => 1 + Math.floor(random() * 600));
  for (const l of loads) book.quote(now, l, { policy }); // warm-up
  const samples: number[] = [];
  for (let batch = 0; batch < 41; batch++) {
    const t = process.hrtime.bigint();
    for (const l of loads) book.quote(now, l, { policy });
    samples.push(Number(process.hrtime.bigint() - t) / 1000 / loads.length);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}

describe('complexity guard', () => {
  it('a quote at 10× more orders is not more than 3× slower (O(log n), not O(n))', () => {
    const small = feasibleWorkload(4_000, 1);
    const large = feasibleWorkload(40_000, 1, small.wt);
    const a = medianQuoteMicros(new DrumBook(small.wt, small.orders), small.now);
    const b = medianQuoteMicros(new DrumBook(large.wt, large.orders), large.now);
    expect(b / a, `quote ${a.toFixed(2)} µs at 4k, ${b.toFixed(2)} µs at 40k`).toBeLessThan(3);
  });

  it('an insert at 10× more orders is not more than 3× slower', () => {
    // Past the CPU caches (a few MB of nodes) the tree's pointer chasing costs a constant
    // factor once; compare sizes that are both beyond it so the guard sees only log n.
    const timeInserts = (n: number) => {
      const w = feasibleWorkload(n, 2);
      const book = new DrumBook(w.wt, w.orders);
      const random = rng(3);
      const extra = Array.from({ length: 2000 }, (_, i) => ({ id: `x${i}`, load: 10, deadline: w.orders[Math.floor(random() * n)]!.deadline, seq: n + i }));
      const samples: number[] = [];
      for (let round = 0; round < 16; round++) {
        const t = process.hrtime.bigint();
        for (const o of extra) book.insert(o);
        if (round > 0) samples.push(Number(process.hrtime.bigint() - t));
        for (const o of extra) book.remove(o.id);
      }
      return samples.sort((x, y) => x - y)[7]!;
    };
    timeInserts(5_000); // warm-up
    const a = timeInserts(20_000);
    const b = timeInserts(200_000);
    expect(b / a).toBeLessThan(3);
  });
});
