import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { effectiveLeadTimeDays } from '../../src/engine/buffer-days.ts';
import { penetration } from '../../src/engine/buffer-status.ts';
import { RouteBook, type RouteDemand } from '../../src/engine/index.ts';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import { calendars, wtFor } from './helpers/plants.ts';

// Item 8 (issue 12), design §7 "Born green": a standard order — promised at its earliest
// date with the floor at the effective lead time max(LT, PB) — starts green. Its buffer is
// the PB drum working days ending with the promise, and the floor puts the promise at least
// PB working days after today, so at confirmation the whole buffer lies ahead (0 %); the
// rope releases it on the working day PB days before the promise, before its buffer starts.

const berlin = [calendars.twoShiftBerlin, calendars.nightsBerlin];
/** Drum, saw (upstream) and pack (downstream) calendars in one plant time zone. */
const arbCalendars = fc.oneof(
  fc.record({ cnc: fc.constantFrom(...berlin), saw: fc.constantFrom(...berlin), pack: fc.constantFrom(...berlin) }),
  fc.constant({ cnc: calendars.dayShiftNewYork, saw: calendars.dayShiftNewYork, pack: calendars.dayShiftNewYork }),
);
// Around the Christmas holidays, the EU DST change and an ordinary week; any minute of the week.
const arbNow = fc
  .record({
    start: fc.constantFrom(Date.UTC(2026, 10, 23), Date.UTC(2026, 11, 17), Date.UTC(2026, 9, 19)),
    offset: fc.integer({ min: 0, max: 7 * 1440 - 1 }),
  })
  .map(({ start, offset }) => start / 60_000 + offset);
const arbBuffers = fc.record({
  plantLeadTime: fc.integer({ min: 0, max: 12 }),
  plantBuffer: fc.integer({ min: 1, max: 12 }),
  /** A product's own production buffer, or the plant's. */
  productBuffer: fc.option(fc.integer({ min: 1, max: 15 }), { nil: null }),
  shippingBuffer: fc.integer({ min: 0, max: 4 }),
});
const arbRoute = fc.record({
  saw: fc.option(fc.integer({ min: 1, max: 600 }), { nil: null }),
  cnc: fc.integer({ min: 1, max: 900 }),
  pack: fc.option(fc.integer({ min: 1, max: 300 }), { nil: null }),
});
const stepsOf = (r: { saw: number | null; cnc: number; pack: number | null }) => [
  ...(r.saw === null ? [] : [{ resource: 'saw', minutes: r.saw }]),
  { resource: 'cnc', minutes: r.cnc },
  ...(r.pack === null ? [] : [{ resource: 'pack', minutes: r.pack }]),
];

describe('born green', () => {
  it('property: an order promised at its earliest date under the effective lead time is green at confirmation (< 33 %, in fact 0 %) and at its rope release', () => {
    fc.assert(
      fc.property(
        arbCalendars,
        arbNow,
        arbBuffers,
        arbRoute,
        // Orders already on the book (each at its own earliest date plus some days), so some quotes are capacity-bound.
        fc.array(fc.record({ route: arbRoute, extraDays: fc.integer({ min: 0, max: 3 }) }), { maxLength: 12 }),
        (cals: Record<'cnc' | 'saw' | 'pack', Calendar>, now, b, route, existing) => {
          const wts = new Map(Object.entries(cals).map(([id, c]) => [id, wtFor(c)]));
          const drumWt = wtFor(cals.cnc);
          const horizon = now + 120 * 1440;
          const pb = b.productBuffer ?? b.plantBuffer;
          const policy = {
            productionBufferDays: pb,
            shippingBufferDays: Math.min(b.shippingBuffer, pb),
            standardLeadTimeDays: effectiveLeadTimeDays(b.plantLeadTime, pb),
          };
          const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
          existing.forEach((e, i) => {
            const demand: RouteDemand = { ops: stepsOf(e.route), policy };
            const q = book.quote(now, demand, horizon);
            book.commit(now, `e${i}`, demand, drumWt.addWorkingDays(q.promiseDate, e.extraDays), horizon);
          });

          const demand: RouteDemand = { ops: stepsOf(route), policy };
          const q = book.quote(now, demand, horizon);
          const committed = book.commit(now, 'x', demand, q.promiseDate, horizon);
          expect(committed).not.toBeNull();
          const order = { id: 'x', promiseDate: q.promiseDate, productionBufferDays: pb };

          const atConfirmation = penetration(drumWt, order, now);
          expect(atConfirmation.percent).toBeLessThan(33);
          expect(atConfirmation).toMatchObject({ percent: 0, zone: 'green' });
          const atRelease = penetration(drumWt, order, committed!.plannedRelease);
          expect(atRelease.percent).toBeLessThan(33);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('the effective lead time is max(lead time, production buffer)', () => {
    expect(effectiveLeadTimeDays(2, 4)).toBe(4);
    expect(effectiveLeadTimeDays(6, 4)).toBe(6);
    expect(effectiveLeadTimeDays(0, 0)).toBe(0);
    expect(() => effectiveLeadTimeDays(-1, 4)).toThrow(RangeError);
  });
});
