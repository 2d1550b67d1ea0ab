import { describe, expect, it } from 'vitest';
import { DrumBook } from '../../src/engine/drum-book.ts';
import type { DrumOrder } from '../../src/engine/drum-order.ts';
import type { WorkingTime } from '../../src/engine/working-time.ts';
import { feasibleWorkload, rng } from '../../bench/engine/workload.ts';

/** The earliest deadline by a linear scan over every insertion position, with capacity arithmetic but no tree. */
function linearEarliest(wt: WorkingTime, orders: readonly DrumOrder[], now: number, load: number): number {
  const seq = [...orders].sort((a, b) => a.deadline - b.deadline || a.seq - b.seq || (a.id < b.id ? -1 : 1));
  const c0 = wt.cumulative(now);
  const prefix: number[] = [0];
  for (const o of seq) prefix.push(prefix[prefix.length - 1]! + o.load);
  const sufMinSlack: number[] = new Array(seq.length + 1).fill(Infinity);
  for (let i = seq.length - 1; i >= 0; i--) {
    sufMinSlack[i] = Math.min(sufMinSlack[i + 1]!, wt.cumulative(seq[i]!.deadline) - c0 - prefix[i + 1]!);
  }
  for (let i = 0; i <= seq.length; i++) {
    if (sufMinSlack[i]! < load) continue;
    const need = c0 + prefix[i]! + load;
    const finish = need <= c0 ? now : wt.instantAtCumulative(need);
    const d = Math.max(now, finish, i > 0 ? seq[i - 1]!.deadline : -Infinity);
    if (i === seq.length || d < seq[i]!.deadline) return d;
  }
  return Infinity;
}

describe('a large book against a linear scan', () => {
  it('gives the same earliest deadline for many loads, before and after 2 000 random inserts and removals', () => {
    const w = feasibleWorkload(20_000, 11);
    const book = new DrumBook(w.wt, w.orders);
    const live = new Map(w.orders.map((o) => [o.id, o]));
    const random = rng(5);
    const check = () => {
      const orders = [...live.values()];
      for (let k = 0; k < 25; k++) {
        const load = Math.floor(random() * 3000);
        expect(book.earliestDeadline(w.now, load)).toBe(linearEarliest(w.wt, orders, w.now, load));
      }
    };
    check();
    const ids = [...live.keys()];
    for (let k = 0; k < 2000; k++) {
      if (random() < 0.5) {
        const id = ids[Math.floor(random() * ids.length)]!;
        if (live.delete(id)) book.remove(id);
      } else {
        const o = {
          id: `n${k}`,
          load: 1 + Math.floor(random() * 120),
          deadline: w.orders[Math.floor(random() * w.orders.length)]!.deadline + Math.floor(random() * 3) * 1440,
          seq: 100_000 + k,
        };
        book.insert(o);
        live.set(o.id, o);
      }
    }
    check();
  });
});
