import { describe, expect, it } from 'vitest';
import {
  blockWindow,
  clockChangeMinutes,
  daysInRange,
  overlappingBlocks,
  patternBlocks,
} from '../../../src/planning-rules/capacity-days.ts';

const m = (iso: string) => Date.parse(iso) / 60_000;

describe('patternBlocks', () => {
  it('gives the block on each listed ISO weekday of the range, both ends included, without the excepted dates', () => {
    const blocks = patternBlocks({
      from: '2026-12-21',
      to: '2027-01-03',
      weekdays: [1, 2, 3, 4, 5],
      except: ['2026-12-24', '2026-12-25'],
      start: '14:00',
      end: '22:00',
    });
    expect(blocks.map((b) => b.date)).toEqual([
      '2026-12-21',
      '2026-12-22',
      '2026-12-23',
      '2026-12-28',
      '2026-12-29',
      '2026-12-30',
      '2026-12-31',
      '2027-01-01',
    ]);
    expect(blocks[0]).toEqual({ date: '2026-12-21', start: '14:00', end: '22:00' });
    // Sunday is 7; a one-day range on its weekday.
    expect(patternBlocks({ from: '2026-11-29', to: '2026-11-29', weekdays: [7], except: [], start: null, end: null })).toEqual([
      { date: '2026-11-29', start: null, end: null },
    ]);
  });

  it('counts the days of a range with both ends, across a leap day', () => {
    expect(daysInRange('2026-11-30', '2026-11-30')).toBe(1);
    expect(daysInRange('2027-03-01', '2028-02-29')).toBe(366);
    expect(daysInRange('2026-12-02', '2026-12-01')).toBe(0);
  });
});

describe('overlappingBlocks', () => {
  it('pairs blocks of one date whose times overlap; blocks meeting end to start, or on other dates, do not', () => {
    expect(
      overlappingBlocks([
        { date: '2026-12-01', start: '14:00', end: '22:00' },
        { date: '2026-12-01', start: '22:00', end: '24:00' },
        { date: '2026-12-02', start: '14:00', end: '22:00' },
        { date: '2026-12-01', start: '21:00', end: '23:00' },
        { date: '2026-12-02', start: null, end: null },
      ]),
    ).toEqual([
      [0, 3],
      [1, 3],
      [2, 4],
    ]);
  });
});

describe('blockWindow and clockChangeMinutes', () => {
  it('reads a block on the wall clock: an hour less over the spring change, an hour more over the autumn one', () => {
    // Berlin: clocks go from 02:00 to 03:00 on 2027-03-28 and from 03:00 back to 02:00 on 2026-10-25.
    expect(blockWindow('Europe/Berlin', { date: '2027-03-28', start: '00:00', end: '06:00' })).toEqual([
      m('2027-03-27T23:00:00Z'),
      m('2027-03-28T04:00:00Z'),
    ]);
    expect(clockChangeMinutes('Europe/Berlin', { date: '2027-03-28', start: '00:00', end: '06:00' })).toBe(-60);
    expect(clockChangeMinutes('Europe/Berlin', { date: '2026-10-25', start: '00:00', end: '06:00' })).toBe(60);
    // A whole day (no times) is 23 or 25 hours on those days, 24 otherwise.
    expect(clockChangeMinutes('Europe/Berlin', { date: '2026-10-25', start: null, end: null })).toBe(60);
    expect(clockChangeMinutes('Europe/Berlin', { date: '2026-11-30', start: null, end: null })).toBe(0);
    // A block after the change, or in a zone without one, is its wall-clock length.
    expect(clockChangeMinutes('Europe/Berlin', { date: '2027-03-28', start: '14:00', end: '22:00' })).toBe(0);
    expect(clockChangeMinutes('Asia/Tokyo', { date: '2027-03-28', start: '00:00', end: '06:00' })).toBe(0);
  });

  it('starts a block that begins in the skipped hour when the clocks have jumped', () => {
    const [from, to] = blockWindow('Europe/Berlin', { date: '2027-03-28', start: '02:30', end: '04:00' });
    expect(from).toBe(m('2027-03-28T01:00:00Z')); // 03:00 summer time
    expect(to - from).toBe(60);
  });
});
