import { spread, type Spread } from './rounds.ts';
import type { CommitFloor, ConfirmResult, ConfirmRun, ConfirmRunKey } from './scenarios/confirm.ts';

/** A commit floor over the rounds. */
export interface FloorSummary {
  clients: number;
  /** Commits over all rounds. */
  commits: number;
  tps: Spread;
  p50: Spread;
  p99: Spread;
  /** The rounds' commits/s, in round order. */
  perRound: number[];
}

/** A confirm run over the rounds: each ratio is taken against the floor of the run's own round, then summarised. */
export interface RunSummary {
  key: ConfirmRunKey;
  label: string;
  rps: Spread;
  p50: Spread;
  p99: Spread;
  /** req/s ÷ the same round's 32-client commit floor. */
  vsFloor: Spread;
  /** req/s ÷ the same round's serial (1-client) commit floor. */
  vsSerialFloor: Spread;
  /** CPU µs per request: total and per process group. */
  cpuUs: { total: Spread; client: Spread; service: Spread; postgres: Spread };
  /** Summed over the rounds. */
  statuses: Record<string, number>;
  created: number;
  rows: number;
  /** Every stored schedule checked after every round was feasible. */
  feasible: boolean;
  /** In round order. */
  perRound: { rps: number; vsFloor: number; vsSerialFloor: number; cpuUs: number }[];
}

export interface ConfirmSummary {
  rounds: number;
  floor: FloorSummary;
  serialFloor: FloorSummary;
  /** Serial floor ÷ 32-client floor, per round. */
  serialVsFloor: Spread;
  /** In the order of the first round's runs (the scenario's CONFIRM_RUNS). */
  runs: RunSummary[];
}

function floorSummary(floors: CommitFloor[]): FloorSummary {
  return {
    clients: floors[0]?.clients ?? NaN,
    commits: floors.reduce((n, x) => n + x.commits, 0),
    tps: spread(floors.map((x) => x.tps)),
    p50: spread(floors.map((x) => x.p50)),
    p99: spread(floors.map((x) => x.p99)),
    perRound: floors.map((x) => x.tps),
  };
}

const cpuUs = (x: ConfirmRun, part: keyof ConfirmRun['cpu'] | 'total') =>
  ((part === 'total' ? x.cpu.client + x.cpu.service + x.cpu.postgres : x.cpu[part]) / x.load.requests) * 1e6;

/** The confirm scenario's figures: medians of the rounds, with their range; a run's ratios are per round, against that round's floors. */
export function summarizeConfirm(c: ConfirmResult): ConfirmSummary {
  const keys = c.rounds[0]?.runs.map((x) => x.key) ?? [];
  const runs = keys.map((key): RunSummary => {
    const perRound = c.rounds.map((round) => {
      const run = round.runs.find((x) => x.key === key);
      if (!run) throw new Error(`round ${round.round} has no ${key} run`);
      return { round, run };
    });
    const statuses: Record<string, number> = {};
    for (const { run } of perRound) for (const [s, n] of Object.entries(run.load.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
    const ratios = perRound.map(({ round, run }) => ({
      rps: run.load.rps,
      vsFloor: run.load.rps / round.floor.tps,
      vsSerialFloor: run.load.rps / round.serialFloor.tps,
      cpuUs: cpuUs(run, 'total'),
    }));
    const each = <T>(fn: (run: ConfirmRun) => T) => perRound.map(({ run }) => fn(run));
    return {
      key,
      label: perRound[0]!.run.label,
      rps: spread(ratios.map((x) => x.rps)),
      p50: spread(each((x) => x.load.p50)),
      p99: spread(each((x) => x.load.p99)),
      vsFloor: spread(ratios.map((x) => x.vsFloor)),
      vsSerialFloor: spread(ratios.map((x) => x.vsSerialFloor)),
      cpuUs: {
        total: spread(ratios.map((x) => x.cpuUs)),
        client: spread(each((x) => cpuUs(x, 'client'))),
        service: spread(each((x) => cpuUs(x, 'service'))),
        postgres: spread(each((x) => cpuUs(x, 'postgres'))),
      },
      statuses,
      created: each((x) => x.created).reduce((a, b) => a + b, 0),
      rows: each((x) => x.rows).reduce((a, b) => a + b, 0),
      feasible: each((x) => x.checks.every((ch) => ch.feasible)).every(Boolean),
      perRound: ratios,
    };
  });
  return {
    rounds: c.rounds.length,
    floor: floorSummary(c.rounds.map((r) => r.floor)),
    serialFloor: floorSummary(c.rounds.map((r) => r.serialFloor)),
    serialVsFloor: spread(c.rounds.map((r) => r.serialFloor.tps / r.floor.tps)),
    runs,
  };
}
