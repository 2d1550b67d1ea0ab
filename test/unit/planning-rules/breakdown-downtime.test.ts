import { describe, expect, it } from 'vitest';
import { downtimeDays } from '../../../src/planning-rules/breakdown-downtime.ts';

const m = (iso: string) => Date.parse(iso) / 60_000;

describe('downtimeDays', () => {
  it('splits a span at local midnights, whole days between', () => {
    // Saturday 20:00 to Monday 08:00 in Berlin, across the end of summer time (Sunday 25 October 2026).
    expect(downtimeDays('Europe/Berlin', m('2026-10-24T18:00:00Z'), m('2026-10-26T07:00:00Z'))).toEqual([
      { date: '2026-10-24', start: '20:00', end: '24:00' },
      { date: '2026-10-25', start: '00:00', end: '24:00' },
      { date: '2026-10-26', start: '00:00', end: '08:00' },
    ]);
  });

  it('keeps a span inside one day and ends at a midnight without an empty next day', () => {
    expect(downtimeDays('Europe/Berlin', m('2026-11-23T08:15:00Z'), m('2026-11-23T10:45:00Z'))).toEqual([
      { date: '2026-11-23', start: '09:15', end: '11:45' },
    ]);
    expect(downtimeDays('America/New_York', m('2026-11-23T15:00:00Z'), m('2026-11-24T05:00:00Z'))).toEqual([
      { date: '2026-11-23', start: '10:00', end: '24:00' },
    ]);
  });
});
