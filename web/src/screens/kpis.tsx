import { useState } from 'preact/hooks';
import { api, ok } from '../api.ts';
import { ErrorText, Loading, useLoad } from '../ui/async.tsx';
import { addDays, percent, today } from '../ui/format.ts';
import { WeeksSelect } from '../ui/weeks-select.tsx';
import type { ScreenProps } from './props.ts';

// KPIs over time: promises kept (against the original promise), quoted lead time, re-promises.
// Simple SVG bar charts, each with its numbers also as a table for screen readers.

interface Point {
  label: string;
  value: number | null;
}

function BarChart({ title, points, unit, max }: { title: string; points: Point[]; unit: string; max?: number }) {
  const w = 560;
  const h = 180;
  const pad = 28;
  const top = max ?? Math.max(1, ...points.map((p) => p.value ?? 0));
  const bw = (w - pad) / Math.max(1, points.length);
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg width="100%" viewBox={`0 0 ${w} ${h + 24}`} role="img" aria-label={title}>
        <line x1={pad} x2={w} y1={h} y2={h} class="axis" />
        <text x={0} y={12} class="tick">
          {Math.round(top)}
        </text>
        <text x={0} y={h} class="tick">
          0
        </text>
        {points.map((p, i) => {
          const v = p.value ?? 0;
          const bh = (v / top) * (h - 16);
          return (
            <g key={p.label}>
              <rect x={pad + i * bw + 3} y={h - bh} width={Math.max(2, bw - 6)} height={bh} class="bar-kpi">
                <title>{`${p.label}: ${p.value === null ? 'no data' : `${Math.round(v * 10) / 10} ${unit}`}`}</title>
              </rect>
              {p.value === null && (
                <text x={pad + i * bw + bw / 2 - 3} y={h - 4} class="tick">
                  –
                </text>
              )}
              {(points.length <= 16 || i % 2 === 0) && (
                <text x={pad + i * bw + 3} y={h + 16} class="tick">
                  {p.label.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <details>
        <summary>Numbers</summary>
        <table class="grid small">
          <tbody>
            {points.map((p) => (
              <tr key={p.label}>
                <th scope="row">{p.label}</th>
                <td>{p.value === null ? '—' : `${Math.round(p.value * 10) / 10} ${unit}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export function KpiScreen({ plant }: ScreenProps) {
  const [weeks, setWeeks] = useState(12);
  const to = today();
  const from = addDays(to, -7 * weeks + 1);
  const kpis = useLoad(
    () => ok(api.GET('/v1/plants/{plant}/kpis', { params: { path: { plant }, query: { from, to, granularity: 'week' } } })),
    [plant, from, to],
  );
  const k = kpis.value;
  const periods = k?.breakdown ?? [];
  const label = (p: (typeof periods)[number]) => p.period ?? p.from;
  return (
    <section aria-labelledby="kpi-title">
      <h1 id="kpi-title">KPIs</h1>
      <form class="row-form" onSubmit={(e) => e.preventDefault()}>
        <WeeksSelect weeks={weeks} choices={[4, 12, 26]} onChange={setWeeks} />
      </form>
      <ErrorText error={kpis.error} />
      {!k ? (
        <Loading failed={!!kpis.error} />
      ) : (
        <>
          <dl class="kpi-summary">
            <div>
              <dt>Promises kept (original)</dt>
              <dd>
                {percent(k.promises.keptPercent)} <span class="muted small">of {k.promises.shipped} shipped</span>
              </dd>
            </div>
            <div>
              <dt>Kept against latest promise</dt>
              <dd>{percent(k.promises.keptAgainstLatestPercent)}</dd>
            </div>
            <div>
              <dt>Quoted lead time</dt>
              <dd>{k.quotedLeadTimeDays.mean === null ? '—' : `${k.quotedLeadTimeDays.mean.toFixed(1)} days`}</dd>
            </div>
            <div>
              <dt>Re-promises</dt>
              <dd>
                {k.repromises}{' '}
                <span class="muted small">
                  (plant {k.repromisesByInitiator.plant}, customer {k.repromisesByInitiator.customer}, ERP {k.repromisesByInitiator.erp})
                </span>
              </dd>
            </div>
            <div>
              <dt>Work in progress</dt>
              <dd>{k.wip.orders} orders</dd>
            </div>
          </dl>
          <div class="charts">
            <BarChart
              title="Promises kept per week (against the original promise), %"
              unit="%"
              max={100}
              points={periods.map((p) => ({ label: label(p), value: p.promises.keptPercent }))}
            />
            <BarChart
              title="Quoted lead time per week (mean), days"
              unit="days"
              points={periods.map((p) => ({ label: label(p), value: p.quotedLeadTimeDays.mean }))}
            />
            <BarChart title="Re-promises per week" unit="" points={periods.map((p) => ({ label: label(p), value: p.repromises }))} />
          </div>
        </>
      )}
    </section>
  );
}
