import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DrumBook } from '../../src/engine/drum-book.ts';
import type { ScheduledOrder, SequenceKey } from '../../src/engine/drum-order.ts';
import { arbInstance } from './helpers/instances.ts';

const RUNS = { numRuns: Number(process.env.ENGINE_PROPERTY_RUNS ?? 200) };

function allPages(book: DrumBook, now: number, limit: number): ScheduledOrder[][] {
  const pages: ScheduledOrder[][] = [];
  let after: SequenceKey | undefined;
  for (;;) {
    const page = book.schedulePage(now, 4, after, limit);
    pages.push(page.orders);
    if (!page.next) return pages;
    after = page.next;
  }
}

describe('schedule pages', () => {
  it('pages of any size, concatenated, are the whole schedule (pinned orders included)', () => {
    fc.assert(
      fc.property(
        arbInstance(),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.boolean(), { maxLength: 12 }),
        ({ wt, now, orders }, limit, pins) => {
          const withPins = orders.map((o, i) => (pins[i] ? { ...o, pinned: true, pinRank: i % 3 } : o));
          const book = new DrumBook(wt, withPins);
          const pages = allPages(book, now, limit);
          expect(pages.flat()).toEqual(book.schedule(now, 4));
          for (const page of pages.slice(0, -1)) expect(page).toHaveLength(limit);
          expect(pages.at(-1)!.length).toBeLessThanOrEqual(limit);
        },
      ),
      RUNS,
    );
  });

  it('resumes after the key of an order that has since left the book', () => {
    fc.assert(
      fc.property(arbInstance(), ({ wt, now, orders }) => {
        fc.pre(orders.length >= 3);
        const book = new DrumBook(wt, orders);
        const first = book.schedulePage(now, 4, undefined, 2);
        const gone = first.orders[1]!.id;
        book.remove(gone);
        const rest = book.schedulePage(now, 4, first.next!, Infinity).orders;
        const whole = book.schedule(now, 4);
        expect(rest).toEqual(whole.slice(whole.findIndex((s) => s.id === first.orders[0]!.id) + 1));
      }),
      RUNS,
    );
  });

  it('says there is no next page when the last page is exactly full', () => {
    fc.assert(
      fc.property(arbInstance(), ({ wt, now, orders }) => {
        fc.pre(orders.length >= 1);
        const book = new DrumBook(wt, orders);
        expect(book.schedulePage(now, 4, undefined, orders.length).next).toBeNull();
      }),
      RUNS,
    );
  });
});
