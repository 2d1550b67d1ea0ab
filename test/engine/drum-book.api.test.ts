import { describe, expect, it } from 'vitest';
import { drumDeadlineFor } from '../../src/engine/buffer-days.ts';
import { DrumBook } from '../../src/engine/drum-book.ts';
import { twoShiftBerlin, wtFor } from './helpers/plants.ts';

const wt = wtFor(twoShiftBerlin); // Mon–Fri 06:00–22:00 Europe/Berlin
const now = Date.parse('2026-11-23T08:00:00Z') / 60_000; // Monday 09:00
const policy = { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2 };
const order = (id: string, load: number, promise: string, seq: number) => ({ id, load, deadline: drumDeadlineFor(wt, promise, 2), seq });

describe('DrumBook', () => {
  it('uses its own policy when a call passes none, and refuses to guess when it has none', () => {
    const book = new DrumBook(wt, [order('a', 600, '2026-11-27', 1)], policy);
    expect(book.quote(now, 60)).toEqual(book.quote(now, 60, { policy }));
    expect(book.priceOfDate(now, 60, '2026-11-25').quote.promiseDate).toBe('2026-11-25');
    expect(book.schedule(now)).toEqual(book.schedule(now, 4));
    expect(() => new DrumBook(wt).quote(now, 60)).toThrow(/no buffer policy/);
    expect(book.withWorkingTime(wt).policy).toBe(policy);
  });

  it('keeps pinned orders at the front in pin order, whatever their deadlines', () => {
    const book = new DrumBook(wt, [order('late-deadline', 120, '2026-12-10', 1), order('early', 60, '2026-11-26', 2)]);
    book.insert({ ...order('in-progress', 30, '2026-12-31', 3), pinned: true, pinRank: 0 });
    book.update({ ...order('late-deadline', 120, '2026-12-10', 1), pinned: true, pinRank: 1 });
    expect(book.orders().map((o) => o.id)).toEqual(['in-progress', 'late-deadline', 'early']);
    expect(book.pinnedLoad).toBe(150);
    expect(book.totalLoad).toBe(210);
    const s = book.schedule(now, 0);
    expect(s.map((x) => [x.id, x.pinned, x.start - now])).toEqual([
      ['in-progress', true, 0],
      ['late-deadline', true, 30],
      ['early', false, 150],
    ]);
    // A new order can never go before the pinned ones.
    expect(book.quote(now, 10, { policy }).plannedStart).toBe(now + 150);
    expect(book.remove('in-progress')).toBe(true);
    expect(book.pinnedLoad).toBe(120);
  });

  it('admits a date iff its drum deadline is at or after the earliest deadline, and tells the deficit otherwise', () => {
    const book = new DrumBook(wt, [order('a', 900, '2026-11-27', 1), order('b', 1500, '2026-11-30', 2)], policy);
    const d = book.earliestDeadline(now, 1500);
    expect(book.admits(now, 1500, d)).toBe(true);
    expect(book.admits(now, 1500, d - 1)).toBe(false);
    expect(book.deficit(now, 1500, drumDeadlineFor(wt, '2026-11-30', 2))).toBe(240);
    expect(book.deficit(now, 1500, now - 1)).toBe(Infinity);
    expect(book.minSlack(now)).toBe(1260);
  });
});

describe('DrumBook input guards', () => {
  it('refuses a load that is negative or not a whole number of minutes', () => {
    const book = new DrumBook(wt, [order('a', 600, '2026-11-27', 1)], policy);
    const deadline = drumDeadlineFor(wt, '2026-11-30', 2);
    for (const bad of [-1, 1.5, NaN, Infinity]) {
      expect(() => book.earliestDeadline(now, bad)).toThrow(RangeError);
      expect(() => book.deficit(now, bad, deadline)).toThrow(RangeError);
      expect(() => book.admits(now, bad, deadline)).toThrow(RangeError);
    }
    expect(book.earliestDeadline(now, 0)).toBe(now);
    expect(book.deficit(now, 0, deadline)).toBe(0);
  });

  it('refuses duplicate ids among unpinned orders, among pinned ones, and across the two, naming the id', () => {
    const a = order('a', 60, '2026-11-27', 1);
    const b = order('b', 60, '2026-11-30', 2);
    expect(() => new DrumBook(wt, [a, b, { ...b, seq: 3 }])).toThrow(/duplicate order id b/);
    expect(() => new DrumBook(wt, [a, { ...b, pinned: true }, { ...b, pinned: true, seq: 3 }])).toThrow(/duplicate order id b/);
    expect(() => new DrumBook(wt, [a, b, { ...a, pinned: true }])).toThrow(/duplicate order id a/);
    const book = new DrumBook(wt, [a, b]);
    expect(() => book.insert({ ...a, seq: 9 })).toThrow(RangeError);
    expect(() => book.update(order('c', 60, '2026-11-27', 4))).toThrow(/not on the drum/);
    expect(book.orders().map((o) => o.id)).toEqual(['a', 'b']);
  });

  it('sequences orders with equal deadlines and commit numbers by id, however they arrive, and removes each exactly', () => {
    const ids = ['m', 'c', 'x', 'a', 'q', 'f'];
    const same = (id: string) => order(id, 30, '2026-11-27', 1);
    const sorted = [...ids].sort();
    const built = new DrumBook(wt, ids.map(same));
    const inserted = new DrumBook(wt);
    for (const id of ids) inserted.insert(same(id));
    for (const book of [built, inserted]) {
      expect(book.orders().map((o) => o.id)).toEqual(sorted);
      expect(book.schedule(now, 0).map((s) => s.start - now)).toEqual([0, 30, 60, 90, 120, 150]);
      for (const id of ['q', 'a', 'x']) expect(book.remove(id)).toBe(true);
      expect(book.orders().map((o) => o.id)).toEqual(['c', 'f', 'm']);
      expect(book.totalLoad).toBe(90);
      expect(book.remove('q')).toBe(false);
    }
  });
});
