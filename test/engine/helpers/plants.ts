import fc from 'fast-check';
import { buildWorkingTime } from '../../../src/engine/calendar.ts';
import type { Calendar, WeeklyShift } from '../../../src/engine/calendar-types.ts';
import { drumDeadlineFor, type BufferPolicy } from '../../../src/engine/buffer-days.ts';
import { DrumBook } from '../../../src/engine/drum-book.ts';
import type { DrumOrder } from '../../../src/engine/drum-order.ts';
import type { WorkingTime } from '../../../src/engine/working-time.ts';

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;

/** Two shifts on weekdays, Christmas holidays and a half-day downtime. */
export const twoShiftBerlin: Calendar = {
  timeZone: 'Europe/Berlin',
  weekly: weekdays.map((day) => ({ day, start: '06:00', end: '22:00' })),
  exceptions: [
    { kind: 'holiday', date: '2026-04-03' },
    { kind: 'holiday', date: '2026-04-06' },
    { kind: 'holiday', date: '2026-12-24' },
    { kind: 'holiday', date: '2026-12-25' },
    { kind: 'downtime', date: '2026-12-28', start: '06:00', end: '14:00' },
  ],
};

/** A night shift across midnight, and weekend night shifts that cross both DST changes. */
const nightsBerlin: Calendar = {
  timeZone: 'Europe/Berlin',
  weekly: [
    ...weekdays.map((day): WeeklyShift => ({ day, start: '22:00', end: '24:00' })),
    ...(['tue', 'wed', 'thu', 'fri', 'sat'] as const).map((day): WeeklyShift => ({ day, start: '00:00', end: '06:00' })),
    { day: 'sun', start: '01:00', end: '05:00' },
  ],
  exceptions: [{ kind: 'holiday', date: '2026-10-28' }],
};

/** Another zone, a short Saturday and a Friday half day. */
const dayShiftNewYork: Calendar = {
  timeZone: 'America/New_York',
  weekly: [
    ...(['mon', 'tue', 'wed', 'thu'] as const).map((day): WeeklyShift => ({ day, start: '07:00', end: '15:30' })),
    { day: 'fri', start: '07:00', end: '12:00' },
    { day: 'sat', start: '08:00', end: '12:00' },
  ],
  exceptions: [{ kind: 'holiday', date: '2026-11-26' }],
};

export const calendars = { twoShiftBerlin, nightsBerlin, dayShiftNewYork };
const built = new Map<Calendar, WorkingTime>();
export function wtFor(cal: Calendar): WorkingTime {
  let wt = built.get(cal);
  if (!wt) built.set(cal, (wt = buildWorkingTime(cal)));
  return wt;
}

/** Windows around both 2026 DST changes (EU and US) and the Christmas holidays. */
const windows = [Date.UTC(2026, 2, 23), Date.UTC(2026, 9, 19), Date.UTC(2026, 10, 23), Date.UTC(2026, 11, 17), Date.UTC(2026, 2, 4)].map(
  (ms) => ms / 60_000,
);

export interface Plant {
  name: keyof typeof calendars;
  calendar: Calendar;
  wt: WorkingTime;
  policy: BufferPolicy;
  now: number;
  orders: DrumOrder[];
}

export const arbPolicy = fc.record({
  productionBufferDays: fc.integer({ min: 0, max: 8 }),
  shippingBufferDays: fc.integer({ min: 0, max: 4 }),
  standardLeadTimeDays: fc.integer({ min: 0, max: 6 }),
});

/**
 * A plant whose committed orders were each promised through a quote (so the set is
 * feasible), some with a later promise than quoted; a few pinned.
 */
export const arbPlant = (maxOrders = 200): fc.Arbitrary<Plant> =>
  fc
    .record({
      name: fc.constantFrom(...(Object.keys(calendars) as Array<keyof typeof calendars>)),
      window: fc.constantFrom(...windows),
      offset: fc.integer({ min: 0, max: 7 * 1440 }),
      policy: arbPolicy,
      // size 'max': fast-check's default sizing would stop near 10 orders whatever maxOrders says.
      specs: fc.array(fc.record({ load: fc.integer({ min: 0, max: 900 }), extraDays: fc.integer({ min: 0, max: 3 }), pin: fc.boolean() }), {
        maxLength: maxOrders,
        size: 'max',
      }),
    })
    .map(({ name, window, offset, policy, specs }) => {
      const calendar = calendars[name];
      const wt = wtFor(calendar);
      const now = window + offset;
      const book = new DrumBook(wt);
      specs.forEach((s, i) => {
        const q = book.quote(now, s.load, { policy });
        const promise = wt.addWorkingDays(q.promiseDate, s.extraDays);
        const deadline = drumDeadlineFor(wt, promise, policy.shippingBufferDays);
        book.insert({ id: `o${i}`, load: s.load, deadline, seq: i + 1, ...(s.pin && i < 3 ? { pinned: true, pinRank: i } : {}) });
      });
      const plant = { name, calendar, policy, now, orders: book.orders() } as Plant;
      Object.defineProperty(plant, 'wt', { value: wt, enumerable: false });
      return plant;
    });
