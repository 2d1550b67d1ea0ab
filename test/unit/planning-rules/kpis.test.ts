import { describe, expect, it } from 'vitest';
import {
  breakdownKpis,
  classifyErpChange,
  completionZone,
  type FactKeys,
  type KpiFacts,
  percentile,
  periodLabel,
  periodsBetween,
  periodStart,
  promiseKept,
  quotedLeadTimeDays,
  summariseKpis,
} from '../../../src/planning-rules/kpis.ts';

describe('nearest-rank percentile', () => {
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('is the smallest value with at least p of the sample at or below it', () => {
    expect(percentile(upTo(10), 0.9)).toBe(9);
    expect(percentile(upTo(11), 0.9)).toBe(10); // rank 9.9 rounds up
    expect(percentile(upTo(6), 0.9)).toBe(6); // rank 5.4 rounds up, not to the nearest
    expect(percentile(upTo(20), 0.9)).toBe(18);
    expect(percentile(upTo(10), 1)).toBe(10);
    expect(percentile(upTo(10), 0.5)).toBe(5);
    expect(percentile(upTo(2), 0.5)).toBe(1); // the lower median: rank exactly 1
    expect(percentile(upTo(3), 0.5)).toBe(2); // rank 1.5 rounds up
  });

  it('is the first value at p = 0, the only value of a sample of one, and null without a sample', () => {
    expect(percentile(upTo(10), 0)).toBe(1);
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([], 0.9)).toBe(null);
  });
});

describe('zone at completion', () => {
  it('is green below 33 %, yellow from 33 %, red from 67 % up to 100 %, black above 100 %', () => {
    const at = [0, 32.99, 33, 66.99, 67, 100, 100.01, 250];
    expect(at.map(completionZone)).toEqual(['green', 'green', 'yellow', 'yellow', 'red', 'red', 'black', 'black']);
  });
});

describe('quoted lead time', () => {
  it('counts calendar days from the quote’s local date to its earliest promise, across a DST change', () => {
    expect(quotedLeadTimeDays('2026-03-27', '2026-04-02')).toBe(6);
    expect(quotedLeadTimeDays('2026-12-31', '2026-12-31')).toBe(0);
  });
});

describe('promise kept', () => {
  const end = Date.parse('2026-12-10T23:00:00Z'); // the end of 10 December in Berlin
  it('is kept when shipped exactly at the end of the promised day, and not a millisecond later', () => {
    expect(promiseKept(end, end)).toBe(true);
    expect(promiseKept(end - 60_000, end)).toBe(true);
    expect(promiseKept(end + 1, end)).toBe(false);
  });
});

describe('an ERP push that changed an open order', () => {
  const before = { promiseDate: '2026-12-10', quantity: 5, sku: 'P1' };
  it('is a re-promise when the date moves later, even with a new quantity', () => {
    expect(classifyErpChange(before, { ...before, promiseDate: '2026-12-11' })).toBe('repromise');
    expect(classifyErpChange(before, { ...before, promiseDate: '2026-12-11', quantity: 9 })).toBe('repromise');
  });
  it('is the customer’s change when the date moves earlier or only the quantity or product changes', () => {
    expect(classifyErpChange(before, { ...before, promiseDate: '2026-12-09' })).toBe('customer-change');
    expect(classifyErpChange(before, { ...before, quantity: 6 })).toBe('customer-change');
    expect(classifyErpChange(before, { ...before, sku: 'P2' })).toBe('customer-change');
  });
  it('is neither when date, quantity and product stay (a new customer name, a material date)', () => {
    expect(classifyErpChange(before, { ...before })).toBe('other');
  });
});

describe('periods', () => {
  it('start on the day, the ISO week’s Monday or the month’s first day', () => {
    expect(periodStart('2026-12-03', 'day')).toBe('2026-12-03');
    expect(periodStart('2026-12-03', 'week')).toBe('2026-11-30'); // a Thursday
    expect(periodStart('2026-11-30', 'week')).toBe('2026-11-30'); // a Monday is its own week's start
    expect(periodStart('2026-12-06', 'week')).toBe('2026-11-30'); // Sunday closes the week
    expect(periodStart('2026-12-31', 'month')).toBe('2026-12-01');
  });

  it('are named by ISO week, whose year is its Thursday’s', () => {
    expect(periodLabel('2026-11-30', 'week')).toBe('2026-W49');
    expect(periodLabel('2026-12-28', 'week')).toBe('2026-W53'); // 2026 has 53 ISO weeks
    expect(periodLabel('2027-01-04', 'week')).toBe('2027-W01');
    expect(periodLabel('2024-12-30', 'week')).toBe('2025-W01'); // Monday in 2024, Thursday in 2025
    expect(periodLabel('2026-12-01', 'month')).toBe('2026-12');
  });

  it('cover the window, clipped at both ends', () => {
    expect(periodsBetween('2026-12-03', '2026-12-15', 'week')).toEqual([
      { period: '2026-W49', from: '2026-12-03', to: '2026-12-06' },
      { period: '2026-W50', from: '2026-12-07', to: '2026-12-13' },
      { period: '2026-W51', from: '2026-12-14', to: '2026-12-15' },
    ]);
    expect(periodsBetween('2026-11-20', '2027-01-02', 'month').map((p) => [p.period, p.from, p.to])).toEqual([
      ['2026-11', '2026-11-20', '2026-11-30'],
      ['2026-12', '2026-12-01', '2026-12-31'],
      ['2027-01', '2027-01-01', '2027-01-02'],
    ]);
    expect(periodsBetween('2026-12-31', '2027-01-01', 'day').map((p) => p.period)).toEqual(['2026-12-31', '2027-01-01']);
  });
});

const k = (product = 'P1', customer: string | null = 'ACME', salesperson: string | null = 'key-a'): FactKeys => ({
  product,
  customer,
  salesperson,
});
const none: KpiFacts = { shipments: [], completions: [], quotes: [], repromises: [], customerChanges: [], wip: [] };

describe('KPI summary', () => {
  it('counts kept against the original promise and, separately, against the latest', () => {
    const s = summariseKpis(
      {
        ...none,
        shipments: [
          { ...k(), on: '2026-12-11', keptOriginal: false, keptLatest: true, entryToShipMinutes: 1440 }, // re-promised, shipped late
          { ...k(), on: '2026-12-11', keptOriginal: true, keptLatest: true, entryToShipMinutes: 2880 },
          { ...k(), on: '2026-12-11', keptOriginal: null, keptLatest: null, entryToShipMinutes: null },
        ],
      },
      '2026-12-31',
    );
    expect(s.promises).toEqual({ shipped: 3, kept: 1, keptPercent: 33.33, keptAgainstLatest: 2, keptAgainstLatestPercent: 66.67 });
    expect(s.flowTimeDays.entryToShipment).toEqual({ orders: 2, mean: 1.5, p50: 1, p90: 2 });
  });

  it('counts each converted quote once, so conversion never exceeds 100 %', () => {
    const q = (converted: boolean) => ({ ...k(), on: '2026-12-01', leadTimeDays: 6, converted });
    expect(summariseKpis({ ...none, quotes: [q(true), q(true)] }, '2026-12-31').quotes).toEqual({
      answered: 2,
      converted: 2,
      conversionPercent: 100,
    });
    expect(summariseKpis({ ...none, quotes: [q(true), q(false), q(false)] }, '2026-12-31').quotes.conversionPercent).toBe(33.33);
  });

  it('counts re-promises per initiator and customer changes apart', () => {
    const r = (initiator: 'plant' | 'customer' | 'erp') => ({ ...k(), on: '2026-12-02', initiator });
    const s = summariseKpis(
      { ...none, repromises: [r('plant'), r('erp'), r('erp'), r('customer')], customerChanges: [{ ...k(), on: '2026-12-02' }] },
      '2026-12-31',
    );
    expect([s.repromises, s.repromisesByInitiator, s.customerChanges]).toEqual([4, { plant: 1, customer: 1, erp: 2 }, 1]);
  });

  it('counts WIP at the end of the day: released by then and not finished that day or before', () => {
    const w = (releasedOn: string, endedOn: string | null) => ({ ...k(), releasedOn, endedOn });
    const wip = [
      w('2026-12-01', null),
      w('2026-12-01', '2026-12-05'),
      w('2026-12-05', null),
      w('2026-12-06', null),
      w('2026-11-01', '2026-12-04'),
    ];
    expect(summariseKpis({ ...none, wip }, '2026-12-05').wip.orders).toBe(2); // the one ending on the 5th is done by its end
    expect(summariseKpis({ ...none, wip }, '2026-12-04').wip.orders).toBe(2);
  });

  it('reports flow time from release to completion and zones at completion', () => {
    const c = (penetration: number | null, minutes: number | null) => ({
      ...k(),
      on: '2026-12-03',
      penetration,
      releaseToCompletionMinutes: minutes,
    });
    const s = summariseKpis({ ...none, completions: [c(10, 720), c(70, 2160), c(101, null), c(null, 1440)] }, '2026-12-31');
    expect(s.completedByZone).toEqual({ green: 1, yellow: 0, red: 1, black: 1 });
    expect(s.flowTimeDays.releaseToCompletion).toEqual({ orders: 3, mean: 1, p50: 1, p90: 1.5 });
  });

  it('reports no percentages or means without a sample', () => {
    const s = summariseKpis(none, '2026-12-31');
    expect(s.promises.keptPercent).toBe(null);
    expect(s.promises.keptAgainstLatestPercent).toBe(null);
    expect(s.quotes.conversionPercent).toBe(null);
    expect(s.quotedLeadTimeDays).toEqual({ quotes: 0, mean: null, p90: null });
    expect(s.flowTimeDays.entryToShipment).toEqual({ orders: 0, mean: null, p50: null, p90: null });
  });
});

describe('KPI breakdown', () => {
  const facts: KpiFacts = {
    ...none,
    shipments: [
      { ...k('P1', 'ACME', 'key-a'), on: '2026-12-03', keptOriginal: true, keptLatest: true, entryToShipMinutes: 60 },
      { ...k('P2', 'Bolt', 'key-b'), on: '2026-12-08', keptOriginal: false, keptLatest: true, entryToShipMinutes: 60 },
      { ...k('P1', null, 'key-b'), on: '2026-12-08', keptOriginal: true, keptLatest: true, entryToShipMinutes: 60 },
    ],
    wip: [{ ...k('P2', 'Bolt', 'key-b'), releasedOn: '2026-12-02', endedOn: '2026-12-07' }],
  };
  const window = { from: '2026-12-01', to: '2026-12-14', today: '2026-12-10' };

  it('lists every period without a group, empty ones too, WIP at each period’s end or today', () => {
    const b = breakdownKpis(facts, window, 'week', undefined);
    expect(b.map((x) => [x.period, x.from, x.to, x.key, x.promises.shipped, x.promises.kept, x.wip.orders])).toEqual([
      ['2026-W49', '2026-12-01', '2026-12-06', null, 1, 1, 1],
      ['2026-W50', '2026-12-07', '2026-12-13', null, 2, 1, 0],
      ['2026-W51', '2026-12-14', '2026-12-14', null, 0, 0, 0],
    ]);
  });

  it('lists per group only the keys with a fact, null first, per product, customer and salesperson', () => {
    const byCustomer = breakdownKpis(facts, window, undefined, 'customer');
    expect(byCustomer.map((x) => [x.period, x.key, x.promises.shipped, x.wip.orders])).toEqual([
      [null, null, 1, 0],
      [null, 'ACME', 1, 0],
      [null, 'Bolt', 1, 0], // its WIP ended on the 7th, before today
    ]);
    expect(breakdownKpis(facts, window, 'month', 'salesperson').map((x) => [x.period, x.key, x.promises.shipped, x.promises.kept])).toEqual(
      [
        ['2026-12', 'key-a', 1, 1],
        ['2026-12', 'key-b', 2, 1],
      ],
    );
    expect(breakdownKpis(facts, window, 'day', 'product').map((x) => [x.period, x.key])).toEqual([
      ['2026-12-02', 'P2'], // WIP only
      ['2026-12-03', 'P1'],
      ['2026-12-03', 'P2'],
      ['2026-12-04', 'P2'],
      ['2026-12-05', 'P2'],
      ['2026-12-06', 'P2'],
      ['2026-12-08', 'P1'],
      ['2026-12-08', 'P2'],
    ]);
  });

  it('sums per period to the window’s totals', () => {
    const days = breakdownKpis(facts, window, 'day', undefined);
    expect(days).toHaveLength(14);
    expect(days.reduce((s, d) => s + d.promises.shipped, 0)).toBe(summariseKpis(facts, window.today).promises.shipped);
  });
});
