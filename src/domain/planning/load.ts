import { listResourceRows } from '../../db/repos/resources.ts';
import { nextLocalDate } from '../../engine/index.ts';
import { bucketLoad, PlannedLoad } from '../../planning-rules/load-buckets.ts';
import { invalid } from '../errors.ts';
import { SLICE_SIZE, yieldToEventLoop } from '../event-loop-slices.ts';
import { engineOf } from '../promising/evaluate.ts';
import { readState } from '../promising/read-state.ts';
import { toMinute } from '../schedule/plant-cache.ts';
import { workingTimesOf } from '../schedule/route-state.ts';
import type { ScheduleDeps } from '../schedule/schedule-writer.ts';
import { routePlanInSlices } from '../schedule/route-plan-slices.ts';

export interface LoadQuery {
  from: string;
  to: string;
  granularity: 'day' | 'week';
  threshold: number;
}

const MAX_DAYS = 366;

/**
 * Load per resource and period against its calendar capacity (with capacity changes), from
 * the published route plans — the planned layer the quote uses (design note whole-route.md
 * §7 "Two layers"), so the report, the quote and GET …/plan show the same numbers. The rules
 * (how an interval splits across days, unreserved legacy operations, usable capacity) are
 * in planning-rules/load-buckets.ts. A non-drum resource above the threshold in some period
 * is flagged as a possible wandering bottleneck. Cost: one route plan of the plant,
 * O(n log m) in pages with a yield between (routePlanInSlices), then the operations added
 * a slice at a time and the resources one at a time, with a yield between; no order row
 * is read.
 */
export async function resourceLoad(deps: ScheduleDeps, plantId: string, q: LoadQuery) {
  if (q.to < q.from) throw invalid([{ field: 'querystring.to', message: `${q.to} is before ${q.from}` }]);
  const days: string[] = [];
  for (let d = q.from; d <= q.to; d = nextLocalDate(d)) {
    if (days.length >= MAX_DAYS) throw invalid([{ field: 'querystring.to', message: `At most ${MAX_DAYS} days per request` }]);
    days.push(d);
  }
  const now = deps.clock.now();
  const nowMinute = toMinute(now);
  const names = new Map((await listResourceRows(deps.db, plantId)).map((r) => [r.id, r.name]));
  const state = await readState(deps, plantId, now);
  const { route } = engineOf(state);
  // Read before the walk yields: a write batch may change the state in between (the walk restarts; these must not move).
  const { config, version } = state;

  const wts = workingTimesOf(config);
  const load = new PlannedLoad(wts, days, nowMinute);
  const plans = await routePlanInSlices(state, route, nowMinute);
  for (let i = 0; i < plans.length; i++) {
    if (i > 0 && i % SLICE_SIZE === 0) await yieldToEventLoop();
    for (const op of plans[i]!.operations) load.add(op);
  }

  const out = [];
  for (const r of config.resources.values()) {
    await yieldToEventLoop(); // usable capacity sorts a resource's operations: ~10 ms per resource at 100k
    const { byDay, unreservedMinutes, usable } = load.result(r.id)!;
    const periods = bucketLoad(wts.get(r.id)!, days, byDay, q.granularity, q.threshold);
    out.push({
      resource: r.id,
      name: names.get(r.id) ?? r.id,
      drum: r.isDrum,
      periods,
      unreservedMinutes,
      usableCapacity: usable,
      flagged: !r.isDrum && periods.some((p) => p.overThreshold),
    });
  }
  return {
    plant: plantId,
    from: q.from,
    to: q.to,
    granularity: q.granularity,
    threshold: q.threshold,
    scheduleVersion: version,
    computedAt: now.toISOString(),
    resources: out,
    possibleWanderingBottlenecks: out.filter((r) => r.flagged).map((r) => r.resource),
  };
}
