import { describe, expect, it } from 'vitest';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import { DEFAULT_RESOURCE_CAPACITY_POLICY as DEFAULTS, regularShift } from '../../src/engine/capacity-policy.ts';
import { proposeCapacity, type ProposalRequest } from '../../src/engine/capacity-proposals.ts';

const m = (iso: string) => Date.parse(iso) / 60_000;
const cal: Calendar = {
  timeZone: 'Europe/Berlin',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).flatMap((day) => [
    { day, start: '06:00', end: '14:00' },
    { day, start: '14:00', end: '22:00' },
  ]),
  exceptions: [],
};
const wt = buildWorkingTime(cal);
const now = m('2026-11-30T16:31:00+01:00'); // a Monday afternoon
const base: ProposalRequest = {
  resource: 'cnc',
  wt,
  now,
  frozenUntil: now,
  neededAfter: now,
  neededBy: m('2026-12-12T00:00:00+01:00'), // end of Friday 2026-12-11
  minutes: 250,
  shippingBufferDays: 2,
  policy: DEFAULTS,
};

describe('proposeCapacity', () => {
  it('with the defaults: overtime of at most 2 h right after the last shift, or a regular shift on a rest day', () => {
    const proposals = proposeCapacity(base);
    expect(proposals.length).toBeGreaterThan(0);
    for (const p of proposals) {
      expect(p.totalMinutes).toBeGreaterThanOrEqual(250);
      for (const b of p.blocks) {
        expect(b.minutes).toBeGreaterThanOrEqual(60);
        if (b.source === 'overtime') expect([b.start, b.kind]).toEqual(['22:00', 'overtime']);
        if (b.source === 'extra_shift') expect(b.start).toBe('06:00');
        expect(b.source).not.toBe('night_shift');
      }
    }
    // ranked by cost, then by when the capacity is all there
    for (let i = 1; i < proposals.length; i++) {
      const [a, b] = [proposals[i - 1]!, proposals[i]!];
      expect(a.totalCost < b.totalCost || (a.totalCost === b.totalCost && a.readyBy <= b.readyBy)).toBe(true);
    }
  });

  it('prefers early capacity that leaves the shipping buffer over the days just before the deadline', () => {
    const [best] = proposeCapacity(base);
    expect(best!.leavesShippingBuffer).toBe(true);
    // two working days before the end of Friday: nothing after Wednesday
    expect(best!.readyBy).toBeLessThanOrEqual(m('2026-12-10T00:00:00+01:00'));
  });

  it('never proposes a block in the past, in the frozen window or shorter than the minimum', () => {
    const frozenUntil = m('2026-12-02T00:00:00+01:00');
    const proposals = proposeCapacity({ ...base, frozenUntil, minutes: 10, policy: { ...DEFAULTS, minBlockMinutes: 90 } });
    expect(proposals.length).toBeGreaterThan(0);
    for (const p of proposals) for (const b of p.blocks) expect([b.from >= frozenUntil, b.minutes >= 90]).toEqual([true, true]);
  });

  it('uses night hours only when the policy enables them, and keeps each day under its cap', () => {
    const tight = { ...base, neededBy: m('2026-12-03T00:00:00+01:00'), minutes: 700 };
    expect(proposeCapacity(tight)).toEqual([]);
    const nights = proposeCapacity({
      ...tight,
      policy: { ...DEFAULTS, nightShift: { ...DEFAULTS.nightShift, enabled: true }, maxPerDayMinutes: 480 },
    });
    expect(nights.length).toBeGreaterThan(0);
    for (const p of nights) {
      const perDay = new Map<string, number>();
      for (const b of p.blocks) perDay.set(b.date, (perDay.get(b.date) ?? 0) + b.minutes);
      for (const n of perDay.values()) expect(n).toBeLessThanOrEqual(480);
      expect(p.blocks.some((b) => b.source === 'night_shift')).toBe(true);
    }
  });

  it('keeps night work inside a night window that does not cross midnight', () => {
    // Night work only (no overtime, no extra shift), over two weekends with whole free days.
    const policy = {
      ...DEFAULTS,
      overtime: { ...DEFAULTS.overtime, beforeShiftMinutes: 0, afterShiftMinutes: 0 },
      extraShift: { ...DEFAULTS.extraShift, enabled: false },
      nightShift: { ...DEFAULTS.nightShift, enabled: true, start: '00:00', end: '06:00' },
      maxPerDayMinutes: 480,
    };
    const night = proposeCapacity({ ...base, minutes: 1200, policy }).flatMap((p) => p.blocks);
    expect(night.length).toBeGreaterThan(0);
    for (const b of night) expect([b.source, b.start >= '00:00', b.end <= '06:00']).toEqual(['night_shift', true, true]);
  });

  it('keeps blocks inside the weekday windows and each ISO week under its cap', () => {
    const policy = {
      ...DEFAULTS,
      windows: { mon: [], tue: [{ start: '22:00', end: '23:00' }], sat: [{ start: '08:00', end: '12:00' }] },
      maxPerWeekMinutes: 300,
    };
    const proposals = proposeCapacity({ ...base, minutes: 400, policy });
    expect(proposals.length).toBeGreaterThan(0);
    for (const p of proposals) {
      const perWeek = new Map<number, number>();
      for (const b of p.blocks) {
        const weekday = new Date(`${b.date}T12:00:00Z`).getUTCDay(); // 0 = Sunday
        expect(weekday).not.toBe(1); // no Monday window
        if (weekday === 2) expect([b.start >= '22:00', b.end <= '23:00']).toEqual([true, true]);
        if (weekday === 6) expect([b.start >= '08:00', b.end <= '12:00']).toEqual([true, true]);
        const monday = Math.floor((Date.parse(`${b.date}T00:00:00Z`) / 86_400_000 + 3) / 7);
        perWeek.set(monday, (perWeek.get(monday) ?? 0) + b.minutes);
      }
      for (const n of perWeek.values()) expect(n).toBeLessThanOrEqual(300);
    }
  });

  it('costs each block by its kind', () => {
    const policy = {
      ...DEFAULTS,
      overtime: { ...DEFAULTS.overtime, costPerHour: 60 },
      extraShift: { ...DEFAULTS.extraShift, costPerHour: 90 },
    };
    for (const p of proposeCapacity({ ...base, policy })) {
      for (const b of p.blocks) expect(b.cost).toBe(((b.source === 'overtime' ? 60 : 90) * b.minutes) / 60);
      expect(p.totalCost).toBeCloseTo(
        p.blocks.reduce((n, b) => n + b.cost, 0),
        2,
      );
    }
  });

  it('the regular shift is the most frequent one of the week', () => {
    expect(regularShift(cal)).toEqual({ start: '06:00', end: '14:00' });
    expect(regularShift({ ...cal, weekly: [] })).toBeNull();
  });
});
