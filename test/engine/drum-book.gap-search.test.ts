import { describe, expect, it } from 'vitest';
import { workingTimeFromIntervals } from '../../src/engine/calendar.ts';
import { DrumBook } from '../../src/engine/drum-book.ts';
import { MinuteDrum, oracleEarliestDeadline } from './helpers/drum-oracle.ts';

// Formerly the gap search's rare branch (now gone: loadUpTo gives the same load, see
// earliestDeadline): the first order after the blockers has no room before it,
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

// The same rare branch with the zero-load orders in front of the gap numerous enough to
// fill a subtree: k of them share the one deadline at which each has slack exactly the new
// load and one minute too little room before it; after them come orders with room (the
// first with exactly enough, or more). Built at once or inserted one by one, the trees differ
// in shape, so the gap sits at the subtree's root, left of it or right of it.
describe('the gap search through a subtree of zero-load orders with no room', () => {
  const drum = new MinuteDrum(0, new Uint8Array(3000).fill(1));
  const wt = workingTimeFromIntervals(drum.intervals());

  it('finds the first order with room after them, equal to the oracle', () => {
    let cases = 0;
    for (const load of [5, 50]) {
      const z = 40;
      const dStar = z + load; // K = dStar − z = load (slack exactly the load), W = load − 1
      for (let k = 1; k <= 12; k++) {
        for (const exact of [true, false]) {
          const orders = [
            { id: 'Z', load: z, deadline: z, seq: 0 },
            ...Array.from({ length: k }, (_, i) => ({ id: `A${String(i).padStart(2, '0')}`, load: 0, deadline: dStar, seq: (i * 5) % k })),
            // Room exactly the load (a zero-load order due a minute later), or one minute more.
            { id: 'G', load: exact ? 0 : 3, deadline: exact ? dStar + 1 : dStar + 5, seq: 0 },
            { id: 'H', load: 10, deadline: 2000, seq: 0 },
          ];
          const inserted = new DrumBook(wt);
          for (const o of [...orders].reverse()) inserted.insert(o);
          const expected = oracleEarliestDeadline(drum, orders, load, 0);
          for (const book of [new DrumBook(wt, orders), inserted]) {
            expect(book.earliestDeadline(0, load), `load ${load} k ${k} exact ${exact}`).toBe(expected);
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(96);
  });
});
