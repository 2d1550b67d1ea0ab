import { type Estimate, estimate, pairedRatio } from './confidence.ts';
import { type ExperimentConfig, type PolicyResult, runPolicy, scenariosFor } from './experiment.ts';
import { dailySeries } from './metrics.ts';
import { DEFAULT_PLANT, type PlantSpec } from './plant.ts';
import { conwipPolicy } from './policies/conwip.ts';
import { drumbeatPolicy } from './policies/drumbeat.ts';
import { drumbeatRoutePolicy } from './policies/drumbeat-route.ts';
import { type DueDateRule, dueDateRulePolicy } from './policies/due-date-rules.ts';
import { loadAwarePolicy } from './policies/load-aware.ts';
import { viciousCirclePolicy } from './policies/vicious-circle.ts';
import type { Policy } from './policy.ts';
import { buffersFromRouting, routeBuffersFromRouting } from './buffer-sizing.ts';
import type { Scenario } from './scenario.ts';
import { simulate } from './simulator.ts';
import { tuneToOnTime } from './tuning.ts';
import { averageSeries, mser5 } from './warmup.ts';

/**
 * The study of issue 18. Per drum load:
 * 1. warm-up: pilot runs on the TRAINING seed (no warm-up, `pilotDays` long) of Drumbeat on
 *    both engines and of the load-aware rule; MSER-5 on the replication-averaged daily series
 *    of orders in the system and of quoted lead time; the warm-up is the longest truncation found;
 * 2. tuning, on the TRAINING seed only: every rule's k to each reliability target by
 *    bisection; CONWIP's cap (the smallest whose flow time is within 1 % of the best cap's),
 *    then its k; Drumbeat's shipping-buffer protection (whole days) to the main target;
 * 3. reporting, on the TEST seed (replications never used for tuning): every policy at its
 *    tuned parameters; Drumbeat with buffer management running from its tuned buffers, on
 *    the drum-only engine and on the service's whole-route engine (RouteBook, route buffers,
 *    its own protection tuned on training), with the at-risk and commit-at-quote probes.
 * Then the disturbance grid on the test seed: Drumbeat (tuned at the base point, DBM on; the
 * whole route at the base load only) and the load-aware rule (k tuned at the base point),
 * none re-tuned.
 */
export interface GridSettings {
  processingCvs: number[];
  /** Mean repair times, minutes (failures every mtbf as in the base plant). */
  repairMinutes: number[];
  /** Standards optimism: actual = plan × (1 + this) on average. */
  optimism: number[];
  loads: number[];
  replications: number;
}

export interface StudySettings {
  plant: PlantSpec;
  trainSeed: number;
  testSeed: number;
  trainReplications: number;
  testReplications: number;
  /** Pilot run length for MSER-5 (days, no warm-up). */
  pilotDays: number;
  /** Pilot replications (the first ones of the training seed). */
  pilotReplications: number;
  measureDays: number;
  tailDays: number;
  loads: number[];
  tuneTolerance: number;
  /** Reliability targets every rule is tuned to: the points of its curve. */
  curveTargets: number[];
  /** The reliability the headline compares at (the issue's 99 %). */
  mainTarget: number;
  salesLeadDays: number;
  /** Drumbeat's shipping-buffer protection days tried (its curve). */
  protections: number[];
  /** The whole-route engine's protection days tried, smallest first, until one reaches the main target on training. */
  routeProtections: number[];
  frozenWindowMinutes: number;
  conwipCaps: number[];
  grid: GridSettings;
}

export const FULL_STUDY: StudySettings = {
  plant: DEFAULT_PLANT,
  trainSeed: 20261123,
  testSeed: 20261130,
  trainReplications: 10,
  testReplications: 20,
  pilotDays: 1200,
  pilotReplications: 6,
  measureDays: 800,
  tailDays: 100,
  loads: [0.85, 0.9, 0.95],
  tuneTolerance: 0.1,
  curveTargets: [95, 98, 99, 99.5, 99.8, 99.9],
  mainTarget: 99,
  salesLeadDays: 7,
  protections: [0, 1, 2],
  routeProtections: [1, 2, 3, 4],
  frozenWindowMinutes: 480,
  conwipCaps: [3, 4, 5, 6, 7, 8, 10, 12, 15, 20],
  grid: { processingCvs: [0.3, 0.5], repairMinutes: [60, 240], optimism: [0, 0.05], loads: [0.85, 0.9, 0.95], replications: 8 },
};

/** CI smoke: one load, two short replications per phase, a coarse tuning, one grid point. Seconds, not minutes. */
export const QUICK_STUDY: StudySettings = {
  ...FULL_STUDY,
  trainReplications: 2,
  testReplications: 2,
  pilotDays: 100,
  pilotReplications: 2,
  measureDays: 80,
  tailDays: 20,
  loads: [0.9],
  tuneTolerance: 1,
  curveTargets: [95],
  mainTarget: 95,
  protections: [1],
  routeProtections: [1],
  conwipCaps: [4, 8],
  grid: { processingCvs: [0.5], repairMinutes: [240], optimism: [0.05], loads: [0.9], replications: 1 },
};

export type PolicyKind = 'drumbeat' | 'load-blind' | 'load-aware' | 'release-control' | 'vicious-circle';

/** One policy at one load on the test seed. */
export interface ResultRow {
  load: number;
  policy: string;
  kind: PolicyKind;
  parameter: string;
  /** The reliability target it was tuned to on the training seed (none for untuned policies). */
  target: number | null;
  /** The headline row of its policy at this load (tuned to the main target; Drumbeat with DBM). */
  headline: boolean;
  result: PolicyResult;
}

export interface WarmupChoice {
  load: number;
  days: number;
  /** Truncation per pilot series, days. */
  bySeries: { series: string; days: number; atLimit: boolean }[];
}

export interface BufferTrajectory {
  load: number;
  product: string;
  startDays: number;
  /** Mean over test replications of the production buffer at the end of the run. */
  endDays: Estimate;
  /** Mean number of changes per replication. */
  changes: Estimate;
  /** Replication 0: (working day, PB) after each change. */
  path: { day: number; days: number }[];
}

export interface GridRow {
  load: number;
  processingCv: number;
  repairMinutes: number;
  optimism: number;
  /** Drum utilisation the plant really asks for: load × (1 + optimism) / availability. */
  effectiveLoad: number;
  drumbeat: PolicyResult;
  loadAware: PolicyResult;
  /** The whole-route engine at the same point, or the engine error that stopped it (calendar plant only). */
  route?: PolicyResult | string;
}

export interface StudyResult {
  settings: StudySettings;
  warmups: WarmupChoice[];
  rows: ResultRow[];
  trajectories: BufferTrajectory[];
  grid: GridRow[];
  /** Drumbeat's protection and k of every tuned rule, per load, for the grid. */
  tuned: { load: number; protection: number; routeProtection: number; routeReached: boolean; loadAwareK: number }[];
  /** Every protection tried on the training seed, per engine and load, with what it kept there. */
  tuning: TuningRun[];
}

export interface TuningRun {
  load: number;
  engine: typeof DRUMBEAT | typeof DRUMBEAT_ROUTE;
  protection: number;
  kept: Estimate;
  quoted: Estimate;
  chosen: boolean;
}

const BLIND_RULES: { rule: DueDateRule; maxHi: number }[] = [
  { rule: 'CON', maxHi: 256 },
  { rule: 'TWK', maxHi: 512 },
  { rule: 'SLK', maxHi: 256 },
];

export const DRUMBEAT = 'Drumbeat';
export const DRUMBEAT_ROUTE = 'Drumbeat (whole route)';
export const EXPEDITED = ', at-risk expedited';
export const AT_QUOTE = ', committed at the quote';
const RULE_UNIT: Record<string, string> = {
  CON: 'days',
  TWK: '× work content',
  SLK: 'days of slack',
  'Load-aware': 'days',
  CONWIP: 'days',
};

const pct = (x: number) => `${Math.round(x * 100)} %`;
/** The issue's base point: the drum load its ≥ 99 % target is set at. */
const BASE_LOAD = 0.9;

/** The plant of one grid point: its processing-time CV, every station's mean repair time, its standards' optimism. */
export function withDisturbance(plant: PlantSpec, cv: number, repair: number, optimism: number): PlantSpec {
  return {
    ...plant,
    processingCv: cv,
    standardsOptimism: optimism,
    stations: plant.stations.map((s) => ({ ...s, mttrMinutes: repair })),
  };
}

/** Drumbeat as the study runs it: per-product buffers from the routing with `protection` days in SB. */
function drumbeatMaker(
  s: StudySettings,
  plant: PlantSpec,
  protection: number,
  dbm: boolean,
  onChange?: (run: number) => (at: number, product: string, pb: number) => void,
  atRisk = false,
) {
  const productBuffers = buffersFromRouting(plant, protection);
  let run = 0;
  return () =>
    drumbeatPolicy({
      buffers: { productionBufferDays: 3, shippingBufferDays: 3, standardLeadTimeDays: 3 },
      productBuffers,
      calendar: plant.calendar,
      minutesPerDay: plant.minutesPerDay,
      frozenWindowMinutes: s.frozenWindowMinutes,
      bufferManagement: dbm,
      ...(onChange ? { onBufferChange: onChange(run++) } : {}),
      ...(atRisk ? { atRisk: 'expedite' as const } : {}),
    });
}

/** Drumbeat on the whole-route engine: per-product route buffers (SB = protection only) and DBM. */
function drumbeatRouteMaker(
  s: StudySettings,
  plant: PlantSpec,
  protection: number,
  probe: { atRisk?: 'expedite'; commitAtQuote?: boolean } = {},
) {
  const productBuffers = routeBuffersFromRouting(plant, protection);
  return () =>
    drumbeatRoutePolicy({
      buffers: { productionBufferDays: 3, shippingBufferDays: protection, standardLeadTimeDays: 0 },
      productBuffers,
      calendar: plant.calendar,
      minutesPerDay: plant.minutesPerDay,
      stations: plant.stations.map((x) => x.id),
      drum: plant.drum,
      frozenWindowMinutes: s.frozenWindowMinutes,
      bufferManagement: true,
      ...probe,
    });
}

function chooseWarmup(s: StudySettings, load: number, log: (line: string) => void = () => {}): WarmupChoice {
  const cfg: ExperimentConfig = {
    plant: s.plant,
    seed: s.trainSeed,
    replications: s.pilotReplications,
    warmupDays: 0,
    measureDays: s.pilotDays,
    tailDays: 0,
  };
  const scenarios = scenariosFor(cfg, load);
  // The whole-route engine is the headline, so its queue decides the warm-up too (at the first protection tuning tries).
  const pilots: [string, () => Policy][] = [
    [DRUMBEAT, drumbeatMaker(s, s.plant, 1, false)],
    [DRUMBEAT_ROUTE, drumbeatRouteMaker(s, s.plant, s.routeProtections[0]!)],
    ['Load-aware', () => loadAwarePolicy(1)],
  ];
  const bySeries: WarmupChoice['bySeries'] = [];
  for (const [name, make] of pilots) {
    const series = scenarios.map((sc) => dailySeries(simulate(sc, make())));
    for (const key of ['inSystem', 'quotedLead'] as const) {
      const m = mser5(averageSeries(series.map((x) => x[key])));
      bySeries.push({
        series: `${name}: ${key === 'inSystem' ? 'orders in the system' : 'quoted lead time'}`,
        days: m.truncation,
        atLimit: m.atLimit,
      });
    }
  }
  // At least 20 days, in whole tens: every policy gets the same window (common random numbers).
  const days = Math.max(20, Math.ceil(Math.max(...bySeries.map((b) => b.days)) / 10) * 10);
  log(`  warm-up at ${pct(load)}: ${days} days (${bySeries.map((b) => `${b.series} ${b.days}`).join(', ')})`);
  return { load, days, bySeries };
}

export function runStudy(s: StudySettings, log: (line: string) => void = () => {}): StudyResult {
  // Tuning and reporting on the same replications is what the review objected to.
  if (s.trainSeed === s.testSeed) throw new RangeError('the training and test seeds must differ');
  const rows: ResultRow[] = [];
  const warmups: WarmupChoice[] = [];
  const trajectories: BufferTrajectory[] = [];
  const tunedOut: StudyResult['tuned'] = [];
  const tuning: TuningRun[] = [];
  for (const load of s.loads) {
    const started = Date.now();
    const warm = chooseWarmup(s, load, log);
    warmups.push(warm);
    const base = { plant: s.plant, warmupDays: warm.days, measureDays: s.measureDays, tailDays: s.tailDays };
    const train = scenariosFor({ ...base, seed: s.trainSeed, replications: s.trainReplications }, load);
    const test = scenariosFor({ ...base, seed: s.testSeed, replications: s.testReplications }, load);
    const row = (r: Omit<ResultRow, 'load'>) => rows.push({ load, ...r });
    // Targets rise along a curve, so each search starts from the k of the target before (on-time % grows with k).
    const tune = (make: (k: number) => Policy, target: number, from: number, maxHi = 256) =>
      tuneToOnTime(train, make, { targetPct: target, lo: from, hi: from === 0 ? 8 : from * 1.5 + 0.5, tolerance: s.tuneTolerance, maxHi });

    // Drumbeat: the protection (whole days of SB) that reaches the main target on training.
    const tried = (engine: TuningRun['engine'], protection: number, r: PolicyResult, chosen: boolean) =>
      tuning.push({ load, engine, protection, kept: r.summary.onTimePct, quoted: r.summary.meanQuotedLeadDays, chosen });
    let protection = s.protections[s.protections.length - 1]!;
    for (const p of s.protections) {
      const r = runPolicy(train, drumbeatMaker(s, s.plant, p, false));
      const reached = r.summary.onTimePct.mean >= s.mainTarget;
      tried(DRUMBEAT, p, r, reached || p === protection);
      if (reached) {
        protection = p;
        break;
      }
    }
    for (const p of s.protections) {
      row({
        policy: `${DRUMBEAT}, SB protection ${p} d`,
        kind: 'drumbeat',
        parameter: `per-product buffers, ${p} d protection, no DBM`,
        target: null,
        headline: false,
        result: runPolicy(test, drumbeatMaker(s, s.plant, p, false)),
      });
    }
    const paths = new Map<number, { at: number; product: string; pb: number }[]>();
    const dbm = runPolicy(
      test,
      drumbeatMaker(s, s.plant, protection, true, (run) => (at, product, pb) => {
        const list = paths.get(run) ?? [];
        list.push({ at, product, pb });
        paths.set(run, list);
      }),
    );
    row({
      policy: DRUMBEAT,
      kind: 'drumbeat',
      parameter: `${protection} d protection (tuned), DBM from there`,
      target: s.mainTarget,
      headline: true,
      result: dbm,
    });
    row({
      policy: `${DRUMBEAT}${EXPEDITED}`,
      kind: 'drumbeat',
      parameter: `as Drumbeat; at-risk orders first on the non-drum centres`,
      target: null,
      headline: true,
      result: runPolicy(test, drumbeatMaker(s, s.plant, protection, true, undefined, true)),
    });
    // The whole-route engine (the service's): its own protection, tuned on training like the drum-only one's.
    let routeProtection = s.routeProtections[s.routeProtections.length - 1]!;
    let routeReached = false;
    for (const p of s.routeProtections) {
      const r = runPolicy(train, drumbeatRouteMaker(s, s.plant, p));
      const reached = r.summary.onTimePct.mean >= s.mainTarget;
      tried(DRUMBEAT_ROUTE, p, r, reached || p === routeProtection);
      if (reached) {
        routeProtection = p;
        routeReached = true;
        break;
      }
    }
    const routeRows: [string, string, { atRisk?: 'expedite'; commitAtQuote?: boolean }][] = [
      [
        DRUMBEAT_ROUTE,
        `RouteBook, route buffers, ${routeProtection} d protection (${routeReached ? 'tuned' : `the largest tried: did not reach ${s.mainTarget} %`}), DBM`,
        {},
      ],
      [`${DRUMBEAT_ROUTE}${EXPEDITED}`, `as whole route; at-risk orders first on the non-drum centres`, { atRisk: 'expedite' }],
      [`${DRUMBEAT_ROUTE}${AT_QUOTE}`, `as whole route; a later requested date committed at the quote (probe)`, { commitAtQuote: true }],
    ];
    for (const [policy, parameter, probe] of routeRows) {
      row({
        policy,
        kind: 'drumbeat',
        parameter,
        target: policy === DRUMBEAT_ROUTE ? s.mainTarget : null,
        headline: true,
        result: runPolicy(test, drumbeatRouteMaker(s, s.plant, routeProtection, probe)),
      });
    }
    log(`  whole route at ${pct(load)}: protection ${routeProtection} d`);
    for (const [product, b] of buffersFromRouting(s.plant, protection)) {
      const ends: number[] = [];
      const changes: number[] = [];
      for (let r = 0; r < test.length; r++) {
        const mine = (paths.get(r) ?? []).filter((x) => x.product === product);
        ends.push(mine.length > 0 ? mine[mine.length - 1]!.pb : b.productionBufferDays);
        changes.push(mine.length);
      }
      const day = s.plant.minutesPerDay;
      trajectories.push({
        load,
        product,
        startDays: b.productionBufferDays,
        endDays: estimate(ends),
        changes: estimate(changes),
        path: (paths.get(0) ?? []).filter((x) => x.product === product).map((x) => ({ day: Math.floor(x.at / day), days: x.pb })),
      });
    }
    log(`  Drumbeat at ${pct(load)}: protection ${protection} d`);

    row({
      policy: 'Vicious circle',
      kind: 'vicious-circle',
      parameter: `requested date, else ${s.salesLeadDays} d`,
      target: null,
      headline: true,
      result: runPolicy(test, () => viciousCirclePolicy(s.salesLeadDays)),
    });

    // The rules, each tuned on training to every curve target, reported on test.
    let loadAwareK = 0;
    const rules: { name: string; kind: PolicyKind; make: (k: number) => Policy; maxHi: number }[] = [
      ...BLIND_RULES.map((r) => ({
        name: r.rule,
        kind: 'load-blind' as const,
        make: (k: number) => dueDateRulePolicy(r.rule, k),
        maxHi: r.maxHi,
      })),
      { name: 'Load-aware', kind: 'load-aware', make: (k) => loadAwarePolicy(k), maxHi: 256 },
    ];
    for (const r of rules) {
      let from = 0;
      for (const target of [...s.curveTargets].sort((a, b) => a - b)) {
        const t = tune(r.make, target, from, r.maxHi);
        from = t.k;
        if (r.name === 'Load-aware' && target === s.mainTarget) loadAwareK = t.k;
        row({
          policy: r.name,
          kind: r.kind,
          parameter: `k = ${t.k.toFixed(2)} ${RULE_UNIT[r.name]}${t.reached ? '' : ` (did not reach ${target} %)`}`,
          target,
          headline: target === s.mainTarget,
          result: runPolicy(test, () => r.make(t.k)),
        });
      }
    }

    // CONWIP: the cap first (dates from the load-aware rule at its main k), then its own k.
    let cap = s.conwipCaps[s.conwipCaps.length - 1]!;
    {
      const flows = s.conwipCaps.map((c) => ({ c, flow: runPolicy(train, () => conwipPolicy(c, loadAwareK)).summary.meanFlowDays.mean }));
      const best = Math.min(...flows.map((f) => f.flow));
      cap = flows.find((f) => f.flow <= best * 1.01)!.c;
    }
    let from = 0;
    for (const target of [...s.curveTargets].sort((a, b) => a - b)) {
      const t = tune((k) => conwipPolicy(cap, k), target, from);
      from = t.k;
      row({
        policy: 'CONWIP',
        kind: 'release-control',
        parameter: `cap ${cap} orders, k = ${t.k.toFixed(2)} days${t.reached ? '' : ` (did not reach ${target} %)`}`,
        target,
        headline: target === s.mainTarget,
        result: runPolicy(test, () => conwipPolicy(cap, t.k)),
      });
    }
    tunedOut.push({ load, protection, routeProtection, routeReached, loadAwareK });
    log(`load ${pct(load)}: done in ${((Date.now() - started) / 1000).toFixed(1)} s (CONWIP cap ${cap})`);
  }

  const grid: GridRow[] = [];
  const g = s.grid;
  for (const load of g.loads) {
    const tuned = tunedOut.find((t) => t.load === load) ?? tunedOut[0]!;
    const warm = warmups.find((w) => w.load === load)?.days ?? warmups[0]!.days;
    for (const cv of g.processingCvs)
      for (const repair of g.repairMinutes)
        for (const optimism of g.optimism) {
          const plant = withDisturbance(s.plant, cv, repair, optimism);
          const scenarios: Scenario[] = scenariosFor(
            { plant, seed: s.testSeed, replications: g.replications, warmupDays: warm, measureDays: s.measureDays, tailDays: s.tailDays },
            load,
          );
          const st = plant.stations.find((x) => x.id === plant.drum)!;
          grid.push({
            load,
            processingCv: cv,
            repairMinutes: repair,
            optimism,
            effectiveLoad: (load * (1 + optimism) * (st.mtbfMinutes + st.mttrMinutes)) / st.mtbfMinutes,
            drumbeat: runPolicy(scenarios, drumbeatMaker(s, plant, tuned.protection, true)),
            loadAware: runPolicy(scenarios, () => loadAwarePolicy(tuned.loadAwareK)),
            // The service's engine at the base load only: the whole grid on it would double the study's time.
            ...(load === BASE_LOAD ? { route: runPolicy(scenarios, drumbeatRouteMaker(s, plant, tuned.routeProtection)) } : {}),
          });
        }
    log(`grid at ${pct(load)}: done`);
  }
  return { settings: s, warmups, rows, trajectories, grid, tuned: tunedOut, tuning };
}

/** Paired ratio of a metric between two rows on the same test replications. */
export function ratioOf(a: ResultRow, b: ResultRow, metric: keyof PolicyResult['runs'][number]): Estimate {
  return pairedRatio(
    a.result.runs.map((r) => r[metric]),
    b.result.runs.map((r) => r[metric]),
  );
}

/**
 * A small fixed configuration whose numbers the study prints beside its tables and a test
 * re-runs (test/sim/simulation-doc.test.ts): the printed tables came from this code and this
 * engine, or the test fails and the study must be run again.
 */
export const REPRODUCTION_CHECK = {
  load: 0.9,
  config: { plant: DEFAULT_PLANT, seed: FULL_STUDY.testSeed, replications: 2, warmupDays: 20, measureDays: 60, tailDays: 20 },
  protection: 1,
  routeProtection: 2,
} as const;

export function reproductionCheck(): { policy: string; result: PolicyResult }[] {
  const c = REPRODUCTION_CHECK;
  const scenarios = scenariosFor(c.config, c.load);
  return [
    {
      policy: `${DRUMBEAT}, ${c.protection} d protection, DBM`,
      result: runPolicy(scenarios, drumbeatMaker(FULL_STUDY, c.config.plant, c.protection, true)),
    },
    {
      policy: `${DRUMBEAT_ROUTE}, ${c.routeProtection} d protection, DBM`,
      result: runPolicy(scenarios, drumbeatRouteMaker(FULL_STUDY, c.config.plant, c.routeProtection)),
    },
  ];
}
