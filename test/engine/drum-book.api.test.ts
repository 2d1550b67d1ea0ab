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
