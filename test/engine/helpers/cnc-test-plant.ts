import { buildWorkingTime } from '../../../src/engine/calendar.ts';
import type { Calendar } from '../../../src/engine/calendar-types.ts';
import type { RouteDemand } from '../../../src/engine/index.ts';
import type { WorkingTime } from '../../../src/engine/working-time.ts';

// The two-station plant of the recovered-downstream tests: a CNC drum and a test station,
// both one weekday shift 06:00–14:00 in Berlin; an order is `minutes` of CNC then 30 of test.
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const cal = (start: string, end: string): Calendar => ({
  timeZone: 'Europe/Berlin',
  weekly: weekdays.map((day) => ({ day, start, end })),
  exceptions: [],
});
export const wts = new Map<string, WorkingTime>([
  ['cnc', buildWorkingTime(cal('06:00', '14:00'))],
  ['test', buildWorkingTime(cal('06:00', '14:00'))],
]);
const policy = { productionBufferDays: 1, shippingBufferDays: 1, standardLeadTimeDays: 1 };
export const d = (minutes: number): RouteDemand => ({
  ops: [
    { resource: 'cnc', minutes },
    { resource: 'test', minutes: 30 },
  ],
  policy,
});
export const monday = Date.parse('2026-11-23T06:00:00+01:00') / 60_000;
export const horizon = monday + 90 * 1440;
