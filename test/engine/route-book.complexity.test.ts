import { describe, expect, it } from 'vitest';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import { RouteBook, type RouteDemand, type StoredRouteOrder } from '../../src/engine/index.ts';
import type { WorkingTime } from '../../src/engine/working-time.ts';

/** Counts tree nodes visited (not time): quote, commit and remove stay O(route × log n). */
const always: Calendar = {
  timeZone: 'Europe/Berlin',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((day) => ({ day, start: '00:00', end: '24:00' })),
  exceptions: [],
};
const wts = new Map<string, WorkingTime>(['heat', 'cnc', 'test'].map((id) => [id, buildWorkingTime(always)]));
const now = Date.parse('2026-11-23T06:00:00+01:00') / 60_000;
const policy = { productionBufferDays: 1, shippingBufferDays: 0, standardLeadTimeDays: 0 };

function bookOf(n: number): RouteBook {
  const orders: StoredRouteOrder[] = Array.from({ length: n }, (_, i) => ({
    id: `o${i}`,
    ops: [
      { position: 0, resource: 'heat', minutes: 30, start: now + i * 30, end: now + (i + 1) * 30 },
      { position: 1, resource: 'cnc', minutes: 10, start: null, end: null },
      { position: 2, resource: 'test', minutes: 20, start: now + 40 * n + i * 40, end: now + 40 * n + i * 40 + 20 },
    ],
    drumLoad: 10,
    drumDeadline: now + 40 * n,
    ready: 0,
    key: i * 1024,
    pinned: false,
    plannedRelease: null,
    promiseDate: '2027-12-31',
    shippingBufferDays: 0,
  }));
  return new RouteBook('cnc', wts, orders, { lookahead: 0 });
}

function cost(book: RouteBook, n: number): number {
  const horizon = now + 400 * n + 100_000;
  let max = 0;
  for (let i = 0; i < 50; i++) {
    const demand: RouteDemand = {
      ops: [
        { resource: 'heat', minutes: 1 + (i % 40) },
        { resource: 'cnc', minutes: 1 + (i % 7) },
        { resource: 'test', minutes: 5 },
      ],
      policy,
    };
    const before = book.visits;
    const q = book.quote(now, demand, horizon);
    book.commit(now, `x${i}`, demand, q.promiseDate, horizon);
    if (i % 2 === 0) book.remove(`x${i}`);
    max = Math.max(max, book.visits - before);
  }
  return max;
}

describe('RouteBook complexity', () => {
  it('quote + commit + remove visit O(log n) nodes (2 000 vs 32 000 orders)', () => {
    const small = cost(bookOf(2_000), 2_000);
    const large = cost(bookOf(32_000), 32_000);
    if (process.env.ROUTE_BOOK_STATS) console.log({ small, large });
    expect(small).toBeGreaterThan(0);
    // log2 grows 11 → 15; an O(n) scan would grow 16×
    expect(large).toBeLessThan(small * 2.5);
  }, 30_000);
});
