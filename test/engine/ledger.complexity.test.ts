import { describe, expect, it } from 'vitest';
import { rng } from '../../bench/engine/workload.ts';
import { workingTimeFromIntervals } from '../../src/engine/calendar.ts';
import { LedgerSet, type ChainOp } from '../../src/engine/ledger-set.ts';
import { Ledger } from '../../src/engine/ledger.ts';

/**
 * Complexity guard by counting tree nodes visited (no clock): a search on a ledger of m
 * reservations visits O(log m) nodes, whatever the gaps. Reservations of 1–60 minutes
 * with mostly no gap and some of 1–30 minutes, so a search for more than 30 minutes must
 * pass every small gap: a linear scan would visit ~m nodes.
 */
const T0 = Date.UTC(2026, 0, 1) / 60_000;
const wt = workingTimeFromIntervals([[T0, T0 + 20_000_000]]);

function ledgerOf(m: number, seed: number): Ledger {
  const random = rng(seed);
  const entries = [];
  let t = T0;
  for (let k = 0; k < m; k++) {
    const minutes = 1 + Math.floor(random() * 60);
    entries.push({ order: `o${k}`, position: 1, start: t, minutes });
    t += minutes + (random() < 0.6 ? 0 : 1 + Math.floor(random() * 30));
  }
  return Ledger.fromStarts(wt, entries);
}

function visitsPerSearch(ledger: Ledger, seed: number, search: (l: Ledger, t: number, p: number) => unknown) {
  const random = rng(seed);
  const end = wt.instantAtCumulative(ledger.entries().at(-1)!.a + 1000);
  const counts: number[] = [];
  for (let q = 0; q < 2000; q++) {
    const t = T0 + Math.floor(random() * (end - T0));
    const p = random() < 0.5 ? 1 + Math.floor(random() * 30) : 31 + Math.floor(random() * 200);
    ledger.resetVisits();
    search(ledger, t, p);
    counts.push(ledger.visits);
  }
  counts.sort((x, y) => x - y);
  return { mean: counts.reduce((s, c) => s + c, 0) / counts.length, max: counts[counts.length - 1]! };
}

describe('ledger complexity guard (node visits, not time)', () => {
  const small = ledgerOf(10_000, 1);
  const large = ledgerOf(100_000, 2);
  const horizon = T0 + 20_000_000;

  it('trees stay balanced: depth within 3·log2(m)', () => {
    for (const l of [small, large]) expect(l.diagnostics().depth).toBeLessThanOrEqual(3 * Math.log2(l.size));
  });

  it('firstFit and lastFit visit O(log m) nodes at 10k and 100k reservations', () => {
    const first = (l: Ledger, t: number, p: number) => l.firstFit(t, p, horizon);
    const last = (l: Ledger, t: number, p: number) => l.lastFit(t, p, T0);
    for (const search of [first, last]) {
      const a = visitsPerSearch(small, 5, search);
      const b = visitsPerSearch(large, 5, search);
      // log2 10k ≈ 13.3, log2 100k ≈ 16.6: the worst search stays within a few descents
      expect(a.max).toBeLessThanOrEqual(8 * Math.log2(10_000));
      expect(b.max).toBeLessThanOrEqual(8 * Math.log2(100_000));
      // ten times the reservations: about log(100k)/log(10k) = 1.25 times the visits, far from 10
      expect(b.mean / a.mean).toBeLessThan(1.6);
    }
  });

  it('a search that must pass every gap (p longer than all of them) is O(log m) too', () => {
    for (const l of [small, large]) {
      l.resetVisits();
      const fit = l.firstFit(T0, 500, horizon)!;
      expect(fit.a).toBe(l.entries().at(-1)!.a + l.entries().at(-1)!.minutes);
      expect(l.visits).toBeLessThanOrEqual(8 * Math.log2(l.size));
    }
  });

  it('a three-op forward chain over two ledgers visits O(log m) nodes', () => {
    const set = new LedgerSet([
      ['a', large],
      ['b', ledgerOf(100_000, 3)],
    ]);
    const ops: ChainOp[] = ['a', 'b', 'a'].map((resource, k) => ({ resource, order: 'x', position: k + 1, minutes: 45 }));
    const random = rng(9);
    let worst = 0;
    for (let q = 0; q < 200; q++) {
      large.resetVisits();
      set.get('b').resetVisits();
      set.forward(ops, T0 + Math.floor(random() * 4_000_000), horizon);
      worst = Math.max(worst, large.visits + set.get('b').visits);
    }
    expect(worst).toBeLessThanOrEqual(4 * 8 * Math.log2(100_000));
  });
});
