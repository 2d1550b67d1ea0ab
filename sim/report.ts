import type { Estimate } from './confidence.ts';
import type { PolicyResult } from './experiment.ts';
import type { RunMetrics } from './metrics.ts';
import { type PlantSpec, downtimeShare, expectedStationLoad } from './plant.ts';
import type { BufferPolicy } from '../src/engine/index.ts';

/** One line of the results table: a policy at a load, with the parameter it ran with. */
export interface ResultRow {
  load: number;
  policy: string;
  /** Human-readable parameter, e.g. "k = 11.2 days (tuned to 95 %)". */
  parameter: string;
  /** True for policies that release every order on arrival (the WIP baseline). */
  releaseOnArrival: boolean;
  /** True for the classic rules tuned to the issue's 95 % (the lead-time baseline). */
  classicRule: boolean;
  /** True for the classic rules tuned to another target (99 %: Drumbeat's level), shown for reference. */
  referenceRule?: boolean;
  result: PolicyResult;
}

const COLUMNS: { key: keyof RunMetrics; title: string; digits: number }[] = [
  { key: 'onTimePct', title: 'promises kept %', digits: 1 },
  { key: 'meanTardinessDays', title: 'mean tardiness (d)', digits: 2 },
  { key: 'p95TardinessDays', title: 'p95 tardiness (d)', digits: 2 },
  { key: 'meanQuotedLeadDays', title: 'quoted lead time (d)', digits: 2 },
  { key: 'meanPromisedLeadDays', title: 'promised lead time (d)', digits: 2 },
  { key: 'meanFlowDays', title: 'flow time (d)', digits: 2 },
  { key: 'wip', title: 'WIP (orders)', digits: 1 },
  { key: 'throughputPerDay', title: 'throughput (orders/d)', digits: 2 },
  { key: 'drumUtilisationPct', title: 'drum utilisation %', digits: 1 },
];

function formatEstimate(e: Estimate, digits: number): string {
  return e.n > 1 ? `${e.mean.toFixed(digits)} ± ${e.half.toFixed(digits)}` : e.mean.toFixed(digits);
}

export function resultsTable(rows: readonly ResultRow[]): string {
  const head = ['load', 'policy', 'parameter', ...COLUMNS.map((c) => c.title)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const cells = [
      `${Math.round(r.load * 100)} %`,
      r.policy,
      r.parameter + (r.result.truncated > 0 ? ` (${r.result.truncated} runs cut off)` : ''),
      ...COLUMNS.map((c) => formatEstimate(r.result.summary[c.key], c.digits)),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export interface TargetCheck {
  load: number;
  target: string;
  value: string;
  met: boolean;
}

/**
 * The issue's three targets, checked at every load (the issue states them at 90 %):
 * promises kept ≥ 99 %; quoted lead time ≤ 0.8 × the best classic rule at its 95 %
 * point; WIP ≤ 0.6 × release-on-arrival (the lowest WIP among the vicious circle and
 * the rules at 95 %: the strictest reading). Plus, for reference, the lead time against
 * the rules tuned to 99 %, the reliability Drumbeat actually delivers.
 */
export function checkTargets(rows: readonly ResultRow[], drumbeat: string): TargetCheck[] {
  const out: TargetCheck[] = [];
  for (const load of [...new Set(rows.map((r) => r.load))]) {
    const atLoad = rows.filter((r) => r.load === load);
    const db = atLoad.find((r) => r.policy === drumbeat);
    if (!db) continue;
    const s = db.result.summary;
    out.push({
      load,
      target: 'promises kept ≥ 99 %',
      value: `${formatEstimate(s.onTimePct, 1)} %`,
      met: s.onTimePct.mean >= 99,
    });
    const leadTimeVs = (rows: typeof atLoad, target: string) => {
      if (rows.length === 0) return;
      const best = rows.reduce((a, b) => (b.result.summary.meanQuotedLeadDays.mean < a.result.summary.meanQuotedLeadDays.mean ? b : a));
      const ratio = s.meanQuotedLeadDays.mean / best.result.summary.meanQuotedLeadDays.mean;
      out.push({
        load,
        target,
        value: `${s.meanQuotedLeadDays.mean.toFixed(2)} d vs ${best.policy} ${best.result.summary.meanQuotedLeadDays.mean.toFixed(2)} d: ${ratio.toFixed(2)} ×`,
        met: ratio <= 0.8,
      });
    };
    leadTimeVs(
      atLoad.filter((r) => r.classicRule),
      'quoted lead time ≤ 0.8 × best classic rule at 95 %',
    );
    leadTimeVs(
      atLoad.filter((r) => r.referenceRule),
      '(reference) quoted lead time vs best classic rule at 99 %',
    );
    const baseline = atLoad.filter((r) => r.releaseOnArrival);
    if (baseline.length > 0) {
      const lowest = baseline.reduce((a, b) => (b.result.summary.wip.mean < a.result.summary.wip.mean ? b : a));
      const ratio = s.wip.mean / lowest.result.summary.wip.mean;
      out.push({
        load,
        target: 'WIP ≤ 0.6 × release on arrival',
        value: `${s.wip.mean.toFixed(1)} vs ${lowest.policy} ${lowest.result.summary.wip.mean.toFixed(1)}: ${ratio.toFixed(2)} ×`,
        met: ratio <= 0.6,
      });
    }
  }
  return out;
}

export function targetsTable(checks: readonly TargetCheck[]): string {
  const lines = ['| load | target | Drumbeat | met |', '|---|---|---|---|'];
  for (const c of checks) lines.push(`| ${Math.round(c.load * 100)} % | ${c.target} | ${c.value} | ${c.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}

/** The plant as the study runs it: planned minutes per order and utilisation at each load. */
export function plantTable(plant: PlantSpec, loads: readonly number[]): string {
  const perOrder = expectedStationLoad(plant);
  const drum = perOrder.get(plant.drum) ?? 1;
  const head = ['station', 'planned min per order', ...loads.map((l) => `utilisation at ${Math.round(l * 100)} % drum load`), 'downtime'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const s of plant.stations) {
    const m = perOrder.get(s.id) ?? 0;
    const name = s.id === plant.drum ? `${s.id} (drum)` : s.id;
    const util = loads.map((l) => `${((100 * l * m) / drum).toFixed(0)} %`);
    lines.push(`| ${[name, m.toFixed(0), ...util, `${(100 * downtimeShare(s)).toFixed(1)} %`].join(' | ')} |`);
  }
  return lines.join('\n');
}

export function buffersTable(plant: PlantSpec, buffers: ReadonlyMap<string, BufferPolicy>): string {
  const lines = ['| product | routing | PB (rope = PB/2) | SB | promise floor |', '|---|---|---|---|---|'];
  for (const p of plant.products) {
    const b = buffers.get(p.id);
    if (!b) continue;
    const routing = p.routing.map((o) => (o.station === plant.drum ? `**${o.station}**` : o.station)).join(' → ');
    lines.push(`| ${p.id} | ${routing} | ${b.productionBufferDays} d | ${b.shippingBufferDays} d | ${b.standardLeadTimeDays} d |`);
  }
  return lines.join('\n');
}
