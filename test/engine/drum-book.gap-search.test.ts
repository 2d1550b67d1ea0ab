import { describe, expect, it } from 'vitest';
import { workingTimeFromIntervals } from '../../src/engine/calendar.ts';
import { DrumBook } from '../../src/engine/drum-book.ts';
import { MinuteDrum, oracleEarliestDeadline } from './helpers/drum-oracle.ts';

// The gap search's rare branch: the first order after the blockers has no room before it,
// so the search goes on to the orders after it. With a load of at least one minute that
// order always has room; it takes a zero-load order whose slack equals the new load and a
// deadline right after a working minute. Shapes are fixed: three orders built in one go
// put the middle one at the root, the last one in its right subtree.
describe('the earliest deadline when the first candidate gap is one minute short', () => {
  const drum = new MinuteDrum(0, new Uint8Array(2000).fill(1)); // every minute works
  const wt = workingTimeFromIntervals(drum.intervals());
  const orders = [
    { id: 'Z', load: 40, deadline: 40, seq: 1 }, // no slack: the new order must come after it
    { id: 'A', load: 0, deadline: 90, seq: 2 }, // slack exactly 50, but only 49 minutes before its deadline
    { id: 'B', load: 10, deadline: 1000, seq: 3 },
  ];

  it('finds the gap after the zero-load order, exact to the minute and equal to the oracle', () => {
    const book = new DrumBook(wt, orders);
    expect(book.earliestDeadline(0, 50)).toBe(90);
    expect(oracleEarliestDeadline(drum, orders, 50, 0)).toBe(90);
    expect(book.admits(0, 50, 90)).toBe(true);
    expect(book.admits(0, 50, 89)).toBe(false);
    for (const load of [1, 49, 51, 60, 950, 951]) {
      expect(book.earliestDeadline(0, load), `load ${load}`).toBe(oracleEarliestDeadline(drum, orders, load, 0));
    }
  });
});
