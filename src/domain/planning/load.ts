import { activeCapacityChanges } from '../../db/repos/capacity-changes.ts';
import { committedOrderLines } from '../../db/repos/planning-reports.ts';
import { listResourceRows } from '../../db/repos/resources.ts';
import { buildWorkingTime, nextLocalDate } from '../../engine/index.ts';
import { bucketLoad, LoadPlacement } from '../../planning-rules/load-buckets.ts';
import { effectiveCalendar } from '../../planning-rules/effective-calendar.ts';
import { invalid } from '../errors.ts';
import { scheduleInSlices, SLICE_SIZE, yieldToEventLoop } from '../event-loop-slices.ts';
import { engineOf } from '../promising/evaluate.ts';
import { readState } from '../promising/read-state.ts';
import { toMinute } from '../schedule/plant-cache.ts';
import type { ScheduleDeps } from '../schedule/schedule-writer.ts';

export interface LoadQuery {
  from: string;
  to: string;
  granularity: 'day' | 'week';
  threshold: number;
}

const MAX_DAYS = 366;

/**
 * Load per resource and period against its calendar capacity (with capacity changes); the
 * rules (where each operation's load falls, periods, the threshold) are in
 * planning-rules/load-buckets.ts. A non-drum resource above the threshold in some period
 * is flagged as a possible wandering bottleneck.
 */
export async function resourceLoad(deps: ScheduleDeps, plantId: string, q: LoadQuery) {
  if (q.to < q.from) throw invalid([{ field: 'querystring.to', message: `${q.to} is before ${q.from}` }]);
  const days: string[] = [];
  for (let d = q.from; d <= q.to; d = nextLocalDate(d)) {
    if (days.length >= MAX_DAYS) throw invalid([{ field: 'querystring.to', message: `At most ${MAX_DAYS} days per request` }]);
    days.push(d);
  }
  const state = await readState(deps, plantId);
  const { book, wt: drumWt } = engineOf(state);
  const now = deps.clock.now();
  const nowMinute = toMinute(now);
  const drumId = state.config.drum!.id;

  const resources = await listResourceRows(deps.db, plantId);
  const changes = await activeCapacityChanges(deps.db, plantId);
  const open = new Map((await committedOrderLines(deps.db, plantId)).map((r) => [r.id, r]));
  const placement = new LoadPlacement({ resources: resources.map((r) => r.id), drumId, drumWt, nowMinute, days });
  const schedule = await scheduleInSlices(book, nowMinute, state.config.policy.productionBufferDays);
  for (let i = 0; i < schedule.length; i++) {
    if (i > 0 && i % SLICE_SIZE === 0) await yieldToEventLoop();
    const s = schedule[i]!;
    const row = open.get(s.id);
    const routing = row ? state.config.products.get(row.sku)?.routing : undefined;
    if (row && routing)
      placement.place({ status: row.status, quantity: row.quantity, routing, releaseDate: s.releaseDate, finish: s.finish });
  }
  const load = placement.result();

  const out = resources.map((r) => {
    const own = changes.filter((c) => c.resource_id === r.id);
    const wt = buildWorkingTime(effectiveCalendar(state.config.timeZone, r.calendar, own));
    const periods = bucketLoad(wt, days, load.get(r.id)!, q.granularity, q.threshold);
    return { resource: r.id, name: r.name, drum: r.is_drum, periods, flagged: !r.is_drum && periods.some((p) => p.overThreshold) };
  });
  return {
    plant: plantId,
    from: q.from,
    to: q.to,
    granularity: q.granularity,
    threshold: q.threshold,
    scheduleVersion: state.version,
    computedAt: now.toISOString(),
    resources: out,
    possibleWanderingBottlenecks: out.filter((r) => r.flagged).map((r) => r.resource),
  };
}
