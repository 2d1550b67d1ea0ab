import { describe, expect, it } from 'vitest';
import { byPriority, penetration, prioritize, zoneOf } from '../../src/engine/buffer-status.ts';
import { twoShiftBerlin, wtFor } from './helpers/plants.ts';

const wt = wtFor(twoShiftBerlin); // Mon–Fri 06:00–22:00 Europe/Berlin
const at = (iso: string) => Date.parse(iso) / 60_000;
// Promised for Friday 2026-11-27 with a 4-working-day buffer: Tue 24 – Fri 27, 4 × 960 minutes.
const order = { id: 'o1', promiseDate: '2026-11-27', productionBufferDays: 4 };

describe('buffer penetration in drum working time', () => {
  it('is 0 % before the buffer starts and 25 % after one of four working days', () => {
    expect(penetration(wt, order, at('2026-11-23T08:00:00Z')).percent).toBe(0);
    const s = penetration(wt, order, at('2026-11-24T21:00:00Z')); // Tue 22:00 Berlin
    expect(s.bufferMinutes).toBe(3840);
    expect(s.leftMinutes).toBe(2880);
    expect(s.percent).toBe(25);
    expect(s.zone).toBe('green');
  });

  it('moves through yellow and red as working time passes, and turns black once the due date has passed', () => {
    expect(penetration(wt, order, at('2026-11-25T21:00:00Z')).zone).toBe('yellow'); // 50 %
    expect(penetration(wt, order, at('2026-11-26T21:00:00Z'))).toMatchObject({ percent: 75, zone: 'red' });
    expect(penetration(wt, order, at('2026-11-27T21:00:00Z'))).toMatchObject({ percent: 100, zone: 'red' });
    expect(penetration(wt, order, at('2026-11-27T23:00:00Z')).zone).toBe('black'); // Saturday 00:00 Berlin
    expect(penetration(wt, order, at('2026-11-30T06:00:00Z'))).toMatchObject({ zone: 'black', leftMinutes: -60 }); // Monday 07:00 Berlin;
  });

  it('does not consume buffer over a weekend', () => {
    const monday = { id: 'o2', promiseDate: '2026-12-01', productionBufferDays: 3 };
    const friNight = penetration(wt, monday, at('2026-11-27T21:30:00Z'));
    const sunNight = penetration(wt, monday, at('2026-11-29T22:00:00Z'));
    expect(sunNight.percent).toBe(friNight.percent);
  });

  it('uses the issue thresholds', () => {
    expect([0, 32.9, 33, 66.9, 67, 100, 100.1].map((p) => zoneOf(p, false))).toEqual([
      'green',
      'green',
      'yellow',
      'yellow',
      'red',
      'red',
      'black',
    ]);
    expect(zoneOf(10, true)).toBe('black');
  });

  it('prioritizes the highest penetration first, then the earliest due date', () => {
    const now = at('2026-11-26T21:00:00Z');
    const list = prioritize(
      wt,
      [
        { id: 'later', promiseDate: '2026-12-04', productionBufferDays: 4 },
        order,
        { id: 'late', promiseDate: '2026-11-25', productionBufferDays: 2 },
        { id: 'same', promiseDate: '2026-12-04', productionBufferDays: 4 },
      ],
      now,
    );
    expect(list.map((s) => [s.id, s.zone])).toEqual([
      ['late', 'black'],
      ['o1', 'red'],
      ['later', 'green'],
      ['same', 'green'],
    ]);
  });
});

describe('buffer penetration at the edges', () => {
  const friday = { id: 'z', promiseDate: '2026-11-27', productionBufferDays: 0 };

  it('treats a zero production buffer as fully penetrated until due, and black from the due instant on', () => {
    const before = penetration(wt, friday, at('2026-11-27T11:00:00Z')); // Friday 12:00 Berlin
    expect(before).toMatchObject({ bufferMinutes: 0, leftMinutes: 600, percent: 100, zone: 'red' });
    const due = penetration(wt, friday, at('2026-11-27T23:00:00Z')); // Saturday 00:00 Berlin: the due instant
    expect(due.due).toBe(at('2026-11-27T23:00:00Z'));
    expect(due.leftMinutes === 0).toBe(true);
    expect(due).toMatchObject({ percent: 101, zone: 'black' });
    expect(penetration(wt, friday, at('2026-11-30T06:00:00Z'))).toMatchObject({ leftMinutes: -60, percent: 160, zone: 'black' });
  });

  it('sizes a one-day buffer as the promise date’s working day, the last one before a weekend promise', () => {
    const saturday = { id: 's', promiseDate: '2026-11-28', productionBufferDays: 1 };
    const s = penetration(wt, saturday, at('2026-11-27T13:00:00Z')); // Friday 14:00 Berlin
    expect(s).toMatchObject({ bufferMinutes: 960, leftMinutes: 480, percent: 50, zone: 'yellow' });
    expect(penetration(wt, { ...saturday, productionBufferDays: 2 }, at('2026-11-27T13:00:00Z'))).toMatchObject({
      bufferMinutes: 1920,
      percent: 75,
    });
  });

  it('refuses a negative or fractional production buffer', () => {
    const now = at('2026-11-24T08:00:00Z');
    expect(() => penetration(wt, { ...order, productionBufferDays: -1 }, now)).toThrow(RangeError);
    expect(() => penetration(wt, { ...order, productionBufferDays: 0.5 }, now)).toThrow(RangeError);
  });

  it('breaks ties by the earlier due date, then by id, whatever the input order', () => {
    const now = at('2026-11-23T08:00:00Z'); // every order below is still green at 0 %
    const far = (id: string, promiseDate: string) => ({ id, promiseDate, productionBufferDays: 2 });
    const input = [far('b', '2026-12-11'), far('c', '2026-12-10'), far('a', '2026-12-11'), far('d', '2026-12-10')];
    expect(prioritize(wt, input, now).map((s) => [s.id, s.percent])).toEqual([
      ['c', 0],
      ['d', 0],
      ['a', 0],
      ['b', 0],
    ]);
    expect(prioritize(wt, [...input].reverse(), now).map((s) => s.id)).toEqual(['c', 'd', 'a', 'b']);
    // A comparator for Array.sort: antisymmetric, and 0 only for the same order.
    const [a, b] = [penetration(wt, input[2]!, now), penetration(wt, input[0]!, now)];
    expect([byPriority(a, b), byPriority(b, a), byPriority(a, a)]).toEqual([-1, 1, 0]);
  });
});
