import { describe, expect, it } from 'vitest';
import { formatSpread, median, reversedRound, roundOrder, spread } from '../../bench/rounds.ts';

/** The bench reads a figure as the median of its rounds with their range: these are the pure pieces of that. */

describe('median', () => {
  it('is the middle value of an odd count, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([10, 1, 1])).toBe(1);
    expect(median([5])).toBe(5);
  });

  it('is the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([1, 2])).toBe(1.5);
  });

  it('is NaN for no values and does not reorder its input', () => {
    expect(median([])).toBeNaN();
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('sorts numerically, not as strings', () => {
    expect(median([10, 9, 100])).toBe(10);
  });
});

describe('spread', () => {
  it('gives the median and the range of the rounds', () => {
    expect(spread([1.3, 1.05, 1.21])).toEqual({ median: 1.21, min: 1.05, max: 1.3, n: 3 });
  });

  it('of one round is that value', () => {
    expect(spread([7])).toEqual({ median: 7, min: 7, max: 7, n: 1 });
  });

  it('of no rounds is NaN with n = 0', () => {
    const s = spread([]);
    expect(s.n).toBe(0);
    expect(s.median).toBeNaN();
    expect(s.min).toBeNaN();
    expect(s.max).toBeNaN();
  });
});

describe('roundOrder', () => {
  const runs = ['floor', 'serial', 'one', 'eight', 'history'];

  it('keeps the order in rounds 0, 2, … and reverses it in rounds 1, 3, …', () => {
    expect(roundOrder(runs, 0)).toEqual(runs);
    expect(roundOrder(runs, 1)).toEqual(['history', 'eight', 'one', 'serial', 'floor']);
    expect(roundOrder(runs, 2)).toEqual(runs);
    expect([0, 1, 2, 3].map(reversedRound)).toEqual([false, true, false, true]);
  });

  it('returns a copy', () => {
    const out = roundOrder(runs, 1);
    expect(runs).toEqual(['floor', 'serial', 'one', 'eight', 'history']);
    out.push('x');
    expect(roundOrder(runs, 0)).not.toBe(runs);
  });
});

describe('formatSpread', () => {
  it('writes median (min–max) for several rounds', () => {
    expect(formatSpread(spread([2774.4, 2601, 2900.6]))).toBe('2774 (2601–2901)');
    expect(formatSpread(spread([1.05, 1.3, 1.21]), (x) => `${x.toFixed(2)}×`)).toBe('1.21× (1.05×–1.30×)');
  });

  it('writes the value alone for one round and – for none', () => {
    expect(formatSpread(spread([387.2]))).toBe('387');
    expect(formatSpread(spread([]))).toBe('–');
  });
});
