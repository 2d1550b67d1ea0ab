import type { CalendarStudyResult } from './calendar-study.ts';
import type { Estimate } from './confidence.ts';
import type { PolicyResult } from './experiment.ts';
import type { RunMetrics } from './metrics.ts';
import { type PlantSpec, downtimeShare, expectedStationLoad } from './plant.ts';
import { AT_QUOTE, DRUMBEAT, DRUMBEAT_ROUTE, EXPEDITED, type ResultRow, type StudyResult, ratioOf } from './study.ts';
import type { BufferPolicy } from '../src/engine/index.ts';

const COLUMNS: { key: keyof RunMetrics; title: string; digits: number }[] = [
  { key: 'onTimePct', title: 'promises kept %', digits: 1 },
  { key: 'meanTardinessDays', title: 'mean tardiness (d)', digits: 2 },
  { key: 'p95TardinessDays', title: 'p95 tardiness (d)', digits: 2 },
  { key: 'meanQuotedLeadDays', title: 'quoted lead time (d)', digits: 2 },
  { key: 'meanPromisedLeadDays', title: 'promised lead time (d)', digits: 2 },
  { key: 'meanFlowDays', title: 'total flow time (d)', digits: 2 },
  { key: 'wip', title: 'WIP (orders)', digits: 1 },
  { key: 'throughputPerDay', title: 'throughput (orders/d)', digits: 3 },
  { key: 'drumUtilisationPct', title: 'drum utilisation %', digits: 1 },
];

function formatEstimate(e: Estimate, digits: number): string {
  return e.n > 1 ? `${e.mean.toFixed(digits)} ± ${e.half.toFixed(digits)}` : e.mean.toFixed(digits);
}

const pct = (x: number) => `${Math.round(x * 100)} %`;
const table = (head: string[], body: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((c) => `| ${c.join(' | ')} |`)].join('\n');

/** The headline rows (each policy at the main target, Drumbeat with DBM), every column. */
export function resultsTable(rows: readonly ResultRow[]): string {
  const head = ['load', 'policy', 'parameter (tuned on the training seed)', ...COLUMNS.map((c) => c.title)];
  return table(
    head,
    rows
      .filter((r) => r.headline)
      .map((r) => [
        pct(r.load),
        r.policy,
        r.parameter + (r.result.truncated > 0 ? ` (${r.result.truncated} runs cut off)` : ''),
        ...COLUMNS.map((c) => formatEstimate(r.result.summary[c.key], c.digits)),
      ]),
  );
}

/** Every point of every curve: quoted lead time against promises kept, per tuned parameter. */
export function curvesTable(rows: readonly ResultRow[]): string {
  return table(
    ['load', 'policy', 'tuned to (training)', 'parameter', 'promises kept % (test)', 'quoted lead time (d)', 'WIP', 'total flow time (d)'],
    rows.map((r) => [
      pct(r.load),
      r.policy,
      r.target === null ? '—' : `${r.target} %`,
      r.parameter,
      formatEstimate(r.result.summary.onTimePct, 1),
      formatEstimate(r.result.summary.meanQuotedLeadDays, 2),
      formatEstimate(r.result.summary.wip, 1),
      formatEstimate(r.result.summary.meanFlowDays, 2),
    ]),
  );
}

/**
 * A policy's quoted lead time at a given reliability, read off its test curve by linear
 * interpolation between the two points around it; null outside the curve.
 */
function leadTimeAt(rows: readonly ResultRow[], policy: string, load: number, keptPct: number): number | null {
  const pts = rows
    .filter((r) => r.policy === policy && r.load === load)
    .map((r) => ({ y: r.result.summary.onTimePct.mean, x: r.result.summary.meanQuotedLeadDays.mean }))
    .sort((a, b) => a.y - b.y || a.x - b.x);
  for (let i = 0; i + 1 < pts.length; i++) {
    const a = pts[i]!;
    const b = pts[i + 1]!;
    if (keptPct >= a.y && keptPct <= b.y) return b.y === a.y ? Math.min(a.x, b.x) : a.x + ((keptPct - a.y) / (b.y - a.y)) * (b.x - a.x);
  }
  const only = pts.find((p) => Math.abs(p.y - keptPct) < 1e-9);
  return only ? only.x : null;
}

export interface TargetCheck {
  load: number;
  /** The target without the engine or the reliability it was read at: the verdict table's row. */
  key: string;
  target: string;
  value: string;
  /** The verdict table's cell: the verdict and its number. */
  short: string;
  /** The point estimate meets the target; null: cannot be judged (no comparator curve reaches Drumbeat's reliability). */
  met: boolean | null;
  /** Where the 95 % interval lies: 'whole' meets the target, 'straddles' or 'misses'; null for point ratios and findings. */
  interval: 'whole' | 'straddles' | 'misses' | null;
}

const ratioText = (e: Estimate) => `${e.mean.toFixed(2)} × (${(e.mean - e.half).toFixed(2)}–${(e.mean + e.half).toFixed(2)})`;
const WHERE = { whole: 'whole interval meets', straddles: 'interval straddles', misses: 'whole interval misses' } as const;

/** The verdict as the tables print it: every interval-bearing target says whether its whole interval meets it. */
function verdictText(c: Pick<TargetCheck, 'met' | 'interval'>): string {
  if (c.met === null) return 'n/a';
  if (!c.met) return '**no**';
  return c.interval === 'straddles' ? 'yes (point estimate only: the interval straddles)' : 'yes';
}

/** Throughput counts as equal when the whole interval of the ratio lies within this of 1 (1 %). */
const EQUAL_THROUGHPUT = 0.01;

export function checkTargets(result: StudyResult): TargetCheck[] {
  const out: TargetCheck[] = [];
  const { rows, settings } = result;
  const base = 0.9;
  for (const load of settings.loads) {
    const at = rows.filter((r) => r.load === load && r.headline);
    // The whole-route engine is the one the service runs: its targets first, the drum-only engine's for reference.
    for (const engine of [DRUMBEAT_ROUTE, DRUMBEAT]) {
      const db = at.find((r) => r.policy === engine);
      if (!db) continue;
      const first = out.length;
      const kept = db.result.summary.onTimePct;
      const need = load === base ? 99 : 98;
      const keptWhere = kept.mean - kept.half >= need ? 'whole' : kept.mean + kept.half < need ? 'misses' : 'straddles';
      out.push({
        load,
        key: 'promises kept ≥ 99 % at the base load, ≥ 98 % at the others (original promise)',
        target: `promises kept ≥ ${need} % (original promise)`,
        value: `${formatEstimate(kept, 1)} % (interval ${(kept.mean - kept.half).toFixed(1)}–${(kept.mean + kept.half).toFixed(1)}: ${WHERE[keptWhere]})`,
        short: `${kept.mean.toFixed(1)} % (${(kept.mean - kept.half).toFixed(1)}–${(kept.mean + kept.half).toFixed(1)})`,
        met: kept.mean >= need,
        interval: keptWhere,
      });
      const best = (list: ResultRow[], key: keyof RunMetrics) =>
        list.reduce<ResultRow | undefined>((a, b) => (!a || b.result.summary[key].mean < a.result.summary[key].mean ? b : a), undefined);
      const versus = (label: string, list: ResultRow[], key: keyof RunMetrics, limit: number) => {
        const other = best(list, key);
        if (!other) return;
        const r = ratioOf(db, other, key);
        const where = r.mean + r.half <= limit ? 'whole' : r.mean - r.half > limit ? 'misses' : 'straddles';
        out.push({
          load,
          key: label,
          target: label,
          value: `vs ${other.policy} (${formatEstimate(other.result.summary.onTimePct, 1)} % kept): ${ratioText(r)}, ${WHERE[where]}`,
          short: `${r.mean.toFixed(2)} × ${other.policy}`,
          met: r.mean <= limit,
          interval: where,
        });
      };
      const loadAware = at.filter((r) => r.kind === 'load-aware' || r.kind === 'release-control');
      const blind = at.filter((r) => r.kind === 'load-blind');
      versus(
        `quoted lead time ≤ 0.9 × best load-aware rule (each tuned to ${settings.mainTarget} %)`,
        loadAware,
        'meanQuotedLeadDays',
        0.9,
      );
      versus(`quoted lead time ≤ 0.5 × best load-blind rule (each tuned to ${settings.mainTarget} %)`, blind, 'meanQuotedLeadDays', 0.5);
      // The same at exactly Drumbeat's reliability, read off the comparators' curves.
      for (const [label, list, limit] of [
        ['load-aware', loadAware, 0.9],
        ['load-blind', blind, 0.5],
      ] as const) {
        const curves = [...new Set(list.map((r) => r.policy))]
          .map((p) => ({ p, x: leadTimeAt(rows, p, load, kept.mean) }))
          .filter((c): c is { p: string; x: number } => c.x !== null);
        if (curves.length === 0) {
          out.push({
            load,
            key: `the same at exactly its reliability (curves): ≤ ${limit} × best ${label} rule`,
            target: `(curves) quoted lead time at Drumbeat's ${kept.mean.toFixed(1)} % ≤ ${limit} × best ${label} rule`,
            value: 'no comparator curve reaches it on the test seed',
            short: `no curve reaches ${kept.mean.toFixed(1)} %`,
            met: null,
            interval: null,
          });
          continue;
        }
        const c = curves.reduce((a, b) => (b.x < a.x ? b : a));
        const r = db.result.summary.meanQuotedLeadDays.mean / c.x;
        out.push({
          load,
          key: `the same at exactly its reliability (curves): ≤ ${limit} × best ${label} rule`,
          target: `(curves) quoted lead time at Drumbeat's ${kept.mean.toFixed(1)} % ≤ ${limit} × best ${label} rule`,
          value: `${db.result.summary.meanQuotedLeadDays.mean.toFixed(2)} d vs ${c.p} ${c.x.toFixed(2)} d: ${r.toFixed(2)} ×`,
          short: `${r.toFixed(2)} × ${c.p}`,
          met: r <= limit,
          interval: null,
        });
      }
      const onArrival = at.filter((r) => r.kind === 'load-blind' || r.kind === 'load-aware');
      versus('WIP ≤ 0.6 × release on arrival (lowest of the rules)', onArrival, 'wip', 0.6);
      versus(
        'WIP ≤ CONWIP',
        at.filter((r) => r.kind === 'release-control'),
        'wip',
        1,
      );
      const conwip = at.find((r) => r.kind === 'release-control');
      if (conwip) {
        const t = ratioOf(db, conwip, 'throughputPerDay');
        const equal = Math.abs(t.mean - 1) <= EQUAL_THROUGHPUT;
        const whole = t.mean - t.half >= 1 - EQUAL_THROUGHPUT && t.mean + t.half <= 1 + EQUAL_THROUGHPUT;
        out.push({
          load,
          key: `throughput equal to CONWIP (ratio within 1 ± ${EQUAL_THROUGHPUT})`,
          target: `throughput equal to CONWIP (ratio within 1 ± ${EQUAL_THROUGHPUT})`,
          value: `${ratioText(t)}, ${whole ? 'whole interval' : 'interval outside'}`,
          short: `${t.mean.toFixed(3)} ×`,
          met: equal,
          interval: whole ? 'whole' : equal ? 'straddles' : 'misses',
        });
      }
      const alternatives = at.filter((r) => r.kind !== 'drumbeat' && r.kind !== 'vicious-circle');
      versus('total flow time ≤ best alternative', alternatives, 'meanFlowDays', 1);
      for (const t of out.slice(first)) t.target = `${engine === DRUMBEAT ? 'drum-only' : 'whole route'}: ${t.target}`;
    }
    const route = at.find((r) => r.policy === DRUMBEAT_ROUTE);
    const db = at.find((r) => r.policy === DRUMBEAT);
    for (const [engine, label] of [
      [db, 'drum-only'],
      [route, 'whole route'],
    ] as const) {
      const expedited = at.find((r) => r.policy === `${engine?.policy}${EXPEDITED}`);
      if (!engine || !expedited) continue;
      out.push({
        load,
        key: 'at-risk orders expedited vs not (a finding, not a target)',
        target: `${label}: at-risk orders expedited vs not (a finding, not a target)`,
        value: `kept ${formatEstimate(expedited.result.summary.onTimePct, 1)} % vs ${formatEstimate(engine.result.summary.onTimePct, 1)} %; quoted lead time ${ratioText(ratioOf(expedited, engine, 'meanQuotedLeadDays'))}`,
        short: '',
        met: null,
        interval: null,
      });
    }
    const atQuote = at.find((r) => r.policy === `${DRUMBEAT_ROUTE}${AT_QUOTE}`);
    if (route && atQuote) {
      out.push({
        load,
        key: 'later requested dates committed at the quote vs at the request (a probe, not a target)',
        target: 'whole route: later requested dates committed at the quote vs at the request (a probe, not a target)',
        value: `quoted lead time ${ratioText(ratioOf(atQuote, route, 'meanQuotedLeadDays'))}, flow time ${ratioText(ratioOf(atQuote, route, 'meanFlowDays'))}; kept ${formatEstimate(atQuote.result.summary.onTimePct, 1)} % vs ${formatEstimate(route.result.summary.onTimePct, 1)} %`,
        short: '',
        met: null,
        interval: null,
      });
    }
    if (route && db) {
      const q = ratioOf(route, db, 'meanQuotedLeadDays');
      const f = ratioOf(route, db, 'meanFlowDays');
      out.push({
        load,
        key: 'whole-route engine vs drum-only engine (a finding, not a target)',
        target: 'whole-route engine vs drum-only engine (a finding, not a target)',
        value: `quoted lead time ${ratioText(q)}, flow time ${ratioText(f)}; kept ${formatEstimate(route.result.summary.onTimePct, 1)} % vs ${formatEstimate(db.result.summary.onTimePct, 1)} %`,
        short: '',
        met: null,
        interval: null,
      });
    }
  }
  return out;
}

/** The per-calendar plant: its calendars, the headline rows and the paired ratios the text quotes. */
export function calendarSection(result: CalendarStudyResult): string {
  const { settings: c, rows } = result;
  const db = rows.find((r) => r.policy === DRUMBEAT)!;
  const route = rows.find((r) => r.policy === DRUMBEAT_ROUTE);
  const la = rows.find((r) => r.kind === 'load-aware')!;
  const cal = (id: string) => {
    const k = c.plant.stationCalendars?.[id] ?? c.plant.calendar;
    const days = [...new Set(k.weekly.map((w) => w.day))].join(', ');
    const hours = [...new Set(k.weekly.map((w) => `${w.start}–${w.end}`))].join(', ');
    return `${days} ${hours}`;
  };
  return [
    `Load ${pct(c.load)}; train seed ${c.trainSeed} × ${c.trainReplications}, test seed ${c.testSeed} × ${c.testReplications}; ` +
      `warm-up ${c.warmupDays} days (fixed, not chosen by MSER-5), ${c.measureDays} measured days; a day is a working day of the drum (${c.plant.minutesPerDay} minutes).`,
    '',
    table(
      ['station', 'calendar (Europe/Berlin)'],
      c.plant.stations.map((s) => [s.id === c.plant.drum ? `${s.id} (drum)` : s.id, cal(s.id)]),
    ),
    '',
    resultsTable(rows),
    '',
    table(
      ['paired ratio (test seed, 95 % interval)', 'value'],
      [
        ['Drumbeat / load-aware: quoted lead time', ratioText(ratioOf(db, la, 'meanQuotedLeadDays'))],
        ['Drumbeat / load-aware: total flow time', ratioText(ratioOf(db, la, 'meanFlowDays'))],
        ['Drumbeat / load-aware: WIP', ratioText(ratioOf(db, la, 'wip'))],
        ...(route ? [['whole route / drum-only Drumbeat: quoted lead time', ratioText(ratioOf(route, db, 'meanQuotedLeadDays'))]] : []),
      ],
    ),
    ...(result.routeFailures
      ? [
          '',
          `Drumbeat (whole route) is left out: it stopped in ${result.routeFailures.count} of ${c.testReplications} test replications ` +
            `on an engine error ("${result.routeFailures.first}").`,
        ]
      : []),
    ...(result.grid.length > 0
      ? [
          '',
          `Disturbance grid on this plant at ${pct(c.load)} (test seed, ${c.grid.replications} replications per point; Drumbeat with DBM ` +
            `and the whole route at the protection tuned above, the load-aware rule at its tuned k; nothing re-tuned; "stopped": ` +
            `the whole-route policy stopped on an engine error in a replication):`,
          '',
          gridTable(result),
        ]
      : []),
  ].join('\n');
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  return table(
    ['load', 'target', 'Drumbeat (paired ratio, 95 % interval)', 'met'],
    checks.map((c) => [pct(c.load), c.target, c.value, verdictText(c)]),
  );
}

export function warmupTable(result: StudyResult): string {
  const series = [...new Set(result.warmups.flatMap((w) => w.bySeries.map((b) => b.series)))];
  return table(
    ['load', ...series.map((s) => `MSER-5: ${s} (d)`), 'warm-up used (d)'],
    result.warmups.map((w) => [
      pct(w.load),
      ...series.map((s) => {
        const b = w.bySeries.find((x) => x.series === s);
        return b ? `${b.days}${b.atLimit ? ' (at the half-run limit)' : ''}` : '—';
      }),
      String(w.days),
    ]),
  );
}

export function trajectoryTable(result: StudyResult): string {
  return table(
    ['load', 'product', 'PB at start (d)', 'PB at end (d, mean)', 'DBM changes per run', 'replication 0: (working day → PB)'],
    result.trajectories.map((t) => [
      pct(t.load),
      t.product,
      String(t.startDays),
      formatEstimate(t.endDays, 1),
      formatEstimate(t.changes, 1),
      t.path.length === 0 ? 'no change' : t.path.map((p) => `${p.day} → ${p.days}`).join(', '),
    ]),
  );
}

export function gridTable(result: Pick<StudyResult, 'grid'>): string {
  const withRoute = result.grid.some((g) => g.route !== undefined);
  const route = (g: StudyResult['grid'][number], f: (r: PolicyResult) => string) =>
    g.route === undefined ? '—' : typeof g.route === 'string' ? 'stopped' : f(g.route);
  return table(
    [
      'load',
      'CV',
      'repair',
      'standards optimistic',
      'drum demand / availability',
      'Drumbeat kept %',
      'Drumbeat quoted (d)',
      'Drumbeat flow (d)',
      'Load-aware kept %',
      'Load-aware quoted (d)',
      ...(withRoute ? ['whole route kept %', 'whole route quoted (d)'] : []),
      'Drumbeat ≥ 98 % (mean)',
    ],
    result.grid.map((g) => [
      pct(g.load),
      g.processingCv.toFixed(1),
      `${g.repairMinutes / 60} h`,
      `${Math.round(g.optimism * 100)} %`,
      `${(100 * g.effectiveLoad).toFixed(1)} %`,
      formatEstimate(g.drumbeat.summary.onTimePct, 1),
      formatEstimate(g.drumbeat.summary.meanQuotedLeadDays, 2),
      formatEstimate(g.drumbeat.summary.meanFlowDays, 2),
      formatEstimate(g.loadAware.summary.onTimePct, 1),
      formatEstimate(g.loadAware.summary.meanQuotedLeadDays, 2),
      ...(withRoute
        ? [route(g, (r) => formatEstimate(r.summary.onTimePct, 1)), route(g, (r) => formatEstimate(r.summary.meanQuotedLeadDays, 2))]
        : []),
      g.drumbeat.summary.onTimePct.mean >= 98 ? 'yes' : '**no**',
    ]),
  );
}

/** The plant as the study runs it: planned minutes per order and utilisation at each load. */
export function plantTable(plant: PlantSpec, loads: readonly number[]): string {
  const perOrder = expectedStationLoad(plant);
  const drum = perOrder.get(plant.drum) ?? 1;
  return table(
    ['station', 'planned min per order', ...loads.map((l) => `utilisation at ${pct(l)} drum load`), 'downtime'],
    plant.stations.map((s) => {
      const m = perOrder.get(s.id) ?? 0;
      const name = s.id === plant.drum ? `${s.id} (drum)` : s.id;
      return [
        name,
        m.toFixed(0),
        ...loads.map((l) => `${((100 * l * m) / drum).toFixed(0)} %`),
        `${(100 * downtimeShare(s)).toFixed(1)} %`,
      ];
    }),
  );
}

export function buffersTable(plant: PlantSpec, buffers: ReadonlyMap<string, BufferPolicy>): string {
  return table(
    ['product', 'routing', 'PB (rope = PB/2)', 'SB', 'standard lead time'],
    plant.products
      .filter((p) => buffers.has(p.id))
      .map((p) => {
        const b = buffers.get(p.id)!;
        const routing = p.routing.map((o) => (o.station === plant.drum ? `**${o.station}**` : o.station)).join(' → ');
        return [p.id, routing, `${b.productionBufferDays} d`, `${b.shippingBufferDays} d`, `${b.standardLeadTimeDays} d`];
      }),
  );
}

/**
 * The targets of both engines, one row per target and one column per load, each cell its
 * verdict and number (the targets table holds the intervals), and the disturbance grid's
 * count of points keeping ≥ 98 % (mean over the point's replications).
 */
export function verdictTable(result: StudyResult): string {
  const checks = checkTargets(result);
  const loads = result.settings.loads;
  const base = 0.9;
  const head = ['target', ...loads.map((l) => (l === base ? `${pct(l)} (base)` : pct(l)))];
  const body: string[][] = [];
  const cell = (c: TargetCheck | undefined) => {
    if (!c) return '—';
    const v = c.met === null ? 'n/a' : !c.met ? '**no**' : c.interval === 'straddles' ? 'yes (point only)' : 'yes';
    return `${v}: ${c.short}`;
  };
  for (const [engine, label] of [
    [DRUMBEAT_ROUTE, 'whole route'],
    [DRUMBEAT, 'drum-only'],
  ] as const) {
    const mine = checks.filter((c) => c.target.startsWith(`${label}: `) && c.short !== '');
    if (mine.length === 0) continue;
    const protections = loads.map((l) => {
      const t = result.tuned.find((x) => x.load === l);
      return t
        ? `${engine === DRUMBEAT ? t.protection : t.routeProtection}${engine === DRUMBEAT_ROUTE && !t.routeReached ? ' (not reached)' : ''}`
        : '—';
    });
    body.push([`**${label}** (protection, d: ${protections.join(', ')})`, ...loads.map(() => '')]);
    for (const key of [...new Set(mine.map((c) => c.key))])
      body.push([key, ...loads.map((l) => cell(mine.find((c) => c.key === key && c.load === l)))]);
    body.push([
      'promises kept ≥ 98 % (mean) at every point of the disturbance grid',
      ...loads.map((l) => {
        const pts = result.grid.filter((g) => g.load === l);
        const runs = pts.map((g) => (engine === DRUMBEAT ? g.drumbeat : g.route)).filter((r): r is PolicyResult => typeof r === 'object');
        if (runs.length === 0) return 'not run';
        return `${runs.filter((r) => r.summary.onTimePct.mean >= 98).length} of ${runs.length} points`;
      }),
    ]);
  }
  return table(head, body);
}

/** The protections tried on the training seed, each with what it kept and quoted there: the tuning's evidence. */
export function tuningTable(result: StudyResult): string {
  return table(
    ['load', 'engine', 'protection (d)', 'promises kept % (training)', 'quoted lead time (d, training)', 'chosen'],
    result.tuning.map((t) => [
      pct(t.load),
      t.engine === DRUMBEAT ? 'drum-only, no DBM' : 'whole route, DBM',
      String(t.protection),
      formatEstimate(t.kept, 1),
      formatEstimate(t.quoted, 2),
      t.chosen ? 'yes' : '',
    ]),
  );
}

/** The reproduction check's numbers, to more digits than the tables, so that any change in the code or engine shows. */
export function reproductionTable(rows: readonly { policy: string; result: PolicyResult }[]): string {
  return table(
    ['policy', 'promises kept %', 'quoted lead time (d)', 'total flow time (d)', 'WIP (orders)'],
    rows.map((r) => [
      r.policy,
      r.result.summary.onTimePct.mean.toFixed(3),
      r.result.summary.meanQuotedLeadDays.mean.toFixed(4),
      r.result.summary.meanFlowDays.mean.toFixed(4),
      r.result.summary.wip.mean.toFixed(4),
    ]),
  );
}
