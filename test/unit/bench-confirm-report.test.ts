import { describe, expect, it } from 'vitest';
import { summarizeConfirm } from '../../bench/confirm-summary.ts';
import { parseOptions } from '../../bench/options.ts';
import { renderSection, type BenchResults } from '../../bench/report.ts';
import type { CommitFloor, ConfirmResult, ConfirmRound, ConfirmRun, ConfirmRunKey } from '../../bench/scenarios/confirm.ts';

/**
 * The confirm scenario's verdicts rest on rounds: each run's ratio is taken against the floor
 * of its own round, and the verdict reads the median of those ratios, never a ratio of medians
 * or a single run.
 */

const floor = (clients: number, tps: number): CommitFloor => ({ clients, seconds: 10, commits: tps * 10, tps, p50: 1, p99: 5 });

function run(key: ConfirmRunKey, rps: number, cpuUs = 400): ConfirmRun {
  const requests = rps * 10;
  return {
    key,
    label: { one: 'one plant', eight: 'eight plants', history: 'one plant with 100k past events' }[key],
    plants: [key],
    load: {
      title: key,
      requests,
      rps,
      p50: 8,
      p99: 20,
      mean: 9,
      statuses: { '201': requests },
      errors: 0,
      sorted: new Float64Array(),
      seconds: 10,
    },
    created: requests,
    rows: requests,
    checks: [{ plantId: key, committed: requests, feasible: true, minSlackMinutes: 10, explainedByFacts: 0 }],
    // client 10 %, services 50 %, PostgreSQL 40 % of cpuUs per request
    cpu: { client: (requests * cpuUs * 0.1) / 1e6, service: (requests * cpuUs * 0.5) / 1e6, postgres: (requests * cpuUs * 0.4) / 1e6 },
  };
}

function round(i: number, floorTps: number, serialTps: number, one: number, eight: number, history: number): ConfirmRound {
  return {
    round: i,
    order: [],
    reversed: i % 2 === 0,
    loadAverage: 0.5,
    floor: floor(32, floorTps),
    serialFloor: floor(1, serialTps),
    runs: [run('one', one), run('eight', eight), run('history', history)],
  };
}

// The rounds' ratios for one plant are 1.1, 0.9 and 1.2 (median 1.1: met); the ratio of the
// medians would read 1890 / 2000 = 0.945 (missed). Eight plants: 0.3, 0.3, 0.32.
const result: ConfirmResult = {
  rounds: [
    round(1, 10_000, 2_000, 2_200, 3_000, 2_000),
    round(2, 5_000, 2_100, 1_890, 1_500, 900),
    round(3, 12_000, 1_000, 1_200, 3_840, 2_400),
  ],
  historyEvents: 100_000,
  promiseDays: 1700,
};

describe('summarizeConfirm', () => {
  it("takes each round's ratio against that round's floors and summarises the ratios", () => {
    const s = summarizeConfirm(result);
    expect(s.rounds).toBe(3);
    const one = s.runs.find((x) => x.key === 'one')!;
    expect(one.perRound.map((x) => x.vsSerialFloor)).toEqual([1.1, 0.9, 1.2]);
    expect(one.vsSerialFloor).toEqual({ median: 1.1, min: 0.9, max: 1.2, n: 3 });
    expect(one.rps.median).toBe(1_890);
    const eight = s.runs.find((x) => x.key === 'eight')!;
    expect(eight.perRound.map((x) => x.vsFloor)).toEqual([0.3, 0.3, 0.32]);
    expect(eight.vsFloor.median).toBe(0.3);
    expect(s.floor.tps).toEqual({ median: 10_000, min: 5_000, max: 12_000, n: 3 });
    expect(s.serialVsFloor.median).toBe(0.2);
    expect(s.serialFloor.commits).toBe(51_000);
  });

  it('sums counts over the rounds and splits CPU per request', () => {
    const s = summarizeConfirm(result);
    const one = s.runs.find((x) => x.key === 'one')!;
    expect(one.created).toBe(22_000 + 18_900 + 12_000);
    expect(one.rows).toBe(one.created);
    expect(one.statuses).toEqual({ '201': one.created });
    expect(one.feasible).toBe(true);
    expect(one.cpuUs.total.median).toBeCloseTo(400);
    expect(one.cpuUs.service.median).toBeCloseTo(200);
    expect(s.floor.commits).toBe(270_000);
  });

  it('keeps the runs in the order of the rounds, whichever order they ran in', () => {
    expect(summarizeConfirm(result).runs.map((x) => x.key)).toEqual(['one', 'eight', 'history']);
  });

  it('marks a run infeasible when any round was', () => {
    const bad = structuredClone(result);
    bad.rounds[1]!.runs[0]!.checks[0]!.feasible = false;
    expect(summarizeConfirm(bad).runs[0]!.feasible).toBe(false);
  });
});

describe('the confirm report', () => {
  const results = (confirm: ConfirmResult): BenchResults => ({
    machine: { uname: 'test', nproc: 2, cpu: 'test', memoryGb: 1, node: 'v0', date: '2026-12-01', commit: 'test' },
    mode: 'full',
    opts: { ...parseOptions(['--no-results', '--no-profile']), only: new Set(['confirm']) },
    skipped: [],
    loadAverage: { start: 0.5, end: 0.6 },
    confirm,
  });
  const targetRow = (text: string, what: string) => text.split('\n').find((l) => l.startsWith(`| ${what}`))!;

  it('judges on the median of the per-round ratios and shows their spread', () => {
    const text = renderSection(results(result));
    const one = targetRow(text, 'Confirm throughput vs serial commit floor');
    expect(one).toContain('median of 3 rounds');
    expect(one).toContain('1.100× (rounds 0.900–1.200; 1890 vs 2000 /s median)');
    expect(one).toContain('**met**');
    const eight = targetRow(text, 'Confirm throughput vs 32-client commit floor');
    expect(eight).toContain('0.300× (rounds 0.300–0.320; 3000 vs 10000 /s median)');
    expect(eight).toContain('**met**');
    expect(text).toContain('**3 rounds**');
  });

  it('misses a target when the median ratio is below it, even if one round met it', () => {
    const low = structuredClone(result);
    low.rounds[0]!.runs[0]!.load.rps = 1_800; // 0.9 × its serial floor; round 2 0.9 ×, round 3 1.2 ×
    expect(targetRow(renderSection(results(low)), 'Confirm throughput vs serial commit floor')).toContain('**MISSED**');
  });

  it('lists every round with its floors, runs and ratios', () => {
    const text = renderSection(results(result));
    const rows = text.split('\n').filter((l) => /^\| [123] \| (as listed|reversed) \|/.test(l));
    expect(rows).toHaveLength(3);
    expect(rows[1]).toContain('| 5000 | 2100 | 1890 | 1500 | 900 | 0.900× | 0.300× |');
    // The main table: medians with their range.
    expect(text).toContain('| POST /orders, one plant | 1890 (1200–2200) |');
    expect(text).toContain('| 400 (400–400) = 40 (40–40) + 200 (200–200) + 160 (160–160) |');
  });

  it('gives single values for one round (quick mode)', () => {
    const one: ConfirmResult = { ...result, rounds: [result.rounds[0]!] };
    const text = renderSection(results(one));
    expect(targetRow(text, 'Confirm throughput vs serial commit floor')).toContain('1.100× (1 round; 2200 vs 2000 /s)');
    expect(text).toContain('| POST /orders, one plant | 2200 |');
  });
});

describe('options', () => {
  it('runs the confirm scenario in 3 rounds in full mode and 1 in quick mode', () => {
    expect(parseOptions([]).confirmRounds).toBe(3);
    expect(parseOptions(['--quick']).confirmRounds).toBe(1);
  });
});
