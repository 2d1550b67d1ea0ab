import type { Calendar, Weekday } from '../../src/engine/calendar-types.ts';

// The whole-route HTTP tests' plant: Monday 2026-11-23 09:00 in Europe/Berlin, and the
// calendars its resources work (test/http/whole-route*.test.ts).
export const NOW = '2026-11-23T08:00:00Z';
export const ZONE = 'Europe/Berlin';
export const days = (list: Weekday[], start: string, end: string) => list.map((day) => ({ day, start, end }));
export const MON_FRI: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const noExceptions: Calendar['exceptions'] = [];
export const oneShift = { weekly: days(MON_FRI, '06:00', '14:00'), exceptions: noExceptions };
export const twoShifts = { weekly: [...days(MON_FRI, '06:00', '14:00'), ...days(MON_FRI, '14:00', '22:00')], exceptions: noExceptions };
export const monThu = { weekly: days(['mon', 'tue', 'wed', 'thu'], '06:00', '14:00'), exceptions: noExceptions };
