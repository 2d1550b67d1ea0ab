import { activeCapacityChanges } from '../../db/repos/capacity-changes.ts';
import { committedOrderLines } from '../../db/repos/planning-reports.ts';
import { listResourceRows } from '../../db/repos/resources.ts';
import { buildWorkingTime, nextLocalDate } from '../../engine/index.ts';
import { bucketLoad, LoadPlacement } from '../../planning-rules/load-buckets.ts';
import { effectiveCalendar } from '../../planning-rules/effective-calendar.ts';
import { invalid } from '../errors.ts';
import { forEachWithRowInPages, READ_PAGE_SIZE, scheduleInSlices } from '../event-loop-slices.ts';
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
export async function resourceLoad(deps: ScheduleDeps, plantId: string, q: LoadQuery, linesPageSize = READ_PAGE_SIZE) {
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
  const placement = new LoadPlacement({ resources: resources.map((r) => r.id), drumId, drumWt, nowMinute, days });
  const schedule = await scheduleInSlices(book, nowMinute, state.config.policy.productionBufferDays);
  // The order lines are read a page of the drum sequence at a time and placed in sequence.
  await forEachWithRowInPages(
    schedule,
    (ids) => committedOrderLines(deps.db, plantId, ids),
    (s, row) => {
      const routing = state.config.products.get(row.sku)?.routing;
      if (routing) placement.place({ status: row.status, quantity: row.quantity, routing, releaseDate: s.releaseDate, finish: s.finish });
    },
    linesPageSize,
  );
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
