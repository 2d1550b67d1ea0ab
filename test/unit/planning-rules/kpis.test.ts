import { describe, expect, it } from 'vitest';
import { completionZone, KPI_EVENT_TYPES, percentile, quotedLeadTimeDays, summariseKpis } from '../../../src/planning-rules/kpis.ts';

describe('nearest-rank percentile', () => {
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

  it('is the smallest value with at least p of the sample at or below it', () => {
    expect(percentile(upTo(10), 0.9)).toBe(9);
    expect(percentile(upTo(11), 0.9)).toBe(10); // rank 9.9 rounds up
    expect(percentile(upTo(6), 0.9)).toBe(6); // rank 5.4 rounds up, not to the nearest
    expect(percentile(upTo(20), 0.9)).toBe(18);
    expect(percentile(upTo(10), 1)).toBe(10);
    expect(percentile(upTo(10), 0.5)).toBe(5);
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

describe('KPI summary', () => {
  it('counts promises kept among shipped orders, quoted lead time, conversions, re-promises and zones', () => {
    const k = summariseKpis({
      promiseKept: [true, true, false],
      leadTimes: [12, 3, 5, 7, 9, 4, 6, 8, 11, 10, 2], // unsorted: p90 is of the sorted sample
      eventTypes: ['order.created', 'order.confirmed', 'order.pushed', 'order.repromised', 'order.repromised'],
      completionPenetrations: [10, 40, 70, 101, null],
    });
    expect(k).toEqual({
      promises: { shipped: 3, kept: 2, keptPercent: 66.67 },
      quotedLeadTimeDays: { quotes: 11, mean: 7, p90: 11 },
      repromises: 2,
      quotes: { answered: 11, converted: 3, conversionPercent: 27.27 },
      completedByZone: { green: 1, yellow: 1, red: 1, black: 1 },
    });
  });

  it('reports no percentages or lead times without a sample, and a null promise as not kept', () => {
    expect(summariseKpis({ promiseKept: [], leadTimes: [], eventTypes: [], completionPenetrations: [] })).toEqual({
      promises: { shipped: 0, kept: 0, keptPercent: null },
      quotedLeadTimeDays: { quotes: 0, mean: null, p90: null },
      repromises: 0,
      quotes: { answered: 0, converted: 0, conversionPercent: null },
      completedByZone: { green: 0, yellow: 0, red: 0, black: 0 },
    });
    expect(summariseKpis({ promiseKept: [null, true], leadTimes: [1, 2], eventTypes: [], completionPenetrations: [] }).promises).toEqual({
      shipped: 2,
      kept: 1,
      keptPercent: 50,
    });
  });

  it('rounds the mean lead time to two decimals', () => {
    expect(
      summariseKpis({ promiseKept: [], leadTimes: [1, 1, 2], eventTypes: [], completionPenetrations: [] }).quotedLeadTimeDays.mean,
    ).toBe(1.33);
  });

  it('asks for the conversion and re-promise events only', () => {
    expect(KPI_EVENT_TYPES).toEqual(['order.created', 'order.confirmed', 'order.pushed', 'order.repromised']);
  });
});
