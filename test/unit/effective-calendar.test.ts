import { describe, expect, it } from 'vitest';
import { buildWorkingTime } from '../../src/engine/index.ts';
import { capacityChangeException, effectiveCalendar } from '../../src/planning-rules/effective-calendar.ts';

const weekly = [{ day: 'mon' as const, start: '08:00', end: '16:00' }];
const change = (id: string, kind: 'overtime' | 'downtime', start: string | null, end: string | null) => ({
  id,
  kind,
  date: '2026-12-07',
  start_time: start,
  end_time: end,
});

describe('effectiveCalendar', () => {
  it('puts active capacity changes after the resource’s own exceptions, each naming its change', () => {
    const cal = effectiveCalendar('Europe/Berlin', { weekly, exceptions: [{ kind: 'holiday', date: '2026-12-24' }] }, [
      change('c1', 'overtime', '16:00', '18:00'),
      change('c2', 'downtime', null, null),
    ]);
    expect(cal).toEqual({
      timeZone: 'Europe/Berlin',
      weekly,
      exceptions: [
        { kind: 'holiday', date: '2026-12-24' },
        { kind: 'overtime', date: '2026-12-07', start: '16:00', end: '18:00', note: 'capacity change c1' },
        { kind: 'downtime', date: '2026-12-07', note: 'capacity change c2' },
      ],
    });
  });

  it('treats a stored calendar without exceptions as none, and adds the overtime minutes to the day', () => {
    const wt = buildWorkingTime(effectiveCalendar('UTC', { weekly }, [change('c1', 'overtime', '16:00', '18:00')]));
    const day = wt.startOfLocalDate('2026-12-07');
    expect(wt.minutesBetween(day, day + 24 * 60)).toBe(10 * 60);
  });

  it('turns a stored capacity change into the calendar exception it stands for', () => {
    expect(capacityChangeException(change('c3', 'overtime', '06:00', '08:00'))).toEqual({
      kind: 'overtime',
      date: '2026-12-07',
      start: '06:00',
      end: '08:00',
      note: 'capacity change c3',
    });
  });
});
