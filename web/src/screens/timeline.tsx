import { useState } from 'preact/hooks';
import { api, ok } from '../api.ts';
import { useLiveRefresh } from '../live.ts';
import { ErrorText, Loading, useLoad } from '../ui/async.tsx';
import { addDays, dateTime, minutes, today } from '../ui/format.ts';
import { WeeksSelect } from '../ui/weeks-select.tsx';
import type { ScreenProps } from './props.ts';

// The published plan per resource as a Gantt-like chart: working time shaded, planned
// operations as bars (holds hatched, with their expiry), the frozen window marked, overloaded
// days flagged. Plain SVG: no chart library.

const loadTimeline = (plant: string, from: string, to: string) =>
  ok(api.GET('/v1/plants/{plant}/timeline', { params: { path: { plant }, query: { from, to } } }));

type Timeline = Awaited<ReturnType<typeof loadTimeline>>;

const DAY_W = 44;
const ROW_H = 46;
const LABEL_W = 200;
const HEAD_H = 34;
const DAY_MS = 86_400_000;

export function TimelineScreen({ plant, timeZone }: ScreenProps) {
  const [from, setFrom] = useState(today());
  const [days, setDays] = useState(28);
  const to = addDays(from, days - 1);
  const data = useLoad(() => loadTimeline(plant, from, to), [plant, from, to]);
  useLiveRefresh(plant, data.reload);
  return (
    <section aria-labelledby="timeline-title">
      <h1 id="timeline-title">Timeline</h1>
      <form class="row-form" onSubmit={(e) => e.preventDefault()}>
        <label>
          From
          <input type="date" value={from} onChange={(e) => e.currentTarget.value && setFrom(e.currentTarget.value)} />
        </label>
        <WeeksSelect weeks={days / 7} choices={[2, 4, 8]} onChange={(weeks) => setDays(7 * weeks)} />
      </form>
      <ErrorText error={data.error} />
      {!data.value ? <Loading failed={!!data.error} /> : <Gantt timeline={data.value} from={from} days={days} timeZone={timeZone} />}
    </section>
  );
}

function Gantt({ timeline, from, days, timeZone }: { timeline: Timeline; from: string; days: number; timeZone: string }) {
  const t0 = Date.parse(`${from}T00:00:00Z`);
  const x = (iso: string) => LABEL_W + ((Date.parse(iso) - t0) / DAY_MS) * DAY_W;
  const width = LABEL_W + days * DAY_W;
  const height = HEAD_H + timeline.resources.length * ROW_H;
  const clampX = (v: number) => Math.max(LABEL_W, Math.min(width, v));
  const frozenX = timeline.frozenUntil ? clampX(x(timeline.frozenUntil)) : null;
  const overloads = timeline.resources.flatMap((r) => r.overloadedDays.map((d) => ({ resource: r.name, ...d })));
  return (
    <>
      <ul class="legend" aria-label="Legend">
        <li>
          <span class="sw sw-work" /> working time
        </li>
        <li>
          <span class="sw sw-confirmed" /> confirmed
        </li>
        <li>
          <span class="sw sw-released" /> released / in progress
        </li>
        <li>
          <span class="sw sw-held" /> held (hatched; expires)
        </li>
        <li>
          <span class="sw sw-frozen" /> frozen window
        </li>
        <li>
          <span aria-hidden="true">▲</span> overloaded day
        </li>
      </ul>
      <div class="gantt-scroll" tabIndex={0} aria-label="Timeline chart, scrolls sideways">
        <svg
          class="gantt"
          width={width}
          height={height}
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-label={`Plan of ${timeline.resources.length} resources over ${days} days from ${from}`}
        >
          <defs>
            <pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <rect width="6" height="6" class="hatch-bg" />
              <line x1="0" y1="0" x2="0" y2="6" class="hatch-line" />
            </pattern>
            <pattern id="frozen" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">
              <line x1="0" y1="0" x2="0" y2="8" class="frozen-line" />
            </pattern>
          </defs>
          {Array.from({ length: days }, (_, i) => {
            const d = addDays(from, i);
            const weekday = new Date(`${d}T12:00:00Z`).getUTCDay();
            return (
              <g key={d}>
                <rect
                  x={LABEL_W + i * DAY_W}
                  y={0}
                  width={DAY_W}
                  height={height}
                  class={weekday === 0 || weekday === 6 ? 'day weekend' : 'day'}
                />
                <text x={LABEL_W + i * DAY_W + 4} y={14} class="day-label">
                  {d.slice(8)}
                </text>
                <text x={LABEL_W + i * DAY_W + 4} y={27} class="day-label small">
                  {'SMTWTFS'[weekday]}
                </text>
              </g>
            );
          })}
          {timeline.resources.map((r, row) => {
            const y = HEAD_H + row * ROW_H;
            return (
              <g key={r.id} data-resource={r.id}>
                <text x={6} y={y + 26} class="res-label">
                  {r.name}
                  {r.isDrum ? ' (drum)' : ''}
                </text>
                <line x1={0} x2={width} y1={y} y2={y} class="row-line" />
                {r.calendar.map((c, i) => (
                  <rect
                    key={i}
                    x={clampX(x(c.start))}
                    y={y + 4}
                    width={Math.max(0, clampX(x(c.end)) - clampX(x(c.start)))}
                    height={ROW_H - 8}
                    class="work"
                  />
                ))}
                {r.intervals.map((iv, i) => {
                  const x1 = clampX(x(iv.start));
                  // An operation without a planned end (still open-ended): its minutes from the start.
                  const end = iv.end ?? new Date(Date.parse(iv.start) + iv.minutes * 60_000).toISOString();
                  const w = Math.max(1.5, clampX(x(end)) - x1);
                  const held = iv.status === 'held';
                  return (
                    <rect
                      key={`${iv.orderId}-${i}`}
                      x={x1}
                      y={y + 10}
                      width={w}
                      height={ROW_H - 20}
                      class={`bar bar-${held ? 'held' : iv.status === 'confirmed' ? 'confirmed' : 'released'}`}
                      fill={held ? 'url(#hatch)' : undefined}
                      data-status={iv.status}
                    >
                      <title>
                        {`order ${iv.orderId.slice(0, 8)} · ${iv.status} · ${minutes(iv.minutes)} · ${dateTime(iv.start, timeZone)} – ${dateTime(end, timeZone)}${held && iv.holdExpiresAt ? ` · hold expires ${dateTime(iv.holdExpiresAt, timeZone)}` : ''}`}
                      </title>
                    </rect>
                  );
                })}
                {r.overloadedDays.map((d) => {
                  const dx = LABEL_W + ((Date.parse(`${d.date}T00:00:00Z`) - t0) / DAY_MS) * DAY_W;
                  if (dx < LABEL_W || dx >= width) return null;
                  return (
                    <g key={d.date} class="overload" data-overloaded={d.date}>
                      <rect x={dx} y={y + 2} width={DAY_W} height={ROW_H - 4} class="overload-box" />
                      <text x={dx + DAY_W / 2 - 5} y={y + 14} class="overload-mark">
                        ▲
                      </text>
                      <title>{`${r.name} overloaded on ${d.date}: ${minutes(d.loadMinutes)} planned, ${minutes(d.capacityMinutes)} available`}</title>
                    </g>
                  );
                })}
              </g>
            );
          })}
          {frozenX !== null && frozenX > LABEL_W && (
            <g class="frozen-window">
              <rect x={LABEL_W} y={HEAD_H} width={frozenX - LABEL_W} height={height - HEAD_H} fill="url(#frozen)" class="frozen" />
              <line x1={frozenX} x2={frozenX} y1={0} y2={height} class="frozen-edge" />
              <text x={frozenX + 3} y={HEAD_H - 2} class="frozen-label">
                frozen until {dateTime(timeline.frozenUntil, timeZone)}
              </text>
            </g>
          )}
        </svg>
      </div>
      <h2>Overloaded days</h2>
      {overloads.length === 0 ? (
        <p class="muted">None in this range.</p>
      ) : (
        <ul class="plain" aria-label="Overloaded days">
          {overloads.map((o) => (
            <li key={`${o.resource}-${o.date}`}>
              <span aria-hidden="true">▲</span> {o.resource} {o.date}: {minutes(o.loadMinutes)} planned, {minutes(o.capacityMinutes)}{' '}
              available
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
