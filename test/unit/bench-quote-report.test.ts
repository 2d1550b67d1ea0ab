import { describe, expect, it } from 'vitest';
import { machineBusySeconds, startOtherLoad } from '../../bench/cpu-meter.ts';
import type { LoadResult } from '../../bench/load.ts';
import { latencyTarget } from '../../bench/report.ts';
import type { QuoteRow } from '../../bench/scenarios/quote.ts';

const load = (title: string, p50: number): LoadResult => ({
  title,
  requests: 1000,
  rps: 100,
  p50,
  p99: p50 * 3,
  mean: p50,
  statuses: { '200': 1000 },
  errors: 0,
  sorted: new Float64Array(),
  seconds: 10,
});

const row = (quoteP50: number, otherLoad: QuoteRow['otherLoad']): QuoteRow => ({
  backend: 'postgres',
  orders: 10_000,
  coldBuildMs: 500,
  noop: load('noop', 1),
  quote: load('quote', quoteP50),
  cpuUs: { noop: 100, quote: 120, noopPostgres: 0, quotePostgres: 8 },
  extraCpuUs: { median: 28, min: 20, max: 35, service: 20, postgres: 8 },
  otherLoad,
});

describe('the quote latency verdict (issue 11: read only when the machine was otherwise quiet)', () => {
  it('judges the p50 ratio when other work stayed below one core in every run', () => {
    expect(latencyTarget(row(1.2, { median: 0.1, max: 0.6 })).ok).toBe(true);
    expect(latencyTarget(row(1.6, { median: 0.1, max: 0.6 })).ok).toBe(false);
  });

  it('gives no verdict when one run met a busy machine, and says why', () => {
    const t = latencyTarget(row(1.2, { median: 0.2, max: 1.0 }));
    expect(t.ok).toBeNull();
    expect(t.measured).toContain('not read: other work 0.20 cores, busiest run 1.00');
    expect(t.measured).toContain('1.20×');
  });

  it('gives no verdict when the other work could not be read, nor without a 10k row', () => {
    expect(latencyTarget(row(1.2, null)).ok).toBeNull();
    expect(latencyTarget(undefined).ok).toBeNull();
  });
});

describe.runIf(process.platform === 'linux')('the machine-load reading', () => {
  const spin = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };

  it("counts this process's own CPU as the machine's busy time", () => {
    const before = machineBusySeconds()!;
    const cpu = process.cpuUsage();
    spin(300);
    const own = process.cpuUsage(cpu);
    const busy = machineBusySeconds()! - before;
    // /proc/stat ticks at 10 ms; the machine may be busier than this process, never less.
    expect(busy).toBeGreaterThanOrEqual((own.user + own.system) / 1e6 - 0.05);
  });

  it('leaves out what the caller says was its own', () => {
    const other = startOtherLoad();
    const cpu = process.cpuUsage();
    spin(300);
    const own = process.cpuUsage(cpu);
    const counted = other(0)!;
    const without = other((own.user + own.system) / 1e6)!;
    expect(without).toBeLessThan(counted);
    expect(without).toBeGreaterThanOrEqual(0);
  });
});
